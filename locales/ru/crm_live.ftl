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
crm-reconcile-title = 🔄 Ночная сверка с { $crm } поправила то, что прошло мимо синхронизации:
crm-reconcile-created = • новые задачи из CRM: { $count }
crm-reconcile-closed = • закрыты в CRM: { $count }
crm-reconcile-moved = • перенесён срок: { $count }
crm-reconcile-reassigned = • переданы другому менеджеру: { $count }
crm-reconcile-edited = • изменена формулировка: { $count }
crm-reconcile-deals = • выигранные сделки: { $count }
crm-reconcile-clients = • новые клиенты из CRM: { $count }
crm-reconcile-stages = • сменился этап клиента: { $count }
crm-reconcile-waiting = ⏳ Ещё ждут сопоставления: { $users } { $users ->
        [one] сотрудник CRM
        [few] сотрудника CRM
       *[many] сотрудников CRM
    }, у них { $tasks } { $tasks ->
        [one] открытая задача
        [few] открытые задачи
       *[many] открытых задач
    } — /crm
cli-help-crm-hook-token = сохранить application_token исходящего вебхука Bitrix24 (проверяется в каждом событии)
cli-help-crm-app-token = application_token из настроек исходящего вебхука Bitrix24
cli-crm-hook = Адрес для вебхуков CRM: { $url }
cli-crm-hook-no-token = Bitrix24: события не принимаются, пока не сохранён application_token (python -m bot crm hook-token).
cli-crm-hook-token-set = application_token Bitrix24 для команды «{ $team }» сохранён.
cli-crm-hook-no-base = Публичный адрес бота не задан: укажите в .env CRM_PUBLIC_URL=https://… (адрес, по которому CRM достучится до веб-сервера бота) или WEBHOOK_URL и перезапустите бота.
crm-chat-hook =
    Адрес для вебхуков — вставьте его в настройки CRM, чтобы изменения приходили сразу:
    <code>{ $url }</code>
crm-chat-hook-no-base = Адреса для вебхуков пока нет: у бота не задан публичный адрес. Попросите администратора записать в .env CRM_PUBLIC_URL=https://… (адрес, по которому CRM достучится до сервера бота) и перезапустить бота. Пока его нет, изменения из CRM приходят с плановой синхронизацией.
crm-chat-hook-no-token = Битрикс24: события не принимаются, пока администратор не сохранит application_token исходящего вебхука: python -m bot crm hook-token --team … --token …
crm-chat-deals-win = Сделки из /deal: переводятся в CRM в «успешно» с суммой; исправление суммы и отмена в боте доходят до CRM.
crm-chat-deals-record = Сделки из /deal: только записываются в боте, в CRM ничего не меняется.
crm-btn-deals-win = 💼 Сделки из /deal: выигрывать в CRM
crm-btn-deals-record = 💼 Сделки из /deal: только в боте
crm-deals-saved = ✅ Настройка сделок сохранена.
