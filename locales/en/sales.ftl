## Sales plans, the results board, bonuses, the owner's reports, import and export.

cmd-board = Results board
cmd-plan_month = Monthly sales plan
cmd-bonus = Expected bonus
cmd-bonus_scheme = Bonus scheme
cmd-sales_report = Weekly or monthly report
cmd-export = Export to Excel
cmd-import = Load clients and tasks from a file

sales-month-1 = January
sales-month-2 = February
sales-month-3 = March
sales-month-4 = April
sales-month-5 = May
sales-month-6 = June
sales-month-7 = July
sales-month-8 = August
sales-month-9 = September
sales-month-10 = October
sales-month-11 = November
sales-month-12 = December
sales-period-month = { $month } { $year }
sales-period-week = week { $start }–{ $end }
sales-period-quarter = Q{ $quarter } { $year }
sales-period-year = year { $year }
sales-period-range = { $start }–{ $end }

## The results board: the picture (plain text)
board-img-title = Results board
board-img-final = final
board-img-asof = as of { $date } · working days { $elapsed } of { $total }
board-img-team = Team
board-img-revenue = { $fact } ₽ of { $plan } ₽
board-img-revenue-no-plan = { $fact } ₽
board-img-leads = leads { $leads }
board-img-deals = deals { $deals } of { $plan }
board-img-deals-no-plan = deals { $deals }
board-img-no-plan = no plan set
board-img-forecast = forecast { $percent } ({ $amount } ₽)

## The results board: text
board-title = <b>📊 Results board — { $period }</b>
board-asof = as of { $date }, working days gone: { $elapsed } of { $total }
board-final = final results
board-team = <b>Team:</b> { $fact } ₽ of { $plan } ₽ — { $percent }
board-team-no-plan = <b>Team:</b> { $fact } ₽ (no plan set — /plan_month)
board-forecast = Forecast for the period's end: { $amount } ₽ ({ $percent })
board-counts = Leads: { $leads } · deals: { $deals } of { $plan }
board-counts-no-plan = Leads: { $leads } · deals: { $deals }
board-line = { $mark } { $n }. { $name } — { $revenue } ₽ · { $percent } · forecast { $forecast }
board-line-final = { $mark } { $n }. { $name } — { $revenue } ₽ · { $percent }
board-line-no-plan = { $mark } { $n }. { $name } — { $revenue } ₽ · no plan
board-line-counts = { "   " }leads { $leads } · deals { $deals } of { $plan }
board-line-counts-no-plan = { "   " }leads { $leads } · deals { $deals }
board-empty = The team has no managers yet.

## Bonus
bonus-title = <b>💰 Bonus — { $period }</b>
bonus-scheme-line = Base { $base } ₽, scale { $scale }
bonus-no-scheme = No bonus scheme yet. The head sets it with /bonus_scheme.
bonus-not-on-board = You have no plan and no deals this month yet.
bonus-line = { $name }: { $percent } of plan → { $amount } ₽
bonus-line-forecast = { "   " }at the current pace: { $percent } → { $amount } ₽
bonus-line-no-plan = { $name }: no plan for the month
bonus-scheme-usage =
    <b>The bonus scheme</b> is one line: a base and a scale of "from % of plan : rate".
    Example: <code>/bonus_scheme 50000 0:0 70:1 100:1.5</code>
    — below 70% of plan no bonus;
    — from 70% the bonus is proportional (70% of plan → 70% of the base);
    — every point over 100% pays one and a half times.
    A last step with rate 0 caps the bonus: <code>150:0</code>.
bonus-scheme-current = Now: base { $base } ₽, scale { $scale }.
bonus-scheme-none = No scheme is set now.
bonus-scheme-saved =
    Bonus scheme saved: base { $base } ₽, scale { $scale }.
    At 69% of plan — { $at69 } ₽, at 85% — { $at85 } ₽, at 100% — { $at100 } ₽, at 120% — { $at120 } ₽.

## Monthly plan
salesplan-ask-month = <b>Sales plan.</b> For which month? Press a button or type a month: 2026-11, November.
salesplan-no-managers = The team has no managers to plan for. Invite them: /invite
salesplan-ask-member =
    <b>Plan for { $month }</b> · { $n } of { $total }
    <b>{ $name }</b>: type the revenue and the number of deals, e.g. <code>500000 5</code> or <code>1.5m 12</code>.
salesplan-current = Now: { $revenue } ₽, { $deals } deals.
salesplan-ask-team =
    The managers' sum: { $revenue } ₽, { $deals } deals.
    That will be the team's plan — or type the team's own plan as two numbers.
salesplan-team-current = The team now has its own plan: { $revenue } ₽, { $deals } deals.
salesplan-saved = <b>Plan for { $month } saved.</b>
salesplan-saved-line = • { $name }: { $revenue } ₽, { $deals } deals
salesplan-saved-none = • { $name }: no plan
salesplan-saved-team = <b>Team: { $revenue } ₽, { $deals } deals</b>
salesplan-saved-team-sum = <b>Team (the managers' sum): { $revenue } ₽, { $deals } deals</b>
salesplan-cancelled = OK, the plan stays as it was.
btn-salesplan-month = { $month }
btn-salesplan-keep = Keep as is
btn-salesplan-skip = No plan
btn-salesplan-sum = Team = sum
btn-salesplan-cancel = Cancel

## The owner's report
salesreport-title = <b>📈 Report: { $period }</b>
salesreport-vs-previous = Revenue { $fact } ₽, the period before — { $previous } ₽ ({ $change }); then { $leads } leads, { $deals } deals.
salesreport-overdue = Overdue tasks: { $first } at the period's start, { $last } now { $trend }
salesreport-discipline = Evening reports on time: { $percent } ({ $on_time } of { $expected }; late { $late }, missing { $missing })
salesreport-discipline-line = • { $name }: { $percent } ({ $on_time } of { $expected })
salesreport-discipline-none = No evening reports were due in this period yet.
btn-salesreport-xlsx = 📊 Excel
salesreport-xlsx-caption = Report in Excel: { $period }.
salesreport-sent = Report ({ $period }) sent to { $count } recipients.

## Export
export-caption = Export ({ $period }): { $clients } clients, { $tasks } tasks, { $deals } deals, { $leads } leads, { $reports } evening reports.
xlsx-sheet-clients = Clients
xlsx-sheet-tasks = Tasks
xlsx-sheet-deals = Deals
xlsx-sheet-leads = Leads
xlsx-sheet-reports = Day reports
xlsx-sheet-summary = Summary
xlsx-sheet-discipline = Discipline
xlsx-sheet-overdue = Overdue
xlsx-col-id = ID
xlsx-col-client = Name
xlsx-col-owner = Responsible
xlsx-col-stage = Stage
xlsx-col-created = Created
xlsx-col-notes = Notes
xlsx-col-task = Task
xlsx-col-due = Due date
xlsx-col-task-status = Task status
xlsx-col-result = Result
xlsx-col-reason = Reason
xlsx-col-moves = Moves
xlsx-col-closed = Closed
xlsx-col-date = Date
xlsx-col-manager = Manager
xlsx-col-amount = Amount
xlsx-col-source = Source
xlsx-col-planned = Planned
xlsx-col-done = Done
xlsx-col-percent = %
xlsx-col-mood = Mood
xlsx-col-submitted = Submitted
xlsx-col-on-time = On time
xlsx-col-leads = Leads
xlsx-col-deals = Deals
xlsx-col-deals-plan = Deals plan
xlsx-col-revenue = Revenue
xlsx-col-revenue-plan = Revenue plan
xlsx-col-forecast = Revenue forecast
xlsx-col-forecast-percent = Forecast, %
xlsx-col-expected = Expected
xlsx-col-late = Late
xlsx-col-missing = Missing
xlsx-col-overdue = Overdue tasks
xlsx-status-open = open
xlsx-status-done = done
xlsx-status-not_done = not done
xlsx-status-cancelled = cancelled
xlsx-yes = yes
xlsx-no = no

## Import from a file
import-how =
    <b>Loading clients and tasks.</b> Send a CSV or XLSX file — an amoCRM or Bitrix24 export, for example.
    Columns are recognised by name: "Name" or "Company", "Responsible", "Stage", "Task", "Due date" (Russian headers too).
    A sheet of plans ("Manager", "Month", "Revenue", "Deals") sets the sales plans.
    First I show what would be loaded and which rows are rejected, and write only when you confirm.
import-preview-title = <b>File “{ $file }”</b>, rows: { $rows }
import-preview-counts =
    New clients: { $clients_new } (already there: { $clients_known })
    New tasks: { $tasks_new } (already there: { $tasks_known })
    Repeats within the file: { $duplicates }
    Rows rejected: { $rejected }
import-preview-plans = Monthly plans: { $plans_new } (unchanged: { $plans_known })
import-preview-stages = Stage not recognised for { $count } — they will be "new".
import-columns = Columns: { $columns }
import-columns-ignored = Not used: { $columns }
import-sample-title = <b>What will be loaded (first rows):</b>
import-sample = • { $client } — { $owner }
import-sample-task = • { $client } — { $owner }: “{ $task }” by { $due }
import-rejected-title = <b>Rejected:</b>
import-rejected-line = • row { $row }: { $reason }
import-rejected-more = …and { $count } more.
import-nothing = Nothing new in the file — nothing to load.
import-confirm = Load the good rows? Rejected ones will not be written.
btn-import-go = ✅ Load
btn-import-cancel = Cancel
import-done = Loaded: { $clients } clients, { $tasks } tasks, { $plans } plans.
import-cancelled = Import cancelled, nothing written.
import-reason-no-client = no client name
import-reason-name-too-long = a name over 200 characters: “{ $value }”
import-reason-unknown-owner = responsible “{ $value }” is not a manager of the team
import-reason-no-owner = no responsible person
import-reason-bad-date = due date “{ $value }” is not a date
import-reason-no-date = task “{ $value }” has no due date
import-reason-vague-task = task “{ $value }” is not a concrete action
import-reason-bad-month = month “{ $value }” not recognised
import-reason-bad-number = “{ $value }” is not a number

## Command line (plain text)
cli-import-summary = File { $file }: { $rows } rows; new clients { $clients_new } (already there { $clients_known }), new tasks { $tasks_new } (already there { $tasks_known }), plans { $plans_new }, repeats { $duplicates }, rejected { $rejected }.
cli-import-rejected = Row { $row }: { $reason }
cli-import-done = Written: { $clients } clients, { $tasks } tasks, { $plans } plans.
cli-import-dry-run = Dry run: nothing written.
cli-import-nothing = The file does not look like a table of clients or plans: no "Name"/"Company" column.
cli-owner-unknown = The team has no manager “{ $name }”.
cli-export-done = Written to { $file }: { $clients } clients, { $tasks } tasks, { $deals } deals, { $leads } leads, { $reports } reports.
cli-bad-date = Could not read the date “{ $value }”. Format: YYYY-MM-DD.

## Errors
error-period-unknown = Could not read the period “{ $text }”. Examples: week, last month, 2026-10, October, quarter, 01.10.2026-15.10.2026.
error-period-not-month = A plan is set per month. Type a month: 2026-11 or November.
error-salesplan-input = Type two numbers: the revenue and the number of deals. E.g. <code>500000 5</code> or <code>1.5m 12</code>.
error-bonus-scale-empty = The scale is empty. Example: 0:0 70:1 100:1.5
error-bonus-scale-format = Could not read the step “{ $token }”. A step is percent:rate, e.g. 70:1.
error-bonus-scale-order = The scale's percentages must grow: { $value }% is out of order.
error-bonus-scale-rate = Rate { $value } is out of range: 0 to 10.
error-bonus-scale-percent = Percentage { $value } is out of range: 0 to 1000.
error-bonus-scale-no-pay = No step has a rate above zero — the bonus would never be paid.
error-bonus-scale-too-many = Too many steps: { $max } at most.
error-bonus-base = Could not read the bonus base “{ $value }”. Example: /bonus_scheme 50000 0:0 70:1 100:1.5
error-import-format = This is not CSV or XLSX. Send a .csv or .xlsx file (save an old .xls as .xlsx).
error-import-too-big = The file is too big: { $mb } MB at most.
error-import-too-many-rows = The file has more than { $max } rows. Split it, please.
error-import-unreadable = Could not read the file: it is damaged or not a spreadsheet.
error-import-not-understood = The file has no client name column ("Name", "Company", "Client") and no plan sheet.
error-import-expired = The file to load is gone. Send it again, please.

## heavy work as jobs (bot/heavy.py)
heavy-preparing = Preparing the file… I will send it as soon as it is ready.
heavy-preparing-picture = Preparing the picture… It will come in a few seconds.
heavy-reading = Reading the file…
heavy-writing = Loading…
heavy-busy = Already on it — I will send it as soon as it is ready.

## import: mostly overdue tasks
import-preview-overdue = ⚠️ { $count } of { $total } new { $total ->
        [one] task is
       *[other] tasks are
    } overdue (due before today). They can be loaded due on another day: the button below, or type a date.
btn-import-move = 📅 Load, overdue ones due { $date }
error-import-no-overdue = Nothing to move: this file has few or no overdue tasks — press "Load" or "Cancel".
