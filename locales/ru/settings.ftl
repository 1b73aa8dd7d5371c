## /settings: время рассылок, часовой пояс, рабочие дни, праздники, отпуска и пояса сотрудников.

cmd-settings = Настройки: время, пояс, рабочие дни, отпуска

settings-title = ⚙️ <b>Настройки команды «{ $team }»</b>
settings-zone = Часовой пояс: { $zone } (там сейчас { $now })
settings-workdays = Рабочие дни: { $days }
settings-holidays-on = Праздники и переносы выходных: производственный календарь ({ $country }) — учитываются
settings-holidays-off = Праздники: не учитываются, только рабочие дни недели
settings-times =
    Утренний список: { $morning } · вечерний отчёт: { $evening }
    Согласование планов: { $approval } · сводка: { $digest }
settings-vacations = Отпуска:
settings-vacation-line = • { $name }: { $range }
settings-zones = Свой часовой пояс:
settings-member-zone-line = • { $name }: { $zone }
settings-hint = Время — местное для каждого сотрудника. В выходные, праздники и отпуск бот рабочих сообщений не присылает.

settings-btn-morning = 🌅 Утро { $time }
settings-btn-evening = 🌆 Вечер { $time }
settings-btn-approval = ✅ Согласование { $time }
settings-btn-digest = 📊 Сводка { $time }
settings-btn-zone = 🕒 Часовой пояс
settings-btn-workdays = 📅 Рабочие дни
settings-btn-holidays-on = 🎉 Праздники: учитываются
settings-btn-holidays-off = 🎉 Праздники: не учитываются
settings-btn-vacation = 🏖 Отпуск сотрудника
settings-btn-member-zone = 🌍 Пояс сотрудника
settings-btn-close = Готово
settings-btn-back = ← Назад
settings-btn-team-zone = Как у команды
settings-btn-add-vacation = ➕ Добавить отпуск
settings-btn-delete-vacation = 🗑 { $range }
settings-zone-button = { $city } ({ $offset })
settings-msk = МСК
settings-msk-offset = МСК{ $hours }

settings-what-morning = утренний список
settings-what-evening = вечерний отчёт
settings-what-approval = согласование планов
settings-what-digest = сводка руководителю
settings-ask-time = Во сколько присылать { $what }? Напишите время, например 09:30. Сейчас: { $time }.
settings-time-saved = Готово: { $what } — в { $time }.
settings-ask-zone = Выберите часовой пояс команды кнопкой или напишите его: «Владивосток», «МСК+7» или Europe/Moscow.
settings-ask-member-zone = Часовой пояс для { $name }: выберите кнопкой или напишите.
settings-zone-saved = Часовой пояс команды: { $zone }.
settings-member-zone-saved = { $name }: часовой пояс { $zone }.
settings-member-zone-reset = { $name }: часовой пояс как у команды.
settings-ask-workdays = Отметьте рабочие дни недели:
settings-holidays-saved-on = Праздники и переносы выходных учитываются.
settings-holidays-saved-off = Праздники больше не учитываются.
settings-pick-vacation = Чей отпуск записать?
settings-pick-zone = Кому задать свой часовой пояс?
settings-member-vacations = <b>Отпуска: { $name }</b>
settings-no-vacations = Отпусков не записано.
settings-ask-vacation = Напишите даты отпуска для { $name }: например 01.07–14.07 или «с 1 июля по 14 июля». Один день — просто дата.
settings-vacation-saved = Записал отпуск: { $name }, { $range }. В эти дни бот не присылает рабочих сообщений.
settings-vacation-deleted = Отпуск удалён.
settings-closed = Настройки сохранены.

settings-wd-1 = Пн
settings-wd-2 = Вт
settings-wd-3 = Ср
settings-wd-4 = Чт
settings-wd-5 = Пт
settings-wd-6 = Сб
settings-wd-7 = Вс

error-settings-time = Не понял время. Напишите, например, 09:30 или 18:00.
error-settings-time-order = Утро должно быть раньше вечера: утренний список в { $morning }, вечерний отчёт в { $evening }. Напишите другое время — ничего не изменено.
error-settings-zone = Не знаю такого часового пояса. Выберите кнопкой или напишите, например, «Владивосток», «МСК+7» или Europe/Moscow.
error-settings-dates = Не понял даты. Напишите, например, 01.07–14.07 или «с 1 июля по 14 июля»; первый день — сегодня или позже.
error-settings-vacation-long = Слишком длинный отпуск: не больше { $days } дней за раз. Запишите его частями.
error-settings-vacation-overlap = Этот отпуск пересекается с уже записанным: { $range }.
error-settings-workdays-empty = Нужен хотя бы один рабочий день.
