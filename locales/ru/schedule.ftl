## Рассылка по расписанию: уведомления руководителю и командная строка (python -m bot job / outbox).

notice-unreachable =
    ⚠️ Бот не может писать { $count ->
        [one] сотруднику — он заблокировал бота
       *[other] сотрудникам — они заблокировали бота
    }:
    { $names }
    { $count ->
        [one] Ему больше ничего не отправляется. Попросите его
       *[other] Им больше ничего не отправляется. Попросите их
    } открыть чат с ботом и нажать «Запустить» (или отправить /start).
notice-unreachable-line = • { $name }

error-not-migrated = База данных не подготовлена или устарела. Выполните: python -m bot migrate
cli-job-bad-date = Дата «{ $date }» не похожа на ГГГГ-ММ-ДД.
cli-job-done = { $kind } · { $team } · { $date }: получателей { $due }, новых в очереди { $new }; отправлено { $sent }, пропущено { $skipped }, повтор позже { $retry }, не доставлено { $failed }.
cli-tick-done = Такт планировщика: новых в очереди { $new }; отправлено { $sent }, пропущено { $skipped }, повтор позже { $retry }, не доставлено { $failed }.
cli-outbox-empty = Команд пока нет.
cli-outbox-team = Команда «{ $team }» ({ $tz }), сегодня { $today }; за последние { $days } дн.:
cli-outbox-counts =   ждут отправки { $pending } · отправляются { $sending } · исход неизвестен { $unknown } · не доставлены { $failed } · заблокировали бота { $unreachable } · пропущены { $skipped } · отправлены { $sent }
cli-outbox-sent-today =   отправлено за сегодня: { $count }
cli-outbox-problem =   { $date } { $kind } → { $name }: { $status } (попыток { $attempts }) { $error }
cli-outbox-retrying =   { $date } { $kind } → { $name }: ждёт повтора в { $next } (попыток { $attempts }) { $error }

notice-compose-failed =
    ⚠️ { $count ->
        [one] { $count } сообщение по расписанию не удалось подготовить
        [few] { $count } сообщения по расписанию не удалось подготовить
       *[many] { $count } сообщений по расписанию не удалось подготовить
    }:
    { $lines }
    Ошибка записана (python -m bot outbox), повторять не буду. Остальное отправлено.
notice-compose-failed-line = • { $kind } для { $name } на { $date }
kind-label-morning = утренний список
kind-label-evening = вечерний отчёт
kind-label-weekly_report = недельный отчёт
kind-label-monthly_report = месячный отчёт
