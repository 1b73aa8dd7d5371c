crm-live-revoked =
    ⚠️ { $crm } refuses the bot's access key: syncing has stopped.
    Connect the CRM again: /crm
crm-live-outage =
    ⚠️ { $crm } has not answered for { $minutes } { $minutes ->
        [one] minute
       *[other] minutes
    }. The bot keeps trying and will tell you when it is back.
crm-live-recovered = ✅ { $crm } is reachable again, syncing works again.
crm-reconcile-title = 🔄 The nightly check against { $crm } fixed what the sync had missed:
crm-reconcile-created = • new tasks from the CRM: { $count }
crm-reconcile-closed = • closed in the CRM: { $count }
crm-reconcile-moved = • due date moved: { $count }
crm-reconcile-reassigned = • handed to another manager: { $count }
crm-reconcile-edited = • reworded: { $count }
crm-reconcile-deals = • deals won: { $count }
crm-reconcile-clients = • new clients from the CRM: { $count }
crm-reconcile-stages = • client stage changed: { $count }
crm-reconcile-waiting = ⏳ Still waiting to be matched: { $users } CRM { $users ->
        [one] user
       *[other] users
    } with { $tasks } open { $tasks ->
        [one] task
       *[other] tasks
    } — /crm
cli-help-crm-hook-token = store the Bitrix24 outbound webhook's application_token (checked in every event)
cli-help-crm-app-token = the application_token from the Bitrix24 outbound webhook's settings
cli-crm-hook = CRM webhook address: { $url }
cli-crm-hook-no-token = Bitrix24: events are refused until an application_token is stored (python -m bot crm hook-token).
cli-crm-hook-token-set = Bitrix24 application_token of team "{ $team }" stored.
cli-crm-hook-no-base = The bot's public address is not set: put CRM_PUBLIC_URL=https://… (where the CRM reaches the bot's web server) or WEBHOOK_URL in .env and restart the bot.
crm-chat-hook =
    The webhook address: paste it into the CRM's settings so that changes come at once:
    <code>{ $url }</code>
crm-chat-hook-no-base = No webhook address yet: the bot has no public address. Ask the bot's operator to put CRM_PUBLIC_URL=https://… (where the CRM reaches the bot's server) in .env and restart the bot. Until then, changes in the CRM come with the scheduled sync.
crm-chat-hook-no-token = Bitrix24: events are refused until the operator stores the outbound webhook's application_token: python -m bot crm hook-token --team … --token …
crm-chat-deals-win = Deals from /deal: moved to won in the CRM with their amount; corrections and cancellations in the bot reach the CRM too.
crm-chat-deals-record = Deals from /deal: only recorded in the bot; the CRM is left as it is.
crm-btn-deals-win = 💼 Deals from /deal: win them in the CRM
crm-btn-deals-record = 💼 Deals from /deal: only in the bot
crm-deals-saved = ✅ The deals setting is saved.
