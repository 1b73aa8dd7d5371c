## The demo (python -m bot demo): everything that is not a bot message.

demo-header = ═══ РОП-ассистент: a working day of a sales team, played out ═══
demo-intro =
    Everything happens inside this process: a throwaway database, the bot's real handlers
    and a built-in Telegram emulator instead of the network. No token needed.
    Below: who did what and what each person saw; buttons are shown as [Button].
demo-end = ═══ End of the demo: { $scenes } { $scenes ->
        [one] scene
       *[other] scenes
    }, { $actions } { $actions ->
        [one] action
       *[other] actions
    }, { $messages } bot { $messages ->
        [one] message
       *[other] messages
    } ═══

demo-scene = ── { $n }. { $title } ──
demo-clock = 🕘 { $weekday }, { $date }, { $time } ({ $tz })
demo-weekday-1 = Monday
demo-weekday-2 = Tuesday
demo-weekday-3 = Wednesday
demo-weekday-4 = Thursday
demo-weekday-5 = Friday
demo-weekday-6 = Saturday
demo-weekday-7 = Sunday

demo-who = { $name } ({ $role })
demo-role-head = head of sales
demo-role-manager = manager
demo-role-owner = owner
demo-role-stranger = stranger
demo-says = { $who } → { $text }
demo-presses = { $who } presses “{ $label }”
demo-cli = $ { $command }
demo-sees = { $name } sees:
demo-toast = 💬 toast: { $text }
demo-alert = ⚠️ alert: { $text }
demo-menu = ☰ { $name } — command menu: { $commands }
demo-nothing = (the bot said nothing)
demo-edited = ✎ message edited:
demo-deleted = 🗑 message deleted
demo-file = 📎 file { $name }, { $kb } KB

demo-team-name = Sales team
demo-name-head = Irina
demo-name-anna = Anna
demo-name-boris = Boris
demo-name-vera = Vera
demo-name-stranger = Kirill

demo-scene-team-create = The team is created: the head's invite from the command line
demo-note-head-joins = { $name }, the head of sales, opens the link: Telegram sends the bot /start with the code.
demo-scene-invites = The head invites three managers from the chat
demo-scene-stranger = A stranger without an invite, and someone else's link
demo-stranger-asks = Hello, give me my tasks for today
demo-note-used-link = Kirill found the link { $name } has already joined with:
demo-scene-team = The team
demo-note-team = Only the head has the “Deactivate” buttons; a deactivated member loses access at once.
demo-scene-roles = A manager tries the head's commands
demo-scene-lang = Language: each person their own
demo-scene-clients = The client base before the day starts
demo-note-clients =
    The managers brought their clients and open tasks into the bot (as an import from a CRM would).
    Every task is a concrete action with a date.
demo-note-client-line = • { $name }: { $clients } { $clients ->
        [one] client
       *[other] clients
    }, { $tasks } open { $tasks ->
        [one] task
       *[other] tasks
    }, overdue: { $overdue }, clients without a task: { $idle }

demo-client-romashka = Romashka LLC
demo-client-vektor = Vektor Trading
demo-client-sever = Sever Logistics
demo-client-lotos = Lotosova (sole trader)
demo-client-atlant = Atlant Group
demo-client-granit = Granit Stroy
demo-client-meridian = Meridian
demo-client-orbita = Orbita JSC
demo-client-polus = Polus Trade
demo-client-zenit = Zenit Clinic
demo-task-romashka = Get the decision on paying the invoice
demo-task-vektor = Send a new invoice without the discount
demo-task-sever = Reach the director and negotiate the supply contract
demo-task-atlant = Press the client with the proposal's expiry date
demo-task-granit = Get the signed contract
demo-task-meridian = Give a demo to the purchasing department
demo-task-orbita = Agree the disagreement protocol with the client's lawyer
demo-task-polus = Find out the budget and purchase timing from the CFO
