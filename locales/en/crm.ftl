## CRM (amoCRM, Bitrix24): the command line

crm-provider-amocrm = amoCRM
crm-provider-bitrix24 = Bitrix24
crm-summary = { $account }: { $users } { $users ->
        [one] user
       *[other] users
    }, { $pipelines } { $pipelines ->
        [one] pipeline
       *[other] pipelines
    }, { $tasks } open { $tasks ->
        [one] task
       *[other] tasks
    }
cli-crm-connected = CRM connected to team “{ $team }”: { $provider }, { $address }, secret …{ $tail }.
cli-crm-next = First sync: python -m bot crm sync --team "{ $team }"
cli-crm-none = Team “{ $team }” has no CRM connected.
cli-crm-status = { $provider } · { $address } · secret …{ $tail } · { $status }
cli-crm-status-active = connected
cli-crm-status-disconnected = disconnected
cli-crm-last-sync = Last sync: { $at }
cli-crm-never-synced = Never synced yet.
cli-crm-counts = Linked: { $tasks } tasks ({ $open } open), { $clients } clients, { $deals } deals; { $matched } of { $users } CRM users matched to members.
cli-crm-synced = Sync: tasks new { $created }, changed { $updated } (completed in the CRM { $completed }), unchanged { $unchanged }; clients new { $clients }, stage changes { $stages }; deals won { $won }.
cli-crm-vague = Tasks that name no concrete action: { $count } — their wording is worth fixing in the CRM.
cli-crm-pushed = From the bot to the CRM: sent { $sent }, refused by the CRM { $failed }, waiting { $waiting }.
cli-crm-deals-win = “{ $team }”: a deal recorded with /deal is moved to won in the CRM with its amount.
cli-crm-deals-record = “{ $team }”: deals from /deal are only recorded in the bot; the CRM is left as it is.
cli-help-crm-deals = what /deal does to the CRM: win the deal there (win) or only record it in the bot (record)
cli-help-crm-deals-mode = win: win it in the CRM; record: only record it in the bot
cli-crm-outbox = From the bot to the CRM: waiting { $waiting }, sent { $sent }, refused by the CRM { $failed }.
cli-crm-matched = CRM users: { $users }, matched to team members: { $matched }.
cli-crm-unmatched = Not matched: { $name } — { $tasks } open tasks among those read (waiting for the head to choose the member).
cli-crm-deals-unmatched = Deals of unmatched users: { $count }.
cli-crm-disconnected = Team “{ $team }” CRM disconnected: sync stopped, everything already in the bot kept.
cli-crm-key = A new encryption key (put it in .env and keep it secret):
error-crm-no-key = CRM_SECRET_KEY is not set, so the CRM secret cannot be stored. Generate a key with python -m bot crm keygen and add it to .env.
error-crm-key-mismatch = The CRM secret does not decrypt with the current CRM_SECRET_KEY: the key changed. Connect the CRM again.
error-crm-bad-secret = The CRM refused the secret: { $detail }. Check the address and the secret — nothing was stored.
error-crm-unreachable = The CRM does not answer ({ $detail }). Nothing was stored; try again later.
error-crm-bad-address = Could not read the CRM address “{ $address }”.
error-crm-not-connected = The team has no CRM connected.

## Texts the bot writes into the CRM (in the team's language)

crm-note-not-done = Not done: { $action }. Reason: { $reason }
crm-note-result = Result: { $result }
crm-result-cancelled = Cancelled in the sales assistant
