"""Dialogs kept in the database, as a bot without Redis keeps them (``bot/dialog_storage.py``): a step a
heavy job sets after its update has ended (the import's preview asks to confirm) is stored in a
transaction of its own, not in the ended update's copy, where it was lost."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.config import Settings
from bot.dialog_storage import DatabaseStorage
from storage.models import Client, DialogState
from tests.handlers.conftest import TeamWorld, opened_world


@pytest.fixture
async def db_world(
    session_pool: async_sessionmaker[AsyncSession], settings: Settings
) -> AsyncIterator[TeamWorld]:
    async with opened_world(session_pool, settings, DatabaseStorage(session_pool)) as made:
        yield made


async def test_the_import_preview_s_confirm_step_is_stored(db_world: TeamWorld) -> None:
    world = db_world
    head = world.speaker(world.head)
    data = (
        "Компания;Ответственный;Задача;Срок;Бюджет\n"
        "Ромашка;Менеджер1001;Согласовать условия договора;15.12.2026;100\n"
    ).encode("cp1251")

    async def upload() -> None:
        world.app.emulator.send_document(world.head.tg_id, data, "amo.csv")
        await world.app.drain()

    preview = (await world.app.collect(upload)).messages
    assert "Новых клиентов: 1" in "\n".join(m.plain_text for m in preview)
    async with world.pool() as s:  # the job's step, written after the upload's update ended
        assert await s.scalar(select(func.count()).select_from(DialogState)) == 1
    done = await head.press(preview[-1], "Загрузить")
    assert "Загружено: клиентов 1, задач 1" in done.messages[-1].plain_text
    async with world.pool() as s:
        names = (await s.scalars(select(Client.name).where(Client.team_id == world.team.id))).all()
        assert names == ["Ромашка"]
        assert await s.scalar(select(func.count()).select_from(DialogState)) == 0  # the dialog ended
