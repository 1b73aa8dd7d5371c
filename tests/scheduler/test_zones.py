"""Each message at its local time, in every zone, on working days only, across DST changes.

The clock is injected and moved the way APScheduler would wake the bot: to each instant the runner says
something falls due next, where it ticks (enqueue from the database, then deliver). Expected dates are
worked out by hand from Russia's 2025 production calendar, not by the code under test.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from domain.enums import OutboxStatus
from scheduler.runner import Runner
from tests.scheduler.conftest import World


def d(s: str) -> date:
    return date.fromisoformat(s)


async def run_until(world: World, runner: Runner, end: datetime) -> int:
    """Wake the runner at each instant something falls due, until ``end``; the number of ticks."""
    ticks = 0
    while True:
        wake = await runner.next_wakeup(world.clock())
        if wake is None or wake > end:
            return ticks
        world.clock.set(wake)
        await runner.tick()
        ticks += 1


async def sent_by_key(world: World) -> dict[tuple[int, str], dict[date, datetime]]:
    """(member id, kind) → {local date: when it was sent}; every row must be sent."""
    result: dict[tuple[int, str], dict[date, datetime]] = defaultdict(dict)
    for row in await world.rows():
        assert row.status is OutboxStatus.SENT, (row.kind, row.local_date, row.status, row.error)
        assert row.sent_at is not None
        result[(row.member_id, row.kind)][row.local_date] = row.sent_at
    return result


# 27 Oct – 9 Nov 2025. Russia: Saturday 1 Nov is a moved working day; Mon 3 and Tue 4 Nov are holidays.
WORKING = [
    *(d(f"2025-10-{n}") for n in (27, 28, 29, 30, 31)),
    d("2025-11-01"),
    *(d(f"2025-11-0{n}") for n in (5, 6, 7)),
]
VACATION = (d("2025-11-05"), d("2025-11-06"))


async def test_three_russian_zones_each_at_local_time_on_working_days(sqlite_world: World) -> None:
    world = sqlite_world
    zones = {"Europe/Moscow": 1000, "Asia/Vladivostok": 2000, "Europe/Kaliningrad": 3000}
    people = {}
    for tz, base in zones.items():
        _, members = await world.team(f"Team {tz}", tz, base_tg=base)
        people[tz] = members
        await world.vacation(members[2], *VACATION)  # the second manager is away on 5–6 Nov
    # a manager of the Moscow team lives in Vladivostok: her own zone counts
    moscow_m1 = people["Europe/Moscow"][1]
    async with world.pool() as session, session.begin():
        from storage.models import Member

        (await session.get(Member, moscow_m1.id)).timezone = "Asia/Vladivostok"  # type: ignore[union-attr]

    runner = world.runner(("t_morning", "t_evening"))
    ticks = await run_until(world, runner, datetime(2025, 11, 9, 20, 0, tzinfo=UTC))

    sent = await sent_by_key(world)
    for tz, members in people.items():
        head, _, m2 = members
        for member in members:
            zone = ZoneInfo("Asia/Vladivostok" if member.id == moscow_m1.id else tz)
            kinds = ("t_morning",) if member is head else ("t_morning", "t_evening")
            expected = [day for day in WORKING if member is not m2 or day not in VACATION]
            for kind in kinds:
                got = sent[(member.id, kind)]
                assert sorted(got) == expected, (tz, member.name, kind)
                at = time(9) if kind == "t_morning" else time(18)
                for day, when in got.items():
                    local = when.astimezone(zone)
                    assert (local.date(), local.time()) == (day, at), (tz, member.name, kind, when)
            texts = world.texts(member.tg_id)
            wanted = [f"{k} {member.id} {day.isoformat()}" for day in expected for k in kinds]
            assert sorted(texts) == sorted(wanted)  # each exactly once
        assert not sent.get((head.id, "t_evening"))
    # nothing on Saturday 8 Nov, on the holidays, or on Sunday 2 Nov
    all_days = {day for per in sent.values() for day in per}
    assert not all_days & {d("2025-11-02"), d("2025-11-03"), d("2025-11-04"), d("2025-11-08")}
    assert ticks < 200


def days(first: str, last: str) -> list[date]:
    start, end = d(first), d(last)
    return [start + timedelta(days=i) for i in range((end - start).days + 1)]


async def test_dst_zones_neither_shift_nor_double(sqlite_world: World) -> None:
    """Berlin and New York around each change of 2026: a 09:00 working-day send stays at 09:00 local
    (its UTC instant moves), and an every-day send in the small hours goes out once a day: at the end of
    a skipped hour, at the first of a repeated one."""
    world = sqlite_world
    _, (b1,) = await world.team(
        "Berlin", "Europe/Berlin", managers=1, base_tg=4000, holidays=None, head=False
    )
    ny, (n1,) = await world.team(
        "New York", "America/New_York", managers=1, base_tg=5000, holidays=None, head=False
    )
    runner = world.runner(("t_morning", "t_night"))
    # four stretches, Friday to Monday around each change; the bot starts each at noon UTC on the Friday,
    # and what is current that day goes out at once (a catch-up)
    stretches = (
        ("2026-03-06", time(2, 30)),  # New York springs forward on Sunday 8 March, 02:00 → 03:00
        ("2026-03-27", time(2, 30)),  # Berlin springs forward on Sunday 29 March, 02:00 → 03:00
        ("2026-10-23", time(2, 30)),  # Berlin falls back on Sunday 25 October, 03:00 → 02:00
        ("2026-10-30", time(1, 30)),  # New York falls back on Sunday 1 November, 02:00 → 01:00
    )
    expected: dict[tuple[int, str], list[date]] = defaultdict(list)
    for friday, ny_night in stretches:
        async with world.pool() as session, session.begin():
            from storage.models import Team

            (await session.get(Team, ny.id)).approval_at = ny_night  # type: ignore[union-attr]
        begin = datetime.combine(d(friday), time(12), UTC)
        world.clock.set(begin)
        await runner.tick()
        await run_until(world, runner, begin + timedelta(days=3, hours=12))  # Tuesday 00:00 UTC
        span = days(friday, (d(friday) + timedelta(days=3)).isoformat())  # Friday to Monday
        for member in (b1, n1):
            expected[(member.id, "t_night")] += span
            expected[(member.id, "t_morning")] += [span[0], span[3]]

    sent = await sent_by_key(world)
    assert {k: sorted(v) for k, v in sent.items()} == dict(expected)
    starts = {d(friday) for friday, _ in stretches}
    special = {  # the changes themselves, worked out by hand
        (b1.id, d("2026-03-29")): datetime(2026, 3, 29, 1, 0, tzinfo=UTC),  # 02:30 skipped → 03:00 CEST
        (n1.id, d("2026-03-08")): datetime(2026, 3, 8, 7, 0, tzinfo=UTC),  # 02:30 skipped → 03:00 EDT
        (b1.id, d("2026-10-25")): datetime(2026, 10, 25, 0, 30, tzinfo=UTC),  # 02:30 CEST, the first
        (n1.id, d("2026-11-01")): datetime(2026, 11, 1, 5, 30, tzinfo=UTC),  # 01:30 EDT, the first
    }
    for member, tz in ((b1, "Europe/Berlin"), (n1, "America/New_York")):
        zone = ZoneInfo(tz)
        for day, when in sent[(member.id, "t_night")].items():
            if (member.id, day) in special:
                assert when == special[(member.id, day)], (tz, day)
            elif day in starts:  # its time had passed when the bot started: caught up at the start
                assert when == datetime.combine(day, time(12), UTC), (tz, day)
            else:
                at = time(1, 30) if member is n1 and day >= d("2026-10-30") else time(2, 30)
                local = when.astimezone(zone)
                assert (local.date(), local.time()) == (day, at), (tz, day, when)
        for day, when in sent[(member.id, "t_morning")].items():
            local = when.astimezone(zone)
            if member is b1 and day in starts:  # Berlin's 09:00 came before the noon-UTC start
                assert when == datetime.combine(day, time(12), UTC)
            else:
                assert (local.date(), local.time()) == (day, time(9)), (tz, day, when)
        texts = world.texts(member.tg_id)
        assert (
            len(texts) == len(set(texts)) == sum(len(sent[(member.id, k)]) for k in ("t_night", "t_morning"))
        )
    # 09:00 local moved in UTC with the clocks, on the Monday after each change
    mornings_utc = {
        (b1.id, "2026-03-30"): 7,  # CEST
        (b1.id, "2026-10-26"): 8,  # CET
        (n1.id, "2026-03-06"): 14,  # EST
        (n1.id, "2026-03-09"): 13,  # EDT
        (n1.id, "2026-11-02"): 14,  # EST
    }
    for (member_id, day), hour in mornings_utc.items():
        assert sent[(member_id, "t_morning")][d(day)].hour == hour
