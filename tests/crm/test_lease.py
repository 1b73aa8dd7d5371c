"""One sync of a team at a time across processes: the lease in ``crm_connections`` (``sync_owner``,
``sync_until``), claimed with a conditional UPDATE. Each test runs on SQLite and on PostgreSQL, with two
engines on one database as two processes have (their own connections, their own ``CrmLive``)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from crm.live import CrmLive
from crm.service import sync_lease, sync_team
from crm.vault import Vault, generate_key
from crm_fakes.amocrm import FakeAmoCrm
from domain.errors import UserError
from storage.db import create_engine, create_session_pool
from storage.models import CrmLink, Task
from storage.repo import Repo
from tests.crm.conftest import Clock, TeamFixture, amo_client, amo_live, make_team


def _t(key: str, **_: object) -> str:
    return key


Pools = tuple[async_sessionmaker[AsyncSession], async_sessionmaker[AsyncSession]]


@pytest.fixture
async def two_pools(db_url: str) -> AsyncIterator[Pools]:
    """Two engines on one database: what two bot processes have."""
    a, b = create_engine(db_url), create_engine(db_url)
    try:
        yield create_session_pool(a), create_session_pool(b)
    finally:
        await a.dispose()
        await b.dispose()


@pytest.fixture
def vault() -> Vault:
    return Vault(generate_key())


async def _connected(pool, amo: FakeAmoCrm, clock: Clock, vault: Vault, tasks: int = 0) -> TeamFixture:  # type: ignore[no-untyped-def]
    team = await make_team(pool)
    anna = amo.add_user("Анна Смирнова")
    lead = amo.add_lead("Ромашка", anna)
    for n in range(tasks):
        amo.add_task(f"Позвонить {n}", anna, due=int(clock().timestamp()) + 3600 * n, entity_id=lead)
    await (await amo_live(pool, amo, clock, vault, team.team_id)).close()
    return team


def _live(pool, amo: FakeAmoCrm, clock, vault: Vault) -> CrmLive:  # type: ignore[no-untyped-def]
    return CrmLive(pool, vault, clock, _t, provider_of=lambda conn: amo_client(amo))


async def _counts(pool, team_id: int) -> tuple[int, int]:  # type: ignore[no-untyped-def]
    async with pool() as session:
        tasks = await session.scalar(select(func.count()).select_from(Task).where(Task.team_id == team_id))
        links = await session.scalar(
            select(func.count()).select_from(CrmLink).where(CrmLink.team_id == team_id)
        )
    return int(tasks or 0), int(links or 0)


async def test_two_processes_syncing_one_team_at_once_run_one_sync(
    two_pools: Pools, amo: FakeAmoCrm, vault: Vault
) -> None:
    """Both processes start the team's first sync (300 tasks, a couple of seconds at amoCRM's pace) at
    the same moment: one syncs, the other is told it runs elsewhere; every task arrives once."""
    pool_a, pool_b = two_pools
    clock = Clock(datetime.now(UTC))
    team = await _connected(pool_a, amo, clock, vault, tasks=300)
    live_a, live_b = _live(pool_a, amo, clock, vault), _live(pool_b, amo, clock, vault)
    try:
        a, b = await asyncio.gather(live_a.run_once(team.team_id), live_b.run_once(team.team_id))
    finally:
        await live_a.close()
        await live_b.close()
    assert (a is None) != (b is None)  # exactly one of them synced
    done = a or b
    assert done is not None and done.report.tasks_created == 300
    assert await _counts(pool_a, team.team_id) == (300, 300 + 1)  # the tasks and their links, + the client's
    async with pool_b() as session:
        conn = await Repo(session).crm.connection(team.team_id)
    assert conn is not None and conn.sync_owner is None and conn.down_kind is None  # released, no outage


async def test_the_claim_is_one_winner_however_many_claim_at_once(two_pools: Pools, amo, vault) -> None:  # type: ignore[no-untyped-def]
    pool_a, pool_b = two_pools
    clock = Clock(datetime.now(UTC))
    team = await _connected(pool_a, amo, clock, vault)
    now = clock()

    async def claim(pool, owner: str) -> bool:  # type: ignore[no-untyped-def]
        async with pool() as session, session.begin():
            return await Repo(session).crm.claim_sync(team.team_id, owner, now, now + timedelta(minutes=2))

    for round_ in range(5):
        owners = [f"p{round_}-{n}" for n in range(6)]
        won = await asyncio.gather(*(claim(pool_a if n % 2 else pool_b, o) for n, o in enumerate(owners)))
        assert sum(won) == 1
        winner = owners[won.index(True)]
        assert await claim(pool_a, winner)  # its owner renews it
        async with pool_b() as session, session.begin():
            await Repo(session).crm.release_sync(team.team_id, "not-the-owner")  # changes nothing
        assert not await claim(pool_b, "someone-else")
        async with pool_b() as session, session.begin():
            await Repo(session).crm.release_sync(team.team_id, winner)


async def test_a_crashed_owners_lease_lapses(
    two_pools: Pools, amo: FakeAmoCrm, clock: Clock, vault: Vault, caplog: pytest.LogCaptureFixture
) -> None:
    """A process killed mid-sync leaves its lease; the other process's syncs are refused until it lapses
    (``LEASE``, two minutes), then it syncs."""
    pool_a, pool_b = two_pools
    team = await _connected(pool_a, amo, clock, vault, tasks=3)
    async with pool_a() as session, session.begin():
        assert await Repo(session).crm.claim_sync(
            team.team_id, "host:4242:dead", clock(), clock() + timedelta(minutes=2)
        )
    live_b = _live(pool_b, amo, clock, vault)
    caplog.set_level(logging.INFO, logger="crm.live")
    try:
        assert await live_b.run_once(team.team_id) is None
        assert "already running elsewhere" in caplog.text
        clock.advance(minutes=1, seconds=59)
        assert await live_b.run_once(team.team_id) is None
        with pytest.raises(UserError) as busy:
            await sync_team(pool_b, vault, team.team_id, clock, _t, amo_client(amo))
        assert busy.value.code == "crm-sync-busy"
        assert await _counts(pool_b, team.team_id) == (0, 0)
        clock.advance(seconds=1)
        outcome = await live_b.run_once(team.team_id)
    finally:
        await live_b.close()
    assert outcome is not None and outcome.report.tasks_created == 3
    async with pool_a() as session:
        conn = await Repo(session).crm.connection(team.team_id)
    assert conn is not None and conn.sync_owner is None and conn.down_kind is None  # busy is no outage


async def test_the_lease_is_released_after_a_failed_sync(
    two_pools: Pools, amo: FakeAmoCrm, clock: Clock, vault: Vault
) -> None:
    pool_a, pool_b = two_pools
    team = await _connected(pool_a, amo, clock, vault, tasks=2)
    live_a, live_b = _live(pool_a, amo, clock, vault), _live(pool_b, amo, clock, vault)
    try:
        amo.down = True
        assert await live_a.run_once(team.team_id) is None
        amo.down = False
        outcome = await live_b.run_once(team.team_id)  # at once: not two minutes later
    finally:
        await live_a.close()
        await live_b.close()
    assert outcome is not None and outcome.report.tasks_created == 2


async def test_a_long_sync_renews_its_lease(two_pools: Pools, amo: FakeAmoCrm, vault: Vault) -> None:
    """On the real clock with a lease of 0.6 s: held for 2 s, renewed every 0.2 s, never lapses; given
    back at the end."""
    pool_a, pool_b = two_pools
    clock = Clock(datetime.now(UTC))
    team = await _connected(pool_a, amo, clock, vault)

    def real() -> datetime:
        return datetime.now(UTC)

    async def other_claims() -> bool:
        now = real()
        async with pool_b() as session, session.begin():
            return await Repo(session).crm.claim_sync(team.team_id, "other", now, now + timedelta(seconds=1))

    async with sync_lease(pool_a, team.team_id, real, ttl=timedelta(seconds=0.6)) as owner:
        assert owner
        for _ in range(10):
            await asyncio.sleep(0.2)
            assert not await other_claims()
    assert await other_claims()
