"""The scheduler over a migrated database and the in-process Bot API emulator, with a manual clock.

Kinds are registered by the tests themselves (``test_kinds``): a composer that reads the database and
says which kind, member and local date it is, so each message can be traced to its row.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time

import pytest
from aiogram import Bot
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.clock import ManualClock
from bot.config import Settings, load_settings
from bot.factory import create_bot
from bot.i18n import default_translator
from botapi_emulator import Emulator, EmulatorSession
from domain.enums import Role
from scheduler.compose import ComposeContext, Kind, Outgoing
from scheduler.delivery import Deliverer, DeliveryOptions
from scheduler.kinds import KINDS
from scheduler.limiter import SendLimiter
from scheduler.notices import NOTICE
from scheduler.runner import Runner
from storage.db import create_engine, create_session_pool
from storage.models import Member, Outbox, Team, Vacation
from storage.repo import Repo
from tests.conftest import TEST_TOKEN

TEST_KINDS = ("t_morning", "t_evening", "t_night")


def composer_for(name: str):  # type: ignore[no-untyped-def]
    """A composer that reads the member back from the database and says ``<kind> <member id> <date>``."""

    async def compose(ctx: ComposeContext) -> list[Outgoing]:
        member = await ctx.repo.members.in_team(ctx.team.id, ctx.member.id)
        return [Outgoing(f"{name} {member.id} {ctx.local_date.isoformat()}")]

    return compose


@pytest.fixture
def test_kinds() -> Iterator[dict[str, Kind]]:
    """Three kinds: a working-day morning for managers and heads, a working-day evening for managers,
    and an every-day "night" kind at the team's approval time (to meet DST gaps and overlaps)."""
    kinds = {
        "t_morning": Kind(
            "t_morning", composer_for("t_morning"), frozenset({"manager", "head"}), "morning_at"
        ),
        "t_evening": Kind("t_evening", composer_for("t_evening"), frozenset({"manager"}), "evening_at"),
        "t_night": Kind("t_night", composer_for("t_night"), frozenset({"manager"}), "approval_at", False),
    }
    saved = {name: KINDS.get(name) for name in kinds}
    KINDS.update(kinds)
    try:
        yield kinds
    finally:
        for name, old in saved.items():
            if old is None:
                KINDS.pop(name, None)
            else:
                KINDS[name] = old


@dataclass
class World:
    pool: async_sessionmaker[AsyncSession]
    emulator: Emulator
    bot: Bot
    clock: ManualClock
    settings: Settings
    kinds: tuple[str, ...]
    runners: list[Runner] = field(default_factory=list)

    def runner(self, kinds: tuple[str, ...] | None = None, **options: object) -> Runner:
        opts = DeliveryOptions(**{"concurrency": 4, "send_timeout": 2, **options})  # type: ignore[arg-type]
        deliverer = Deliverer(
            self.bot,
            self.pool,
            translator=default_translator(),
            clock=self.clock,
            limiter=SendLimiter(1000.0, chat_rate=100.0, chat_burst=10),
            options=opts,
        )
        runner = Runner(deliverer, kinds=kinds or self.kinds)
        self.runners.append(runner)
        return runner

    async def team(
        self,
        name: str,
        tz: str,
        *,
        managers: int = 2,
        base_tg: int = 1000,
        morning: time = time(9),
        evening: time = time(18),
        night: time = time(2, 30),
        holidays: str | None = "RU",
        head: bool = True,
    ) -> tuple[Team, list[Member]]:
        """A team with a head (first) and managers, all of whom started the bot."""
        async with self.pool() as session, session.begin():
            repo = Repo(session)
            team = await repo.teams.create(name, tz)
            for setting, at in (("morning", morning), ("evening", evening), ("approval", night)):
                await repo.settings.set_time(team.id, setting, at)
            team.holiday_country = holidays
            people = []
            if head:
                people.append(Member(team_id=team.id, tg_id=base_tg, name=f"Head {name}", role=Role.HEAD))
            people += [
                Member(team_id=team.id, tg_id=base_tg + i, name=f"M{i} {name}", role=Role.MANAGER)
                for i in range(1, managers + 1)
            ]
            session.add_all(people)
            await session.flush()
            session.expunge_all()
        for m in people:
            self.emulator.add_user(m.tg_id, first_name=m.name, started=True)
        return team, people

    async def vacation(self, member: Member, starts: date, ends: date) -> None:
        async with self.pool() as session, session.begin():
            session.add(Vacation(member_id=member.id, starts=starts, ends=ends))

    async def rows(self) -> list[Outbox]:
        async with self.pool() as session:
            return list((await session.scalars(select(Outbox).order_by(Outbox.id))).all())

    async def member(self, member_id: int) -> Member:
        async with self.pool() as session:
            found = await session.get(Member, member_id)
            assert found is not None
            return found

    def texts(self, chat_id: int) -> list[str]:
        return [m.text or "" for m in self.emulator.sent(chat_id)]


@asynccontextmanager
async def open_world(pool: async_sessionmaker[AsyncSession], settings: Settings) -> AsyncIterator[World]:
    emulator = Emulator(settings.token, bot_username="rop_sched_bot")
    bot = create_bot(settings, session=EmulatorSession(emulator))
    clock = ManualClock(datetime(2025, 10, 26, 12, 0, tzinfo=UTC))
    w = World(pool, emulator, bot, clock, settings, (*TEST_KINDS,))
    try:
        yield w
    finally:
        for runner in w.runners:
            await runner.stop()
        await bot.session.close()


@pytest.fixture
async def world(
    session_pool: async_sessionmaker[AsyncSession], settings: Settings, test_kinds: dict[str, Kind]
) -> AsyncIterator[World]:
    """On SQLite and on PostgreSQL."""
    async with open_world(session_pool, settings) as w:
        yield w


@pytest.fixture
async def sqlite_world(sqlite_url: str, test_kinds: dict[str, Kind]) -> AsyncIterator[World]:
    """On SQLite only: for the long simulated fortnights."""
    engine = create_engine(sqlite_url)
    settings = load_settings(bot_token=TEST_TOKEN, database_url=sqlite_url, _env_file=None)
    try:
        async with open_world(create_session_pool(engine), settings) as w:
            yield w
    finally:
        await engine.dispose()


__all__ = ["NOTICE", "TEST_KINDS", "World"]
