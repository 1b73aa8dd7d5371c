"""amoCRM's limits: 429 past 7 requests a second (its ``Retry-After`` honoured by every client of the
account), and on repeated abuse the integration blocked, 403 for a period: an outage, during which no call
of the account reaches amoCRM, and the head is told once if it lasts. Bench-like load through the shared
limiter never gets near the block."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, date, datetime

import pytest

from crm.amocrm import AmoCrm
from crm.base import CrmBlocked, CrmUnavailable, ProviderKind
from crm.http import BLOCK_PAUSE, LONGEST_WAIT, Transport
from crm.limiter import SlidingWindow
from crm.live import NOTICE, CrmLive
from crm.service import connect
from crm.sync import CrmSync
from crm.vault import Vault, generate_key
from crm_fakes.amocrm import FakeAmoCrm
from storage.models import Outbox
from storage.repo import Repo
from tests.crm.conftest import AMO_TOKEN, Clock, make_team


class Loose(SlidingWindow):
    """A limiter set wrong (12 a second against amoCRM's 7): what abuses the CRM."""

    def __init__(self) -> None:
        super().__init__(12, 1.0, guard=0.0)


async def _fake(clock: Clock, **kw: object) -> FakeAmoCrm:
    fake = FakeAmoCrm(AMO_TOKEN, clock=clock.timestamp, **kw)  # type: ignore[arg-type]
    await fake.start()
    return fake


async def test_repeated_429s_block_the_integration_and_then_nothing_is_sent(clock: Clock) -> None:
    amo = await _fake(clock, block_after=3, block_window=10.0, block_seconds=30.0)
    limiter = Loose()
    client = AmoCrm(amo.url, AMO_TOKEN, transport=Transport(limiter, attempts=8, base_delay=0.05))
    try:
        with pytest.raises(CrmBlocked):
            await asyncio.gather(*(client.account() for _ in range(40)))
        assert amo.blocks == 1 and limiter.blocked_for() > 500  # no length given: BLOCK_PAUSE
        seen = amo.requests
        for _ in range(5):  # the sync, the write-back, the head's card: all fail at once, none is sent
            with pytest.raises(CrmBlocked):
                await client.account()
        assert amo.requests == seen
    finally:
        await client.close()
        await amo.stop()
    statuses = [s for _, _, s in amo.log]
    assert statuses.count(429) >= 3 and statuses.count(403) <= 12  # those in flight when it came


async def test_a_block_with_retry_after_keeps_calls_away_that_long(clock: Clock) -> None:
    amo = await _fake(clock, retry_after=1)
    limiter = SlidingWindow(7, 1.0)
    client = AmoCrm(amo.url, AMO_TOKEN, transport=Transport(limiter, attempts=3, base_delay=0.05))
    try:
        amo.block(1.0)  # its 403 says Retry-After: 1
        with pytest.raises(CrmBlocked):
            await client.account()
        assert amo.requests == 1 and 0.5 < limiter.blocked_for() <= 1.0
        with pytest.raises(CrmBlocked):
            await client.account()
        assert amo.requests == 1  # the second never left
        await asyncio.sleep(limiter.blocked_for() + 0.05)
        assert (await client.account())["id"] == 1  # both blocks over
    finally:
        await client.close()
        await amo.stop()


async def test_429_with_retry_after_pauses_every_client_of_the_account(clock: Clock) -> None:
    """The fake says ``Retry-After: 1``: after the first 429 nothing reaches it for a second."""
    amo = await _fake(clock, retry_after=1)
    limiter = Loose()
    transports = [Transport(limiter, attempts=6, base_delay=0.05) for _ in range(2)]
    clients = [AmoCrm(amo.url, AMO_TOKEN, transport=t) for t in transports]
    try:
        results = await asyncio.gather(*(clients[n % 2].account() for n in range(20)))
    finally:
        for client in clients:
            await client.close()
        await amo.stop()
    assert all(r["id"] == 1 for r in results)
    refused = [at for (_, _, status), at in zip(amo.log, amo.stamps, strict=True) if status == 429]
    assert refused
    first = refused[0]
    # requests already on the wire when the 429 came may land just after it; nothing is sent later than
    # that until the second is over
    later = [at for at in amo.stamps if first + 0.05 < at < first + 0.95]
    assert later == []


async def test_a_retry_after_too_long_to_wait_in_line_is_a_block(clock: Clock) -> None:
    amo = await _fake(clock, retry_after=int(LONGEST_WAIT) + 60)
    limiter = Loose()
    client = AmoCrm(amo.url, AMO_TOKEN, transport=Transport(limiter, attempts=6, base_delay=0.05))
    start = time.monotonic()
    try:
        with pytest.raises(CrmUnavailable):
            await asyncio.gather(*(client.account() for _ in range(20)))
    finally:
        await client.close()
        await amo.stop()
    assert time.monotonic() - start < 10  # not two minutes asleep in line
    assert limiter.blocked_for() > LONGEST_WAIT


async def test_a_block_is_an_outage_told_once_when_long_and_its_end_a_recovery(
    session_pool, clock: Clock
) -> None:
    from sqlalchemy import select

    amo = await _fake(clock)
    vault = Vault(generate_key())
    team = await make_team(session_pool)
    anna = amo.add_user("Анна Смирнова")
    amo.add_task("Позвонить", anna, entity_id=amo.add_lead("Ромашка", anna))
    shift = [0.0]  # the limiter's clock, moved on with the test's
    limiter = SlidingWindow(7, 1.0, clock=lambda: time.monotonic() + shift[0])

    def client(conn: object = None) -> AmoCrm:
        return AmoCrm(amo.url, AMO_TOKEN, transport=Transport(limiter, attempts=3, base_delay=0.05))

    first = client()
    try:
        await connect(
            session_pool, vault, team.team_id, ProviderKind.AMOCRM, amo.url, AMO_TOKEN, clock, first
        )
    finally:
        await first.close()
    live = CrmLive(session_pool, vault, clock, lambda key, **_: key, provider_of=client)
    try:
        amo.block(3600)
        assert await live.run_once(team.team_id) is None
        knocked = amo.requests
        assert [s for _, _, s in amo.log][-1] == 403
        for _ in range(7):  # every 5 minutes the schedule tries: not one call leaves while blocked
            clock.advance(minutes=5)
            assert await live.run_once(team.team_id) is None
        assert amo.requests == knocked
        async with session_pool() as session:
            rows = (await session.scalars(select(Outbox).where(Outbox.kind == NOTICE))).all()
        assert len(rows) == 1 and rows[0].member_id == team.head_id  # 35 minutes: told once
        # the block lapses at amoCRM and, BLOCK_PAUSE after the 403, here: the next sync goes through
        amo.blocked_until = 0.0
        assert await live.run_once(team.team_id) is None and amo.requests == knocked
        shift[0] += BLOCK_PAUSE
        assert await live.run_once(team.team_id) is not None
        async with session_pool() as session:
            conn = await Repo(session).crm.connection(team.team_id)
        assert conn is not None and conn.down_kind is None  # recovered (and the head told so)
    finally:
        await live.close()
        await amo.stop()


async def test_bench_like_load_never_triggers_the_block(session_pool, clock: Clock) -> None:
    """A first sync of 2,400 tasks and 600 deals (the read-ahead keeps two lists in flight) while the
    head opens user cards and the connect check runs, all through the account's one limiter as the
    bot has it (7 a second with a guard), against a fake that blocks after 3 refusals a minute."""
    amo = await _fake(clock, block_after=3, block_window=60.0)
    users = [amo.add_user(name) for name in ("Анна Смирнова", "Борис Ёлкин", "Виктор Неизвестный")]
    due = int(datetime(2026, 12, 8, 9, tzinfo=UTC).timestamp())
    leads = [amo.add_lead(f"Клиент {n}", users[n % 2]) for n in range(600)]
    for n in range(2400):
        amo.add_task(f"Позвонить {n}", users[n % 3], due=due + n, entity_id=leads[n % 600])
    from crm.amocrm import GUARD

    limiter = SlidingWindow(7, 1.0, guard=GUARD)
    transports: list[Transport] = []

    def client() -> AmoCrm:
        transports.append(Transport(limiter))
        return AmoCrm(amo.url, AMO_TOKEN, transport=transports[-1])

    vault = Vault(generate_key())
    team = await make_team(session_pool)
    clients = [client() for _ in range(3)]
    try:
        await connect(
            session_pool, vault, team.team_id, ProviderKind.AMOCRM, amo.url, AMO_TOKEN, clock, clients[0]
        )
        report, *cards = await asyncio.gather(
            CrmSync(session_pool, clients[1], team.team_id, clock).run(),
            *(clients[2].open_tasks_of(str(users[2]), 5) for _ in range(3)),
            *(clients[2].summary() for _ in range(2)),
        )
    finally:
        for c in clients:
            await c.close()
        await amo.stop()
    assert report.tasks_created == 1600 and report.clients_created == 600
    assert cards[0] == (800, False, cards[0][2]) and len(cards[0][2]) == 5
    assert amo.blocks == 0 and amo.limited == 0
    assert sum(t.blocks for t in transports) == 0


async def test_a_403_without_recent_429s_fails_that_row_and_the_next_goes(
    session_pool, amo: FakeAmoCrm, clock: Clock
) -> None:
    """No rights to one task: its write fails (a plain refusal), the account is not blocked."""
    from sqlalchemy import select

    from crm.outbox import CrmWriteBack
    from storage.models import CrmOutbox
    from tests.crm.conftest import amo_client
    from tests.crm.test_outbox import T, _setup

    team, _anna, _lead, crm_ids, ids = await _setup(session_pool, amo, clock, n=2)
    amo.forbidden_tasks.add(crm_ids[0])
    now = clock()
    async with session_pool() as session, session.begin():
        repo = Repo(session)
        member = await repo.members.in_team(team.team_id, team.anna_id)
        for task_id in ids:
            await repo.days.move(member, await repo.tasks.get(team.team_id, task_id), date(2026, 12, 9), now)
    client = amo_client(amo)
    try:
        back = CrmWriteBack(session_pool, client, team.team_id, clock, T)
        assert await back.collect() == 2
        report = await back.drain()
        assert client.transport.limiter.blocked_for() == 0 and client.transport.blocks == 0
    finally:
        await client.close()
    assert (report.sent, report.failed) == (1, 1)
    assert [s for m, _, s in amo.log if m == "PATCH"] == [403, 200]
    assert amo.tasks[crm_ids[1]]["complete_till"] != amo.tasks[crm_ids[0]]["complete_till"]
    async with session_pool() as session:
        rows = (await session.scalars(select(CrmOutbox).order_by(CrmOutbox.id))).all()
    assert [r.status for r in rows] == ["failed", "sent"] and "Access denied" in (rows[0].error or "")


async def test_a_403_right_after_429s_is_the_block(clock: Clock) -> None:
    """A 403 whose body does not say "blocked", but within a minute of a 429: still the abuse block."""
    amo = await _fake(clock)
    anna = amo.add_user("Анна Смирнова")
    task = amo.add_task("Позвонить", anna)
    amo.forbidden_tasks.add(task)
    limiter = Loose()
    client = AmoCrm(amo.url, AMO_TOKEN, transport=Transport(limiter, attempts=8, base_delay=0.05))
    try:
        await asyncio.gather(*(client.account() for _ in range(20)))  # over 7 a second: some 429s
        assert client.transport.limited > 0
        with pytest.raises(CrmBlocked):
            await client.move_task(str(task), datetime(2026, 12, 9, tzinfo=UTC))
        assert limiter.blocked_for() > 0
    finally:
        await client.close()
        await amo.stop()
