crm-live-revoked =
    ⚠️ { $crm } refuses the bot's access key: syncing has stopped.
    Connect the CRM again: /crm
crm-live-outage =
    ⚠️ { $crm } has not answered for { $minutes } { $minutes ->
        [one] minute
       *[other] minutes
    }. The bot keeps trying and will tell you when it is back.
crm-live-recovered = ✅ { $crm } is reachable again, syncing works again.
cli-help-crm-hook-token = store the Bitrix24 outbound webhook's application_token (checked in every event)
cli-help-crm-app-token = the application_token from the Bitrix24 outbound webhook's settings
cli-crm-hook = CRM webhook address: { $url }
cli-crm-hook-no-token = Bitrix24: events are refused until an application_token is stored (python -m bot crm hook-token).
cli-crm-hook-token-set = Bitrix24 application_token of team "{ $team }" stored.
