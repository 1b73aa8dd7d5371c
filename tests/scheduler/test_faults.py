"""The Bot API answers 429 with retry_after, 500, a timeout and 403 for some recipients: every other one
gets the message once, the timed-out one at most twice (its outcome was unknown), the blocked ones are
marked unreachable and never retried, and the head is told once."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from botapi_emulator import Fault
from domain.enums import OutboxStatus
from scheduler.notices import NOTICE
from tests.scheduler.conftest import World

MONDAY = date(2025, 10, 27)
NINE = datetime(2025, 10, 27, 6, 0, tzinfo=UTC)  # 09:00 in Moscow


async def drain_retries(world: World, runner, limit: int = 20) -> int:  # type: ignore[no-untyped-def]
    """Move the clock to each retry and tick, until nothing is left to retry."""
    ticks = 0
    while ticks < limit:
        wake = await runner.next_wakeup()
        if wake is None or wake > world.clock() + timedelta(hours=1):
            return ticks
        world.clock.set(wake)
        await runner.tick()
        ticks += 1
    raise AssertionError("retries never settled")


async def test_faults_all_delivered_once_blocked_marked_head_told_once(world: World) -> None:
    _, people = await world.team("Moscow", "Europe/Moscow", managers=12)
    head, managers = people[0], people[1:]
    emu = world.emulator
    throttled, failing, slow, blocked = managers[0], managers[1], managers[2], managers[3:5]
    emu.inject(throttled.tg_id, Fault.too_many(retry_after=1))
    emu.inject(failing.tg_id, Fault.server_error(), times=2)
    emu.inject(slow.tg_id, Fault.timeout(1.3))  # delivered, but the answer comes after our 1 s timeout
    for m in blocked:
        emu.block(m.tg_id)

    runner = world.runner(("t_morning",), send_timeout=1, backoff=1.0)
    world.clock.set(NINE)
    first = (await runner.tick()).stats
    assert first.unreachable == 2
    await drain_retries(world, runner)

    reachable = [m for m in managers if m not in blocked]
    for m in reachable:
        texts = world.texts(m.tg_id)
        morning = f"t_morning {m.id} {MONDAY}"
        if m is slow:  # it arrived, we could not know: retried once, so it may be there twice
            assert texts in ([morning], [morning, morning])
        else:
            assert texts == [morning], m.name
    for m in blocked:
        assert world.texts(m.tg_id) == []
        assert (await world.member(m.id)).unreachable

    rows = {r.member_id: r for r in await world.rows() if r.kind == "t_morning"}
    assert all(rows[m.id].status is OutboxStatus.SENT for m in reachable)
    assert rows[throttled.id].attempts == 0  # a 429 is Telegram's pace, not a failure
    assert rows[failing.id].attempts == 2
    assert rows[slow.id].attempts == 1
    assert "timeout" in (rows[slow.id].error or "")
    for m in blocked:
        assert rows[m.id].status is OutboxStatus.UNREACHABLE
        assert "403" in (rows[m.id].error or "")
    sends = [c for c in emu.calls_of("sendMessage") if int(c.params["chat_id"]) in {m.tg_id for m in blocked}]
    assert len(sends) == 2  # one try each, never retried

    notices = [t for t in world.texts(head.tg_id) if "заблокировал" in t]
    named = [m.name for m in blocked for t in notices if m.name in t]
    assert sorted(named) == sorted(m.name for m in blocked)  # each named once, in one notice or two
    (notice_row,) = [r for r in await world.rows() if r.kind == NOTICE]
    assert notice_row.member_id == head.id and notice_row.status is OutboxStatus.SENT

    # the next day: nothing for the blocked ones, no new notice, the others get their morning
    world.clock.set(NINE + timedelta(days=1))
    stats = (await runner.tick()).stats
    assert (stats.sent, stats.unreachable) == (len(reachable) + 1, 0)
    assert [t for t in world.texts(head.tg_id) if "заблокировал" in t] == notices


async def test_a_second_block_the_same_day_is_told_too(sqlite_world: World) -> None:
    """A block after today's notice went out makes the notice due again, naming only the new one."""
    world = sqlite_world
    _, (head, m1, m2) = await world.team("Moscow", "Europe/Moscow")
    runner = world.runner(("t_morning", "t_evening"))
    world.emulator.block(m1.tg_id)
    world.clock.set(NINE)
    await runner.tick()
    world.emulator.block(m2.tg_id)
    world.clock.set(NINE + timedelta(hours=9))  # 18:00: the evening prompt meets m2's block
    await runner.tick()
    notices = [t for t in world.texts(head.tg_id) if "заблокировал" in t]
    assert len(notices) == 2
    assert m1.name in notices[0] and m2.name not in notices[0]
    assert m2.name in notices[1] and m1.name not in notices[1]


async def test_timed_out_twice_stays_unknown_and_is_not_retried_again(sqlite_world: World) -> None:
    world = sqlite_world
    _, (m1,) = await world.team("Moscow", "Europe/Moscow", managers=1, head=False)
    world.emulator.inject(m1.tg_id, Fault.timeout(1.2), times=2)
    runner = world.runner(("t_morning",), send_timeout=1, backoff=1.0)
    world.clock.set(NINE)
    await runner.tick()
    await drain_retries(world, runner)
    (row,) = await world.rows()
    assert row.status is OutboxStatus.UNKNOWN and row.next_attempt_at is None
    assert row.attempts == 2
    assert len(world.emulator.calls_of("sendMessage")) == 2


async def test_a_composer_that_cannot_compose_fails_its_row_and_tells_the_head_once(world: World) -> None:
    """A permanent composer error (a bug, a name the picture cannot draw) is not retried forever: the row
    is failed with its error at once, the others go out, and each head is told once, naming it."""
    from scheduler.compose import ComposeContext, Kind, Outgoing
    from scheduler.failures import COMPOSE_MARK, FAILURE_NOTICE
    from scheduler.kinds import KINDS

    _, people = await world.team("Moscow", "Europe/Moscow", managers=3)
    head, m1, m2, m3 = people

    async def broken(ctx: ComposeContext) -> list[Outgoing]:
        if ctx.member.id in (m1.id, m3.id):
            raise ValueError("Unknown symbol: \\frac, found '\\'")
        return [Outgoing(f"t_broken {ctx.member.id}")]

    KINDS["t_broken"] = Kind("t_broken", broken, frozenset({"manager"}), "morning_at")
    try:
        runner = world.runner(("t_broken",), backoff=1.0)
        world.clock.set(NINE)
        stats = (await runner.tick()).stats
        assert stats.failed == 2 and stats.retried == 0
        assert await drain_retries(world, runner) == 0  # nothing waits for a retry
        rows = {r.member_id: r for r in await world.rows() if r.kind == "t_broken"}
        for m in (m1, m3):
            assert rows[m.id].status is OutboxStatus.FAILED and rows[m.id].attempts == 1
            assert (rows[m.id].error or "").startswith(f"{COMPOSE_MARK}: ValueError: Unknown symbol")
        assert rows[m2.id].status is OutboxStatus.SENT
        assert world.texts(m2.tg_id) == [f"t_broken {m2.id}"]

        notices = [t for t in world.texts(head.tg_id) if "не удалось подготовить" in t]
        assert len(notices) == 1
        assert m1.name in notices[0] and m3.name in notices[0] and m2.name not in notices[0]
        assert "2 сообщения" in notices[0]
        (notice_row,) = [r for r in await world.rows() if r.kind == FAILURE_NOTICE]
        assert notice_row.member_id == head.id and notice_row.status is OutboxStatus.SENT

        # later the same day another one fails: the notice is due again and names only the new one
        async with world.pool() as s, s.begin():
            from storage.outbox_repo import OutboxRepo

            rows_ = await OutboxRepo(s).keys([(m2.id, "t_broken", MONDAY)])
            rows_[0].status = OutboxStatus.PENDING  # m2's row is sent again ...
        world.clock.set(NINE + timedelta(minutes=5))

        async def broken_for_all(ctx: ComposeContext) -> list[Outgoing]:
            raise KeyError("sales-month-13")  # ... and now fails too

        KINDS["t_broken"] = Kind("t_broken", broken_for_all, frozenset({"manager"}), "morning_at")
        await runner.tick()
        notices = [t for t in world.texts(head.tg_id) if "не удалось подготовить" in t]
        assert len(notices) == 2
        assert m2.name in notices[1] and m1.name not in notices[1] and m3.name not in notices[1]

        # the next day the composer works again: no news, no notice
        KINDS["t_broken"] = Kind("t_broken", broken, frozenset({"manager"}), "morning_at")
        m1_id, m3_id = m1.id, m3.id
        m1.id = m3.id = -1  # nobody fails any more
        world.clock.set(NINE + timedelta(days=1))
        await runner.tick()
        assert len([t for t in world.texts(head.tg_id) if "не удалось подготовить" in t]) == 2
        assert (
            world.texts(m1.tg_id)[-1] == f"t_broken {m1_id}"
            and world.texts(m3.tg_id)[-1] == f"t_broken {m3_id}"
        )
    finally:
        KINDS.pop("t_broken", None)


async def test_a_transient_composer_error_is_retried_and_tells_nobody(sqlite_world: World) -> None:
    from sqlalchemy.exc import OperationalError

    from scheduler.compose import ComposeContext, Kind, Outgoing
    from scheduler.kinds import KINDS

    world = sqlite_world
    _, (head, m1) = await world.team("Moscow", "Europe/Moscow", managers=1)
    calls = {"n": 0}

    async def locked(ctx: ComposeContext) -> list[Outgoing]:
        calls["n"] += 1
        if calls["n"] == 1:
            raise OperationalError("SELECT 1", {}, Exception("database is locked"))
        return [Outgoing("ok")]

    KINDS["t_locked"] = Kind("t_locked", locked, frozenset({"manager"}), "morning_at")
    try:
        runner = world.runner(("t_locked",), backoff=1.0)
        world.clock.set(NINE)
        assert (await runner.tick()).stats.retried == 1
        await drain_retries(world, runner)
    finally:
        KINDS.pop("t_locked", None)
    assert world.texts(m1.tg_id) == ["ok"]
    assert [t for t in world.texts(head.tg_id) if "не удалось" in t] == []


def test_which_composer_errors_may_pass() -> None:
    import aiohttp
    from sqlalchemy.exc import InterfaceError, OperationalError, ProgrammingError

    from scheduler.failures import is_transient

    assert is_transient(ConnectionRefusedError())
    assert is_transient(TimeoutError())
    assert is_transient(aiohttp.ClientConnectionError())
    assert is_transient(OperationalError("x", {}, Exception("database is locked")))
    assert is_transient(InterfaceError("x", {}, Exception("connection closed")))
    wrapped = RuntimeError("while drawing")
    wrapped.__cause__ = ConnectionResetError()
    assert is_transient(wrapped)
    assert not is_transient(ValueError("Unknown symbol: \\frac"))
    assert not is_transient(KeyError("x"))
    assert not is_transient(ProgrammingError("x", {}, Exception("no such column")))
    assert not is_transient(ZeroDivisionError())
