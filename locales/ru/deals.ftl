## Won deals: confirming an unusual one, correcting and cancelling (/deal, /deals).

cmd-deals = Последние сделки: исправить или отменить

deal-change-hint = Ошиблись? ✏️ исправить или 🗑 отменить — сутки, потом через руководителя. Все сделки: /deals
deal-ask =
    ❓ Проверьте сделку <b>{ $name }</b> — { $amount } ₽:
    { $questions }
    Пока вы не подтвердите, сделка не учитывается.
deal-ask-unusual = • сумма необычно большая: обычно у вас { $typical } ₽, план на месяц { $plan } ₽
deal-ask-repeat = • такая же сделка записана несколько минут назад — это вторая сделка?
deal-ask-lost = • клиент в стадии «проигран» — записать сделку и перевести его в «выигран»?
btn-deal-confirm = ✅ Да, записать
btn-deal-discard = ✖️ Не записывать
btn-deal-edit = ✏️ Исправить сумму
btn-deal-void = 🗑 Отменить
btn-deal-void-sure = 🗑 Да, отменить
btn-deal-keep = Оставить
btn-deal-similar = Это «{ $name }»
btn-deal-new-client = ➕ Новый клиент «{ $name }»
deal-similar = Клиента «{ $name }» нет. Может быть, вы имели в виду:
deal-discarded = Сделка не записана.
deal-void-ask = Отменить сделку <b>{ $name }</b> на { $amount } ₽? Она уйдёт с доски, из плана и премии; в истории останется.
deal-voided = 🗑 Сделка <b>{ $name }</b> на { $amount } ₽ отменена.
deal-kept = Сделка оставлена как есть.
deal-edit-ask = Напишите правильную сумму сделки <b>{ $name }</b> (сейчас { $amount } ₽):
deal-corrected = ✏️ Сумма сделки <b>{ $name }</b> исправлена: было { $old } ₽, стало { $new } ₽.
deals-title = <b>Последние сделки</b>
deals-line = { $n }. { $date } · { $name } — { $amount } ₽ · { $who }
deals-pending-mark = {" "}· ⏳ ждёт подтверждения
deals-empty = Сделок пока нет. Записать: /deal Клиент сумма
deals-hint = ✏️ — исправить сумму, 🗑 — отменить. Свои сделки можно менять сутки, руководитель — всегда.

error-deal-not-yours = Эту сделку может изменить её автор (в течение суток после записи) или руководитель.
error-deal-gone = Эта сделка уже подтверждена, отменена или изменена. Актуальный список: /deals
error-deal-expired = Кнопка устарела. Отправьте /deal ещё раз.
error-amount-not-positive = Сумма должна быть больше нуля. Например: /deal Ромашка 150 000
deal-lost-client = { $count ->
        [one] По клиенту <b>{ $name }</b> в этом месяце записана сделка — она всё ещё в плане и премии. Отменить её?
       *[other] По клиенту <b>{ $name }</b> в этом месяце записаны сделки — они всё ещё в плане и премии. Отменить их?
    }
