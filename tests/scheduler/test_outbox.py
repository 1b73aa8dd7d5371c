"""The outbox repository on SQLite and PostgreSQL: one row per (recipient, kind, local date) however often
it is enqueued, and concurrent senders never claim the same row."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import func, select

from domain.due import DueSend
from domain.enums import OutboxStatus
from storage.models import Outbox
from storage.outbox_repo import Filter, OutboxRepo
from tests.scheduler.conftest import World

DAY = date(2025, 10, 27)
NOW = datetime(2025, 10, 27, 6, 0, tzinfo=UTC)
LEASE = timedelta(minutes=2)


async def count(world: World) -> int:
    async with world.pool() as session:
        return await session.scalar(select(func.count()).select_from(Outbox)) or 0


async def test_enqueue_is_idempotent_even_when_racing(world: World) -> None:
    team, people = await world.team("T", "Europe/Moscow", managers=30)
    sends = [DueSend(team.id, m.id, "t_morning", DAY) for m in people]

    async def enqueue() -> int:
        async with world.pool() as session, session.begin():
            return len(await OutboxRepo(session).enqueue(sends))

    first = await enqueue()
    assert first == len(people)
    assert await enqueue() == 0
    # several writers at once: still one row each (ON CONFLICT DO NOTHING)
    assert sum(await asyncio.gather(*(enqueue() for _ in range(4)))) == 0
    assert await count(world) == len(people)
    more = [*sends, DueSend(team.id, people[0].id, "t_morning", DAY + timedelta(days=1))]
    async with world.pool() as session, session.begin():
        assert len(await OutboxRepo(session).enqueue(more)) == 1
    assert await count(world) == len(people) + 1


async def test_concurrent_claims_never_take_the_same_row(world: World) -> None:
    team, people = await world.team("T", "Europe/Moscow", managers=40)
    async with world.pool() as session, session.begin():
        await OutboxRepo(session).enqueue([DueSend(team.id, m.id, "t_morning", DAY) for m in people])

    async def claimer() -> list[int]:
        taken: list[int] = []
        while True:
            async with world.pool() as session, session.begin():
                rows = await OutboxRepo(session).claim(NOW, 3, lease=LEASE)
                await asyncio.sleep(0)  # let the others run while the transaction is open
            if not rows:
                return taken
            assert all(r.status is OutboxStatus.SENDING and r.claimed_at == NOW for r in rows)
            taken += [r.id for r in rows]

    claimed = await asyncio.gather(*(claimer() for _ in range(5)))
    every = [i for ids in claimed for i in ids]
    assert len(every) == len(set(every)) == len(people)


async def test_claim_honours_retry_time_filters_and_lease(world: World) -> None:
    team, people = await world.team("T", "Europe/Moscow", managers=3, head=False)
    async with world.pool() as session, session.begin():
        repo = OutboxRepo(session)
        ids = await repo.enqueue([DueSend(team.id, m.id, "t_morning", DAY) for m in people])
        (evening,) = await repo.enqueue([DueSend(team.id, people[0].id, "t_evening", DAY)])
        await repo.retry(ids[1], NOW + timedelta(minutes=5), "500", attempts=1)
        await repo.mark_unknown(ids[2], "timeout twice", attempts=2)

    async def claim(now: datetime, where: Filter | None = None) -> list[int]:
        async with world.pool() as session, session.begin():
            rows = await OutboxRepo(session).claim(now, 10, lease=LEASE, where=where or Filter())
            return [r.id for r in rows]

    minute = timedelta(minutes=1)
    assert await claim(NOW, Filter(kinds=frozenset({"t_morning"}))) == [ids[0]]
    assert await claim(NOW + minute) == [evening]
    assert await claim(NOW + minute) == []  # the retry is not due yet; the unknown one is final
    assert await claim(NOW + LEASE) == []  # a claim exactly as old as the lease still stands
    assert await claim(NOW + LEASE + timedelta(seconds=1)) == [ids[0]]  # its sender died
    assert await claim(NOW + 5 * minute) == [ids[0], ids[1], evening]  # all stale or due by now


async def test_recover_interrupted_makes_them_due_and_keeps_the_timeout_mark(world: World) -> None:
    team, people = await world.team("T", "Europe/Moscow", managers=2, head=False)
    async with world.pool() as session, session.begin():
        repo = OutboxRepo(session)
        ids = await repo.enqueue([DueSend(team.id, m.id, "t_morning", DAY) for m in people])
        await repo.retry(
            ids[1], NOW, "timeout: Request timeout error", attempts=1, status=OutboxStatus.UNKNOWN
        )
        assert len(await repo.claim(NOW, 10, lease=LEASE)) == 2
    async with world.pool() as session, session.begin():
        assert await OutboxRepo(session).recover_interrupted(NOW) == 2
    rows = await world.rows()
    assert [r.status for r in rows] == [OutboxStatus.UNKNOWN] * 2
    assert (rows[0].error or "").startswith("interrupted")
    assert (rows[1].error or "").startswith("timeout")
    async with world.pool() as session, session.begin():
        assert len(await OutboxRepo(session).claim(NOW, 10, lease=LEASE)) == 2
