"""Due dates as managers write them: domain/dates.py."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from domain.dates import (
    MAX_AHEAD_DAYS,
    DateError,
    DateErrorReason,
    parse_due_date,
    split_trailing_date,
)
from domain.errors import UserError

WEDNESDAY = date(2025, 11, 19)
MON, TUE, WED, THU, FRI, SAT, SUN = (WEDNESDAY + timedelta(days=d) for d in range(-2, 5))
todays = st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 12, 31))


def reason(text: str, today: date = WEDNESDAY) -> DateErrorReason:
    with pytest.raises(DateError) as err:
        parse_due_date(text, today)
    return err.value.reason


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("сегодня", WEDNESDAY),
        ("Сегодня", WEDNESDAY),
        ("завтра", THU),
        ("ЗАВТРА!", THU),
        ("послезавтра", FRI),
        ("пятница", FRI),
        ("в пятницу", FRI),
        ("В Пятницу.", FRI),
        ("до пятницы", FRI),
        ("к пятнице", FRI),
        ("в пт", FRI),
        ("пт", FRI),
        ("Пт.", FRI),
        ("вт", date(2025, 11, 25)),
        ("во вторник", date(2025, 11, 25)),
        ("в понедельник", date(2025, 11, 24)),
        ("пн", date(2025, 11, 24)),
        ("в среду", WEDNESDAY),
        ("среда", WEDNESDAY),
        ("ср", WEDNESDAY),
        ("в четверг", THU),
        ("в субботу", SAT),
        ("в воскресенье", SUN),
        ("вс", SUN),
        ("через 3 дня", date(2025, 11, 22)),
        ("через три дня", date(2025, 11, 22)),
        ("через пару дней", date(2025, 11, 21)),
        ("через день", THU),
        ("через 1 день", THU),
        ("через 5 дней", date(2025, 11, 24)),
        ("через неделю", date(2025, 11, 26)),
        ("через 2 недели", date(2025, 12, 3)),
        ("через две недели", date(2025, 12, 3)),
        ("через месяц", date(2025, 12, 19)),
        ("через 3 месяца", date(2026, 2, 19)),
        ("25.11", date(2025, 11, 25)),
        ("25.11.", date(2025, 11, 25)),
        ("5.12", date(2025, 12, 5)),
        ("25.11.2026", date(2026, 11, 25)),
        ("25.11.26", date(2026, 11, 25)),
        ("25/11", date(2025, 11, 25)),
        ("25/11/2026", date(2026, 11, 25)),
        ("25-11", date(2025, 11, 25)),
        ("2026-11-25", date(2026, 11, 25)),
        ("на 25.11", date(2025, 11, 25)),
        ("до 25.11", date(2025, 11, 25)),
        ("25 ноября", date(2025, 11, 25)),
        ("25 ноя", date(2025, 11, 25)),
        ("25 ноя.", date(2025, 11, 25)),
        ("25-го ноября", date(2025, 11, 25)),
        ("1 декабря 2026", date(2026, 12, 1)),
        ("1 декабря 2026 г.", date(2026, 12, 1)),
        ("1 декабря 2026 года", date(2026, 12, 1)),
        ("1 Декабря", date(2025, 12, 1)),
        ("3 марта", date(2026, 3, 3)),
        ("today", WEDNESDAY),
        ("Tomorrow", THU),
        ("the day after tomorrow", FRI),
        ("friday", FRI),
        ("on Friday", FRI),
        ("by fri", FRI),
        ("in 3 days", date(2025, 11, 22)),
        ("in a week", date(2025, 11, 26)),
        ("in two weeks", date(2025, 12, 3)),
        ("25 november", date(2025, 11, 25)),
        ("November 25", date(2025, 11, 25)),
        ("nov 25, 2026", date(2026, 11, 25)),
        ("1st december 2026", date(2026, 12, 1)),
    ],
)
def test_forms_managers_write(text: str, expected: date) -> None:
    assert parse_due_date(text, WEDNESDAY) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", DateErrorReason.EMPTY),
        ("   \n\t", DateErrorReason.EMPTY),
        ("когда-нибудь", DateErrorReason.UNRECOGNIZED),
        ("скоро", DateErrorReason.UNRECOGNIZED),
        ("...", DateErrorReason.UNRECOGNIZED),
        ("31.02", DateErrorReason.UNRECOGNIZED),
        ("30.02.2026", DateErrorReason.UNRECOGNIZED),
        ("29.02.2026", DateErrorReason.UNRECOGNIZED),
        ("32.12", DateErrorReason.UNRECOGNIZED),
        ("12.13", DateErrorReason.UNRECOGNIZED),
        ("00.10", DateErrorReason.UNRECOGNIZED),
        ("2026-02-30", DateErrorReason.UNRECOGNIZED),
        ("31 апреля", DateErrorReason.UNRECOGNIZED),
        ("25", DateErrorReason.UNRECOGNIZED),
        ("ноябрь", DateErrorReason.UNRECOGNIZED),
        ("в среду утром", DateErrorReason.UNRECOGNIZED),
        ("средний", DateErrorReason.UNRECOGNIZED),
        ("вчера", DateErrorReason.UNRECOGNIZED),
        ("18.11", DateErrorReason.PAST),
        ("01.10", DateErrorReason.PAST),
        ("18 ноября", DateErrorReason.PAST),
        ("18.11.2025", DateErrorReason.PAST),
        ("2024-12-31", DateErrorReason.PAST),
        ("25.11.24", DateErrorReason.PAST),
        ("01.01.2028", DateErrorReason.TOO_FAR),
        ("через 1000 дней", DateErrorReason.TOO_FAR),
        ("через 200 недель", DateErrorReason.TOO_FAR),
        ("через 999999 месяцев", DateErrorReason.TOO_FAR),
        ("in 999999 days", DateErrorReason.TOO_FAR),
    ],
)
def test_refusals_name_the_reason(text: str, expected: DateErrorReason) -> None:
    assert reason(text) is expected


def test_a_date_error_is_a_user_error_with_a_locale_code() -> None:
    with pytest.raises(UserError) as err:
        parse_due_date("18.11", WEDNESDAY)
    assert err.value.key == "error-date-past"


@pytest.mark.parametrize(
    ("today", "text", "expected"),
    [
        (date(2025, 12, 28), "05.01", date(2026, 1, 5)),  # late December: "05.01" is January
        (date(2025, 12, 28), "5 января", date(2026, 1, 5)),
        (date(2025, 11, 19), "01.09", date(2026, 9, 1)),  # 79 days back: next year
        (date(2027, 12, 20), "29.02", date(2028, 2, 29)),  # next year is a leap year
        (date(2028, 2, 29), "сегодня", date(2028, 2, 29)),
        (date(2028, 1, 31), "через месяц", date(2028, 2, 29)),
        (date(2027, 1, 31), "через месяц", date(2027, 2, 28)),
        (date(2025, 12, 31), "завтра", date(2026, 1, 1)),
    ],
)
def test_year_rule_and_calendar_edges(today: date, text: str, expected: date) -> None:
    assert parse_due_date(text, today) == expected


@pytest.mark.parametrize(
    ("today", "text", "expected"),
    [
        (date(2025, 11, 19), "21.09", DateErrorReason.PAST),  # 59 days back
        (date(2025, 11, 19), "20.09", DateErrorReason.PAST),  # 60 days back
        (date(2027, 3, 10), "29.02", DateErrorReason.UNRECOGNIZED),  # no 29.02 in 2027
        (date(2027, 2, 20), "29.02", DateErrorReason.UNRECOGNIZED),
        (date(9999, 12, 1), "05.01", DateErrorReason.TOO_FAR),
        (date(9999, 12, 31), "завтра", DateErrorReason.TOO_FAR),
        (date(9999, 12, 31), "через месяц", DateErrorReason.TOO_FAR),
    ],
)
def test_year_rule_refusals(today: date, text: str, expected: DateErrorReason) -> None:
    assert reason(text, today) is expected


def test_the_year_rule_boundary_is_sixty_days() -> None:
    today = date(2025, 11, 19)
    assert parse_due_date("19.09", today) == date(2026, 9, 19)  # 61 days back
    assert reason("20.09", today) is DateErrorReason.PAST


@pytest.mark.parametrize(
    ("text", "action", "due"),
    [
        ("отправить КП в пятницу", "отправить КП", FRI),
        ("Отправить КП в пт", "Отправить КП", FRI),
        ("Перезвонить завтра", "Перезвонить", THU),
        ("Отправить счёт 25.11", "Отправить счёт", date(2025, 11, 25)),
        ("Отправить договор 1 декабря 2026 года", "Отправить договор", date(2026, 12, 1)),
        ("Подготовить КП к пятнице", "Подготовить КП", FRI),
        ("Назначить встречу на завтра", "Назначить встречу", THU),
        ("Перезвонить через 2 недели", "Перезвонить", date(2025, 12, 3)),
        ("Отправить КП — до 25.11.", "Отправить КП", date(2025, 11, 25)),
        ("Отправить КП, в пятницу", "Отправить КП", FRI),
        ("Отправить  КП\nв пятницу", "Отправить  КП", FRI),
        ("send the invoice on friday", "send the invoice", FRI),
        ("call the CFO tomorrow", "call the CFO", THU),
        ("в пятницу", "", FRI),
        ("позвонить в среду утром", "позвонить в среду утром", None),
        ("Перенести встречу с пятницы", "Перенести встречу с пятницы", None),
        ("Отчёт за пятницу", "Отчёт за пятницу", None),
        ("Отправить КП", "Отправить КП", None),
        ("Отправить 2 счёта", "Отправить 2 счёта", None),
        ("Обсудить версию 2.0", "Обсудить версию 2.0", None),
        ("Скидка 7.5%", "Скидка 7.5%", None),
        ("", "", None),
        ("   ", "   ", None),
    ],
)
def test_split_trailing_date(text: str, action: str, due: date | None) -> None:
    assert split_trailing_date(text, WEDNESDAY) == (action, due)


@pytest.mark.parametrize("text", ["Отправить счёт 18.11", "позвонить 18 ноября", "Отправить КП 01.01.2028"])
def test_split_tells_about_a_past_or_too_far_trailing_date(text: str) -> None:
    with pytest.raises(DateError) as err:
        split_trailing_date(text, WEDNESDAY)
    assert err.value.reason in (DateErrorReason.PAST, DateErrorReason.TOO_FAR)


# --- properties -------------------------------------------------------------------------------------


@given(text=st.text(max_size=300), today=todays)
@example(text="😀" * 10_000, today=WEDNESDAY)
@example(text="\x00\x1b[31m 25.11 \u202e", today=WEDNESDAY)
@example(text="через 99999999999999999999 дней", today=WEDNESDAY)
@example(text="25.11", today=date.max)
@example(text="05.01", today=date.max)
@example(text="в пятницу", today=date.max)
@example(text="в пятницу", today=date.min)
def test_any_text_gives_a_date_not_before_today_or_a_date_error(text: str, today: date) -> None:
    try:
        result = parse_due_date(text, today)
    except DateError:
        pass  # the other allowed outcome: a clear error, no other exception
    else:
        assert result >= today
        assert (result - today).days <= MAX_AHEAD_DAYS


date_words = st.sampled_from(
    ["завтра", "в", "пятницу", "25.11", "через", "3", "дня", "ноября", "2026", "on", "friday", "с", ".", "—"]
)


@given(
    text=st.one_of(st.text(max_size=200), st.lists(date_words, max_size=8).map(" ".join)),
    today=todays,
)
def test_split_never_fails_except_with_a_date_error(text: str, today: date) -> None:
    try:
        action, due = split_trailing_date(text, today)
    except DateError as error:
        assert error.reason in (DateErrorReason.PAST, DateErrorReason.TOO_FAR)
    else:
        if due is None:
            assert action == text
        else:
            assert today <= due and text.startswith(action)


@given(
    today=todays,
    ahead=st.integers(min_value=0, max_value=700),
    form=st.sampled_from(["%d.%m.%Y", "%Y-%m-%d"]),
)
def test_a_formatted_date_parses_back(today: date, ahead: int, form: str) -> None:
    day = today + timedelta(days=ahead)
    assert parse_due_date(day.strftime(form), today) == day


@given(today=todays, ahead=st.integers(min_value=0, max_value=300))
def test_a_day_and_month_within_ten_months_parse_back_without_the_year(today: date, ahead: int) -> None:
    day = today + timedelta(days=ahead)
    assert parse_due_date(day.strftime("%d.%m"), today) == day


WEEKDAY_FORMS = [
    ("понедельник", "в понедельник", "пн", "monday", "on mon"),
    ("вторник", "во вторник", "вт", "Tuesday", "tue"),
    ("среда", "в среду", "ср", "wednesday", "wed"),
    ("четверг", "в четверг", "чт", "thursday", "thu"),
    ("пятница", "в пятницу", "пт", "friday", "fri"),
    ("суббота", "в субботу", "сб", "saturday", "sat"),
    ("воскресенье", "в воскресенье", "вс", "sunday", "sun"),
]


@given(
    today=todays,
    weekday=st.integers(min_value=0, max_value=6),
    index=st.integers(min_value=0, max_value=4),
    upper=st.booleans(),
)
def test_a_weekday_is_the_next_such_day_within_a_week(
    today: date, weekday: int, index: int, upper: bool
) -> None:
    text = WEEKDAY_FORMS[weekday][index]
    result = parse_due_date(text.upper() if upper else text, today)
    assert result.weekday() == weekday
    assert 0 <= (result - today).days <= 6


@given(today=todays, n=st.integers(min_value=0, max_value=MAX_AHEAD_DAYS))
def test_through_n_days(today: date, n: int) -> None:
    assert parse_due_date(f"через {n} дней", today) == today + timedelta(days=n)
    assert parse_due_date(f"in {n} days", today) == today + timedelta(days=n)
