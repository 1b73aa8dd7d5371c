"""The real bot process is killed with SIGKILL at random points of a morning fan-out to several hundred
managers, and restarted each time: in the end every manager has the morning list, and the duplicates are
no more than the sends that were in flight at the kills: at most the rows left ``sending`` in the outbox
(claimed, a batch ahead of the senders) and at most the sender's concurrency per kill.

Content does not matter here: what a recipient must get is the parts recorded in their outbox row."""

from __future__ import annotations

import asyncio
import os
import random
import time
from collections import Counter
from datetime import time as dtime
from pathlib import Path

import pytest
from sqlalchemy import func, select

from botapi_emulator import Emulator
from domain.enums import OutboxStatus, Role
from scheduler.kinds import KINDS
from storage.db import create_engine, create_session_pool
from storage.models import Member, Outbox, Team
from tests.conftest import TEST_TOKEN
from tests.e2e.harness import LiveBot

pytestmark = pytest.mark.e2e

RECIPIENTS = 300
KILLS = 3
CONCURRENCY = 8
MONDAY_9 = "2025-10-27T09:00:30+03:00"
BASE_TG = 700_000


async def seed(db_url: str, emu: Emulator) -> list[int]:
    """A Moscow team with a head and ``RECIPIENTS`` managers, all of whom started the bot."""
    engine = create_engine(db_url)
    try:
        async with create_session_pool(engine)() as session, session.begin():
            team = Team(name="Fan-out", timezone="Europe/Moscow", morning_at=dtime(9), evening_at=dtime(23))
            session.add(team)
            await session.flush()
            session.add(Member(team_id=team.id, tg_id=BASE_TG, name="Head", role=Role.HEAD))
            session.add_all(
                Member(team_id=team.id, tg_id=BASE_TG + i, name=f"Manager {i}", role=Role.MANAGER)
                for i in range(1, RECIPIENTS + 1)
            )
    finally:
        await engine.dispose()
    chats = [BASE_TG + i for i in range(1, RECIPIENTS + 1)]
    for chat in [BASE_TG, *chats]:
        emu.add_user(chat, first_name=str(chat), started=True)
    return chats


async def outbox_rows(db_url: str, kind: str) -> list[Outbox]:
    engine = create_engine(db_url)
    try:
        async with create_session_pool(engine)() as session:
            return list((await session.scalars(select(Outbox).where(Outbox.kind == kind))).all())
    finally:
        await engine.dispose()


async def count_sending(db_url: str) -> int:
    engine = create_engine(db_url)
    try:
        async with create_session_pool(engine)() as session:
            query = select(func.count()).select_from(Outbox).where(Outbox.status == OutboxStatus.SENDING)
            return await session.scalar(query) or 0
    finally:
        await engine.dispose()


async def test_sigkill_during_fan_out_loses_nothing_and_duplicates_only_in_flight(
    emulator: tuple[Emulator, str], sqlite_url: str, tmp_path: Path
) -> None:
    kind = "morning"  # the real morning list (handlers/report.py)
    assert kind in KINDS
    env = {
        "ROP_TEST_CLOCK_FILE": str(tmp_path / "clock.txt"),
        "SCHEDULER_TICK_SECONDS": "0.5",
        "SEND_RATE": "200",
        "SEND_CONCURRENCY": str(CONCURRENCY),
    }
    (tmp_path / "clock.txt").write_text(MONDAY_9)
    emu, base_url = emulator
    chats = await seed(sqlite_url, emu)
    wanted = set(chats)
    seed_value = int(os.environ.get("ROP_CRASH_SEED", time.time_ns() % 10_000))
    rng = random.Random(seed_value)
    bot = LiveBot(emu, base_url, TEST_TOKEN, sqlite_url, tmp_path, env=env)

    def delivered() -> int:
        return sum(1 for m in emu.sent() if m.chat_id in wanted)

    in_flight: list[int] = []
    started = time.monotonic()
    try:
        for _ in range(KILLS):
            before = delivered()
            await bot.start()
            target = before + rng.randint(5, RECIPIENTS // (KILLS + 1))
            try:
                await emu.wait_for(lambda target=target: delivered() >= target, timeout=30)
            except TimeoutError:
                raise AssertionError(f"no progress (seed {seed_value}):\n{bot.log_text()[-5000:]}") from None
            await asyncio.sleep(rng.random() * 0.05)  # somewhere between two sends, or in the middle of one
            await bot.kill()
            in_flight.append(await count_sending(sqlite_url))
            elapsed = time.monotonic() - started
            print(f"kill at {delivered()} delivered, {in_flight[-1]} in flight, {elapsed:.1f} s")
        assert delivered() < RECIPIENTS, "the fan-out finished before the last kill: kill earlier"
        await bot.start()
        deadline = time.monotonic() + 40
        while True:
            rows = await outbox_rows(sqlite_url, kind)
            mine = [r for r in rows if r.member_id and r.status is OutboxStatus.SENT]
            if len(mine) >= RECIPIENTS:
                break
            assert time.monotonic() < deadline, f"not all sent (seed {seed_value}): {len(mine)}"
            await asyncio.sleep(0.2)
        await bot.stop()
    finally:
        if bot.proc is not None and bot.proc.returncode is None:
            await bot.kill()
        print(f"seed {seed_value}; in flight at the kills: {in_flight}; {time.monotonic() - started:.1f} s")

    rows = {r.member_id: r for r in await outbox_rows(sqlite_url, kind)}
    engine = create_engine(sqlite_url)
    async with create_session_pool(engine)() as session:
        tg_of = {m: tg for m, tg in await session.execute(select(Member.id, Member.tg_id))}
    await engine.dispose()
    expected = {tg_of[m]: len(r.message_ids or []) for m, r in rows.items() if tg_of[m] in wanted}
    assert set(expected) == wanted
    assert all(r.status is OutboxStatus.SENT for m, r in rows.items() if tg_of[m] in wanted)
    received = Counter(m.chat_id for m in emu.sent() if m.chat_id in wanted)
    missing = [c for c in chats if received[c] < expected[c]]
    assert not missing, f"lost (seed {seed_value}): {missing[:10]}"
    duplicates = sum(received[c] - expected[c] for c in chats)
    print(f"duplicates: {duplicates}")
    assert duplicates <= sum(in_flight), (seed_value, duplicates, in_flight)
    # rows claimed are at most twice the concurrency (a batch ahead), sends in flight at most the concurrency
    assert all(n <= 2 * CONCURRENCY for n in in_flight), in_flight
    assert duplicates <= KILLS * CONCURRENCY
