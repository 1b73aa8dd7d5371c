# The command line's start-up: what the bot cannot run without, in one line each.
cli-token-refused = Telegram не принял токен: проверьте BOT_TOKEN (его выдаёт @BotFather, команда /mybots → API Token).
cli-telegram-unreachable = Нет связи с Telegram ({ $url }): { $error }. Проверьте сеть или TELEGRAM_API_URL и запустите снова.
