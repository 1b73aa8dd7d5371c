## Common texts: joining, the team, language, errors.

lang-name = 🇬🇧 English
role-head = head of sales
role-manager = sales manager
role-owner = owner

not-a-member =
    Hello! This bot serves a sales team's members, by invitation only.
    Please ask your head of sales for an invite link.
throttled = Too many messages in a row. Please wait a couple of seconds.

joined = Welcome, { $name }! You are in the team “{ $team }” as { $role }.
joined-notice = 👋 { $name } joined the team as { $role }.
hello = Hello, { $name }! Team “{ $team }”, your role: { $role }.

help-manager =
    <b>What the bot does</b>
    Every morning I send your task list, every evening the day's plan versus fact, and ask for tomorrow's plan. Mark tasks with the buttons right in the list.
help-head =
    <b>What the bot does</b>
    You approve the managers' plans, get digests morning and evening and run the hot list.
help-owner =
    <b>What the bot does</b>
    You see the team's reports and change nothing in them.
help-line = /{ $command } — { $description }

cmd-start = Start
cmd-help = Command help
cmd-lang = Language: русский / English
cmd-team = The team
cmd-invite = Invite a member

team-title = <b>Team “{ $team }”</b> — { $count } { $count ->
        [one] person
       *[other] people
    }
team-line = • { $name }{ $handle } — { $role }
btn-deactivate = Deactivate: { $name }
btn-confirm-deactivate = Yes, deactivate
btn-cancel = Cancel
deactivate-confirm = Deactivate { $name }? They will get no more tasks and cannot use the bot.
deactivated = { $name } is deactivated.
deactivate-cancelled = All right, nothing changed.

invite-created =
    Invite for the role “{ $role }”. The link works once, for { $hours } h:
    { $link }

lang-choose = Choose your language:
lang-set = Done: the bot now speaks English to you.

command-not-for-role = This command belongs to another role. Your commands: /help.
command-unknown = There is no such command. Commands: /help.
text-not-understood = I did not understand that. Commands: /help.
button-stale = This button no longer works. Please open the list again.

error-unexpected = Something went wrong and nothing was changed. Please try again a little later.
error-not-found = Not found: it may have been deleted, or it is not yours to see.
error-forbidden = You may not do this.
error-team-name = A team name is 1 to 128 characters long.
error-team-exists = The team “{ $name }” already exists.
error-team-unknown = There is no team “{ $name }”.
error-invite-unknown = There is no such invite. Check the link or ask your head of sales for a new one.
error-invite-used = This invite has been used already. Please ask your head of sales for a new link.
error-invite-expired = This invite has expired. Please ask your head of sales for a new link.
error-already-member = You are already in the team “{ $team }”.
error-member-of-other-team = You are a member of another team. To move, ask its head to deactivate you there.
error-invite-role = Name the role: /invite (manager) or /invite owner.
error-deactivate-self = You cannot deactivate yourself.
error-member-inactive = { $name } is already deactivated.
error-lang-unknown = No such language. Available: ru, en.

cli-migrated = The database is at the latest version.
cli-backup-done = The database was copied to { $path } (schema version { $revision }).
cli-restore-done = The database was restored from { $path } (the backup's schema version { $revision }) and upgraded to the current one.
error-backup-not-sqlite =
    The bot copies only an SQLite database. For PostgreSQL use its own tools (the password in PGPASSWORD):
    backup: { $dump }
    restore: { $restore }
error-backup-no-database = There is no database at { $path }: nothing to copy.
error-backup-exists = { $path } already exists. Name a new file: a backup never overwrites one.
error-restore-no-file = There is no file { $path }.
error-restore-not-a-backup = { $path } is not a backup of the bot's database. Nothing was changed.
error-restore-newer = The backup was made by a newer version of the bot (schema { $revision }; this version knows up to { $head }). Upgrade the bot and try again. Nothing was changed.
cli-not-migrated = The database is not set up or out of date. Run: python -m bot migrate
cli-bad-tz = Unknown time zone: { $tz }. Example: Europe/Moscow
cli-team-created = Team “{ $team }” created (time zone { $tz }).
cli-invite = Invite for the role “{ $role }”, single use, valid for { $hours } h:
cli-jobs = Jobs: { $jobs }
cli-job-unknown = There is no job “{ $name }”. Available: { $jobs }
