## Общие тексты: вход, команда, язык, ошибки.

lang-name = 🇷🇺 Русский
role-head = руководитель отдела продаж
role-manager = менеджер
role-owner = собственник

not-a-member =
    Здравствуйте! Этот бот работает только для сотрудников отдела продаж по приглашению.
    Попросите руководителя отдела прислать вам ссылку-приглашение.
throttled = Слишком много сообщений подряд. Подождите пару секунд, пожалуйста.

joined = Добро пожаловать, { $name }! Вы в команде «{ $team }», ваша роль — { $role }.
hello = Здравствуйте, { $name }! Команда «{ $team }», ваша роль — { $role }.

help-manager =
    <b>Что умеет бот</b>
    Утром пришлю список задач на день, вечером — итоги дня: план и факт, и попрошу план на завтра. Задачи отмечаются кнопками прямо в списке.
help-head =
    <b>Что умеет бот</b>
    Вы согласуете планы менеджеров, получаете сводки утром и вечером и управляете горячим списком.
help-owner =
    <b>Что умеет бот</b>
    Вы видите отчёты отдела, но ничего в них не меняете.
help-line = /{ $command } — { $description }

cmd-start = Начать работу
cmd-help = Подсказка по командам
cmd-lang = Язык: русский / English
cmd-team = Команда отдела
cmd-invite = Пригласить сотрудника

team-title = <b>Команда «{ $team }»</b> — { $count } { $count ->
        [one] человек
        [few] человека
       *[many] человек
    }
team-line = • { $name }{ $handle } — { $role }
btn-deactivate = Отключить: { $name }
btn-confirm-deactivate = Да, отключить
btn-cancel = Отмена
deactivate-confirm = Отключить сотрудника { $name }? Он перестанет получать задачи и не сможет пользоваться ботом.
deactivated = Сотрудник { $name } отключён.
deactivate-cancelled = Хорошо, ничего не меняю.

invite-created =
    Приглашение для роли «{ $role }». Ссылка одноразовая и действует { $hours } ч.:
    { $link }

lang-choose = Выберите язык:
lang-set = Готово: бот говорит с вами по-русски.

command-not-for-role = Эта команда доступна другой роли. Список ваших команд — /help.
command-unknown = Такой команды нет. Список команд — /help.
text-not-understood = Не понял сообщение. Список команд — /help.
button-stale = Эта кнопка уже не действует. Откройте список заново.

error-unexpected = Что-то пошло не так, и ничего не изменилось. Попробуйте ещё раз чуть позже.
error-not-found = Не нашёл этого: возможно, запись удалена или недоступна вам.
error-forbidden = Это действие вам недоступно.
error-team-name = Название команды — от 1 до 128 символов.
error-team-exists = Команда «{ $name }» уже есть.
error-team-unknown = Команды «{ $name }» нет.
error-invite-unknown = Такого приглашения нет. Проверьте ссылку или попросите руководителя прислать новую.
error-invite-used = Это приглашение уже использовано. Попросите руководителя прислать новую ссылку.
error-invite-expired = Срок приглашения истёк. Попросите руководителя прислать новую ссылку.
error-already-member = Вы уже в команде «{ $team }».
error-member-of-other-team = Вы уже состоите в другой команде. Чтобы перейти, попросите руководителя отключить вас там.
error-invite-role = Укажите роль: /invite (менеджер) или /invite owner (собственник).
error-deactivate-self = Себя отключить нельзя.
error-member-inactive = Сотрудник { $name } уже отключён.
error-lang-unknown = Такого языка нет. Доступны: ru, en.

cli-migrated = База данных обновлена до последней версии.
cli-backup-done = Копия базы записана в { $path } (версия схемы { $revision }).
cli-restore-done = База восстановлена из { $path } (версия схемы копии { $revision }) и обновлена до текущей.
error-backup-not-sqlite =
    Бот копирует только базу SQLite. Для PostgreSQL используйте его инструменты (пароль — в PGPASSWORD):
    копия: { $dump }
    восстановление: { $restore }
error-backup-no-database = Базы данных нет: { $path }. Нечего копировать.
error-backup-exists = Файл { $path } уже есть. Укажите новый файл: копия не перезаписывает существующий.
error-restore-no-file = Файла { $path } нет.
error-restore-not-a-backup = { $path } — не копия базы бота. Ничего не изменено.
error-restore-newer = Копия сделана более новой версией бота (схема { $revision }, эта версия знает до { $head }). Обновите бота и повторите. Ничего не изменено.
cli-not-migrated = База данных не подготовлена или устарела. Выполните: python -m bot migrate
cli-no-token =
    Не задан BOT_TOKEN.
    1. Откройте @BotFather в Telegram, отправьте /newbot и получите токен.
    2. Запишите его в файл .env: BOT_TOKEN=123456789:ABC...
    3. Выполните python -m bot migrate, затем python -m bot team create "Отдел продаж".
    Посмотреть бота без токена и без сети: python -m bot demo
cli-bad-tz = Неизвестный часовой пояс: { $tz }. Пример: Europe/Moscow
cli-team-created = Команда «{ $team }» создана (часовой пояс { $tz }).
cli-invite = Приглашение для роли «{ $role }», одноразовое, действует { $hours } ч.:
cli-jobs = Задания: { $jobs }
cli-job-unknown = Нет задания «{ $name }». Есть: { $jobs }
