# Webhook mode (python -m bot webhook)
cli-webhook-missing =
    Для работы через вебхук не заданы: { $names }.
    WEBHOOK_URL — публичный HTTPS-адрес, на который Telegram присылает обновления; WEBHOOK_SECRET — секрет
    из 16–256 символов A-Z, a-z, 0-9, _ и -, один и тот же во всех процессах. См. .env.example.
