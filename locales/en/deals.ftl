## Won deals: confirming an unusual one, correcting and cancelling (/deal, /deals).

cmd-deals = Latest deals: correct or cancel

deal-change-hint = A mistake? ✏️ correct or 🗑 cancel within a day, later ask the head. All deals: /deals
deal-ask =
    ❓ Please check the deal <b>{ $name }</b> — { $amount } ₽:
    { $questions }
    It is not counted until you confirm it.
deal-ask-unusual = • an unusually large amount: you usually close { $typical } ₽, the month's plan is { $plan } ₽
deal-ask-repeat = • the same deal was recorded a few minutes ago — is this a second deal?
deal-ask-lost = • the client is marked “lost” — record the deal and move the client to “won”?
btn-deal-confirm = ✅ Yes, record it
btn-deal-discard = ✖️ Do not record
btn-deal-edit = ✏️ Correct the amount
btn-deal-void = 🗑 Cancel
btn-deal-void-sure = 🗑 Yes, cancel it
btn-deal-keep = Keep it
btn-deal-similar = It is “{ $name }”
btn-deal-new-client = ➕ New client “{ $name }”
deal-similar = There is no client “{ $name }”. Did you mean:
deal-discarded = The deal was not recorded.
deal-void-ask = Cancel the deal <b>{ $name }</b> of { $amount } ₽? It leaves the board, the plan and the bonus; its history is kept.
deal-voided = 🗑 The deal <b>{ $name }</b> of { $amount } ₽ is cancelled.
deal-kept = The deal is kept as it was.
deal-edit-ask = Type the right amount of the deal <b>{ $name }</b> (now { $amount } ₽):
deal-corrected = ✏️ The amount of the deal <b>{ $name }</b> is corrected: it was { $old } ₽, now { $new } ₽.
deals-title = <b>Latest deals</b>
deals-line = { $n }. { $date } · { $name } — { $amount } ₽ · { $who }
deals-pending-mark = {" "}· ⏳ waiting for confirmation
deals-empty = No deals yet. To record one: /deal Client amount
deals-hint = ✏️ corrects the amount, 🗑 cancels. Your own deals can be changed for a day, the head's always.

error-deal-not-yours = Only the deal's author (within a day of recording it) or the head can change this deal.
error-deal-gone = This deal was already confirmed, cancelled or changed. The current list: /deals
error-deal-expired = This button is out of date. Please send /deal again.
error-amount-not-positive = The amount must be above zero. For example: /deal Romashka 150 000
deal-lost-client = { $count ->
        [one] The client <b>{ $name }</b> has a deal this month — it still counts in the plan and the bonus. Cancel it?
       *[other] The client <b>{ $name }</b> has deals this month — they still count in the plan and the bonus. Cancel them?
    }
