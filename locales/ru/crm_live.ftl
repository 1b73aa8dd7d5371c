crm-live-revoked =
    ⚠️ { $crm } отклоняет ключ доступа бота: синхронизация остановлена.
    Подключите CRM заново: /crm
crm-live-outage =
    ⚠️ { $crm } не отвечает уже { $minutes } { $minutes ->
        [one] минуту
        [few] минуты
       *[many] минут
    }. Бот продолжит попытки и сообщит, когда связь восстановится.
crm-live-recovered = ✅ Связь с { $crm } восстановлена, синхронизация снова работает.
cli-help-crm-hook-token = сохранить application_token исходящего вебхука Bitrix24 (проверяется в каждом событии)
cli-help-crm-app-token = application_token из настроек исходящего вебхука Bitrix24
cli-crm-hook = Адрес для вебхуков CRM: { $url }
cli-crm-hook-no-token = Bitrix24: события не принимаются, пока не сохранён application_token (python -m bot crm hook-token).
cli-crm-hook-token-set = application_token Bitrix24 для команды «{ $team }» сохранён.
