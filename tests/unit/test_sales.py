"""Plans, fact, pace forecast, the board and the bonus scale: hand-computed cases."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, reject
from hypothesis import strategies as st

from domain.calendar import WorkCalendar
from domain.errors import UserError
from domain.sales import (
    BonusScale,
    Fact,
    Period,
    PeriodError,
    PeriodKind,
    Seller,
    Step,
    Target,
    add_months,
    bonus_amount,
    build_board,
    current_period,
    month_end,
    month_period,
    pace,
    pace_forecast,
    parse_number,
    parse_period,
    parse_plan_input,
    parse_scale,
    parse_scheme,
    percent,
    period_target,
    team_month_target,
    whole_percent,
)

PLAIN = WorkCalendar(country=None)  # Monday to Friday, no holidays
RU = WorkCalendar()  # Russia's production calendar
D = Decimal


# ---------------------------------------------------------------------------------------------- periods


def test_month_arithmetic_across_year_and_leap_boundaries() -> None:
    assert add_months(date(2026, 12, 31), 1) == date(2027, 1, 1)
    assert add_months(date(2026, 1, 15), -1) == date(2025, 12, 1)
    assert add_months(date(2026, 3, 31), -13) == date(2025, 2, 1)
    assert month_end(date(2024, 2, 10)) == date(2024, 2, 29)
    assert month_end(date(2025, 2, 10)) == date(2025, 2, 28)
    assert month_end(date(2026, 12, 5)) == date(2026, 12, 31)


@pytest.mark.parametrize(
    ("text", "today", "kind", "start", "end"),
    [
        ("", date(2026, 10, 15), "month", date(2026, 10, 1), date(2026, 10, 31)),
        ("месяц", date(2026, 2, 28), "month", date(2026, 2, 1), date(2026, 2, 28)),
        ("неделя", date(2026, 10, 15), "week", date(2026, 10, 12), date(2026, 10, 18)),
        ("week", date(2026, 10, 18), "week", date(2026, 10, 12), date(2026, 10, 18)),
        ("неделя", date(2026, 1, 1), "week", date(2025, 12, 29), date(2026, 1, 4)),
        ("прошлая неделя", date(2026, 10, 12), "week", date(2026, 10, 5), date(2026, 10, 11)),
        ("прошлый месяц", date(2026, 1, 10), "month", date(2025, 12, 1), date(2025, 12, 31)),
        ("last month", date(2026, 3, 31), "month", date(2026, 2, 1), date(2026, 2, 28)),
        ("квартал", date(2026, 11, 30), "quarter", date(2026, 10, 1), date(2026, 12, 31)),
        ("прошлый квартал", date(2026, 2, 1), "quarter", date(2025, 10, 1), date(2025, 12, 31)),
        ("год", date(2026, 6, 1), "year", date(2026, 1, 1), date(2026, 12, 31)),
        ("2026-10", date(2027, 5, 1), "month", date(2026, 10, 1), date(2026, 10, 31)),
        ("10.2026", date(2027, 5, 1), "month", date(2026, 10, 1), date(2026, 10, 31)),
        ("октябрь", date(2027, 1, 15), "month", date(2026, 10, 1), date(2026, 10, 31)),
        ("Октябрь 2025", date(2027, 1, 15), "month", date(2025, 10, 1), date(2025, 10, 31)),
        ("january", date(2026, 1, 20), "month", date(2026, 1, 1), date(2026, 1, 31)),
        ("2025", date(2026, 6, 1), "year", date(2025, 1, 1), date(2025, 12, 31)),
        ("Q3 2026", date(2026, 1, 1), "quarter", date(2026, 7, 1), date(2026, 9, 30)),
        ("2026-q1", date(2026, 1, 1), "quarter", date(2026, 1, 1), date(2026, 3, 31)),
        ("01.10.2026-15.10.2026", date(2026, 1, 1), "range", date(2026, 10, 1), date(2026, 10, 15)),
        ("2026-10-01..2026-10-15", date(2026, 1, 1), "range", date(2026, 10, 1), date(2026, 10, 15)),
    ],
)
def test_parse_period(text: str, today: date, kind: str, start: date, end: date) -> None:
    assert parse_period(text, today) == Period(PeriodKind(kind), start, end)


def test_a_month_name_without_a_year_looks_forward_when_planning() -> None:
    assert parse_period("октябрь", date(2026, 11, 15), future=True).start == date(2027, 10, 1)
    assert parse_period("ноябрь", date(2026, 11, 15), future=True).start == date(2026, 11, 1)
    assert parse_period("октябрь", date(2026, 11, 15)).start == date(2026, 10, 1)


@pytest.mark.parametrize(
    "text", ["2026-13", "абв", "прошлый октябрь", "15.10.2026-01.10.2026", "32.01.2026-1"]
)
def test_parse_period_refuses_nonsense(text: str) -> None:
    with pytest.raises(PeriodError):
        parse_period(text, date(2026, 10, 15))


@pytest.mark.parametrize(
    "text",
    [
        "9999-12",
        "1900-01",
        "1999-12",
        "2028-01",
        "12.9999",
        "9999",
        "0000-q1",
        "Q1 0000",
        "октябрь 9999",
        "01.01.1999-01.02.2026",
        "01.12.2026-01.01.2028",
        "31.12.9999-31.12.9999",
    ],
)
def test_parse_period_refuses_years_outside_2000_to_next_year(text: str) -> None:
    with pytest.raises(PeriodError):
        parse_period(text, date(2026, 10, 15))


@pytest.mark.parametrize("text", ["2000-01", "2027-12", "2027", "Q4 2027", "01.01.2000-31.12.2027"])
def test_parse_period_accepts_the_edges_of_the_range(text: str) -> None:
    assert parse_period(text, date(2026, 10, 15))


def test_planning_a_month_of_next_year_is_in_range() -> None:
    assert parse_period("январь", date(2026, 12, 20), future=True).start == date(2027, 1, 1)


def test_the_current_month_is_the_team_local_month() -> None:
    # 22:30 UTC on 30 September is already 1 October in Moscow (UTC+3) but not in New York (UTC-4)
    now = datetime(2026, 9, 30, 22, 30, tzinfo=UTC)
    assert current_period(now, ZoneInfo("Europe/Moscow")).start == date(2026, 10, 1)
    assert current_period(now, ZoneInfo("America/New_York")).start == date(2026, 9, 1)
    # and the week: 14:30 UTC on Sunday 18 October is already Monday in Vladivostok (UTC+10)
    sunday = datetime(2026, 10, 18, 14, 30, tzinfo=UTC)  # 00:30 Monday 19 October in Vladivostok
    assert current_period(sunday, ZoneInfo("Asia/Vladivostok"), "неделя").start == date(2026, 10, 19)
    assert current_period(sunday, ZoneInfo("Europe/Moscow"), "неделя").start == date(2026, 10, 12)


# ---------------------------------------------------------------------------------------------- plans


def test_a_week_across_two_months_gets_its_working_day_share_of_each() -> None:
    # Sept 2026 and Oct 2026 have 22 working days each (Mon-Fri). Week 28.09-04.10: 3 in Sept, 2 in Oct.
    months = {date(2026, 9, 1): Target(D(220000), D(11)), date(2026, 10, 1): Target(D(440000), D(22))}
    week = parse_period("неделя", date(2026, 9, 30))
    target = period_target(months, week, PLAIN)
    # 220000 x 3/22 + 440000 x 2/22 = 30000 + 40000; 11 x 3/22 + 22 x 2/22 = 1.5 + 2
    assert target.revenue == D(70000) and target.deals == D("3.5")


def test_a_quarter_is_the_sum_of_its_months_and_no_plan_is_not_zero() -> None:
    months = {date(2026, 10, 1): Target(D(100), D(1)), date(2026, 12, 1): Target(D(300), D(3))}
    quarter = parse_period("Q4 2026", date(2026, 1, 1))
    assert period_target(months, quarter, RU) == Target(D(400), D(4))  # November has no plan
    assert period_target(months, parse_period("2026-11", date(2026, 1, 1)), RU) is None
    assert period_target({}, quarter, RU) is None
    # a whole month is its plan exactly, holidays or not
    may = month_period(date(2026, 5, 1))
    assert period_target({date(2026, 5, 1): Target(D(190000), D(19))}, may, RU) == Target(D(190000), D(19))


def test_a_range_in_may_uses_the_russian_holidays() -> None:
    # May 2026 has 19 working days in Russia (1 and 11 May are off); 1-10 May holds 5 of them.
    months = {date(2026, 5, 1): Target(D(190000), D(19))}
    first_decade = Period(PeriodKind.RANGE, date(2026, 5, 1), date(2026, 5, 10))
    assert period_target(months, first_decade, RU) == Target(D(50000), D(5))


def test_the_team_plan_is_set_or_the_sum_of_the_managers() -> None:
    managers = [Target(D(100), D(1)), Target(D(250), D(2))]
    assert team_month_target(None, managers) == Target(D(350), D(3))
    assert team_month_target(Target(D(1000), D(9)), managers) == Target(D(1000), D(9))
    assert team_month_target(None, []) is None


def test_percent_of_plan() -> None:
    assert percent(D(450000), D(600000)) == D(75)
    assert whole_percent(percent(D(1), D(3))) == 33
    assert whole_percent(percent(D(1), D(8))) == 13  # 12.5 rounds half up
    assert percent(D(5), D(0)) is None and percent(D(5), None) is None


# ---------------------------------------------------------------------------------------------- pace


def test_pace_forecast_by_working_days_elapsed() -> None:
    october = month_period(date(2026, 10, 1))  # 22 working days, 1 Oct is a Thursday
    # by Thursday 15 Oct: 1-2, 5-9, 12-15 = 11 working days (today included)
    assert pace(october, date(2026, 10, 15), PLAIN).elapsed == 11
    assert pace_forecast(D(300000), october, date(2026, 10, 15), PLAIN) == D(600000)
    # Saturday 3 Oct: two working days so far
    assert pace_forecast(D(100000), october, date(2026, 10, 3), PLAIN) == D(1100000)
    # before the month: no pace; after it: the fact
    assert pace_forecast(D(0), october, date(2026, 9, 30), PLAIN) is None
    assert pace_forecast(D(123), october, date(2026, 11, 1), PLAIN) == D(123)
    # the last day of the month: the fact itself
    assert pace_forecast(D(777), october, date(2026, 10, 31), PLAIN) == D(777)


def test_pace_forecast_with_russian_holidays() -> None:
    may = month_period(date(2026, 5, 1))
    # by Tuesday 12 May: 4-8 May and 12 May = 6 working days of 19
    assert pace(may, date(2026, 5, 12), RU) == pace(may, date(2026, 5, 12), RU).__class__(6, 19)
    assert pace_forecast(D(60000), may, date(2026, 5, 12), RU) == D(190000)
    # 1-11 January 2026 are days off in Russia: on 5 January no working day has elapsed, no pace yet
    assert pace_forecast(D(50000), month_period(date(2026, 1, 1)), date(2026, 1, 5), RU) is None


# ---------------------------------------------------------------------------------------------- the board


def test_the_board_lines_and_the_team_line() -> None:
    october = month_period(date(2026, 10, 1))
    facts = {
        1: Fact(leads=5, deals=2, revenue=D(300000)),
        2: Fact(leads=8, deals=1, revenue=D(100000)),
        9: Fact(leads=0, deals=1, revenue=D(50000)),  # the head's own client: a line, and in the team
    }
    plans = {
        (1, date(2026, 10, 1)): Target(D(600000), D(4)),
        (2, date(2026, 10, 1)): Target(D(400000), D(4)),
    }
    sellers = [Seller(2, "Борис"), Seller(1, "Анна"), Seller(3, "Вера")]
    board = build_board(october, date(2026, 10, 15), PLAIN, sellers, facts, plans, names={9: "Ирина"})
    assert [r.name for r in board.rows] == ["Анна", "Борис", "Ирина", "Вера"]
    anna = board.rows[0]
    assert anna.revenue_percent == D(50) and anna.deals_percent == D(50)
    assert anna.forecast_revenue == D(600000) and anna.forecast_percent == D(100)
    assert board.rows[3].fact == Fact() and board.rows[3].plan is None
    assert board.team.fact == Fact(13, 4, D(450000))
    assert board.team.plan == Target(D(1000000), D(8))  # the sum: no team plan was set
    assert board.team.forecast_revenue == D(900000)
    assert whole_percent(board.team.forecast_percent) == 90

    plans[(None, date(2026, 10, 1))] = Target(D(1500000), D(10))
    board = build_board(october, date(2026, 10, 15), PLAIN, sellers, facts, plans)
    assert board.team.plan == Target(D(1500000), D(10))
    assert whole_percent(board.team.revenue_percent) == 30


# ---------------------------------------------------------------------------------------------- bonus


def test_the_example_scale_rewards_partial_fulfilment() -> None:
    scale = parse_scale("0:0 70:1 100:1.5")
    base = D(50000)
    assert bonus_amount(base, scale, D("69.99")) == D(0)
    assert bonus_amount(base, scale, D(70)) == D(35000)
    assert bonus_amount(base, scale, D(85)) == D(42500)
    assert bonus_amount(base, scale, D(100)) == D(50000)
    assert bonus_amount(base, scale, D(120)) == D(65000)  # 1 + 20 x 1.5 / 100
    assert bonus_amount(base, scale, None) is None


def test_a_cap_a_missing_zero_step_and_decimal_commas() -> None:
    scale = parse_scale("70%:1 100%:1,5 150:0")
    assert scale.steps[0] == Step(D(0), D(0))  # the 0% step is added
    assert scale.factor(D(150)) == D("1.75")
    assert scale.factor(D(300)) == D("1.75")  # capped
    assert str(scale) == "0:0 70:1 100:1.5 150:0"
    assert BonusScale.from_json(scale.to_json()) == scale
    assert parse_scale("0:0.5 100:1").factor(D(50)) == D("0.25")  # proportional from zero at half rate


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("", "bonus-scale-empty"),
        ("70:1 60:2", "bonus-scale-order"),
        ("0:0 70:1 70:2", "bonus-scale-order"),
        ("0:0 50:0", "bonus-scale-no-pay"),
        ("70:-1", "bonus-scale-rate"),
        ("70:11", "bonus-scale-rate"),
        ("2000:1", "bonus-scale-percent"),
        ("70-1", "bonus-scale-format"),
        ("seventy:1", "bonus-scale-format"),
        (" ".join(f"{i * 10}:1" for i in range(11)), "bonus-scale-too-many"),
    ],
)
def test_bad_scales_are_refused_with_the_reason(text: str, code: str) -> None:
    with pytest.raises(UserError) as error:
        parse_scale(text)
    assert error.value.code == code


def test_the_scheme_line_base_then_scale() -> None:
    base, scale = parse_scheme("50 000 70:1 100:1,5")
    assert base == D(50000) and str(scale) == "0:0 70:1 100:1.5"
    base, scale = parse_scheme("30к")
    assert base == D(30000) and str(scale) == "0:0 70:1 100:1.5"  # the default scale
    for bad in ("0 70:1", "abc 70:1", "70:1"):
        with pytest.raises(UserError) as error:
            parse_scheme(bad)
        assert error.value.code == "bonus-base"


@given(
    st.lists(
        st.tuples(st.integers(0, 1000), st.decimals(0, 10, places=2)),
        min_size=1,
        max_size=10,
        unique_by=lambda s: s[0],
    ),
    st.decimals(0, 1200, places=2),
    st.decimals(0, 1200, places=2),
)
def test_the_factor_never_falls_as_fulfilment_grows(
    raw: list[tuple[int, Decimal]], a: Decimal, b: Decimal
) -> None:
    steps = tuple(Step(D(p), r) for p, r in sorted(raw))
    try:
        scale = BonusScale(steps)
    except UserError:
        reject()  # not a valid scale: this property is about valid ones
    low, high = sorted((a, b))
    assert D(0) <= scale.factor(low) <= scale.factor(high)
    if low >= scale.threshold and low > 0:
        assert scale.factor(low) > 0


# ---------------------------------------------------------------------------------------------- input


@pytest.mark.parametrize(
    ("text", "revenue", "deals"),
    [
        ("500000 5", "500000", 5),
        ("500 000 5", "500000", 5),
        ("1,5 млн 12", "1500000", 12),
        ("500к 3", "500000", 3),
        ("1 250 000,50 ₽ 7", "1250000.50", 7),
        ("0 0", "0", 0),
    ],
)
def test_plan_input(text: str, revenue: str, deals: int) -> None:
    assert parse_plan_input(text) == Target(D(revenue), D(deals))


@pytest.mark.parametrize("text", ["500000", "много 5", "5", "-100 5", ""])
def test_bad_plan_input(text: str) -> None:
    with pytest.raises(UserError):
        parse_plan_input(text)


def test_numbers_as_people_type_them() -> None:
    assert parse_number("1 250 000") == D(1250000)
    assert parse_number("1,250,000.50") == D("1250000.50")
    assert parse_number("2.5k") == D(2500)
    assert parse_number("3м") == D(3000000)
    with pytest.raises(ValueError):
        parse_number("1.2.3")
