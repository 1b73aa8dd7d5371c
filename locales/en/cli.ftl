# The command line's start-up: what the bot cannot run without, in one line each.
cli-token-refused = The token was refused by Telegram: check BOT_TOKEN (@BotFather gives it: /mybots → API Token).
cli-telegram-unreachable = Cannot reach Telegram ({ $url }): { $error }. Check the network or TELEGRAM_API_URL and start again.

# The first run: only what the person must do next.
cli-no-token =
    BOT_TOKEN is not set.
    1. Open @BotFather in Telegram, send /newbot and take the token.
    2. Put it into .env: BOT_TOKEN=123456789:ABC...
    { $next ->
        [migrate] 3. Set up the database and create a team: python -m bot migrate, then python -m bot team create "Sales" (prints the head's invite link).
        [team] 3. Create a team: python -m bot team create "Sales" (prints the head's invite link).
       *[run] 3. Start the bot again: make run
    }
    To see the bot without a token or network: python -m bot demo
cli-migrate-current = The database is at the latest version already.
cli-link-unknown-bot = The bot's name is unknown (no BOT_TOKEN and no BOT_USERNAME): replace <bot_username> in the link with the bot's name without @, or set BOT_USERNAME in .env.

# python -m bot --help
cli-usage = usage:{" "}
cli-error = error
cli-arguments = arguments
cli-options = options
cli-commands = commands
cli-help-help = show this help and exit
cli-description = РОП-ассистент: the sales team's day in Telegram.
cli-help-run = run the bot with long polling (the default)
cli-help-webhook = serve updates over a webhook (WEBHOOK_URL, WEBHOOK_SECRET; several processes may)
cli-help-migrate = create or upgrade the database schema
cli-help-team = manage teams
cli-help-team-create = create a team and print its first head's invite link
cli-help-team-name = the team's name
cli-help-tz = IANA time zone, e.g. Europe/Moscow (default: DEFAULT_TIMEZONE)
cli-help-invite = print an invite link for a team
cli-help-team-option = team name
cli-help-role = the invited person's role
cli-help-job = run a scheduled job now
cli-help-job-name = job name; omit to list them
cli-help-job-team = only this team
cli-help-job-date = local date YYYY-MM-DD (default: today in the team's time zone)
cli-help-outbox = scheduled messages: pending, failed, unknown, sent today
cli-help-outbox-days = local days to look back (default: 7)
cli-help-import = import clients, open tasks and plans from a CSV or XLSX file
cli-help-import-file = a CSV or XLSX file
cli-help-import-owner = the manager of rows that name nobody (default: such rows are rejected)
cli-help-import-dry-run = show what would be imported, write nothing
cli-help-export = export clients, tasks, deals, leads and day reports to XLSX
cli-help-export-from = first day YYYY-MM-DD (default: this month's first)
cli-help-export-to = last day YYYY-MM-DD (default: this month's last)
cli-help-export-out = the .xlsx file to write
cli-help-backup = copy the SQLite database, live, into a new file
cli-help-backup-out = the file to write (must not exist)
cli-help-restore = replace the SQLite database with a backup and upgrade it (stop the bot first)
cli-help-restore-file = the backup file
cli-help-crm = the team's CRM (amoCRM, Bitrix24): connect, show, sync, disconnect
cli-help-crm-connect = check a CRM secret and store it encrypted
cli-help-crm-amocrm = amoCRM with a private integration's long-lived token or an external integration's OAuth
cli-help-crm-subdomain = mycompany (mycompany.amocrm.ru) or a full URL
cli-help-crm-token = the long-lived token
cli-help-crm-client-id = OAuth: the integration's or application's client_id
cli-help-crm-client-secret = OAuth: the integration's or application's client_secret
cli-help-crm-redirect-uri = OAuth: the redirect URI set in the integration
cli-help-crm-code = OAuth: the authorization code given on installing (works once, briefly)
cli-help-crm-portal = OAuth: the portal's address, e.g. https://mycompany.bitrix24.ru
cli-help-crm-oauth-server = OAuth: Bitrix24's authorization server (https://oauth.bitrix.info by default)
cli-help-crm-bitrix24 = Bitrix24 with an inbound webhook or a local application's OAuth
cli-help-crm-webhook = https://<portal>/rest/<user>/<token>/
cli-help-crm-status = the team's CRM: provider, address, last sync, counts
cli-help-crm-sync = sync with the CRM now
cli-help-crm-disconnect = stop syncing (everything already in the bot stays)
cli-help-crm-full = read everything again, not only changes
cli-help-crm-keygen = print a new CRM_SECRET_KEY
cli-help-demo = play a scripted working day in a throwaway database (no token, no network)
cli-help-demo-lang = transcript language (default: ru)
