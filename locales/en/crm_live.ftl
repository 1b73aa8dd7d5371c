crm-live-revoked =
    ⚠️ { $crm } refuses the bot's access key: syncing has stopped.
    Connect the CRM again: /crm
crm-live-outage =
    ⚠️ { $crm } has not answered for { $minutes } { $minutes ->
        [one] minute
       *[other] minutes
    }. The bot keeps trying and will tell you when it is back.
crm-live-recovered = ✅ { $crm } is reachable again, syncing works again.
