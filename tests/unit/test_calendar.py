"""Working days: Russia's production calendar, other countries, custom weeks, vacations."""

from __future__ import annotations

from datetime import date, timedelta

import holidays
import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.calendar import (
    DEFAULT_WORKDAYS,
    MemberCalendar,
    WorkCalendar,
    format_workdays,
    is_member_working,
    is_supported_country,
    normalize_country,
    on_vacation,
    parse_workdays,
)

RU = WorkCalendar()
NO_HOLIDAYS = WorkCalendar(country=None)


def test_defaults() -> None:
    assert RU.workdays == DEFAULT_WORKDAYS == frozenset({1, 2, 3, 4, 5})
    assert RU.country == "RU"


@pytest.mark.parametrize("year", [2024, 2025, 2026])
@pytest.mark.parametrize(
    ("month", "day"),
    [
        (1, 1),
        (1, 2),
        (1, 3),
        (1, 4),
        (1, 5),
        (1, 6),
        (1, 7),
        (1, 8),
        (2, 23),
        (3, 8),
        (5, 1),
        (5, 9),
        (6, 12),
        (11, 4),
    ],
)
def test_russian_public_holidays_are_days_off(year: int, month: int, day: int) -> None:
    d = date(year, month, day)
    assert not RU.is_working_day(d)
    assert RU.is_holiday(d)


@pytest.mark.parametrize("d", [date(2024, 4, 27), date(2024, 11, 2), date(2024, 12, 28), date(2025, 11, 1)])
def test_moved_working_saturdays(d: date) -> None:
    assert d.isoweekday() == 6
    assert RU.is_moved_workday(d)
    assert RU.is_working_day(d)
    # Only because of Russia's calendar: an ordinary Saturday without it is a day off.
    assert not NO_HOLIDAYS.is_working_day(d)


@pytest.mark.parametrize(
    "d",
    [
        date(2024, 4, 29),
        date(2024, 4, 30),
        date(2024, 5, 10),
        date(2024, 12, 30),
        date(2024, 12, 31),
        date(2025, 5, 2),
        date(2025, 5, 8),
        date(2025, 6, 13),
        date(2025, 11, 3),
        date(2025, 12, 31),
        date(2026, 1, 9),
        date(2026, 3, 9),
        date(2026, 5, 11),
        date(2026, 12, 31),
    ],
)
def test_transferred_and_observed_days_off(d: date) -> None:
    assert d.isoweekday() <= 5
    assert not RU.is_working_day(d)
    assert NO_HOLIDAYS.is_working_day(d)


@pytest.mark.parametrize(
    "d", [date(2025, 1, 9), date(2024, 11, 5), date(2025, 5, 5), date(2025, 5, 12), date(2026, 6, 11)]
)
def test_ordinary_weekdays_are_working(d: date) -> None:
    assert RU.is_working_day(d)


def test_ordinary_weekends_are_off() -> None:
    assert not RU.is_working_day(date(2025, 3, 15))  # Saturday
    assert not RU.is_working_day(date(2025, 3, 16))  # Sunday


@pytest.mark.parametrize("year", [2024, 2025, 2026])
def test_agrees_with_the_holidays_package(year: int) -> None:
    """Mon–Fri with RU is exactly what ``holidays.RU.is_working_day`` says, day by day."""
    reference = holidays.RU(years=year)
    d = date(year, 1, 1)
    while d.year == year:
        assert RU.is_working_day(d) == reference.is_working_day(d), d
        d += timedelta(days=1)


def test_russian_working_day_count_2025() -> None:
    # Russia's production calendar for 2025 has 247 working days.
    assert RU.working_days_between(date(2025, 1, 1), date(2026, 1, 1)) == 247


def test_non_ru_country() -> None:
    us = WorkCalendar(country="US")
    assert not us.is_working_day(date(2024, 11, 2))  # a Saturday working in Russia, not in the US
    assert not us.is_working_day(date(2026, 7, 3))  # Independence Day (observed), a Friday
    assert not us.is_working_day(date(2026, 5, 9))  # Saturday
    assert us.is_working_day(date(2026, 5, 11))  # Russia's observed Victory Day is a US working day
    assert not us.is_working_day(date(2026, 12, 25))
    de = WorkCalendar(country="DE")
    assert de.is_working_day(date(2025, 11, 4))
    assert not de.is_working_day(date(2025, 10, 3))


def test_country_subdivision_and_normalization() -> None:
    assert WorkCalendar(country="ru").country == "RU"
    assert WorkCalendar(country="de-by").country == "DE-BY"
    # Epiphany is a holiday in Bavaria, not in Berlin.
    assert not WorkCalendar(country="DE-BY").is_working_day(date(2025, 1, 6))
    assert WorkCalendar(country="DE-BE").is_working_day(date(2025, 1, 6))
    assert normalize_country("XX") is None
    assert not is_supported_country("RU-NOPE")
    with pytest.raises(ValueError, match="unknown holiday country"):
        WorkCalendar(country="XX")


def test_six_day_week() -> None:
    six = WorkCalendar(workdays=frozenset({1, 2, 3, 4, 5, 6}))
    assert six.is_working_day(date(2025, 3, 15))  # Saturday
    assert not six.is_working_day(date(2025, 3, 16))  # Sunday
    assert not six.is_working_day(date(2025, 3, 8))  # a Saturday holiday
    assert six.is_working_day(date(2024, 11, 2))
    six_free = WorkCalendar(workdays=frozenset({1, 2, 3, 4, 5, 6}), country=None)
    assert six_free.is_working_day(date(2025, 3, 8))
    assert six_free.next_working_day(date(2025, 3, 8)) == date(2025, 3, 10)


def test_custom_week_without_monday() -> None:
    cal = WorkCalendar(workdays=frozenset({2, 3, 4, 5, 6}), country=None)
    assert not cal.is_working_day(date(2025, 3, 17))  # Monday
    assert cal.is_working_day(date(2025, 3, 22))  # Saturday


def test_extra_days_override() -> None:
    cal = WorkCalendar(
        extra_days_off=frozenset({date(2025, 3, 12)}),
        extra_workdays=frozenset({date(2025, 3, 15), date(2025, 1, 3)}),
    )
    assert not cal.is_working_day(date(2025, 3, 12))  # a Wednesday
    assert cal.is_working_day(date(2025, 3, 15))  # a Saturday
    assert cal.is_working_day(date(2025, 1, 3))  # a public holiday
    with pytest.raises(ValueError, match="both off and working"):
        WorkCalendar(
            extra_days_off=frozenset({date(2025, 1, 3)}), extra_workdays=frozenset({date(2025, 1, 3)})
        )


def test_sets_are_coerced_to_frozensets() -> None:
    cal = WorkCalendar(workdays={1, 2, 3}, extra_days_off={date(2025, 1, 1)})  # type: ignore[arg-type]
    assert isinstance(cal.workdays, frozenset)
    assert isinstance(cal.extra_days_off, frozenset)
    assert hash(cal) == hash(
        WorkCalendar(workdays=frozenset({1, 2, 3}), extra_days_off=frozenset({date(2025, 1, 1)}))
    )


@pytest.mark.parametrize("bad", [frozenset(), frozenset({0, 1}), frozenset({8})])
def test_bad_workdays(bad: frozenset[int]) -> None:
    with pytest.raises(ValueError):
        WorkCalendar(workdays=bad)


def test_next_and_previous_working_day() -> None:
    # The new year holidays of 2025 ran from 1 to 8 January.
    assert RU.next_working_day(date(2024, 12, 31)) == date(2025, 1, 9)
    assert RU.previous_working_day(date(2025, 1, 9)) == date(2024, 12, 28)  # a moved working Saturday
    assert RU.next_working_day(date(2025, 5, 1)) == date(2025, 5, 5)
    assert RU.previous_working_day(date(2025, 5, 12)) == date(2025, 5, 7)
    assert RU.next_working_day(date(2025, 10, 31)) == date(2025, 11, 1)  # Saturday 1 November 2025
    assert RU.next_working_day(date(2025, 11, 1)) == date(2025, 11, 5)
    assert NO_HOLIDAYS.next_working_day(date(2025, 3, 14)) == date(2025, 3, 17)


def test_working_days_between_is_half_open() -> None:
    assert RU.working_days_between(date(2025, 3, 10), date(2025, 3, 10)) == 0
    assert RU.working_days_between(date(2025, 3, 10), date(2025, 3, 17)) == 5
    assert RU.working_days_between(date(2025, 3, 17), date(2025, 3, 10)) == -5
    assert RU.working_days_between(date(2025, 4, 28), date(2025, 5, 12)) == 6  # 28–30 Apr, 5–7 May
    assert RU.working_days(date(2025, 5, 1), date(2025, 5, 12)) == [
        date(2025, 5, 5),
        date(2025, 5, 6),
        date(2025, 5, 7),
        date(2025, 5, 12),
    ]


@given(st.dates(min_value=date(2020, 1, 1), max_value=date(2027, 12, 31)))
def test_next_previous_are_inverse_neighbours(d: date) -> None:
    nxt = RU.next_working_day(d)
    assert nxt > d and RU.is_working_day(nxt)
    assert RU.working_days_between(d + timedelta(days=1), nxt) == 0
    assert RU.previous_working_day(nxt) <= d
    if RU.is_working_day(d):
        assert RU.previous_working_day(nxt) == d


@given(
    st.dates(min_value=date(2023, 1, 1), max_value=date(2027, 12, 31)),
    st.dates(min_value=date(2023, 1, 1), max_value=date(2027, 12, 31)),
    st.dates(min_value=date(2023, 1, 1), max_value=date(2027, 12, 31)),
)
def test_working_days_between_is_additive(a: date, b: date, c: date) -> None:
    assert RU.working_days_between(a, b) + RU.working_days_between(b, c) == RU.working_days_between(a, c)


def test_workdays_string_round_trip() -> None:
    assert parse_workdays("1,2,3,4,5") == DEFAULT_WORKDAYS
    assert parse_workdays(" 6, 1 ,2,") == frozenset({1, 2, 6})
    assert format_workdays({6, 1, 2}) == "1,2,6"
    assert format_workdays(parse_workdays("5,4,3,2,1")) == "1,2,3,4,5"
    for bad in ("", "0,1", "1,8", "mon", "1;2"):
        with pytest.raises(ValueError):
            parse_workdays(bad)


@given(st.frozensets(st.integers(1, 7), min_size=1))
def test_workdays_round_trip_property(days: frozenset[int]) -> None:
    assert parse_workdays(format_workdays(days)) == days


def test_from_db() -> None:
    cal = WorkCalendar.from_db("1,2,3,4,5,6", "")
    assert cal.country is None
    assert cal.workdays == frozenset(range(1, 7))
    assert WorkCalendar.from_db("1,2,3,4,5", "RU") == RU


def test_vacations() -> None:
    vacations = [(date(2025, 3, 10), date(2025, 3, 14)), (date(2025, 4, 1), date(2025, 4, 1))]
    assert on_vacation(date(2025, 3, 10), vacations)
    assert on_vacation(date(2025, 3, 14), vacations)  # inclusive
    assert not on_vacation(date(2025, 3, 17), vacations)
    assert not is_member_working(date(2025, 3, 12), RU, vacations)
    assert not is_member_working(date(2025, 4, 1), RU, vacations)
    assert is_member_working(date(2025, 4, 2), RU, vacations)
    assert not is_member_working(date(2025, 3, 8), RU, [])  # a holiday is off without a vacation too
    assert is_member_working(date(2025, 3, 17), RU)
    with pytest.raises(ValueError, match="ends before it starts"):
        on_vacation(date(2025, 1, 1), [(date(2025, 2, 1), date(2025, 1, 1))])


def test_member_calendar() -> None:
    member = MemberCalendar(RU, ((date(2025, 3, 10), date(2025, 3, 14)),))
    assert not member.is_working_day(date(2025, 3, 11))
    assert member.next_working_day(date(2025, 3, 7)) == date(2025, 3, 17)
    assert member.previous_working_day(date(2025, 3, 17)) == date(2025, 3, 7)
    with pytest.raises(ValueError):
        MemberCalendar(RU, ((date(2025, 3, 14), date(2025, 3, 10)),))


def test_search_gives_up() -> None:
    # A calendar whose every day for years is off cannot be searched forever.
    off = frozenset(date(2025, 1, 1) + timedelta(days=i) for i in range(4000))
    cal = WorkCalendar(country=None, extra_days_off=off)
    with pytest.raises(ValueError, match="no working day"):
        cal.next_working_day(date(2024, 12, 31))
