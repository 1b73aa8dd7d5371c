# The command line's start-up: what the bot cannot run without, in one line each.
cli-token-refused = The token was refused by Telegram: check BOT_TOKEN (@BotFather gives it: /mybots → API Token).
cli-telegram-unreachable = Cannot reach Telegram ({ $url }): { $error }. Check the network or TELEGRAM_API_URL and start again.
