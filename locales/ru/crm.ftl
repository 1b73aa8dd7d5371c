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
cli-crm-connected = CRM подключена к команде «{ $team }»: { $provider }, { $address }, ключ …{ $tail }.
cli-crm-next = Первая синхронизация: python -m bot crm sync --team "{ $team }"
cli-crm-none = У команды «{ $team }» нет подключённой CRM.
cli-crm-status = { $provider } · { $address } · ключ …{ $tail } · { $status }
cli-crm-status-active = подключена
cli-crm-status-disconnected = отключена
cli-crm-last-sync = Последняя синхронизация: { $at }
cli-crm-never-synced = Синхронизаций ещё не было.
cli-crm-counts = Связано — задачи: { $tasks } (открытые: { $open }), клиенты: { $clients }, сделки: { $deals }; сотрудники CRM: сопоставлено { $matched } из { $users }.
cli-crm-synced = Из CRM — новые задачи: { $created }, изменённые: { $updated } (закрыты в CRM: { $completed }), без изменений: { $unchanged }; новые клиенты: { $clients }, смены этапа: { $stages }; выигранные сделки: { $won }.
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
error-crm-unreachable = CRM не отвечает ({ $detail }). Ничего не сохранено, попробуйте позже.
error-crm-bad-address = Не понял адрес CRM «{ $address }».
error-crm-not-connected = У команды нет подключённой CRM.

## Texts the bot writes into the CRM (in the team's language)

crm-note-not-done = Не выполнено: { $action }. Причина: { $reason }
crm-note-result = Результат: { $result }
crm-result-cancelled = Отменена в РОП-ассистенте
