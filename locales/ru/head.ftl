## Руководитель: согласование планов, сводки, горячий список, коммерческий разбор, статус.

cmd-plans = Планы на согласовании
cmd-hot = Горячий список
cmd-review = Коммерческий разбор менеджера
cmd-status = Статус отдела на сегодня
cmd-overdue = Просроченные задачи
cmd-frozen = Замороженные задачи и клиенты
cmd-digest = Сводка сейчас (/digest утро — утренняя)

cli-approve-done = Согласовано автоматически планов: { $count }
error-no-such-manager = Менеджера «{ $query }» не нашёл. Напишите часть имени или @username.
error-no-managers = В отделе пока нет менеджеров. Пригласите их: /invite
error-plan-decided = По этому плану уже решено: { $status ->
        [approved] он согласован
        [auto_approved] он согласован автоматически
        [returned] он возвращён на доработку
       *[other] он не ждёт согласования
    }.
error-plan-drop-late = Эта задача уже на сегодня или раньше — отметьте её в списке дня.
error-plan-drop-decided = План уже согласован: убрать задачу из него может только руководитель.
error-plan-sent = План уже отправлен: его решает руководитель.
error-reassign-nobody = Передать некому: в отделе нет других менеджеров.
error-reassign-same = Задача и так у этого менеджера.
error-hot-no-client = Клиента «{ $name }» нет среди открытых клиентов отдела. Напишите другое название или часть его.
error-hot-exists = «{ $name }» уже в горячем списке.
error-hot-closed-client = «{ $name }» уже закрыт (выигран или проигран) — в горячий список не добавить.
error-review-closed = Этот разбор уже завершён. Начните новый: /review
error-rv-no-client = У менеджера { $manager } нет клиента «{ $name }». Напишите другое название.

## Согласование планов

appr-card-title = 📋 <b>План: { $name }</b> на { $date } — { $count } { $count ->
        [one] задача
        [few] задачи
       *[many] задач
    }
appr-status-submitted = 📨 Прислан в { $time }. Если не решите до { $deadline }, согласуется автоматически.
appr-status-resubmitted = <i>Исправлен после возврата. Ваш комментарий был: «{ $comment }»</i>
appr-status-approved = ✅ Согласован ({ $head }, { $time }).
appr-status-auto = ⏱ Согласован автоматически в { $time }: не был разобран к сроку.
appr-status-returned = ↩️ Возвращён на доработку: «{ $comment }». Ждём исправленный план.
appr-status-draft = ✏️ Ещё не отправлен.
appr-card-empty = <i>В плане нет задач.</i>
appr-card-hint = <i>Номер задачи — изменить, отменить или передать другому менеджеру. 🔥 горячий клиент, 🧊 заморожено.</i>
appr-card-added = ➕ <b>Вне плана: { $count } { $count ->
        [one] задача
        [few] задачи
       *[many] задач
    }</b> на этот день, добавлено после отправки плана:
btn-appr-task = ⚙️ { $n }
btn-appr-ok = ✅ Согласовать всё
btn-appr-return = ↩️ Вернуть с комментарием
btn-appr-edit = ✏️ Изменить формулировку
btn-appr-cancel = 🗑 Отменить задачу
btn-appr-give = 👥 Передать другому менеджеру
btn-appr-drop = 🗑 { $n }
btn-appr-open = 📋 { $name }
appr-none = Планов на согласовании нет. 👍
appr-waiting = 📨 Ждут согласования: { $count }
appr-task-menu = Что сделать с задачей?
    { $task }
appr-give-ask = Кому передать задачу?
    { $task }
appr-ask-comment-toast = Напишите комментарий
appr-ask-comment = ↩️ Что поправить в плане сотрудника { $name }? Напишите комментарий одним сообщением — он получит его и перепишет план.
appr-ask-action-toast = Напишите новую формулировку
appr-ask-action = ✏️ Новая формулировка задачи — конкретное действие, например «Получить решение об оплате».
    Сейчас: { $task }
appr-approved-toast = ✅ План сотрудника { $name } согласован
appr-approved-notice = { $gender ->
        [male] ✅ { $head } согласовал ваш план на { $date }:
        [female] ✅ { $head } согласовала ваш план на { $date }:
       *[other] ✅ Ваш план на { $date } согласован ({ $head }):
    }
appr-returned-done = ↩️ План возвращён сотруднику { $name } с вашим комментарием.
appr-not-delivered = { $gender ->
        [male] ⚠️ Не получилось доставить сообщение сотруднику { $name }: возможно, он заблокировал бота.
        [female] ⚠️ Не получилось доставить сообщение сотруднику { $name }: возможно, она заблокировала бота.
       *[other] ⚠️ Не получилось доставить сообщение сотруднику { $name }: возможно, бот заблокирован.
    }
appr-returned-notice = { $gender ->
        [male] ↩️ <b>{ $head } вернул ваш план на { $date }</b>
        [female] ↩️ <b>{ $head } вернула ваш план на { $date }</b>
       *[other] ↩️ <b>Ваш план на { $date } возвращён на доработку ({ $head })</b>
    }
    Комментарий: «{ $comment }»
    Поправьте план: 🗑 с номером убирает задачу, «➕ Задача на завтра» добавляет. Потом отправьте снова.
appr-dropped-toast = 🗑 Задача убрана из плана
appr-cancelled-toast = 🗑 Задача отменена и не считается в плане дня
appr-cancelled-notice = { $gender ->
        [male] 🗑 { $head } отменил задачу на { $date }: { $task }
        [female] 🗑 { $head } отменила задачу на { $date }: { $task }
       *[other] 🗑 Задача на { $date } отменена ({ $head }): { $task }
    }
    Она не считается в вашем плане дня.
appr-given-toast = 👥 Задача передана: { $name }
appr-given-away-notice = { $gender ->
        [male] 👥 { $head } передал вашу задачу на { $date } сотруднику { $name }: { $task }
        [female] 👥 { $head } передала вашу задачу на { $date } сотруднику { $name }: { $task }
       *[other] 👥 Ваша задача на { $date } передана сотруднику { $name } ({ $head }): { $task }
    }
appr-given-to-notice = { $gender ->
        [male] 👥 { $head } поручил вам задачу на { $date } (была у сотрудника { $name }): { $task }
        [female] 👥 { $head } поручила вам задачу на { $date } (была у сотрудника { $name }): { $task }
       *[other] 👥 Вам передана задача на { $date } (была у сотрудника { $name }; { $head }): { $task }
    }
appr-edited-done = ✏️ Формулировка изменена: { $task }
appr-edited-notice = { $gender ->
        [male] ✏️ { $head } уточнил вашу задачу на { $date }.
        [female] ✏️ { $head } уточнила вашу задачу на { $date }.
       *[other] ✏️ Ваша задача на { $date } уточнена ({ $head }).
    }
    Было: { $was }
    Стало: { $task }
appr-auto-title = ⏱ <b>Согласованы автоматически: { $count }</b> — их не разобрали к сроку.
appr-auto-line = • { $name }, план на { $date }: { $count } { $count ->
        [one] задача
        [few] задачи
       *[many] задач
    }
appr-auto-hint = <i>Задачи в них ещё можно изменить, отменить или передать: откройте план кнопкой.</i>
appr-auto-notice = ⏱ Ваш план на { $date } согласован автоматически: руководитель не разобрал его к сроку. Работайте по нему — { $count } { $count ->
        [one] задача
        [few] задачи
       *[many] задач
    }:

## Сводки

dg-more = {" "}и ещё { $count }
dg-morning-title = ☀️ <b>Утренняя сводка, { $date }</b>
dg-overdue-title = ⏰ Просрочено задач: <b>{ $count }</b> (цель — 0)
dg-overdue-none = ⏰ Просроченных задач нет — так держать.
dg-count-line = <b>{ $count }</b> — { $name }
dg-count-names-line = <b>{ $count }</b> — { $name }: { $names }
dg-idle-title = 💤 Клиенты без следующего шага: <b>{ $count }</b>
dg-hot-title = 🔥 Горячий список на сегодня: <b>{ $count }</b>
dg-hot-line = • <b>{ $client }</b> ({ $owner }) — { $step }, { $when }
dg-hot-today = сегодня
dg-hot-overdue = просрочено с { $date }
dg-not-action-title = ⚠️ Задачи из CRM — не действие: <b>{ $count }</b>
dg-not-action-wording = «{ $action }»
dg-not-action-hint = <i>Поправьте формулировку в CRM: что именно сделать и зачем — «Позвонить ЛПР и договориться о встрече», «Получить решение об оплате».</i>
dg-yesterday-missing = 📝 Вчера не сдали итоги дня: { $names }
dg-day-missing = 📝 Не сдали итоги дня { $weekday ->
        [1] в понедельник
        [2] во вторник
        [3] в среду
        [4] в четверг
        [5] в пятницу
        [6] в субботу
       *[7] в воскресенье
    }, { $date }: { $names }
dg-evening-title = 🌙 <b>Итоги дня отдела, { $date }</b>
dg-team-line = Сделано <b>{ $done }</b> из { $planned } — <b>{ $percent }</b> · просрочено: <b>{ $overdue }</b> · лидов: { $leads } · сделок: { $deals } на { $revenue } ₽
dg-manager-line = <b>{ $name }</b>: { $done }/{ $planned } — { $percent } · просрочено { $overdue } · лидов { $leads } · сделок { $deals }
dg-manager-revenue = {" "}({ $revenue } ₽)
dg-manager-off = {" "}<i>(выходной)</i>
dg-not-reported = 📝 Не сдали итоги дня: { $names }. Напомнить — кнопкой ниже.
dg-all-reported = 📝 Итоги дня сдали все.
dg-frozen-title = 🧊 <b>Заморожено</b>
dg-frozen-tasks = { $name } — задачи ({ $count }): { $items }
dg-frozen-clients = { $name } — клиенты ({ $count }): { $items }
dg-falling-title = 📉 <b>Повод для разговора один на один</b> (падает { $days } рабочих дня подряд)
dg-falling-percent = { $name } — выполнение плана: { $run }
dg-falling-mood = { $name } — настроение: { $run }
dg-falling-hint = <i>Поговорите лично: что мешает и чем помочь. Разбор клиентов — /review</i>
dg-head-share = ⚠️ Ваши собственные клиенты — { $own } из { $total } ваших задач за { $days } дней (<b>{ $percent }</b>), больше 20%. У руководителя нет личного плана продаж: передайте часть клиентов менеджерам.
dg-plans-waiting = 📨 Планов ждут согласования: <b>{ $count }</b> — /plans
btn-dg-nudge = 🔔 Напомнить: { $name }
dg-nudge-text = 🔔 { $head } напоминает: заполните итоги дня и отправьте план на завтра.
dg-nudge-sent = 🔔 Напоминание отправлено: { $name }
dg-nudge-already = { $gender ->
        [male] { $name } уже сдал итоги дня.
        [female] { $name } уже сдала итоги дня.
       *[other] Итоги дня уже сданы: { $name }.
    }

## Горячий список

hot-title = 🔥 <b>Горячий список: { $count }</b>
hot-empty = 🔥 Горячий список пуст. Добавьте клиентов, в продажу которым вы лично верите и вкладываете время.
hot-entry = { $n }🔥 <b>{ $client }</b> ({ $owner })
    Мой шаг: { $step } — <b>{ $when }</b>
    Почему верю: { $reason }
    <i>Без изменений дней: { $untouched }</i>
hot-when-today = сегодня
hot-when-overdue = просрочено с { $date }
btn-hot-add = ➕ Добавить клиента
btn-hot-step = 📝 Новый шаг
btn-hot-date = 📅 Перенести дату
btn-hot-why = 💡 Почему верю
btn-hot-off = 🗑 Убрать из списка
btn-hot-off-confirm = Да, убрать
btn-hot-list = ← К списку
hot-ask-client = Какого клиента добавить? Напишите название или его часть.
hot-pick-client = Нашлось несколько клиентов по «{ $query }». Выберите:
hot-ask-reason = 💡 Почему вы верите в продажу «{ $client }»? Одной-двумя фразами.
hot-ask-reason-edit = 💡 Почему вы верите в эту продажу? Одной-двумя фразами.
hot-ask-step = 📝 Ваш следующий шаг по клиенту — конкретное действие, например «Провести встречу с директором».
hot-ask-date = 📅 Когда? Выберите день или напишите дату.
hot-day-off = 📅 { $date } — нерабочий день. Назначить шаг на { $next }? Выберите день или напишите другую дату.
hot-saved = 🔥 Сохранено в горячем списке.
hot-removed = Клиент убран из горячего списка.
hot-reminder-title = 🔥 <b>Горячий список: напоминание</b>
hot-reminder-due = <b>Ваши шаги на сегодня: { $count }</b>
hot-reminder-stale = <b>Не трогали { $days }+ дней: { $count }</b> — продажа всё ещё вероятна?

## Коммерческий разбор

rv-title = 🤝 <b>Коммерческий разбор: { $name }</b>, { $date }
    Клиентов в работе: { $count }
rv-last = Прошлый разбор { $date }: «{ $outcome }»
rv-stages-title = <b>По этапам</b>
rv-stage-line = { $stage } ({ $count }): { $names }
rv-no-clients = <i>Открытых клиентов нет.</i>
rv-stale-title = 😴 <b>Без движения: { $count }</b>
rv-stale-line = • { $name } — тишина { $days } дн., { $stage }
rv-limbo-title = 🐟 <b>Ни рыба ни мясо: { $count }</b> <i>(работа идёт, а этап стоит)</i>
rv-limbo-line = • { $name } — { $days } дн. на этапе «{ $stage }», открытых задач: { $tasks }
rv-brought-title = 💰 <b>Принесли в этом месяце: { $total } ₽</b>
rv-brought-line = • { $name } — { $amount } ₽
rv-brought-none = 💰 <i>В этом месяце сделок пока нет.</i>
rv-hint = Договорились о дополнительных шагах? Нажмите на клиента — запишу задачу сотруднику { $name }. Задач из разбора: { $added }.
rv-hint-other = Договорились о дополнительных шагах? Нажмите «➕ Задача по другому клиенту» — запишу задачу сотруднику { $name }. Задач из разбора: { $added }.
rv-pick = Чей разбор проводим? Выберите менеджера:
btn-rv-task = ➕ { $name }
btn-rv-other = ➕ Задача по другому клиенту
btn-rv-end = 🏁 Завершить разбор
rv-ask-client = По какому клиенту сотрудника { $name }? Напишите название или часть.
rv-pick-client = Нашлось несколько клиентов по «{ $query }». Выберите:
rv-ask-action = Какой шаг по «{ $client }» договорились сделать? Конкретное действие — задача уйдёт сотруднику { $name }.
rv-ask-due = Когда? Выберите день или напишите дату.
rv-task-added = ➕ Задача для сотрудника { $name } на { $date }: <b>{ $client }</b>: { $action }
    Задач из разбора: { $added }.
rv-task-notice = { $gender ->
        [male] 🤝 По итогам разбора { $head } поставил вам задачу на { $date }: { $task }
        [female] 🤝 По итогам разбора { $head } поставила вам задачу на { $date }: { $task }
       *[other] 🤝 Задача по итогам разбора ({ $head }) на { $date }: { $task }
    }
rv-ask-outcome = 🏁 Итог разбора с сотрудником { $name }: о чём договорились? Одним сообщением.
rv-closed = 🏁 Разбор с сотрудником { $name } сохранён ({ $date }). Итог: «{ $outcome }». Задач поставлено: { $count }.

## Статус

st-title = 📊 <b>Отдел сегодня, { $date }</b>
    Сделано <b>{ $done }</b> из { $planned } — <b>{ $percent }</b> · просрочено: <b>{ $overdue }</b>
st-line = <b>{ $name }</b>: { $done }/{ $planned } — { $percent } · просрочено { $overdue } · итоги дня: { $report }
st-reported = ✅ сданы
st-not-reported = — не сданы
st-off = выходной
st-plan = План на { $date }: { $icon } { $status }
st-plan-none = не начат
st-plan-draft = черновик
st-plan-submitted = ждёт согласования
st-plan-approved = согласован
st-plan-auto_approved = согласован автоматически
st-plan-returned = возвращён на доработку
st-manager-title = 👤 <b>{ $name }</b> сегодня: сделано { $done } из { $planned } — { $percent } · итоги дня: { $report }
st-pick = Кого показать? Выберите менеджера:
st-overdue-none = ⏰ Просроченных задач нет. 👍
st-overdue-title = ⏰ <b>Просрочено задач: { $count }</b> (цель — 0)
st-overdue-line = • { $client }: { $action } — с { $date } ({ $days } дн.)
st-frozen-none = 🧊 Замороженных задач и клиентов нет.
st-frozen-title = 🧊 <b>Заморожено</b> <i>(задача перенесена 3+ раза; у клиента три последние задачи перенесены или не сделаны)</i>
st-frozen-manager = <b>{ $name }</b>
st-frozen-tasks = Задачи: { $count }
st-frozen-clients = Клиенты: { $count }
st-frozen-item = • { $item }
