## Scheduled delivery: notices to the head and the command line (python -m bot job / outbox).

notice-unreachable =
    ⚠️ The bot cannot write to { $count ->
        [one] a team member, who blocked the bot
       *[other] these team members, who blocked the bot
    }:
    { $names }
    Nothing more is sent to them. Ask them to open the chat with the bot and press “Start” (or send /start).
notice-unreachable-line = • { $name }

error-not-migrated = The database is not set up or out of date. Run: python -m bot migrate
cli-job-bad-date = “{ $date }” does not look like YYYY-MM-DD.
cli-job-done = { $kind } · { $team } · { $date }: { $due } recipients, { $new } newly queued; { $sent } sent, { $skipped } skipped, { $retry } to retry, { $failed } not delivered.
cli-tick-done = Scheduler tick: { $new } newly queued; { $sent } sent, { $skipped } skipped, { $retry } to retry, { $failed } not delivered.
cli-outbox-empty = No teams yet.
cli-outbox-team = Team “{ $team }” ({ $tz }), today { $today }; the last { $days } days:
cli-outbox-counts =   pending { $pending } · sending { $sending } · unknown { $unknown } · failed { $failed } · blocked the bot { $unreachable } · skipped { $skipped } · sent { $sent }
cli-outbox-sent-today =   sent today: { $count }
cli-outbox-problem =   { $date } { $kind } → { $name }: { $status } (attempts { $attempts }) { $error }
cli-outbox-retrying =   { $date } { $kind } → { $name }: waiting to retry at { $next } (attempts { $attempts }) { $error }

notice-compose-failed =
    ⚠️ { $count ->
        [one] One scheduled message could not be prepared
       *[other] { $count } scheduled messages could not be prepared
    }:
    { $lines }
    The error is recorded (python -m bot outbox); it will not be retried. Everything else went out.
notice-compose-failed-line = • { $kind } for { $name } on { $date }
kind-label-morning = morning list
kind-label-evening = evening report
kind-label-weekly_report = weekly report
kind-label-monthly_report = monthly report
