"""A team in a migrated database and the real dispatcher over the in-process emulator, with a manual clock:
handler tests drive it as users would, each update fully handled before ``send``/``press`` return."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, time

import pytest
from aiogram.fsm.storage.base import BaseStorage
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.clock import ManualClock
from bot.config import Settings
from bot.inprocess import InProcessBot, Speaker
from domain.enums import Role
from storage.models import Member, Team

# Monday 23 November 2026, 09:00 in Moscow
MONDAY = date(2026, 11, 23)
MORNING_UTC = datetime(2026, 11, 23, 6, 0, tzinfo=UTC)


@dataclass
class TeamWorld:
    app: InProcessBot
    clock: ManualClock
    pool: async_sessionmaker[AsyncSession]
    team: Team
    head: Member
    managers: list[Member]

    def speaker(self, member: Member) -> Speaker:
        return self.app.user(member.tg_id, member.name)


async def make_team(pool: async_sessionmaker[AsyncSession], name: str, base_tg: int, managers: int = 2):
    async with pool() as session, session.begin():
        team = Team(name=name, timezone="Europe/Moscow", morning_at=time(9), evening_at=time(18))
        session.add(team)
        await session.flush()
        head = Member(team_id=team.id, tg_id=base_tg, name=f"Ирина{base_tg}", role=Role.HEAD, locale="ru")
        session.add(head)
        mgrs = [
            Member(
                team_id=team.id,
                tg_id=base_tg + i,
                name=f"Менеджер{base_tg + i}",
                role=Role.MANAGER,
                locale="ru",
            )
            for i in range(1, managers + 1)
        ]
        session.add_all(mgrs)
        await session.flush()
        session.expunge_all()
    return team, head, mgrs


@asynccontextmanager
async def opened_world(
    session_pool: async_sessionmaker[AsyncSession], settings: Settings, storage: BaseStorage | None = None
) -> AsyncIterator[TeamWorld]:
    """The bot in process with one team; dialogs in memory unless ``storage`` is given."""
    clock = ManualClock(MORNING_UTC)
    # scripted users tap faster than people: flood control is tested on its own
    settings = settings.model_copy(update={"throttle_rate": 1000.0, "throttle_burst": 1000})
    app = InProcessBot(settings, session_pool, clock, storage=storage)
    await app.start()
    team, head, managers = await make_team(session_pool, "Отдел продаж", 1000)
    try:
        yield TeamWorld(app, clock, session_pool, team, head, managers)
    finally:
        await app.close()


@pytest.fixture
async def world(
    session_pool: async_sessionmaker[AsyncSession], settings: Settings
) -> AsyncIterator[TeamWorld]:
    async with opened_world(session_pool, settings) as made:
        yield made
