## The head: plan approvals, digests, the hot list, commercial reviews, status.

cmd-plans = Plans awaiting approval
cmd-hot = Hot list
cmd-review = Commercial review of a manager
cmd-status = The team today
cmd-overdue = Overdue tasks
cmd-frozen = Frozen tasks and clients
cmd-digest = Digest now (/digest morning for the morning one)

cli-approve-done = Plans approved automatically: { $count }
error-no-such-manager = No manager matches “{ $query }”. Type part of the name or the @username.
error-no-managers = The team has no managers yet. Invite them: /invite
error-plan-decided = This plan is decided already: { $status ->
        [approved] it is approved
        [auto_approved] it was approved automatically
        [returned] it was returned for rework
       *[other] it is not awaiting approval
    }.
error-plan-drop-late = This task is for today or earlier: mark it in the day list.
error-plan-drop-decided = The plan is approved: only the head can take a task off it now.
error-plan-sent = The plan is sent already: it is the head's to decide.
error-reassign-nobody = Nobody to give it to: the team has no other managers.
error-reassign-same = The task is with this manager already.
error-hot-no-client = “{ $name }” is not among the team's open clients. Type another name or part of it.
error-hot-exists = “{ $name }” is on the hot list already.
error-hot-closed-client = “{ $name }” is closed (won or lost) and cannot go on the hot list.
error-review-closed = This review is finished. Start a new one: /review
error-rv-no-client = { $manager } has no client “{ $name }”. Type another name.

## Plan approvals

appr-card-title = 📋 <b>Plan: { $name }</b> for { $date } — { $count } { $count ->
        [one] task
       *[other] tasks
    }
appr-status-submitted = 📨 Sent at { $time }. Unless you decide by { $deadline }, it is approved automatically.
appr-status-resubmitted = <i>Reworked after a return. Your comment was: “{ $comment }”</i>
appr-status-approved = ✅ Approved ({ $head }, { $time }).
appr-status-auto = ⏱ Approved automatically at { $time }: nobody decided it in time.
appr-status-returned = ↩️ Returned for rework: “{ $comment }”. Waiting for the new plan.
appr-status-draft = ✏️ Not sent yet.
appr-card-empty = <i>The plan has no tasks.</i>
appr-card-hint = <i>A task's number: change, cancel or give it to another manager. 🔥 hot client, 🧊 frozen.</i>
appr-card-added = ➕ <b>Outside the plan: { $count } { $count ->
        [one] task
       *[other] tasks
    }</b> for this day, added after the plan was sent:
btn-appr-task = ⚙️ { $n }
btn-appr-ok = ✅ Approve all
btn-appr-return = ↩️ Return with a comment
btn-appr-edit = ✏️ Change the wording
btn-appr-cancel = 🗑 Cancel the task
btn-appr-give = 👥 Give to another manager
btn-appr-drop = 🗑 { $n }
btn-appr-open = 📋 { $name }
appr-none = No plans awaiting approval. 👍
appr-waiting = 📨 Awaiting approval: { $count }
appr-task-menu = What to do with the task?
    { $task }
appr-give-ask = Who gets the task?
    { $task }
appr-ask-comment-toast = Type a comment
appr-ask-comment = ↩️ What should { $name } change in the plan? Type a comment in one message: they get it and rewrite the plan.
appr-ask-action-toast = Type the new wording
appr-ask-action = ✏️ The task's new wording: a concrete action, such as “Get the payment decision”.
    Now: { $task }
appr-approved-toast = ✅ { $name }'s plan approved
appr-approved-notice = ✅ { $head } approved your plan for { $date }:
appr-returned-done = ↩️ The plan went back to { $name } with your comment.
appr-not-delivered = ⚠️ Could not deliver the message to { $name }: they may have blocked the bot.
appr-returned-notice = ↩️ <b>{ $head } returned your plan for { $date }</b>
    Comment: “{ $comment }”
    Rework the plan: 🗑 with a number takes a task off, “➕ Task for tomorrow” adds one. Then send it again.
appr-dropped-toast = 🗑 Task taken off the plan
appr-cancelled-toast = 🗑 Task cancelled; it does not count in the day's plan
appr-cancelled-notice = 🗑 { $head } cancelled your task for { $date }: { $task }
    It does not count in your day's plan.
appr-given-toast = 👥 Task given to { $name }
appr-given-away-notice = 👥 { $head } gave your task for { $date } to { $name }: { $task }
appr-given-to-notice = 👥 { $head } gave you a task for { $date } (it was { $name }'s): { $task }
appr-edited-done = ✏️ Wording changed: { $task }
appr-edited-notice = ✏️ { $head } reworded your task for { $date }.
    Was: { $was }
    Now: { $task }
appr-auto-title = ⏱ <b>Approved automatically: { $count }</b>: nobody decided them in time.
appr-auto-line = • { $name }, plan for { $date }: { $count } { $count ->
        [one] task
       *[other] tasks
    }
appr-auto-hint = <i>Their tasks can still be changed, cancelled or given away: open the plan with its button.</i>
appr-auto-notice = ⏱ Your plan for { $date } was approved automatically: nobody reviewed it in time. Work by it: { $count } { $count ->
        [one] task
       *[other] tasks
    }:

## Digests

dg-more = {" "}and { $count } more
dg-morning-title = ☀️ <b>Morning digest, { $date }</b>
dg-overdue-title = ⏰ Overdue tasks: <b>{ $count }</b> (the goal is 0)
dg-overdue-none = ⏰ No overdue tasks: keep it up.
dg-count-line = <b>{ $count }</b> — { $name }
dg-count-names-line = <b>{ $count }</b> — { $name }: { $names }
dg-idle-title = 💤 Clients with no next step: <b>{ $count }</b>
dg-hot-title = 🔥 Hot list today: <b>{ $count }</b>
dg-hot-line = • <b>{ $client }</b> ({ $owner }) — { $step }, { $when }
dg-hot-today = today
dg-hot-overdue = overdue since { $date }
dg-not-action-title = ⚠️ CRM tasks that are not an action: <b>{ $count }</b>
dg-not-action-wording = “{ $action }”
dg-not-action-hint = <i>Fix the wording in the CRM: what exactly to do and what for, like “Call the decision maker and set a meeting”, “Get the payment decision”.</i>
dg-yesterday-missing = 📝 No day report yesterday: { $names }
dg-day-missing = 📝 No day report on { $weekday ->
        [1] Monday
        [2] Tuesday
        [3] Wednesday
        [4] Thursday
        [5] Friday
        [6] Saturday
       *[7] Sunday
    }, { $date }: { $names }
dg-evening-title = 🌙 <b>The team's day, { $date }</b>
dg-team-line = Done <b>{ $done }</b> of { $planned } — <b>{ $percent }</b> · overdue: <b>{ $overdue }</b> · leads: { $leads } · deals: { $deals } for { $revenue } ₽
dg-manager-line = <b>{ $name }</b>: { $done }/{ $planned } — { $percent } · overdue { $overdue } · leads { $leads } · deals { $deals }
dg-manager-revenue = {" "}({ $revenue } ₽)
dg-manager-off = {" "}<i>(day off)</i>
dg-not-reported = 📝 No day report: { $names }. Remind them with the buttons below.
dg-all-reported = 📝 Everybody reported.
dg-frozen-title = 🧊 <b>Frozen</b>
dg-frozen-tasks = { $name } — tasks ({ $count }): { $items }
dg-frozen-clients = { $name } — clients ({ $count }): { $items }
dg-falling-title = 📉 <b>A cue for a one-on-one</b> (falling { $days } working days running)
dg-falling-percent = { $name } — plan fulfilment: { $run }
dg-falling-mood = { $name } — mood: { $run }
dg-falling-hint = <i>Talk in person: what gets in the way and how to help. Client review: /review</i>
dg-head-share = ⚠️ Your own clients: { $own } of your { $total } tasks over { $days } days (<b>{ $percent }</b>), over 20%. A head has no personal sales plan: hand some clients to the managers.
dg-plans-waiting = 📨 Plans awaiting approval: <b>{ $count }</b> — /plans
btn-dg-nudge = 🔔 Remind { $name }
dg-nudge-text = 🔔 { $head } reminds you: fill in the day report and send tomorrow's plan.
dg-nudge-sent = 🔔 Reminder sent to { $name }
dg-nudge-already = { $name } has reported already.

## Hot list

hot-title = 🔥 <b>Hot list: { $count }</b>
hot-empty = 🔥 The hot list is empty. Add the clients whose sale you believe in and put your own time into.
hot-entry = { $n }🔥 <b>{ $client }</b> ({ $owner })
    My step: { $step } — <b>{ $when }</b>
    Why I believe: { $reason }
    <i>Days untouched: { $untouched }</i>
hot-when-today = today
hot-when-overdue = overdue since { $date }
btn-hot-add = ➕ Add a client
btn-hot-step = 📝 New step
btn-hot-date = 📅 Move the date
btn-hot-why = 💡 Why I believe
btn-hot-off = 🗑 Take off the list
btn-hot-off-confirm = Yes, take it off
btn-hot-list = ← Back to the list
hot-ask-client = Which client? Type the name or part of it.
hot-pick-client = Several clients match “{ $query }”. Pick one:
hot-ask-reason = 💡 Why do you believe in the sale to “{ $client }”? A sentence or two.
hot-ask-reason-edit = 💡 Why do you believe in this sale? A sentence or two.
hot-ask-step = 📝 Your next step with the client: a concrete action, such as “Meet the director”.
hot-ask-date = 📅 When? Pick a day or type a date.
hot-day-off = 📅 { $date } is a day off. Set the step for { $next }? Pick a day or type another date.
hot-saved = 🔥 Saved on the hot list.
hot-removed = The client is off the hot list.
hot-reminder-title = 🔥 <b>Hot list reminder</b>
hot-reminder-due = <b>Your steps for today: { $count }</b>
hot-reminder-stale = <b>Untouched for { $days }+ days: { $count }</b>: is the sale still likely?

## Commercial review

rv-title = 🤝 <b>Commercial review: { $name }</b>, { $date }
    Open clients: { $count }
rv-last = Last review on { $date }: “{ $outcome }”
rv-stages-title = <b>By stage</b>
rv-stage-line = { $stage } ({ $count }): { $names }
rv-no-clients = <i>No open clients.</i>
rv-stale-title = 😴 <b>No activity: { $count }</b>
rv-stale-line = • { $name } — silent for { $days } days, { $stage }
rv-limbo-title = 🐟 <b>Neither fish nor fowl: { $count }</b> <i>(work goes on, the stage stands still)</i>
rv-limbo-line = • { $name } — { $days } days at “{ $stage }”, open tasks: { $tasks }
rv-brought-title = 💰 <b>Brought this month: { $total } ₽</b>
rv-brought-line = • { $name } — { $amount } ₽
rv-brought-none = 💰 <i>No deals this month yet.</i>
rv-hint = Agreed on extra steps? Tap a client and I will set { $name } the task. Tasks from this review: { $added }.
rv-hint-other = Agreed on extra steps? Tap “➕ Task for another client” and I will set { $name } the task. Tasks from this review: { $added }.
rv-pick = Whose review? Pick a manager:
btn-rv-task = ➕ { $name }
btn-rv-other = ➕ Task for another client
btn-rv-end = 🏁 Finish the review
rv-ask-client = Which of { $name }'s clients? Type the name or part of it.
rv-pick-client = Several clients match “{ $query }”. Pick one:
rv-ask-action = What step with “{ $client }” did you agree on? A concrete action: the task goes to { $name }.
rv-ask-due = When? Pick a day or type a date.
rv-task-added = ➕ Task for { $name } on { $date }: <b>{ $client }</b>: { $action }
    Tasks from this review: { $added }.
rv-task-notice = 🤝 After your review { $head } set you a task for { $date }: { $task }
rv-ask-outcome = 🏁 The outcome of the review with { $name }: what did you agree on? One message.
rv-closed = 🏁 The review with { $name } is saved ({ $date }). Outcome: “{ $outcome }”. Tasks set: { $count }.

## Status

st-title = 📊 <b>The team today, { $date }</b>
    Done <b>{ $done }</b> of { $planned } — <b>{ $percent }</b> · overdue: <b>{ $overdue }</b>
st-line = <b>{ $name }</b>: { $done }/{ $planned } — { $percent } · overdue { $overdue } · day report: { $report }
st-reported = ✅ in
st-not-reported = — missing
st-off = day off
st-plan = Plan for { $date }: { $icon } { $status }
st-plan-none = not started
st-plan-draft = draft
st-plan-submitted = awaiting approval
st-plan-approved = approved
st-plan-auto_approved = approved automatically
st-plan-returned = returned for rework
st-manager-title = 👤 <b>{ $name }</b> today: done { $done } of { $planned } — { $percent } · day report: { $report }
st-pick = Whom to show? Pick a manager:
st-overdue-none = ⏰ No overdue tasks. 👍
st-overdue-title = ⏰ <b>Overdue tasks: { $count }</b> (the goal is 0)
st-overdue-line = • { $client }: { $action } — since { $date } ({ $days } days)
st-frozen-none = 🧊 No frozen tasks or clients.
st-frozen-title = 🧊 <b>Frozen</b> <i>(a task moved 3+ times; a client whose last three tasks were moved or not done)</i>
st-frozen-manager = <b>{ $name }</b>
st-frozen-tasks = Tasks: { $count }
st-frozen-clients = Clients: { $count }
st-frozen-item = • { $item }
