## The next morning with a CRM connected, in the demo transcript.
demo-scene-crm = The next morning — a CRM connected (amoCRM)
demo-crm-deal-anna = Sirius JSC
demo-crm-deal-boris = Orion LLC
demo-crm-task-call = Call the CFO and agree the payment schedule
demo-crm-task-vague = Sirius
demo-crm-anna-result = Schedule agreed: two parts, the first by 25.11
demo-note-crm-connected = The team connected amoCRM: the bot checked the token and found { $users } { $users ->
        [one] user
       *[other] users
    } and { $tasks } open { $tasks ->
        [one] task
       *[other] tasks
    }. The token is stored encrypted; only its end is shown: …{ $tail }.
demo-note-crm-synced = Sync: members matched — { $matched }, tasks from the CRM — { $tasks }, not an action among them — { $vague }, deals won in the CRM — { $won }.
demo-note-crm-morning = The CRM's tasks are on the manager's morning list; the vague one is marked ⚠️ with a hint.
demo-note-crm-digest = The head's digest lists the CRM tasks that are not an action, with the wording to fix.
demo-note-crm-written = Sent from the bot to the CRM: { $sent }. The amoCRM task is { $done ->
        [yes] completed
       *[no] still open
    } with the manager's result: “{ $result }”.
demo-note-crm-board = The deal Boris won in the CRM is already on the results board: no one types it twice:
