"""РОП-ассистент: the Telegram bot that runs a sales department's day."""
