## The next morning with a CRM connected, in the demo transcript.
demo-scene-crm = Следующее утро — подключена CRM (amoCRM)
demo-crm-deal-anna = АО «Сириус»
demo-crm-deal-boris = ООО «Орион»
demo-crm-task-call = Позвонить финдиректору и согласовать график оплаты
demo-crm-task-vague = Сириус
demo-crm-anna-result = График согласован: две части, первая до 25.11
demo-note-crm-connected = Команда подключила amoCRM: бот проверил токен и нашёл { $users } { $users ->
        [one] пользователя
        [few] пользователей
       *[many] пользователей
    } и { $tasks } { $tasks ->
        [one] открытую задачу
        [few] открытые задачи
       *[many] открытых задач
    }. Токен хранится зашифрованным, виден только его конец: …{ $tail }.
demo-note-crm-synced = Синхронизация: сопоставлено сотрудников — { $matched }, задач из CRM — { $tasks }, из них не действие — { $vague }, выигранных в CRM сделок — { $won }.
demo-note-crm-morning = Задачи из CRM пришли в утренний список менеджера; расплывчатая помечена ⚠️ с подсказкой.
demo-note-crm-digest = В сводке руководителя — задачи из CRM, которые не действие, с формулировкой, которую стоит поправить.
demo-note-crm-written = Из бота в CRM отправлено: { $sent }. Задача в amoCRM { $done ->
        [yes] закрыта
       *[no] ещё открыта
    } с результатом менеджера: «{ $result }».
demo-note-crm-board = Сделка Бориса, выигранная в CRM, уже на доске результатов — вносить её в бот второй раз не нужно:
