## The manager's day: clients, tasks, the day list, leads, deals, the evening report, tomorrow's plan.

cmd-today = Мой список на сегодня
cmd-add = Добавить задачу
cmd-report = Итоги дня и план на завтра
cmd-clients = Мои клиенты и поиск
cmd-lead = Записать новый лид
cmd-deal = Записать сделку
cmd-newclient = Новый клиент

stage-new = новый лид
stage-qualified = квалифицирован
stage-proposal = КП отправлено
stage-negotiation = переговоры / решение
stage-won = выигран
stage-lost = проигран
btn-stage-new = → Новый лид
btn-stage-qualified = → Квалифицирован
btn-stage-proposal = → КП отправлено
btn-stage-negotiation = → Переговоры
btn-stage-won = → Выигран 🎉
btn-stage-lost = → Проигран

status-open = открыта
status-done = ✅ сделано
status-not_done = ❌ не сделано
status-cancelled = 🚫 отменено

weekday-0 = пн
weekday-1 = вт
weekday-2 = ср
weekday-3 = чт
weekday-4 = пт
weekday-5 = сб
weekday-6 = вс
date-short = { $weekday } { $date }

task-line = { $n }. { $icon } <b>{ $client }</b>: { $action }{ $marks }{ $due }
task-short = <b>{ $client }</b>: { $action }
task-no-client = без клиента
task-overdue-since = {" "}<i>(просрочено с { $date })</i>
task-moved-to = {" "}<i>(перенесено на { $date })</i>
task-vague = {"\u000A"}    ⚠️ <i>Не действие: { $problem ->
        [only-client-name] только название клиента
        [no-object] одного глагола мало — что именно и зачем?
       *[other] не сказано, что сделать
    } — поправьте формулировку в CRM.</i>
page-continued = <i>Продолжение, часть { $page } из { $pages }</i>

today-title = 📋 <b>План на { $date }</b>
    Открытых задач: { $open }{ $overdue ->
        [0] {""}
       *[other] , из них просрочено: <b>{ $overdue }</b> — с них и начните
    }
today-empty = 📋 <b>{ $date }</b>: задач на сегодня нет. Добавьте конкретные шаги: /add
today-legend = <i>✅ сделано · ❌ не сделано · 📅 перенести · 🗑 отменить. 🔥 — горячий клиент, 🧊 — заморожено.</i>
idle-title = 💤 <b>Клиенты без следующего шага: { $count }</b>
idle-line = • { $name } — { $stage }{ $hot }
idle-hint = <i>У каждого клиента в работе должен быть следующий шаг. Добавьте: /add</i>

btn-task-d = ✅ { $n }
btn-task-n = ❌ { $n }
btn-task-m = 📅 { $n }
btn-task-c = 🗑 { $n }
btn-back = ← Назад
btn-other-date = Другая дата…
btn-cancel-task = Да, отменить задачу
reason-1 = Не дозвонился
reason-2 = Клиент перенёс
reason-3 = Не успел
reason-4 = Ждём ответа клиента
reason-other = Другая причина…

ask-reason = ❌ Почему не сделано?
    { $task }
ask-move = 📅 На когда перенести?
    { $task }
ask-cancel = 🗑 Отменить задачу? Отменённая задача остаётся в плане дня как невыполненная.
    { $task }
ask-reason-text = Напишите причину одной строкой.
ask-move-text = Напишите дату: завтра, в пятницу, 25.11…
task-done-toast = ✅ Сделано! Результат можно дописать одной строкой ответным сообщением.
task-not-done-toast = ❌ Отмечено: не сделано
task-moved-toast = 📅 Перенесено на { $date }
task-cancelled-toast = 🗑 Задача отменена
result-saved = 📝 Результат записан: { $task }
reason-saved = ❌ Отмечено как не сделанное, причина записана: { $task }
move-saved = 📅 Перенесено на { $date }: { $task }

add-ask-client = Для какого клиента задача? Напишите название или его часть.
add-ask-action = Что конкретно сделать для <b>{ $client }</b>? Например: «Позвонить Ивану и согласовать дату встречи».
add-ask-due = Когда? Выберите день или напишите: сегодня, завтра, в пятницу, 25.11.
add-day-off = 📅 { $date } — нерабочий день. Поставить задачу на { $next }? Выберите день или напишите другую дату.
move-day-off = 📅 { $date } — нерабочий день. Перенести на { $next }? Выберите день.
add-pick-client = Нашлось несколько клиентов по «{ $query }». Выберите:
add-unknown-client = Клиента «{ $name }» нет. Создать?
add-done = ➕ Задача добавлена на { $date }: <b>{ $client }</b>: { $action }
add-cancelled = Хорошо, ничего не добавляю.
btn-new-client = ➕ Новый клиент «{ $name }»
btn-new-client-ask = ➕ Новый клиент
client-created = Клиент «{ $name }» создан.

clients-title = 👥 Клиентов: { $count }. Откройте карточку:
clients-more = <i>Показаны первые { $limit }. Уточните поиск: /clients часть названия</i>
clients-empty = Клиентов пока нет. Добавьте: /newclient Название
clients-none-found = По «{ $query }» никого не нашёл. Добавить нового: /newclient { $query }
client-ask-name = Как называется клиент?
card-title = 🏢 <b>{ $name }</b>{ $marks }
    Этап: { $stage } · Ответственный: { $owner }
card-open-title = <b>Открытые задачи:</b>
card-task = • { $date }: { $action }
card-no-open = <i>Открытых задач нет — нужен следующий шаг.</i>
card-results-title = <b>Последние результаты:</b>
card-result = • { $status }: { $action } — { $note }
card-frozen = 🧊 <i>Клиент заморожен: три последние задачи перенесены или не сделаны.</i>
btn-client-task = ➕ Задача
stage-moved = { $name }: теперь «{ $stage }»
stage-same = Клиент уже на этапе «{ $stage }».

lead-recorded = 🔥 Лид записан: <b>{ $name }</b> (источник: { $source }). Тёплый лид надо отработать сегодня — какой первый шаг? Напишите действие.
lead-recorded-new = 🔥 Новый клиент и лид: <b>{ $name }</b> (источник: { $source }). Тёплый лид надо отработать сегодня — какой первый шаг? Напишите действие.
deal-recorded = 🎉 Сделка: <b>{ $name }</b> — { $amount } ₽. Клиент переведён в «выигран».
deal-recorded-new = 🎉 Сделка с новым клиентом: <b>{ $name }</b> — { $amount } ₽.

report-title = 🌙 <b>Итоги дня, { $date }</b>
    Сделано <b>{ $done }</b> из { $planned } — <b>{ $percent }</b>
report-counts = Не сделано: { $not_done } · перенесено: { $moved } · отменено: { $cancelled } · без отметки: { $open }
report-missing = ⚠️ Без отметки задач: <b>{ $count }</b>. По каждой: сделано, причина и новая дата, или отмена.
report-all-marked = 👍 Все задачи дня отмечены.
report-nothing-planned = На сегодня задач не было.
report-leads-title = 🔥 <b>Новые лиды сегодня: { $count }</b>
report-lead-line = • { $name } ({ $source }) — следующий шаг есть
report-lead-line-missing = • { $name } ({ $source }) — ⚠️ <b>нет следующего шага</b>
btn-lead-task = ➕ Шаг для «{ $name }»
report-deals-title = 🎉 <b>Сделки сегодня: { $count } на { $total } ₽</b>
report-deal-line = • { $name } — { $amount } ₽

plan-title = 🗓 <b>План на { $date }</b>
plan-empty = <i>Пока пусто. Добавьте конкретные шаги кнопкой ниже.</i>
plan-hint = <i>Когда план готов и все задачи дня отмечены — отправьте его руководителю.</i>
plan-submitted = 📨 План отправлен руководителю на согласование.
plan-approved = ✅ План согласован.
plan-returned = ↩️ Руководитель вернул план: «{ $comment }». Поправьте и отправьте снова.
plan-ask-client = Задача на завтра. Для какого клиента? Напишите название или его часть.
plan-already-sent = План уже отправлен.
plan-sent-toast = 📨 План отправлен
btn-plan-add = ➕ Задача на завтра
btn-plan-send = 📨 Отправить план
mood-ask = Как прошёл день? Оцените от 1 до 5 (по желанию).
mood-set = Оценка дня: { $value } из 5.
mood-saved = Спасибо! Оценка дня: { $value }

error-button-stale = Эта кнопка уже не действует. Откройте список заново.
error-task-closed = Задача уже отмечена: { $status ->
        [done] сделана
        [not_done] не сделана
        [cancelled] отменена
       *[other] закрыта
    }. Ничего не изменил.
error-task-same-date = Задача и так на эту дату.
error-line-empty = Пустое сообщение — напишите текстом одной строкой.
error-line-too-long = Слишком длинно: не больше { $limit } символов.
error-add-format = Формат: /add Клиент: действие [дата]. Например: /add Ромашка: отправить КП завтра. Или просто /add — спрошу по шагам.
error-client-name-empty = Название клиента не может быть пустым.
error-client-name-too-long = Название клиента длиннее { $limit } символов.
error-client-exists = Клиент «{ $name }» уже есть (ответственный: { $owner }).
error-client-of-other = «{ $name }» — клиент сотрудника { $owner }. Если он теперь ваш, попросите руководителя передать его.
error-lead-format = Формат: /lead Клиент, источник. Например: /lead ООО Ромашка, сайт
error-deal-format = Формат: /deal Клиент сумма. Например: /deal Ромашка 150 000
error-amount-invalid = Не понял сумму. Пишите так: 150000, 150 000, 150к, 1,5 млн.
error-report-missing = Сначала отметьте задачи дня: без отметки ещё { $count }.
error-report-leads-missing = У новых лидов нет следующего шага: { $count }. Добавьте шаг кнопкой «➕ Шаг».
error-plan-is-empty = План на завтра пуст: добавьте хотя бы одну конкретную задачу.
error-date-empty = Напишите дату: сегодня, завтра, в пятницу, 25.11 или 25.11.2026.
error-date-unrecognized = Не понял дату. Пишите так: сегодня, завтра, послезавтра, в пятницу, 25.11, 25.11.2026.
error-date-past = Эта дата уже прошла. Выберите сегодня или позже.
error-date-too-far = Слишком далеко: ставьте задачи не дальше чем на год вперёд.
error-action-empty = Напишите, что конкретно сделать.
error-action-too-long = Слишком длинно: задача — это один шаг, до 500 символов.
error-action-too-short = Это не похоже на действие. Напишите шаг целиком, например: «Позвонить Ивану и согласовать дату встречи».
error-action-only-client-name = «{ $client }» — это клиент, а не действие. Что именно сделать? Например: «Отправить КП», «Позвонить ЛПР и договориться о встрече», «Получить решение об оплате».
error-action-no-object = Одного глагола мало: что именно сделать и к какому результату? Не «перезвонить» или «дожать», а «Перезвонить Ивану и узнать решение по КП», «Поджать Вектор сроком действия КП (до пятницы)».
error-action-no-action = В задаче нет действия. Начните с глагола: «Позвонить…», «Отправить…», «Согласовать…», «Получить решение…». Не «по Ромашке» и не «клиент», а «Позвонить Ивану из Ромашки и узнать решение по КП».

## Long lists: one page with buttons, then a summary of the rest and ◀ ▶.
btn-page-prev = ◀ Назад
btn-page-next = Дальше ▶
list-range = <i>Задачи { $first }–{ $last } из { $total }</i>
list-more = … и ещё { $count } { $count ->
        [one] задача
        [few] задачи
       *[many] задач
    }{ $overdue ->
        [0] {""}
       *[other] : { $overdue } просрочено
    }. Листайте кнопкой «Дальше ▶»{ $overdue ->
        [0] .
       *[other] , а завал просроченных разберите с руководителем.
    }
names-more = … и ещё { $count }
ask-reason-typed = ❌ Почему не сделано? Напишите причину одной строкой.
    { $task }
ask-move-typed = 📅 На когда перенести? Напишите дату: завтра, в пятницу, 25.11…
    { $task }
error-task-changed = Задача уже изменилась, пока вы писали. Ничего не изменил — откройте список заново: /today
error-client-of-other-add = «{ $name }» уже есть у сотрудника { $owner }: в команде один клиент на компанию. Если он теперь ваш, попросите руководителя передать его.

## The head's digest: a manager whose overdue count is abnormal.
dg-abnormal-title = 🚨 <b>Аномально много просроченных задач</b>
dg-abnormal-line = • { $name }: <b>{ $count }</b>
dg-abnormal-hint = <i>Такой завал за день не разобрать (часто это импорт с прошедшими датами): разберите вместе с менеджером — что закрыть, что перенести.</i>
