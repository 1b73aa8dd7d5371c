"""Dialog state in Redis: with ``REDIS_URL`` two bot processes (here two dispatchers, each with its own
storage built from the settings) continue each other's dialogs. With the in-memory default they cannot:
that is the control that shows the test can fail."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from aiogram import Bot, Dispatcher
from aiogram.fsm.storage.memory import MemoryStorage
from aiogram.fsm.storage.redis import RedisStorage
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.clock import ManualClock
from bot.config import Settings, load_settings
from bot.factory import create_bot, create_dispatcher, create_storage
from botapi_emulator import Emulator, EmulatorSession
from domain.enums import Stage
from storage.db import create_engine, create_session_pool
from storage.models import Client
from tests.conftest import REDIS_URL, TEST_TOKEN, need_service
from tests.handlers.conftest import MORNING_UTC, make_team

#: Each test clears the same range of Redis keys: one test of those sharing Redis at a time (xdist).
pytestmark = [pytest.mark.redis, pytest.mark.xdist_group("redis")]


async def two_processes(
    settings: Settings, pool: async_sessionmaker[AsyncSession], emu: Emulator
) -> list[tuple[Bot, Dispatcher]]:
    clock = ManualClock(MORNING_UTC)
    pairs = []
    for _ in range(2):
        bot = create_bot(settings, session=EmulatorSession(emu))
        pairs.append((bot, create_dispatcher(settings, pool, clock=clock)))
    return pairs


BASE_TG = 7_770_000  # ids no other test uses: only this test's keys are cleared in the shared db


async def clear_keys(settings: Settings) -> None:
    storage = create_storage(settings)
    assert isinstance(storage, RedisStorage)
    keys = [k async for k in storage.redis.scan_iter(match=f"fsm:*{BASE_TG // 1000}???*")]
    if keys:
        await storage.redis.delete(*keys)
    await storage.close()


@pytest.fixture
async def redis_settings(sqlite_url: str) -> AsyncIterator[Settings]:
    need_service("Redis", "127.0.0.1", 6379)
    settings = load_settings(
        bot_token=TEST_TOKEN, database_url=sqlite_url, redis_url=REDIS_URL, _env_file=None
    )
    await clear_keys(settings)
    yield settings
    await clear_keys(settings)


async def dialog_across(settings: Settings, pool: async_sessionmaker[AsyncSession]) -> str:
    """Anna starts /add in process A and names the client in process B; returns B's answer."""
    emu = Emulator(TEST_TOKEN, bot_username="rop_test_bot")
    team, _head, (anna, *_) = await make_team(pool, "Отдел продаж", BASE_TG)
    async with pool() as s, s.begin():
        s.add(Client(team_id=team.id, owner_id=anna.id, name="Альфа", name_key="альфа", stage=Stage.NEW))
    emu.add_user(anna.tg_id, anna.name)
    (bot_a, dp_a), (bot_b, dp_b) = await two_processes(settings, pool, emu)
    try:
        emu.send_text(anna.tg_id, "/add")
        for update in emu.take_updates():
            await dp_a.feed_raw_update(bot_a, update)
        assert "Для какого клиента" in emu.sent(anna.tg_id)[-1].plain_text
        emu.send_text(anna.tg_id, "Альфа")
        for update in emu.take_updates():
            await dp_b.feed_raw_update(bot_b, update)
        return emu.sent(anna.tg_id)[-1].plain_text
    finally:
        for bot, dp in ((bot_a, dp_a), (bot_b, dp_b)):
            await dp.storage.close()
            await bot.session.close()


@pytest.fixture
async def pool(sqlite_url: str) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    engine = create_engine(sqlite_url)
    yield create_session_pool(engine)
    await engine.dispose()


async def test_redis_url_gives_redis_storage_and_dialogs_cross_processes(
    redis_settings: Settings, pool: async_sessionmaker[AsyncSession]
) -> None:
    answer = await dialog_across(redis_settings, pool)
    assert "Что конкретно сделать для Альфа" in answer


async def test_without_redis_each_process_has_its_own_dialogs(
    sqlite_url: str, pool: async_sessionmaker[AsyncSession]
) -> None:
    settings = load_settings(bot_token=TEST_TOKEN, database_url=sqlite_url, _env_file=None)
    assert isinstance(create_storage(settings), MemoryStorage)
    answer = await dialog_across(settings, pool)
    assert "Что конкретно сделать" not in answer
