# Webhook mode (python -m bot webhook)
cli-webhook-missing =
    Webhook mode needs settings that are not set: { $names }.
    WEBHOOK_URL is the public HTTPS address Telegram posts updates to; WEBHOOK_SECRET is a secret of 16-256
    characters A-Z, a-z, 0-9, _ and -, the same in every process. See .env.example.
