## Планы продаж, доска результатов, премии, отчёты собственнику, импорт и экспорт.

cmd-board = Доска результатов
cmd-plan_month = План продаж на месяц
cmd-bonus = Ожидаемая премия
cmd-bonus_scheme = Схема премии
cmd-sales_report = Отчёт за неделю или месяц
cmd-export = Выгрузка в Excel
cmd-import = Загрузить клиентов и задачи из файла

sales-month-1 = январь
sales-month-2 = февраль
sales-month-3 = март
sales-month-4 = апрель
sales-month-5 = май
sales-month-6 = июнь
sales-month-7 = июль
sales-month-8 = август
sales-month-9 = сентябрь
sales-month-10 = октябрь
sales-month-11 = ноябрь
sales-month-12 = декабрь
sales-period-month = { $month } { $year }
sales-period-week = неделя { $start }–{ $end }
sales-period-quarter = { $quarter } квартал { $year }
sales-period-year = { $year } год
sales-period-range = { $start }–{ $end }

## Доска результатов: картинка (без разметки)
board-img-title = Доска результатов
board-img-final = итог
board-img-asof = на { $date } · рабочих дней { $elapsed } из { $total }
board-img-team = Команда
board-img-revenue = { $fact } ₽ из { $plan } ₽
board-img-revenue-no-plan = { $fact } ₽
board-img-leads = лиды { $leads }
board-img-deals = сделки { $deals } из { $plan }
board-img-deals-no-plan = сделки { $deals }
board-img-no-plan = план не задан
board-img-forecast = прогноз { $percent } ({ $amount } ₽)

## Доска результатов: текст
board-title = <b>📊 Доска результатов — { $period }</b>
board-asof = на { $date }, прошло рабочих дней: { $elapsed } из { $total }
board-final = итоги периода
board-team = <b>Команда:</b> { $fact } ₽ из { $plan } ₽ — { $percent }
board-team-no-plan = <b>Команда:</b> { $fact } ₽ (план не задан — /plan_month)
board-forecast = Прогноз на конец периода: { $amount } ₽ ({ $percent })
board-counts = Лиды: { $leads } · сделки: { $deals } из { $plan }
board-counts-no-plan = Лиды: { $leads } · сделки: { $deals }
board-line = { $mark } { $n }. { $name } — { $revenue } ₽ · { $percent } · прогноз { $forecast }
board-line-final = { $mark } { $n }. { $name } — { $revenue } ₽ · { $percent }
board-line-no-plan = { $mark } { $n }. { $name } — { $revenue } ₽ · плана нет
board-line-counts = { "   " }лиды { $leads } · сделки { $deals } из { $plan }
board-line-counts-no-plan = { "   " }лиды { $leads } · сделки { $deals }
board-empty = В команде пока нет менеджеров.

## Премия
bonus-title = <b>💰 Премия — { $period }</b>
bonus-scheme-line = База { $base } ₽, шкала { $scale }
bonus-no-scheme = Схема премии не задана. Руководитель задаёт её командой /bonus_scheme.
bonus-not-on-board = У вас пока нет ни плана, ни сделок в этом месяце.
bonus-line = { $name }: выполнено { $percent } плана → { $amount } ₽
bonus-line-forecast = { "   " }при текущем темпе: { $percent } → { $amount } ₽
bonus-line-no-plan = { $name }: план на месяц не задан
bonus-scheme-usage =
    <b>Схема премии</b> задаётся одной строкой: база и шкала «с какого % плана : коэффициент».
    Пример: <code>/bonus_scheme 50000 0:0 70:1 100:1.5</code>
    — до 70% плана премии нет;
    — с 70% премия пропорциональна выполнению (70% плана → 70% базы);
    — каждый процент сверх 100% оплачивается в 1,5 раза.
    Шаг с коэффициентом 0 в конце ограничивает премию: <code>150:0</code>.
bonus-scheme-current = Сейчас: база { $base } ₽, шкала { $scale }.
bonus-scheme-none = Сейчас схема не задана.
bonus-scheme-saved =
    Схема премии сохранена: база { $base } ₽, шкала { $scale }.
    При 69% плана — { $at69 } ₽, при 85% — { $at85 } ₽, при 100% — { $at100 } ₽, при 120% — { $at120 } ₽.

## План на месяц
salesplan-ask-month = <b>План продаж.</b> На какой месяц? Нажмите кнопку или напишите месяц: 2026-11, ноябрь.
salesplan-no-managers = В команде нет менеджеров — план ставить некому. Пригласите их: /invite
salesplan-ask-member =
    <b>План на { $month }</b> · { $n } из { $total }
    <b>{ $name }</b>: напишите выручку и число сделок, например <code>500000 5</code> или <code>1,5 млн 12</code>.
salesplan-current = Сейчас: { $revenue } ₽, сделок { $deals }.
salesplan-ask-team =
    Сумма по менеджерам: { $revenue } ₽, сделок { $deals }.
    Это и будет план команды — или напишите свой план команды двумя числами.
salesplan-team-current = Сейчас у команды свой план: { $revenue } ₽, сделок { $deals }.
salesplan-saved = <b>План на { $month } сохранён.</b>
salesplan-saved-line = • { $name }: { $revenue } ₽, сделок { $deals }
salesplan-saved-none = • { $name }: плана нет
salesplan-saved-team = <b>Команда: { $revenue } ₽, сделок { $deals }</b>
salesplan-saved-team-sum = <b>Команда (сумма по менеджерам): { $revenue } ₽, сделок { $deals }</b>
salesplan-cancelled = Хорошо, план не меняю.
btn-salesplan-month = { $month }
btn-salesplan-keep = Оставить как есть
btn-salesplan-skip = Без плана
btn-salesplan-sum = Команда = сумма
btn-salesplan-cancel = Отмена

## Отчёт собственнику
salesreport-title = <b>📈 Отчёт: { $period }</b>
salesreport-vs-previous = Выручка { $fact } ₽, в прошлом периоде — { $previous } ₽ ({ $change }); тогда лидов { $leads }, сделок { $deals }.
salesreport-overdue = Просроченные задачи: в начале периода { $first }, сейчас { $last } { $trend }
salesreport-discipline = Вечерние отчёты вовремя: { $percent } ({ $on_time } из { $expected }; с опозданием { $late }, не сдано { $missing })
salesreport-discipline-line = • { $name }: { $percent } ({ $on_time } из { $expected })
salesreport-discipline-none = Вечерних отчётов в этом периоде ещё не ждали.
btn-salesreport-xlsx = 📊 Excel
salesreport-xlsx-caption = Отчёт в Excel: { $period }.
salesreport-sent = Отчёт ({ $period }) отправлен, получателей: { $count }.

## Выгрузка
export-caption = Выгрузка ({ $period }): клиентов { $clients }, задач { $tasks }, сделок { $deals }, лидов { $leads }, вечерних отчётов { $reports }.
xlsx-sheet-clients = Клиенты
xlsx-sheet-tasks = Задачи
xlsx-sheet-deals = Сделки
xlsx-sheet-leads = Лиды
xlsx-sheet-reports = Отчёты дня
xlsx-sheet-summary = Итоги
xlsx-sheet-discipline = Дисциплина
xlsx-sheet-overdue = Просрочка
xlsx-col-id = ID
xlsx-col-client = Название
xlsx-col-owner = Ответственный
xlsx-col-stage = Этап
xlsx-col-created = Создан
xlsx-col-notes = Примечание
xlsx-col-task = Задача
xlsx-col-due = Срок
xlsx-col-task-status = Статус задачи
xlsx-col-result = Результат
xlsx-col-reason = Причина
xlsx-col-moves = Переносов
xlsx-col-closed = Закрыта
xlsx-col-date = Дата
xlsx-col-manager = Менеджер
xlsx-col-amount = Сумма
xlsx-col-source = Источник
xlsx-col-planned = Запланировано
xlsx-col-done = Сделано
xlsx-col-percent = %
xlsx-col-mood = Настроение
xlsx-col-submitted = Сдан
xlsx-col-on-time = Вовремя
xlsx-col-leads = Лиды
xlsx-col-deals = Сделки
xlsx-col-deals-plan = План сделок
xlsx-col-revenue = Выручка
xlsx-col-revenue-plan = План выручки
xlsx-col-forecast = Прогноз выручки
xlsx-col-forecast-percent = Прогноз, %
xlsx-col-expected = Ожидалось
xlsx-col-late = С опозданием
xlsx-col-missing = Не сдано
xlsx-col-overdue = Просрочено задач
xlsx-status-open = открыта
xlsx-status-done = выполнена
xlsx-status-not_done = не выполнена
xlsx-status-cancelled = отменена
xlsx-yes = да
xlsx-no = нет

## Загрузка из файла
import-how =
    <b>Загрузка клиентов и задач.</b> Пришлите файл CSV или XLSX — например, выгрузку из amoCRM или Битрикс24.
    Столбцы узнаю по названиям: «Название» или «Компания», «Ответственный», «Этап», «Задача», «Срок».
    Лист с планами («Менеджер», «Месяц», «Выручка», «Сделки») задаёт планы продаж.
    Сначала покажу, что загрузится и какие строки отклонены, и запишу только после вашего подтверждения.
import-preview-title = <b>Файл «{ $file }»</b>, строк: { $rows }
import-preview-counts =
    Новых клиентов: { $clients_new } (уже есть: { $clients_known })
    Новых задач: { $tasks_new } (уже есть: { $tasks_known })
    Повторы внутри файла: { $duplicates }
    Отклонено строк: { $rejected }
import-preview-plans = Планов на месяц: { $plans_new } (без изменений: { $plans_known })
import-preview-stages = Этап не распознан у { $count } — они будут «новыми».
import-columns = Столбцы: { $columns }
import-columns-ignored = Не использую: { $columns }
import-sample-title = <b>Что загрузится (первые строки):</b>
import-sample = • { $client } — { $owner }
import-sample-task = • { $client } — { $owner }: «{ $task }» до { $due }
import-rejected-title = <b>Отклонены:</b>
import-rejected-line = • строка { $row }: { $reason }
import-rejected-more = …и ещё { $count }.
import-nothing = Нового в файле нет — загружать нечего.
import-confirm = Загрузить хорошие строки? Отклонённые записаны не будут.
btn-import-go = ✅ Загрузить
btn-import-cancel = Отмена
import-done = Загружено: клиентов { $clients }, задач { $tasks }, планов { $plans }.
import-cancelled = Загрузку отменил, ничего не записано.
import-reason-no-client = нет названия клиента
import-reason-name-too-long = название длиннее 200 символов: «{ $value }»
import-reason-unknown-owner = ответственный «{ $value }» не найден среди менеджеров команды
import-reason-no-owner = не указан ответственный
import-reason-bad-date = срок «{ $value }» — не дата
import-reason-no-date = у задачи «{ $value }» нет срока
import-reason-vague-task = задача «{ $value }» — не конкретное действие
import-reason-bad-month = месяц «{ $value }» не распознан
import-reason-bad-number = «{ $value }» — не число

## Командная строка (без разметки)
cli-import-summary = Файл { $file }: строк { $rows }; новых клиентов { $clients_new } (уже есть { $clients_known }), новых задач { $tasks_new } (уже есть { $tasks_known }), планов { $plans_new }, повторов { $duplicates }, отклонено { $rejected }.
cli-import-rejected = Строка { $row }: { $reason }
cli-import-done = Записано: клиентов { $clients }, задач { $tasks }, планов { $plans }.
cli-import-dry-run = Пробный запуск: ничего не записано.
cli-import-nothing = Файл не похож на таблицу клиентов или планов: нет столбца «Название»/«Компания».
cli-owner-unknown = В команде нет менеджера «{ $name }».
cli-export-done = Записано в { $file }: клиентов { $clients }, задач { $tasks }, сделок { $deals }, лидов { $leads }, отчётов { $reports }.
cli-bad-date = Не понял дату «{ $value }». Формат: ГГГГ-ММ-ДД.

## Ошибки
error-period-unknown = Не понял период «{ $text }». Примеры: неделя, прошлый месяц, 2026-10, октябрь, квартал, 01.10.2026-15.10.2026.
error-period-not-month = План ставится на месяц. Напишите месяц: 2026-11 или ноябрь.
error-salesplan-input = Напишите два числа: выручку и число сделок. Например: <code>500000 5</code> или <code>1,5 млн 12</code>.
error-bonus-scale-empty = Шкала пуста. Пример: 0:0 70:1 100:1.5
error-bonus-scale-format = Не понял шаг «{ $token }». Шаг пишется так: процент:коэффициент, например 70:1.
error-bonus-scale-order = Проценты шкалы должны расти: { $value }% стоит не на месте.
error-bonus-scale-rate = Коэффициент { $value } вне пределов: от 0 до 10.
error-bonus-scale-percent = Процент { $value } вне пределов: от 0 до 1000.
error-bonus-scale-no-pay = В шкале нет шага с коэффициентом больше нуля — премия никогда не выплачивалась бы.
error-bonus-scale-too-many = Слишком много шагов: не больше { $max }.
error-bonus-base = Не понял базу премии «{ $value }». Пример: /bonus_scheme 50000 0:0 70:1 100:1.5
error-import-format = Это не CSV и не XLSX. Пришлите файл .csv или .xlsx (старый .xls сохраните как .xlsx).
error-import-too-big = Файл слишком большой: не больше { $mb } МБ.
error-import-too-many-rows = В файле больше { $max } строк. Разбейте его на части.
error-import-unreadable = Не смог прочитать файл: он повреждён или это не таблица.
error-import-not-understood = Не нашёл в файле столбца с названием клиента («Название», «Компания», «Клиент») или листа с планами.
error-import-expired = Файл для загрузки уже не найден. Пришлите его ещё раз.

## heavy work as jobs (bot/heavy.py)
heavy-preparing = Готовлю файл… Пришлю, как только будет готов.
heavy-preparing-picture = Готовлю картинку… Пришлю через несколько секунд.
heavy-reading = Читаю файл…
heavy-writing = Загружаю…
heavy-busy = Уже готовлю — пришлю, как только будет готово.

## import: mostly overdue tasks
import-preview-overdue = ⚠️ Просрочено { $count } из { $total } { $total ->
        [one] новой задачи
       *[other] новых задач
    } (срок раньше сегодняшнего). Их можно загрузить со сроком на другой день: кнопка ниже, или напишите дату.
btn-import-move = 📅 Загрузить, просроченные — на { $date }
error-import-no-overdue = Переносить нечего: просроченных задач в этом файле нет или их немного — нажмите «Загрузить» или «Отмена».
