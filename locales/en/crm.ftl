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
cli-crm-connected = CRM connected to team “{ $team }”: { $provider }, { $address }, { $secret }.
cli-crm-next = First sync: python -m bot crm sync --team "{ $team }"
cli-crm-none = Team “{ $team }” has no CRM connected.
cli-crm-status = { $provider } · { $address } · { $secret } · { $status }
cli-crm-status-active = connected
cli-crm-status-disconnected = disconnected
cli-crm-last-sync = Last sync: { $at }
cli-crm-never-synced = Never synced yet.
cli-crm-counts = Linked: { $tasks } tasks ({ $open } open), { $clients } clients, { $deals } deals; { $matched } of { $users } CRM users matched to members.
cli-crm-synced = Sync: tasks new { $tasks_created }, changed { $tasks_updated } (completed in the CRM { $tasks_completed }), unchanged { $tasks_unchanged }; clients new { $clients_created }, stage changes { $stages_changed }; deals won { $deals_won }.
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
error-crm-token-stale = The CRM access token has expired; the bot renews it when it syncs. Press “🔄 Sync now” and open the card again.
error-crm-unreachable = The CRM does not answer ({ $detail }). Nothing was stored; try again later.
error-crm-bad-address = Could not read the CRM address “{ $address }”.
error-crm-oauth-lines-amocrm = Send one line, the long-lived token, or for OAuth four lines: the integration ID, its secret key, the redirect URI, the authorization code. Nothing was stored.
error-crm-oauth-lines-bitrix24 = Send one line, the webhook URL, or for OAuth four lines: the portal's address, the application's client_id, its client_secret, the authorization code. Nothing was stored.
error-crm-not-connected = The team has no CRM connected.
error-crm-sync-busy = The team's CRM sync is already running. Its changes arrive in a minute or two; if you need another, try again later.

## Texts the bot writes into the CRM (in the team's language)

crm-note-not-done = Not done: { $action }. Reason: { $reason }
crm-note-result = Result: { $result }
crm-result-cancelled = Cancelled in the sales assistant

## /crm: the head connects the team's CRM in the chat

cmd-crm = CRM: connect, sync, people
crm-chat-offer = No CRM is connected. If the department works in amoCRM or Bitrix24, the bot will take tasks, deals and people from it. Choose the CRM:
crm-chat-no-key = A CRM cannot be connected yet: the server has no encryption key CRM_SECRET_KEY, and without it the bot does not keep CRM secrets. Ask the bot's operator to run python -m bot crm keygen, put the printed key in .env as CRM_SECRET_KEY=… and restart the bot.
crm-ask-address-amocrm = Send the amoCRM account address: the subdomain (mycompany for mycompany.amocrm.ru) or the full address.
crm-ask-address-bitrix24 = Send the Bitrix24 inbound webhook URL, like https://company.bitrix24.ru/rest/1/abcdef…/ (“Developer resources” → “Other” → “Inbound webhook”, with CRM, tasks and users). This URL is a secret: I will check it and delete the message at once. For a local application's OAuth send four lines in one message: the portal's address, the application's client_id, its client_secret, the authorization code.
crm-ask-token = Address: { $address }. Now send the long-lived token of the private integration (amoMarket → your integration → “Keys and scopes”). For an external integration's OAuth send four lines in one message: the integration ID, its secret key, the redirect URI, the authorization code. I will check it and delete the message at once.
crm-delete-failed = I could not delete the message with the secret — please delete it yourself.
crm-try-again = To try again — /crm.
crm-chat-connected = ✅ CRM connected. Found — { $summary }. The secret is stored encrypted and from now on shown only as …its last four characters.
crm-chat-status = { $provider } · { $address } · { $secret } · { $status }
crm-secret-token = secret …{ $tail }
crm-secret-oauth2 = OAuth, client secret …{ $tail }
cli-crm-auth-amocrm = Give either --token (a long-lived token) or, for OAuth, all four: --client-id, --client-secret, --redirect-uri, --code.
cli-crm-auth-bitrix24 = Give either --webhook or, for an application's OAuth: --portal, --client-id, --client-secret, --code.
crm-chat-last-sync = Last sync: { $at }
crm-chat-counts = Linked: { $tasks } tasks ({ $open } open), { $clients } clients, { $deals } deals.
crm-chat-people = CRM users: { $matched } of { $users } matched, waiting for your choice: { $waiting }.
crm-chat-reconnect = Sync is stopped; everything brought in stays in the bot. Connect again:
crm-closed = Done.
crm-disconnect-ask = Disconnect the CRM? Syncing stops; the clients, tasks and deals brought into the bot stay.
crm-disconnected = CRM disconnected: syncing stopped, everything brought in is kept.
crm-sync-started = Syncing with the CRM — I will send the result when done.
crm-sync-running = A sync is already running — the result will come as a message.
crm-sync-done = ✅ CRM sync finished.
crm-sync-waiting = Waiting for your choice — { $count } CRM { $count ->
        [one] user
       *[other] users
    }: their tasks are not lost, they come in as soon as you say who they are.
crm-people-title = Not matched to team members — { $count } CRM { $count ->
        [one] user
       *[other] users
    }. Choose one to see the tasks and say who it is:
crm-people-none = Every CRM user is matched. The tasks of those matched come with the next sync.
crm-user-title = { $name } — { $count } open { $count ->
        [one] task
       *[other] tasks
    } in the CRM:
crm-user-title-bound = { $name } — at least { $count } open { $count ->
        [one] task
       *[other] tasks
    } in the CRM:
crm-user-more-bound = … and at least { $count } more
crm-user-task = • { $due } — { $text }
crm-user-more = … and { $count } more
crm-user-ask = Who is it in the team?
crm-user-matched = { $name } is { $member }. The tasks come with the next sync.
crm-user-not-ours = { $name } is not in the department: I will not ask again, their tasks stay out of the bot.
crm-btn-sync = 🔄 Sync now
crm-btn-people = 👤 CRM users: { $count } waiting
crm-btn-disconnect = Disconnect
crm-btn-disconnect-yes = Yes, disconnect
crm-btn-disconnect-no = No, keep it
crm-btn-not-ours = Not in the department
crm-btn-back = Back
crm-btn-close = Close
crm-btn-cancel = Cancel
error-crm-already-connected = A CRM is already connected. To connect another, disconnect this one in /crm first.
error-crm-user-decided = The choice for “{ $name }” is already made.
crm-sync-unmatched = • { $name } — { $tasks } open { $tasks ->
        [one] task
       *[other] tasks
    }
