## /settings: send times, time zone, working days, holidays, members' vacations and zones.

cmd-settings = Settings: times, time zone, working days, vacations

settings-title = ⚙️ <b>Settings of the team “{ $team }”</b>
settings-zone = Time zone: { $zone } (now { $now } there)
settings-workdays = Working days: { $days }
settings-holidays-on = Public holidays and moved days off: the production calendar ({ $country }) is followed
settings-holidays-off = Public holidays: not followed, only the working weekdays
settings-times =
    Morning list: { $morning } · evening report: { $evening }
    Plan approval: { $approval } · digest: { $digest }
settings-vacations = Vacations:
settings-vacation-line = • { $name }: { $range }
settings-zones = Own time zone:
settings-member-zone-line = • { $name }: { $zone }
settings-hint = Times are each member's local time. On days off, holidays and vacations the bot sends no work messages.

settings-btn-morning = 🌅 Morning { $time }
settings-btn-evening = 🌆 Evening { $time }
settings-btn-approval = ✅ Approval { $time }
settings-btn-digest = 📊 Digest { $time }
settings-btn-zone = 🕒 Time zone
settings-btn-workdays = 📅 Working days
settings-btn-holidays-on = 🎉 Holidays: followed
settings-btn-holidays-off = 🎉 Holidays: not followed
settings-btn-vacation = 🏖 A member's vacation
settings-btn-member-zone = 🌍 A member's zone
settings-btn-close = Done
settings-btn-back = ← Back
settings-btn-team-zone = As the team's
settings-btn-add-vacation = ➕ Add a vacation
settings-btn-delete-vacation = 🗑 { $range }
settings-zone-button = { $city } ({ $offset })
settings-msk = MSK
settings-msk-offset = MSK{ $hours }

settings-what-morning = the morning list
settings-what-evening = the evening report
settings-what-approval = plan approval
settings-what-digest = the head's digest
settings-ask-time = When should { $what } come? Write a time, e.g. 09:30. Now: { $time }.
settings-time-saved = Done: { $what } at { $time }.
settings-ask-zone = Choose the team's time zone with a button or write it: “Vladivostok”, “MSK+7” or Europe/Moscow.
settings-ask-member-zone = Time zone for { $name }: choose with a button or write it.
settings-zone-saved = The team's time zone: { $zone }.
settings-member-zone-saved = { $name }: time zone { $zone }.
settings-member-zone-reset = { $name }: the team's time zone.
settings-ask-workdays = Mark the working days of the week:
settings-holidays-saved-on = Public holidays and moved days off are followed.
settings-holidays-saved-off = Public holidays are no longer followed.
settings-pick-vacation = Whose vacation?
settings-pick-zone = Who gets a time zone of their own?
settings-member-vacations = <b>Vacations: { $name }</b>
settings-no-vacations = No vacations recorded.
settings-ask-vacation = Write the dates of { $name }'s vacation: e.g. 01.07–14.07 or “from 1 July to 14 July”. One day: just the date.
settings-vacation-saved = Vacation recorded: { $name }, { $range }. The bot sends no work messages on those days.
settings-vacation-deleted = Vacation deleted.
settings-closed = Settings saved.

settings-wd-1 = Mon
settings-wd-2 = Tue
settings-wd-3 = Wed
settings-wd-4 = Thu
settings-wd-5 = Fri
settings-wd-6 = Sat
settings-wd-7 = Sun

error-settings-time = I did not understand the time. Write, e.g., 09:30 or 18:00.
error-settings-time-order = The morning must come before the evening: the morning list at { $morning }, the evening report at { $evening }. Write another time; nothing was changed.
error-settings-zone = I do not know that time zone. Choose with a button or write, e.g., “Vladivostok”, “MSK+7” or Europe/Moscow.
error-settings-dates = I did not understand the dates. Write, e.g., 01.07–14.07 or “from 1 July to 14 July”; the first day today or later.
error-settings-vacation-long = Too long: at most { $days } days at a time. Record it in parts.
error-settings-vacation-overlap = This vacation overlaps one already recorded: { $range }.
error-settings-workdays-empty = At least one working day is needed.
