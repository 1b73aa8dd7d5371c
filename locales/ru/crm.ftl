## CRM (amoCRM, Bitrix24): the command line

crm-provider-amocrm = amoCRM
crm-provider-bitrix24 = Битрикс24
crm-summary = { $account }: { $users } { $users ->
        [one] пользователь
        [few] пользователя
       *[many] пользователей
    }, { $pipelines } { $pipelines ->
        [one] воронка
        [few] воронки
       *[many] воронок
    }, { $tasks } { $tasks ->
        [one] открытая задача
        [few] открытые задачи
       *[many] открытых задач
    }
cli-crm-connected = CRM подключена к команде «{ $team }»: { $provider }, { $address }, { $secret }.
cli-crm-next = Первая синхронизация: python -m bot crm sync --team "{ $team }"
cli-crm-none = У команды «{ $team }» нет подключённой CRM.
cli-crm-status = { $provider } · { $address } · { $secret } · { $status }
cli-crm-status-active = подключена
cli-crm-status-disconnected = отключена
cli-crm-last-sync = Последняя синхронизация: { $at }
cli-crm-never-synced = Синхронизаций ещё не было.
cli-crm-counts = Связано — задачи: { $tasks } (открытые: { $open }), клиенты: { $clients }, сделки: { $deals }; сотрудники CRM: сопоставлено { $matched } из { $users }.
cli-crm-synced = Из CRM — новые задачи: { $tasks_created }, изменённые: { $tasks_updated } (закрыты в CRM: { $tasks_completed }), без изменений: { $tasks_unchanged }; новые клиенты: { $clients_created }, смены этапа: { $stages_changed }; выигранные сделки: { $deals_won }.
cli-crm-vague = Задач без конкретного действия: { $count } — формулировку стоит поправить в CRM.
cli-crm-pushed = Из бота в CRM — отправлено: { $sent }, отклонено CRM: { $failed }, ждут: { $waiting }.
cli-crm-deals-win = «{ $team }»: сделка, внесённая командой /deal, переводится в CRM в «Успешно реализовано» с суммой.
cli-crm-deals-record = «{ $team }»: сделки из /deal только записываются в боте, в CRM ничего не меняется.
cli-help-crm-deals = что делать со сделкой из /deal: выиграть её в CRM (win) или только записать в боте (record)
cli-help-crm-deals-mode = win — выиграть в CRM, record — только записать в боте
cli-crm-outbox = Из бота в CRM — ждут отправки: { $waiting }, отправлено: { $sent }, отклонено CRM: { $failed }.
cli-crm-matched = Сотрудники CRM: { $users }, сопоставлены с участниками команды: { $matched }.
cli-crm-unmatched = Не сопоставлен: { $name } — открытые задачи среди прочитанных: { $tasks } (ждут, пока руководитель укажет сотрудника).
cli-crm-deals-unmatched = Сделок несопоставленных сотрудников: { $count }.
cli-crm-disconnected = CRM команды «{ $team }» отключена: синхронизация остановлена, всё перенесённое в бот сохранено.
cli-crm-key = Новый ключ шифрования (добавьте в .env и храните в тайне):
error-crm-no-key = Не задан ключ шифрования CRM_SECRET_KEY, без него секрет CRM не сохранить. Сгенерируйте ключ командой python -m bot crm keygen и добавьте его в .env.
error-crm-key-mismatch = Секрет CRM не расшифровывается текущим CRM_SECRET_KEY: ключ сменился. Подключите CRM заново.
error-crm-bad-secret = CRM отклонила ключ: { $detail }. Проверьте адрес и ключ — ничего не сохранено.
error-crm-token-stale = Токен доступа CRM истёк, бот обновит его при синхронизации. Нажмите «🔄 Синхронизировать сейчас» и откройте карточку снова.
error-crm-unreachable = CRM не отвечает ({ $detail }). Ничего не сохранено, попробуйте позже.
error-crm-bad-address = Не понял адрес CRM «{ $address }».
error-crm-oauth-lines-amocrm = Пришлите одну строку — долгосрочный токен, или для OAuth четыре строки: ID интеграции, секретный ключ, адрес перенаправления, код авторизации. Ничего не сохранено.
error-crm-oauth-lines-bitrix24 = Пришлите одну строку — адрес вебхука, или для OAuth четыре строки: адрес портала, код приложения, ключ приложения, код авторизации. Ничего не сохранено.
error-crm-not-connected = У команды нет подключённой CRM.
error-crm-sync-busy = Синхронизация CRM этой команды уже идёт. Её изменения появятся через минуту-другую; если нужна ещё одна, повторите позже.

## Texts the bot writes into the CRM (in the team's language)

crm-note-not-done = Не выполнено: { $action }. Причина: { $reason }
crm-note-result = Результат: { $result }
crm-result-cancelled = Отменена в РОП-ассистенте

## /crm: the head connects the team's CRM in the chat

cmd-crm = CRM: подключение, синхронизация, сотрудники
crm-chat-offer = CRM не подключена. Если отдел работает в amoCRM или Битрикс24, бот будет брать задачи, сделки и сотрудников оттуда. Выберите CRM:
crm-chat-no-key = Подключить CRM пока нельзя: на сервере не задан ключ шифрования CRM_SECRET_KEY, а без него бот не хранит секреты CRM. Попросите администратора бота выполнить python -m bot crm keygen, записать напечатанный ключ в .env как CRM_SECRET_KEY=… и перезапустить бота.
crm-ask-address-amocrm = Пришлите адрес аккаунта amoCRM: поддомен (mycompany для mycompany.amocrm.ru) или полный адрес.
crm-ask-address-bitrix24 = Пришлите адрес входящего вебхука Битрикс24, вида https://company.bitrix24.ru/rest/1/abcdef…/ («Разработчикам» → «Другое» → «Входящий вебхук», права CRM, задачи и пользователи). Этот адрес — секрет: я проверю его и сразу удалю сообщение. Для OAuth локального приложения пришлите одним сообщением четыре строки: адрес портала, код приложения (client_id), ключ приложения (client_secret), код авторизации.
crm-ask-token = Адрес: { $address }. Теперь пришлите долгосрочный токен частной интеграции («amoМаркет» → ваша интеграция → «Ключи и доступы»). Для OAuth внешней интеграции пришлите одним сообщением четыре строки: ID интеграции, секретный ключ, адрес перенаправления, код авторизации. Я проверю и сразу удалю сообщение.
crm-delete-failed = Не получилось удалить сообщение с секретом — удалите его, пожалуйста, сами.
crm-try-again = Чтобы попробовать снова — /crm.
crm-chat-connected = ✅ CRM подключена. Нашёл — { $summary }. Секрет хранится зашифрованным, дальше виден только как …последние четыре символа.
crm-chat-status = { $provider } · { $address } · { $secret } · { $status }
crm-secret-token = ключ …{ $tail }
crm-secret-oauth2 = OAuth, секрет приложения …{ $tail }
cli-crm-auth-amocrm = Укажите либо --token (долгосрочный токен), либо для OAuth все четыре: --client-id, --client-secret, --redirect-uri, --code.
cli-crm-auth-bitrix24 = Укажите либо --webhook, либо для OAuth приложения: --portal, --client-id, --client-secret, --code.
crm-chat-last-sync = Последняя синхронизация: { $at }
crm-chat-counts = Связано — задачи: { $tasks } (открытые: { $open }), клиенты: { $clients }, сделки: { $deals }.
crm-chat-people = Сотрудники CRM: сопоставлено { $matched } из { $users }, ждут вашего выбора: { $waiting }.
crm-chat-reconnect = Синхронизация остановлена, всё перенесённое осталось в боте. Подключить снова:
crm-closed = Готово.
crm-disconnect-ask = Отключить CRM? Синхронизация остановится; клиенты, задачи и сделки, перенесённые в бот, останутся.
crm-disconnected = CRM отключена: синхронизация остановлена, всё перенесённое сохранено.
crm-sync-started = Синхронизирую с CRM — пришлю итог, когда закончу.
crm-sync-running = Синхронизация уже идёт — итог придёт сообщением.
crm-sync-done = ✅ Синхронизация с CRM закончена.
crm-sync-waiting = Ждут вашего выбора — { $count } { $count ->
        [one] сотрудник CRM
        [few] сотрудника CRM
       *[many] сотрудников CRM
    }: их задачи не потеряны, они придут, как только вы укажете, кто это.
crm-people-title = Не сопоставлены с участниками команды — { $count } { $count ->
        [one] сотрудник CRM
        [few] сотрудника CRM
       *[many] сотрудников CRM
    }. Выберите, чтобы увидеть задачи и указать, кто это:
crm-people-none = Все сотрудники CRM сопоставлены. Задачи сопоставленных придут при следующей синхронизации.
crm-user-title = { $name } — в CRM { $count } { $count ->
        [one] открытая задача
        [few] открытые задачи
       *[many] открытых задач
    }:
crm-user-title-bound = { $name } — в CRM не меньше { $count } { $count ->
        [one] открытой задачи
       *[other] открытых задач
    }:
crm-user-more-bound = … и ещё не меньше { $count }
crm-user-task = • { $due } — { $text }
crm-user-more = … и ещё { $count }
crm-user-ask = Кто это в команде?
crm-user-matched = { $name } — это { $member }. Задачи придут при следующей синхронизации.
crm-user-not-ours = { $name } — не сотрудник отдела: больше не спрашиваю, его задачи в бот не переносятся.
crm-btn-sync = 🔄 Синхронизировать сейчас
crm-btn-people = 👤 Сотрудники CRM: ждут { $count }
crm-btn-disconnect = Отключить
crm-btn-disconnect-yes = Да, отключить
crm-btn-disconnect-no = Нет, оставить
crm-btn-not-ours = Не сотрудник отдела
crm-btn-back = Назад
crm-btn-close = Закрыть
crm-btn-cancel = Отмена
error-crm-already-connected = CRM уже подключена. Чтобы подключить другую, сначала отключите эту в /crm.
error-crm-user-decided = Для «{ $name }» выбор уже сделан.
crm-sync-unmatched = • { $name } — { $tasks } { $tasks ->
        [one] открытая задача
        [few] открытые задачи
       *[many] открытых задач
    }
