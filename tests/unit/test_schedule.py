"""When a daily send is due: fixed-offset zones, DST gaps and overlaps, missed jobs, wake-ups."""

from __future__ import annotations

import zoneinfo
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from domain.schedule import (
    current_sends,
    due_dates,
    is_due,
    local_due,
    local_today,
    next_wakeup,
    send_window,
)

MOSCOW = ZoneInfo("Europe/Moscow")
VLADIVOSTOK = ZoneInfo("Asia/Vladivostok")
KALININGRAD = ZoneInfo("Europe/Kaliningrad")
BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")

SEND_TIMES = (time(2, 30), time(9, 0), time(18, 0))
MINUTE = timedelta(minutes=1)


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def wall(instant: datetime, tz: ZoneInfo) -> datetime:
    return instant.astimezone(tz).replace(tzinfo=None)


# --- local_due: explicit instants -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("tz", "d", "at", "expected"),
    [
        (MOSCOW, date(2026, 3, 10), time(9, 0), utc(2026, 3, 10, 6, 0)),
        (MOSCOW, date(2026, 3, 10), time(18, 0), utc(2026, 3, 10, 15, 0)),
        (MOSCOW, date(2026, 3, 10), time(2, 30), utc(2026, 3, 9, 23, 30)),
        (VLADIVOSTOK, date(2026, 3, 10), time(9, 0), utc(2026, 3, 9, 23, 0)),
        (VLADIVOSTOK, date(2026, 3, 10), time(18, 0), utc(2026, 3, 10, 8, 0)),
        (VLADIVOSTOK, date(2026, 3, 10), time(2, 30), utc(2026, 3, 9, 16, 30)),
        (KALININGRAD, date(2026, 3, 10), time(9, 0), utc(2026, 3, 10, 7, 0)),
        (KALININGRAD, date(2026, 3, 10), time(18, 0), utc(2026, 3, 10, 16, 0)),
        (KALININGRAD, date(2026, 3, 10), time(2, 30), utc(2026, 3, 10, 0, 30)),
        # Berlin springs forward on 2026-03-29 at 02:00 CET (01:00 UTC) to 03:00 CEST.
        (BERLIN, date(2026, 3, 28), time(9, 0), utc(2026, 3, 28, 8, 0)),
        (BERLIN, date(2026, 3, 29), time(2, 30), utc(2026, 3, 29, 1, 0)),  # in the gap → 03:00 CEST
        (BERLIN, date(2026, 3, 29), time(9, 0), utc(2026, 3, 29, 7, 0)),
        (BERLIN, date(2026, 3, 29), time(18, 0), utc(2026, 3, 29, 16, 0)),
        # Berlin falls back on 2026-10-25 at 03:00 CEST (01:00 UTC) to 02:00 CET.
        (BERLIN, date(2026, 10, 25), time(2, 30), utc(2026, 10, 25, 0, 30)),  # first occurrence (CEST)
        (BERLIN, date(2026, 10, 25), time(9, 0), utc(2026, 10, 25, 8, 0)),
        (BERLIN, date(2026, 10, 25), time(18, 0), utc(2026, 10, 25, 17, 0)),
        (BERLIN, date(2026, 10, 26), time(2, 30), utc(2026, 10, 26, 1, 30)),
        # New York springs forward on 2026-03-08 at 02:00 EST (07:00 UTC) to 03:00 EDT.
        (NEW_YORK, date(2026, 3, 8), time(2, 30), utc(2026, 3, 8, 7, 0)),  # in the gap → 03:00 EDT
        (NEW_YORK, date(2026, 3, 8), time(9, 0), utc(2026, 3, 8, 13, 0)),
        (NEW_YORK, date(2026, 3, 8), time(18, 0), utc(2026, 3, 8, 22, 0)),
        # New York falls back on 2026-11-01 at 02:00 EDT (06:00 UTC) to 01:00 EST.
        (NEW_YORK, date(2026, 11, 1), time(1, 30), utc(2026, 11, 1, 5, 30)),  # first occurrence (EDT)
        (NEW_YORK, date(2026, 11, 1), time(2, 30), utc(2026, 11, 1, 7, 30)),
        (NEW_YORK, date(2026, 11, 1), time(9, 0), utc(2026, 11, 1, 14, 0)),
        (NEW_YORK, date(2026, 11, 1), time(18, 0), utc(2026, 11, 1, 23, 0)),
    ],
)
def test_local_due(tz: ZoneInfo, d: date, at: time, expected: datetime) -> None:
    due = local_due(d, at, tz)
    assert due == expected
    assert due.utcoffset() == timedelta(0)
    assert local_today(due, tz) == d


def test_gap_is_the_gap_end_wall_time() -> None:
    assert wall(local_due(date(2026, 3, 29), time(2, 30), BERLIN), BERLIN) == datetime(2026, 3, 29, 3, 0)
    assert wall(local_due(date(2026, 3, 29), time(2, 0), BERLIN), BERLIN) == datetime(2026, 3, 29, 3, 0)
    assert wall(local_due(date(2026, 3, 29), time(2, 59, 59), BERLIN), BERLIN) == datetime(2026, 3, 29, 3, 0)
    assert wall(local_due(date(2026, 3, 29), time(3, 0), BERLIN), BERLIN) == datetime(2026, 3, 29, 3, 0)
    assert wall(local_due(date(2026, 3, 29), time(1, 59), BERLIN), BERLIN) == datetime(2026, 3, 29, 1, 59)


def test_naive_inputs_are_rejected() -> None:
    with pytest.raises(ValueError, match="aware"):
        local_today(datetime(2026, 1, 1, 12, 0), MOSCOW)
    with pytest.raises(ValueError, match="aware"):
        is_due(datetime(2026, 1, 1, 12, 0), MOSCOW, time(9), date(2026, 1, 1))
    with pytest.raises(ValueError, match="naive local time"):
        local_due(date(2026, 1, 1), time(9, tzinfo=UTC), MOSCOW)


def test_local_today() -> None:
    now = utc(2026, 3, 9, 22, 0)
    assert local_today(now, MOSCOW) == date(2026, 3, 10)  # 01:00 MSK
    assert local_today(now, KALININGRAD) == date(2026, 3, 10)  # 00:00
    assert local_today(now - MINUTE, KALININGRAD) == date(2026, 3, 9)
    assert local_today(now, VLADIVOSTOK) == date(2026, 3, 10)
    assert local_today(now, NEW_YORK) == date(2026, 3, 9)
    # Any aware input works, not only UTC.
    assert local_today(now.astimezone(VLADIVOSTOK), MOSCOW) == date(2026, 3, 10)


# --- is_due / current_sends ------------------------------------------------------------------------


def test_is_due_moscow_morning() -> None:
    d = date(2026, 3, 10)
    assert not is_due(utc(2026, 3, 10, 5, 59), MOSCOW, time(9), d)
    assert is_due(utc(2026, 3, 10, 6, 0), MOSCOW, time(9), d)
    assert is_due(utc(2026, 3, 10, 20, 59, 59), MOSCOW, time(9), d)  # the bot was down all day
    assert not is_due(utc(2026, 3, 10, 21, 0), MOSCOW, time(9), d)  # midnight MSK: the day is over
    assert not is_due(utc(2026, 3, 10, 6, 0), MOSCOW, time(9), date(2026, 3, 9))
    assert not is_due(utc(2026, 3, 10, 6, 0), MOSCOW, time(9), date(2026, 3, 11))


def test_missed_evening_prompt_is_not_sent_next_morning() -> None:
    d = date(2026, 3, 10)
    # The bot comes back at 20:00 MSK: the 18:00 prompt still goes out.
    assert is_due(utc(2026, 3, 10, 17, 0), MOSCOW, time(18), d)
    assert current_sends(utc(2026, 3, 10, 17, 0), MOSCOW, time(18)) == d
    # It comes back at 08:00 the next morning: yesterday's prompt is gone, today's is not due yet.
    assert not is_due(utc(2026, 3, 11, 5, 0), MOSCOW, time(18), d)
    assert current_sends(utc(2026, 3, 11, 5, 0), MOSCOW, time(18)) is None


def test_vladivostok_morning_is_the_previous_utc_day() -> None:
    d = date(2026, 3, 10)
    assert not is_due(utc(2026, 3, 9, 22, 59), VLADIVOSTOK, time(9), d)
    assert is_due(utc(2026, 3, 9, 23, 0), VLADIVOSTOK, time(9), d)
    assert current_sends(utc(2026, 3, 9, 23, 0), VLADIVOSTOK, time(9)) == d
    assert is_due(utc(2026, 3, 10, 13, 59), VLADIVOSTOK, time(9), d)
    assert not is_due(utc(2026, 3, 10, 14, 0), VLADIVOSTOK, time(9), d)


def test_kaliningrad() -> None:
    d = date(2026, 3, 10)
    assert current_sends(utc(2026, 3, 10, 6, 59), KALININGRAD, time(9)) is None
    assert current_sends(utc(2026, 3, 10, 7, 0), KALININGRAD, time(9)) == d
    assert current_sends(utc(2026, 3, 10, 21, 59), KALININGRAD, time(9)) == d
    assert current_sends(utc(2026, 3, 10, 22, 0), KALININGRAD, time(9)) is None


def test_deadline() -> None:
    d = date(2026, 3, 10)
    assert is_due(utc(2026, 3, 10, 14, 59), MOSCOW, time(9), d, deadline=time(18))
    assert not is_due(utc(2026, 3, 10, 15, 0), MOSCOW, time(9), d, deadline=time(18))  # 18:00 MSK
    assert current_sends(utc(2026, 3, 10, 15, 0), MOSCOW, time(9), deadline=time(18)) is None
    with pytest.raises(ValueError, match="later than"):
        is_due(utc(2026, 3, 10, 6, 0), MOSCOW, time(9), d, deadline=time(9))


def test_deadline_in_fall_back_hour_is_one_interval() -> None:
    # 02:30 happens twice in Berlin on 2026-10-25: the deadline is its first occurrence.
    d = date(2026, 10, 25)
    start, end = send_window(d, time(1, 0), BERLIN, deadline=time(2, 30))
    assert (start, end) == (utc(2026, 10, 24, 23, 0), utc(2026, 10, 25, 0, 30))
    assert not is_due(utc(2026, 10, 25, 1, 15), BERLIN, time(1, 0), d, deadline=time(2, 30))  # 02:15 CET


def test_gap_over_midnight_keeps_the_send() -> None:
    """Nuuk jumps from 23:00 on 2026-03-28 to 00:00 on the 29th: the 23:30 send is due at that 00:00
    and current for the 30 minutes of wall clock it lost, then the 29th's own send comes as usual."""
    nuuk = ZoneInfo("America/Nuuk")
    d = date(2026, 3, 28)
    start, end = send_window(d, time(23, 30), nuuk)
    assert start == utc(2026, 3, 29, 1, 0)
    assert wall(start, nuuk) == datetime(2026, 3, 29, 0, 0)
    assert end == start + timedelta(minutes=30)
    assert current_sends(start, nuuk, time(23, 30)) == d
    assert current_sends(end, nuuk, time(23, 30)) is None
    assert local_due(d + timedelta(days=1), time(23, 30), nuuk) == utc(2026, 3, 30, 0, 30)
    # The 22:30 send that day is ordinary, and stays current until the day ends at the jump.
    assert send_window(d, time(22, 30), nuuk) == (utc(2026, 3, 29, 0, 30), utc(2026, 3, 29, 1, 0))


def test_skipped_date_does_not_overlap_the_next() -> None:
    """Samoa skipped 2011-12-30 entirely: that date's window ends where the 31st's begins."""
    apia = ZoneInfo("Pacific/Apia")
    start, end = send_window(date(2011, 12, 30), time(9), apia)
    assert wall(start, apia) == datetime(2011, 12, 31, 0, 0)
    assert end == local_due(date(2011, 12, 31), time(9), apia)


def test_deadline_and_send_in_one_gap_keep_a_window() -> None:
    d = date(2026, 3, 29)
    start, end = send_window(d, time(2, 15), BERLIN, deadline=time(2, 45))
    assert start == utc(2026, 3, 29, 1, 0)
    assert end == start + timedelta(minutes=30)
    assert is_due(start, BERLIN, time(2, 15), d, deadline=time(2, 45))


ZONE_DAYS = [
    (MOSCOW, date(2026, 3, 29)),
    (VLADIVOSTOK, date(2026, 3, 29)),
    (KALININGRAD, date(2026, 10, 25)),
    (BERLIN, date(2026, 3, 29)),
    (BERLIN, date(2026, 10, 25)),
    (NEW_YORK, date(2026, 3, 8)),
    (NEW_YORK, date(2026, 11, 1)),
]


@pytest.mark.parametrize(("tz", "d"), ZONE_DAYS)
@pytest.mark.parametrize("at", [*SEND_TIMES, time(1, 30), time(0, 0), time(23, 59)])
def test_one_contiguous_window_per_day_minute_by_minute(tz: ZoneInfo, d: date, at: time) -> None:
    """Scanning every minute of three days: each date's send is current in one unbroken run starting at
    its due instant, runs never overlap, and while it is current the local date is that date."""
    start = local_due(d - timedelta(days=1), time(0), tz)
    stop = local_due(d + timedelta(days=2), time(0), tz)
    runs: dict[date, list[tuple[datetime, datetime]]] = {}
    previous: date | None = None
    now = start
    while now < stop:
        current = current_sends(now, tz, at)
        if current is not None:
            assert is_due(now, tz, at, current)
            assert local_today(now, tz) == current
            if current != previous:
                runs.setdefault(current, []).append((now, now))
            else:
                runs[current][-1] = (runs[current][-1][0], now)
        previous = current
        now += MINUTE
    for day in (d - timedelta(days=1), d, d + timedelta(days=1)):
        assert len(runs[day]) == 1, (day, runs[day])
        first, _ = runs[day][0]
        assert first == local_due(day, at, tz)


@pytest.mark.parametrize(("tz", "d"), ZONE_DAYS)
@pytest.mark.parametrize("at", SEND_TIMES)
def test_due_dates_never_doubled_or_skipped(tz: ZoneInfo, d: date, at: time) -> None:
    since = local_due(d - timedelta(days=2), time(12), tz)
    now = local_due(d + timedelta(days=2), time(12), tz)
    offsets = (-1, 0, 1, 2) if at < time(12) else (-2, -1, 0, 1)
    assert due_dates(now, tz, at, since) == [d + timedelta(days=i) for i in offsets]


def test_due_dates_explicit() -> None:
    assert due_dates(utc(2026, 3, 10, 6, 0), MOSCOW, time(9), utc(2026, 3, 10, 5, 59)) == [date(2026, 3, 10)]
    assert due_dates(utc(2026, 3, 10, 6, 0), MOSCOW, time(9), utc(2026, 3, 10, 6, 0)) == []  # (since, now]
    assert due_dates(utc(2026, 3, 12, 7, 0), MOSCOW, time(9), utc(2026, 3, 9, 7, 0)) == [
        date(2026, 3, 10),
        date(2026, 3, 11),
        date(2026, 3, 12),
    ]
    # The 02:30 send of Berlin's fall-back day is due once, though 02:30 happens twice.
    assert due_dates(utc(2026, 10, 25, 2, 0), BERLIN, time(2, 30), utc(2026, 10, 24, 23, 0)) == [
        date(2026, 10, 25)
    ]
    # The 02:30 send of the spring-forward day is due at 03:00, not skipped.
    assert due_dates(utc(2026, 3, 29, 1, 0), BERLIN, time(2, 30), utc(2026, 3, 29, 0, 59)) == [
        date(2026, 3, 29)
    ]
    assert due_dates(utc(2026, 3, 10, 6, 0), MOSCOW, time(9), utc(2026, 3, 11, 6, 0)) == []


# --- next_wakeup -----------------------------------------------------------------------------------


def test_next_wakeup_explicit() -> None:
    pairs = [(MOSCOW, time(9)), (MOSCOW, time(18)), (VLADIVOSTOK, time(9))]
    assert next_wakeup(utc(2026, 3, 10, 5, 0), pairs) == utc(2026, 3, 10, 6, 0)
    assert next_wakeup(utc(2026, 3, 10, 6, 0), pairs) == utc(2026, 3, 10, 15, 0)  # strictly after
    assert next_wakeup(utc(2026, 3, 10, 15, 0), pairs) == utc(2026, 3, 10, 23, 0)  # Vladivostok 09:00
    assert next_wakeup(utc(2026, 3, 10, 23, 0), pairs) == utc(2026, 3, 11, 6, 0)
    assert next_wakeup(utc(2026, 3, 29, 0, 0), [(BERLIN, time(2, 30))]) == utc(2026, 3, 29, 1, 0)
    assert next_wakeup(utc(2026, 10, 25, 0, 30), [(BERLIN, time(2, 30))]) == utc(2026, 10, 26, 1, 30)
    with pytest.raises(ValueError):
        next_wakeup(utc(2026, 3, 10, 5, 0), [])


@pytest.mark.parametrize(("tz", "d"), ZONE_DAYS)
def test_scheduler_loop_sends_each_day_once(tz: ZoneInfo, d: date) -> None:
    """A scheduler sleeping until ``next_wakeup`` and sending ``current_sends`` sends every (date, time)
    exactly once across a DST change."""
    pairs = [(tz, at) for at in SEND_TIMES]
    now = local_due(d - timedelta(days=2), time(12), tz)
    stop = local_due(d + timedelta(days=2), time(12), tz)
    sent: list[tuple[date, time]] = []
    while True:
        now = next_wakeup(now, pairs)
        if now > stop:
            break
        for zone, at in pairs:
            current = current_sends(now, zone, at)
            if current is not None and local_due(current, at, zone) == now:
                sent.append((current, at))
    expected = sorted(
        (d + timedelta(days=i), at)
        for i in range(-2, 3)
        for at in SEND_TIMES
        if local_due(d - timedelta(days=2), time(12), tz) < local_due(d + timedelta(days=i), at, tz) <= stop
    )
    assert sorted(sent) == expected
    assert len(sent) == len(set(sent))
    assert {(d, at) for at in SEND_TIMES} <= set(sent)


# --- properties ------------------------------------------------------------------------------------

ZONES = sorted(zoneinfo.available_timezones())
zones = st.sampled_from(ZONES).map(ZoneInfo)
dates = st.dates(min_value=date(1971, 1, 1), max_value=date(2037, 12, 31))
times = st.times()


def _in_gap(d: date, at: time, tz: ZoneInfo) -> bool:
    target = datetime.combine(d, at)
    return all(wall(target.replace(tzinfo=tz, fold=fold).astimezone(UTC), tz) != target for fold in (0, 1))


@settings(max_examples=500)
@given(zones, dates, times)
def test_local_due_property(tz: ZoneInfo, d: date, at: time) -> None:
    due = local_due(d, at, tz)
    assert due.tzinfo is not None and due.utcoffset() == timedelta(0)
    target = datetime.combine(d, at)
    reading = wall(due, tz)
    assert reading.date() == d or _in_gap(d, at, tz)
    if _in_gap(d, at, tz):
        # The first instant after the gap: the wall clock jumps over the target right there.
        assert reading > target
        before = wall(due - timedelta(microseconds=1), tz)
        assert before < target
        assert (due - timedelta(microseconds=1)).astimezone(tz).utcoffset() != due.astimezone(tz).utcoffset()
    else:
        assert reading == target
        # The first occurrence: a second earlier, the clock has not read the target yet.
        assert wall(due - timedelta(seconds=1), tz) != target or at.microsecond


@settings(max_examples=200)
@given(zones, st.dates(min_value=date(1990, 1, 1), max_value=date(2037, 12, 31)), times)
def test_is_due_is_one_contiguous_interval(tz: ZoneInfo, d: date, at: time) -> None:
    start, end = send_window(d, at, tz)
    assert start == local_due(d, at, tz)
    assert start < end
    eps = timedelta(microseconds=1)
    assert is_due(start, tz, at, d)
    assert not is_due(start - eps, tz, at, d)
    assert is_due(end - eps, tz, at, d)
    assert not is_due(end, tz, at, d)
    # Sample the three days around: is_due is exactly membership in [start, end).
    first = local_due(d - timedelta(days=1), time(0), tz)
    step = timedelta(minutes=37)
    now = first
    while now < end + timedelta(days=1):
        assert is_due(now, tz, at, d) == (start <= now < end)
        if start <= now < end:
            assert local_today(now, tz) == d or _in_gap(d, at, tz)
            assert current_sends(now, tz, at) == d
        now += step


@settings(max_examples=200)
@given(zones, st.datetimes(min_value=datetime(1990, 1, 1), max_value=datetime(2037, 12, 31)), times)
def test_next_wakeup_property(tz: ZoneInfo, naive_now: datetime, at: time) -> None:
    now = naive_now.replace(tzinfo=UTC)
    wake = next_wakeup(now, [(tz, at)])
    assert wake > now
    assert wake == local_due(local_today(wake, tz), at, tz)
    # Nothing falls due in between.
    assert due_dates(wake - timedelta(microseconds=1), tz, at, now) == []
    assert len(due_dates(wake, tz, at, now)) == 1


@settings(max_examples=200)
@given(zones, st.dates(min_value=date(1990, 1, 1), max_value=date(2037, 12, 31)), times, times)
def test_deadline_window_property(tz: ZoneInfo, d: date, a: time, b: time) -> None:
    """A deadline only shortens the window, never empties it, and ends it at the deadline's instant
    unless a gap swallowed both times."""
    assume(a != b)
    at, deadline = min(a, b), max(a, b)
    start, end = send_window(d, at, tz, deadline)
    full_start, full_end = send_window(d, at, tz)
    assert start == full_start < end <= full_end
    assert end == min(full_end, local_due(d, deadline, tz)) or local_due(d, deadline, tz) == start
