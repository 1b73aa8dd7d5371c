## The manager's day: clients, tasks, the day list, leads, deals, the evening report, tomorrow's plan.

cmd-today = My list for today
cmd-add = Add a task
cmd-report = Day report and tomorrow's plan
cmd-clients = My clients and search
cmd-lead = Record a new lead
cmd-deal = Record a deal
cmd-newclient = New client

stage-new = new lead
stage-qualified = qualified
stage-proposal = proposal sent
stage-negotiation = negotiation / decision
stage-won = won
stage-lost = lost
btn-stage-new = → New lead
btn-stage-qualified = → Qualified
btn-stage-proposal = → Proposal sent
btn-stage-negotiation = → Negotiation
btn-stage-won = → Won 🎉
btn-stage-lost = → Lost

status-open = open
status-done = ✅ done
status-not_done = ❌ not done
status-cancelled = 🚫 cancelled

weekday-0 = Mon
weekday-1 = Tue
weekday-2 = Wed
weekday-3 = Thu
weekday-4 = Fri
weekday-5 = Sat
weekday-6 = Sun
date-short = { $weekday } { $date }

task-line = { $n }. { $icon } <b>{ $client }</b>: { $action }{ $marks }{ $due }
task-short = <b>{ $client }</b>: { $action }
task-no-client = no client
task-overdue-since = {" "}<i>(overdue since { $date })</i>
task-moved-to = {" "}<i>(moved to { $date })</i>
task-vague = {"\u000A"}    ⚠️ <i>Not an action: { $problem ->
        [only-client-name] just the client's name
        [no-object] a bare verb, do what and what for?
       *[other] it does not say what to do
    } — fix the wording in the CRM.</i>
page-continued = <i>Continued, part { $page } of { $pages }</i>

today-title = 📋 <b>Plan for { $date }</b>
    Open tasks: { $open }{ $overdue ->
        [0] {""}
       *[other] , overdue: <b>{ $overdue }</b> — start with those
    }
today-empty = 📋 <b>{ $date }</b>: no tasks for today. Add concrete steps: /add
today-legend = <i>✅ done · ❌ not done · 📅 move · 🗑 cancel. 🔥 hot client, 🧊 frozen.</i>
idle-title = 💤 <b>Clients with no next step: { $count }</b>
idle-line = • { $name } — { $stage }{ $hot }
idle-hint = <i>Every client in progress needs a next step. Add one: /add</i>

btn-task-d = ✅ { $n }
btn-task-n = ❌ { $n }
btn-task-m = 📅 { $n }
btn-task-c = 🗑 { $n }
btn-back = ← Back
btn-other-date = Another date…
btn-cancel-task = Yes, cancel the task
reason-1 = Could not reach them
reason-2 = Client postponed
reason-3 = Ran out of time
reason-4 = Waiting for the client
reason-other = Another reason…

ask-reason = ❌ Why was it not done?
    { $task }
ask-move = 📅 Move it to when?
    { $task }
ask-cancel = 🗑 Cancel the task? A cancelled task stays in the day's plan as not done.
    { $task }
ask-reason-text = Write the reason in one line.
ask-move-text = Write a date: tomorrow, on Friday, 25.11…
task-done-toast = ✅ Done! You can add the result as a one-line reply.
task-not-done-toast = ❌ Marked: not done
task-moved-toast = 📅 Moved to { $date }
task-cancelled-toast = 🗑 Task cancelled
result-saved = 📝 Result saved: { $task }
reason-saved = ❌ Marked not done, reason saved: { $task }
move-saved = 📅 Moved to { $date }: { $task }

add-ask-client = Which client is the task for? Write the name or a part of it.
add-ask-action = What exactly is to be done for <b>{ $client }</b>? For example: "Call Ivan and agree on a meeting date".
add-ask-due = When? Pick a day or write: today, tomorrow, on Friday, 25.11.
add-day-off = 📅 { $date } is a day off. Set the task for { $next }? Pick a day or type another date.
move-day-off = 📅 { $date } is a day off. Move it to { $next }? Pick a day.
add-pick-client = Several clients match "{ $query }". Pick one:
add-unknown-client = There is no client "{ $name }". Create it?
add-done = ➕ Task added for { $date }: <b>{ $client }</b>: { $action }
add-cancelled = All right, nothing added.
btn-new-client = ➕ New client "{ $name }"
btn-new-client-ask = ➕ New client
client-created = Client "{ $name }" created.

clients-title = 👥 Clients: { $count }. Open a card:
clients-more = <i>The first { $limit } are shown. Narrow the search: /clients part of the name</i>
clients-empty = No clients yet. Add one: /newclient Name
clients-none-found = Nobody matches "{ $query }". Add a new one: /newclient { $query }
client-ask-name = What is the client called?
card-title = 🏢 <b>{ $name }</b>{ $marks }
    Stage: { $stage } · Owner: { $owner }
card-open-title = <b>Open tasks:</b>
card-task = • { $date }: { $action }
card-no-open = <i>No open tasks — a next step is needed.</i>
card-results-title = <b>Latest results:</b>
card-result = • { $status }: { $action } — { $note }
card-frozen = 🧊 <i>Frozen client: the last three tasks were moved or not done.</i>
btn-client-task = ➕ Task
stage-moved = { $name }: now "{ $stage }"
stage-same = The client is already at "{ $stage }".

lead-recorded = 🔥 Lead recorded: <b>{ $name }</b> (source: { $source }). A warm lead is worked today — what is the first step? Write the action.
lead-recorded-new = 🔥 New client and lead: <b>{ $name }</b> (source: { $source }). A warm lead is worked today — what is the first step? Write the action.
deal-recorded = 🎉 Deal: <b>{ $name }</b> — { $amount } ₽. The client is now "won".
deal-recorded-new = 🎉 Deal with a new client: <b>{ $name }</b> — { $amount } ₽.

report-title = 🌙 <b>Day report, { $date }</b>
    Done <b>{ $done }</b> of { $planned } — <b>{ $percent }</b>
report-counts = Not done: { $not_done } · moved: { $moved } · cancelled: { $cancelled } · unmarked: { $open }
report-missing = ⚠️ Unmarked tasks: <b>{ $count }</b>. For each: done, a reason and a new date, or cancel.
report-all-marked = 👍 All of today's tasks are marked.
report-nothing-planned = There were no tasks today.
report-leads-title = 🔥 <b>New leads today: { $count }</b>
report-lead-line = • { $name } ({ $source }) — has a next step
report-lead-line-missing = • { $name } ({ $source }) — ⚠️ <b>no next step</b>
btn-lead-task = ➕ Step for "{ $name }"
report-deals-title = 🎉 <b>Deals today: { $count } for { $total } ₽</b>
report-deal-line = • { $name } — { $amount } ₽

plan-title = 🗓 <b>Plan for { $date }</b>
plan-empty = <i>Empty so far. Add concrete steps with the button below.</i>
plan-hint = <i>When the plan is ready and all of today's tasks are marked, send it to the head.</i>
plan-submitted = 📨 The plan was sent to the head for approval.
plan-approved = ✅ The plan is approved.
plan-returned = ↩️ The head returned the plan: "{ $comment }". Fix it and send it again.
plan-ask-client = A task for tomorrow. Which client? Write the name or a part of it.
plan-already-sent = The plan has already been sent.
plan-sent-toast = 📨 Plan sent
btn-plan-add = ➕ Task for tomorrow
btn-plan-send = 📨 Send the plan
mood-ask = How was the day? Rate it 1 to 5 (optional).
mood-set = Day rating: { $value } of 5.
mood-saved = Thank you! Day rating: { $value }

error-button-stale = This button no longer works. Open the list again.
error-task-closed = The task is already marked { $status ->
        [done] done
        [not_done] not done
        [cancelled] cancelled
       *[other] closed
    }. Nothing changed.
error-task-same-date = The task is already on that date.
error-line-empty = An empty message — write one line of text.
error-line-too-long = Too long: { $limit } characters at most.
error-add-format = Format: /add Client: action [date]. For example: /add Romashka: send the proposal tomorrow. Or just /add and I will ask step by step.
error-client-name-empty = A client name cannot be empty.
error-client-name-too-long = A client name is longer than { $limit } characters.
error-client-exists = Client "{ $name }" already exists (owner: { $owner }).
error-client-of-other = "{ $name }" is { $owner }'s client. If it is yours now, ask the head to hand it over.
error-lead-format = Format: /lead Client, source. For example: /lead Romashka LLC, website
error-deal-format = Format: /deal Client amount. For example: /deal Romashka 150 000
error-amount-invalid = I did not understand the amount. Write it like 150000, 150 000, 150k, 1.5 mln.
error-report-missing = Mark today's tasks first: { $count } still unmarked.
error-report-leads-missing = New leads without a next step: { $count }. Add a step with the "➕ Step" button.
error-plan-is-empty = Tomorrow's plan is empty: add at least one concrete task.
error-date-empty = Write a date: today, tomorrow, on Friday, 25.11 or 25.11.2026.
error-date-unrecognized = I did not understand the date. Write: today, tomorrow, the day after tomorrow, on Friday, 25.11, 25.11.2026.
error-date-past = That date has passed. Pick today or later.
error-date-too-far = Too far ahead: set tasks no more than a year ahead.
error-action-empty = Write what exactly is to be done.
error-action-too-long = Too long: a task is one step, up to 500 characters.
error-action-too-short = That does not look like an action. Write the whole step, for example: "Call Ivan and agree on a meeting date".
error-action-only-client-name = "{ $client }" is a client, not an action. What exactly is to be done? For example: "Send the proposal", "Call the decision maker and arrange a meeting", "Get a decision on payment".
error-action-no-object = A verb alone is not enough: what exactly, and to what end? Not "call back" or "push", but "Call Ivan back and get a decision on the proposal", "Remind Vector that the offer expires on Friday".
error-action-no-action = The task has no action in it. Start with a verb: "Call…", "Send…", "Agree…", "Get a decision…". Not "about Romashka" or "client", but "Call Ivan at Romashka and ask for a decision on the proposal".

## Long lists: one page with buttons, then a summary of the rest and ◀ ▶.
btn-page-prev = ◀ Back
btn-page-next = Next ▶
list-range = <i>Tasks { $first }–{ $last } of { $total }</i>
list-more = … and { $count } more { $count ->
        [one] task
       *[other] tasks
    }{ $overdue ->
        [0] {""}
       *[other] : { $overdue } overdue
    }. Page on with “Next ▶”{ $overdue ->
        [0] .
       *[other] , and go through the overdue pile with your head of sales.
    }
names-more = … and { $count } more
ask-reason-typed = ❌ Why was it not done? Write the reason in one line.
    { $task }
ask-move-typed = 📅 Move it to when? Write a date: tomorrow, on Friday, 25.11…
    { $task }
error-task-changed = The task changed while you were typing. Nothing changed: open the list again with /today
error-client-of-other-add = “{ $name }” already exists, owned by { $owner }: a team has one client per company. If it is yours now, ask your head of sales to hand it over.

## The head's digest: a manager whose overdue count is abnormal.
dg-abnormal-title = 🚨 <b>Abnormally many overdue tasks</b>
dg-abnormal-line = • { $name }: <b>{ $count }</b>
dg-abnormal-hint = <i>No one clears such a pile in a day (often an import whose dates had passed): go through it with the manager, what to close and what to move.</i>
