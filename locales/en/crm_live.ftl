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
