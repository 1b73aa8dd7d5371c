# The command line's start-up: what the bot cannot run without, in one line each.
cli-token-refused = Telegram не принял токен: проверьте BOT_TOKEN (его выдаёт @BotFather, команда /mybots → API Token).
cli-telegram-unreachable = Нет связи с Telegram ({ $url }): { $error }. Проверьте сеть или TELEGRAM_API_URL и запустите снова.

# The first run: only what the person must do next.
cli-no-token =
    Не задан BOT_TOKEN.
    1. Откройте @BotFather в Telegram, отправьте /newbot и получите токен.
    2. Запишите его в файл .env: BOT_TOKEN=123456789:ABC...
    { $next ->
        [migrate] 3. Подготовьте базу и создайте команду: python -m bot migrate, затем python -m bot team create "Отдел продаж" (напечатает ссылку-приглашение для руководителя).
        [team] 3. Создайте команду: python -m bot team create "Отдел продаж" (напечатает ссылку-приглашение для руководителя).
       *[run] 3. Запустите бота снова: make run
    }
    Посмотреть бота без токена и без сети: python -m bot demo
cli-migrate-current = База данных уже последней версии.
cli-link-unknown-bot = Имя бота неизвестно (нет BOT_TOKEN и BOT_USERNAME): замените <bot_username> в ссылке на имя бота без @ или задайте BOT_USERNAME в .env.

# python -m bot --help
cli-usage = использование:{" "}
cli-error = ошибка
cli-arguments = аргументы
cli-options = параметры
cli-commands = команды
cli-help-help = показать эту справку и выйти
cli-description = РОП-ассистент: рабочий день отдела продаж в Telegram.
cli-help-run = запустить бота (long polling; по умолчанию)
cli-help-webhook = принимать обновления через webhook (WEBHOOK_URL, WEBHOOK_SECRET; можно несколько процессов)
cli-help-migrate = создать или обновить схему базы данных
cli-help-team = команды (отделы продаж)
cli-help-team-create = создать команду и напечатать ссылку-приглашение её первого руководителя
cli-help-team-name = название команды
cli-help-tz = часовой пояс IANA, например Europe/Moscow (по умолчанию DEFAULT_TIMEZONE)
cli-help-invite = напечатать ссылку-приглашение в команду
cli-help-team-option = название команды
cli-help-role = роль приглашённого
cli-help-job = запустить задание планировщика сейчас
cli-help-job-name = имя задания; без него — список заданий
cli-help-job-team = только эта команда
cli-help-job-date = местная дата ГГГГ-ММ-ДД (по умолчанию сегодня в часовом поясе команды)
cli-help-outbox = запланированные сообщения: ждут, не доставлены, исход неизвестен, отправлены сегодня
cli-help-outbox-days = сколько местных дней назад смотреть (по умолчанию 7)
cli-help-import = загрузить клиентов, открытые задачи и планы из CSV или XLSX
cli-help-import-file = файл CSV или XLSX
cli-help-import-owner = менеджер строк, где никто не указан (по умолчанию такие строки отклоняются)
cli-help-import-dry-run = показать, что будет загружено, ничего не записывая
cli-help-export = выгрузить клиентов, задачи, сделки, лиды и отчёты дня в XLSX
cli-help-export-from = первый день ГГГГ-ММ-ДД (по умолчанию первое число этого месяца)
cli-help-export-to = последний день ГГГГ-ММ-ДД (по умолчанию последний день этого месяца)
cli-help-export-out = файл .xlsx, куда записать
cli-help-backup = скопировать базу SQLite, не останавливая бота, в новый файл
cli-help-backup-out = файл, куда записать копию (его не должно быть)
cli-help-restore = заменить базу SQLite копией и обновить её (сначала остановите бота)
cli-help-restore-file = файл копии
cli-help-crm = CRM команды (amoCRM, Битрикс24): подключить, показать, синхронизировать, отключить
cli-help-crm-connect = проверить секрет CRM и сохранить его зашифрованным
cli-help-crm-amocrm = amoCRM: долгосрочный токен частной интеграции или OAuth внешней интеграции
cli-help-crm-subdomain = поддомен (mycompany для mycompany.amocrm.ru) или полный адрес
cli-help-crm-token = долгосрочный токен
cli-help-crm-client-id = OAuth: ID интеграции или приложения (client_id)
cli-help-crm-client-secret = OAuth: секретный ключ интеграции или приложения (client_secret)
cli-help-crm-redirect-uri = OAuth: адрес перенаправления из настроек интеграции (redirect_uri)
cli-help-crm-code = OAuth: код авторизации, полученный при установке (действует один раз и недолго)
cli-help-crm-portal = OAuth: адрес портала, например https://mycompany.bitrix24.ru
cli-help-crm-oauth-server = OAuth: сервер авторизации Битрикс24 (по умолчанию https://oauth.bitrix.info)
cli-help-crm-bitrix24 = Битрикс24: входящий вебхук или OAuth локального приложения
cli-help-crm-webhook = адрес вебхука https://<портал>/rest/<пользователь>/<токен>/
cli-help-crm-status = CRM команды: система, адрес, последняя синхронизация, количества
cli-help-crm-sync = синхронизировать с CRM сейчас
cli-help-crm-disconnect = остановить синхронизацию (всё, что уже в боте, остаётся)
cli-help-crm-full = прочитать всё заново, а не только изменения
cli-help-crm-keygen = напечатать новый ключ CRM_SECRET_KEY
cli-help-demo = сыграть сценарий рабочего дня во временной базе (без токена и без сети)
cli-help-demo-lang = язык сценария (по умолчанию ru)
