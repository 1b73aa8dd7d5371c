## Демонстрация (python -m bot demo): всё, что не является сообщением бота.

demo-header = ═══ РОП-ассистент: демонстрация рабочего дня отдела продаж ═══
demo-intro =
    Всё происходит внутри этого процесса: временная база данных, настоящие обработчики бота
    и встроенный эмулятор Telegram вместо сети. Токен не нужен.
    Ниже — кто что сделал и что увидел каждый участник: кнопки показаны как [Кнопка].
demo-end = ═══ Конец демонстрации: { $scenes } { $scenes ->
        [one] сцена
        [few] сцены
       *[many] сцен
    }, { $actions } { $actions ->
        [one] действие
        [few] действия
       *[many] действий
    }, { $messages } { $messages ->
        [one] сообщение
        [few] сообщения
       *[many] сообщений
    } бота ═══

demo-scene = ── { $n }. { $title } ──
demo-clock = 🕘 { $weekday }, { $date }, { $time } ({ $tz })
demo-weekday-1 = понедельник
demo-weekday-2 = вторник
demo-weekday-3 = среда
demo-weekday-4 = четверг
demo-weekday-5 = пятница
demo-weekday-6 = суббота
demo-weekday-7 = воскресенье

demo-who = { $name } ({ $role })
demo-role-head = РОП
demo-role-manager = менеджер
demo-role-owner = собственник
demo-role-stranger = посторонний
demo-says = { $who } → { $text }
demo-presses = { $who } нажимает кнопку «{ $label }»
demo-cli = $ { $command }
demo-sees = { $name } видит:
demo-toast = 💬 всплывающая подсказка: { $text }
demo-alert = ⚠️ окно с сообщением: { $text }
demo-menu = ☰ { $name } — меню команд: { $commands }
demo-nothing = (бот ничего не ответил)
demo-edited = ✎ сообщение изменилось:
demo-deleted = 🗑 сообщение удалено
demo-file = 📎 файл { $name }, { $kb } КБ

demo-team-name = Отдел продаж
demo-name-head = Ирина
demo-name-anna = Анна
demo-name-boris = Борис
demo-name-vera = Вера
demo-name-stranger = Кирилл

demo-scene-team-create = Отдел создаётся: приглашение руководителю из командной строки
demo-note-head-joins = { $name }, руководитель отдела продаж, открывает ссылку — Telegram присылает боту /start с кодом.
demo-scene-invites = Руководитель приглашает трёх менеджеров прямо из чата
demo-scene-stranger = Посторонний без приглашения и чужая ссылка
demo-stranger-asks = Здравствуйте, дайте мне задачи на сегодня
demo-note-used-link = Кирилл нашёл ссылку, по которой уже вошла { $name }:
demo-scene-team = Состав отдела
demo-note-team = Кнопки «Отключить» есть только у руководителя; отключённый сотрудник теряет доступ сразу.
demo-scene-roles = Менеджер пробует команды руководителя
demo-scene-lang = Язык: у каждого свой
demo-scene-clients = Клиентская база перед началом дня
demo-note-clients =
    Менеджеры перенесли в бот своих клиентов и открытые задачи (как при импорте из CRM).
    Каждая задача — конкретное действие с датой.
demo-note-client-line = • { $name }: { $clients } { $clients ->
        [one] клиент
        [few] клиента
       *[many] клиентов
    }, { $tasks } { $tasks ->
        [one] открытая задача
        [few] открытые задачи
       *[many] открытых задач
    }, просрочено: { $overdue }, клиентов без задач: { $idle }

demo-client-romashka = ООО «Ромашка»
demo-client-vektor = ТД «Вектор»
demo-client-sever = «Север-Логистик»
demo-client-lotos = ИП Лотосова
demo-client-atlant = ГК «Атлант»
demo-client-granit = «Гранит-Строй»
demo-client-meridian = «Меридиан»
demo-client-orbita = АО «Орбита»
demo-client-polus = «Полюс-Трейд»
demo-client-zenit = Клиника «Зенит»
demo-task-romashka = Получить решение об оплате счёта
demo-task-vektor = Отправить новый счёт без скидки
demo-task-sever = Выйти на директора и провести переговоры о поставке
demo-task-atlant = Поджать клиента сроком действия коммерческого предложения
demo-task-granit = Получить подписанный договор
demo-task-meridian = Провести демонстрацию для отдела закупок
demo-task-orbita = Согласовать с юристом клиента протокол разногласий
demo-task-polus = Выяснить бюджет и сроки закупки у финансового директора
