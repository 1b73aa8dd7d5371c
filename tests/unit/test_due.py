"""What is due now, from plain data: member zones, roles, working days, vacations, catch-up windows."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from domain.calendar import WorkCalendar
from domain.due import (
    DueSend,
    KindRule,
    Recipient,
    TeamPlan,
    due_sends,
    sends_on,
    still_current,
    wakeup_pairs,
)

MORNING = KindRule("morning", "morning_at", frozenset({"manager", "head"}))
EVENING = KindRule("evening", "evening_at", frozenset({"manager"}))
DAILY = KindRule("daily", "approval_at", frozenset(), working_days_only=False)
TEAM = TeamPlan(
    team_id=1,
    timezone="Europe/Moscow",
    calendar=WorkCalendar(country="RU"),
    times={"morning_at": time(9), "evening_at": time(18), "approval_at": time(21)},
)
ANNA = Recipient(1, "manager")
BORIS = Recipient(2, "manager", timezone="Asia/Vladivostok")
HEAD = Recipient(3, "head")


def msk(y: int, m: int, d: int, hh: int, mm: int = 0) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=ZoneInfo("Europe/Moscow")).astimezone(UTC)


def test_each_member_in_their_own_zone() -> None:
    # Monday 27 Oct 2025, 09:00 in Moscow is 16:00 in Vladivostok: Boris's morning went out at 09:00 his time
    now = msk(2025, 10, 27, 9)
    due = due_sends(now, TEAM, [ANNA, BORIS, HEAD], [MORNING, EVENING])
    assert due == [
        DueSend(1, 1, "morning", date(2025, 10, 27)),
        DueSend(1, 2, "morning", date(2025, 10, 27)),  # still current for him: his day is not over
        DueSend(1, 3, "morning", date(2025, 10, 27)),
    ]
    # 08:59 Moscow: only Boris (already 15:59 in Vladivostok)
    assert [
        d.member_id for d in due_sends(now - timedelta(minutes=1), TEAM, [ANNA, BORIS, HEAD], [MORNING])
    ] == [2]


def test_roles_and_reachability() -> None:
    now = msk(2025, 10, 27, 18)
    gone = Recipient(4, "manager", active=False)
    blocked = Recipient(5, "manager", unreachable=True)
    due = due_sends(now, TEAM, [ANNA, HEAD, gone, blocked], [EVENING])
    assert [d.member_id for d in due] == [1]  # the evening prompt is for managers only


def test_days_off_holidays_moved_days_and_vacations() -> None:
    away = Recipient(6, "manager", vacations=((date(2025, 11, 5), date(2025, 11, 6)),))

    def due_on(day: date, who: Recipient, kind: KindRule = MORNING) -> bool:
        return bool(due_sends(msk(day.year, day.month, day.day, 10), TEAM, [who], [kind]))

    assert due_on(date(2025, 10, 31), ANNA)  # Friday
    assert due_on(date(2025, 11, 1), ANNA)  # Saturday, a moved working day
    assert not due_on(date(2025, 11, 2), ANNA)  # Sunday
    assert not due_on(date(2025, 11, 3), ANNA)  # moved day off
    assert not due_on(date(2025, 11, 4), ANNA)  # National Unity Day
    assert not due_on(date(2025, 11, 8), ANNA)  # Saturday
    assert due_on(date(2025, 11, 5), ANNA) and not due_on(date(2025, 11, 5), away)
    assert due_on(date(2025, 11, 7), away)
    # an every-day kind ignores the calendar
    assert bool(due_sends(msk(2025, 11, 8, 21, 30), TEAM, [ANNA], [DAILY]))


def test_a_missed_send_is_current_until_local_midnight_only() -> None:
    assert due_sends(msk(2025, 10, 27, 23, 59), TEAM, [ANNA], [EVENING])
    assert not due_sends(msk(2025, 10, 28, 0, 1), TEAM, [ANNA], [EVENING])
    assert not due_sends(msk(2025, 10, 28, 8, 0), TEAM, [ANNA], [EVENING])  # not the next morning
    # a deadline cuts it shorter
    with_deadline = KindRule("evening", "evening_at", frozenset({"manager"}), deadline="approval_at")
    assert due_sends(msk(2025, 10, 27, 20, 59), TEAM, [ANNA], [with_deadline])
    assert not due_sends(msk(2025, 10, 27, 21, 0), TEAM, [ANNA], [with_deadline])


def test_still_current_sees_a_vacation_entered_later() -> None:
    now = msk(2025, 10, 27, 9, 5)
    assert still_current(now, TEAM, ANNA, MORNING, date(2025, 10, 27))
    away = Recipient(1, "manager", vacations=((date(2025, 10, 27), date(2025, 10, 27)),))
    assert not still_current(now, TEAM, away, MORNING, date(2025, 10, 27))
    assert not still_current(now, TEAM, ANNA, MORNING, date(2025, 10, 24))  # last Friday's


def test_an_operators_run_ignores_the_time_of_day_not_the_calendar() -> None:
    sunday, monday = date(2025, 11, 2), date(2025, 10, 27)
    assert sends_on(sunday, TEAM, [ANNA, HEAD], MORNING) == []
    assert [s.member_id for s in sends_on(monday, TEAM, [ANNA, HEAD, BORIS], MORNING)] == [1, 2, 3]


def test_wakeup_pairs_cover_every_zone_and_time() -> None:
    pairs = wakeup_pairs(TEAM, [ANNA, BORIS], [MORNING, EVENING])
    assert {(str(z), t) for z, t in pairs} == {
        (z, t) for z in ("Europe/Moscow", "Asia/Vladivostok") for t in (time(9), time(18))
    }


@settings(max_examples=150, deadline=None)
@given(
    minutes=st.integers(min_value=0, max_value=60 * 24 * 21),
    zone=st.sampled_from(["Europe/Moscow", "Asia/Vladivostok", "Europe/Kaliningrad", "America/New_York"]),
)
def test_at_most_one_date_due_per_member_and_kind_and_never_before_its_time(minutes: int, zone: str) -> None:
    now = datetime(2026, 3, 1, tzinfo=UTC) + timedelta(minutes=minutes)
    who = Recipient(1, "manager", timezone=zone)
    due = due_sends(now, TEAM, [who], [MORNING, EVENING, DAILY])
    kinds = [d.kind for d in due]
    assert len(kinds) == len(set(kinds))
    local = now.astimezone(ZoneInfo(zone))
    for d in due:
        at = TEAM.times[{"morning": "morning_at", "evening": "evening_at", "daily": "approval_at"}[d.kind]]
        assert (
            d.local_date == local.date()
        )  # never yesterday's, never tomorrow's (no zone here skips midnight)
        assert local.time() >= at
