"""The database-backed dialog storage (``bot/dialog_storage.py``) on SQLite and PostgreSQL: aiogram's
storage contract, a row only while a dialog is open, one primary-key read per update, writes that join the
update's transaction (and roll back with it), and a dialog that outlives the process's storage and engine."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiogram.fsm.state import State, StatesGroup
from aiogram.fsm.storage.base import StorageKey
from sqlalchemy import event, func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.clock import ManualClock
from bot.config import Settings
from bot.dialog_storage import DatabaseStorage, DialogSessionMiddleware
from bot.factory import DialogMemoryStorage, create_bot, create_dispatcher, create_storage
from botapi_emulator import Emulator, EmulatorSession
from domain.enums import Stage
from storage.db import create_engine, create_session_pool
from storage.models import Client, DialogState
from tests.conftest import TEST_TOKEN
from tests.handlers.conftest import MORNING_UTC, make_team

KEY = StorageKey(bot_id=42, chat_id=7001, user_id=7001)


class Form(StatesGroup):
    name = State()


async def rows(pool: async_sessionmaker[AsyncSession]) -> int:
    async with pool() as session:
        return await session.scalar(select(func.count()).select_from(DialogState)) or 0


async def test_the_storage_contract_and_no_row_outside_a_dialog(
    session_pool: async_sessionmaker[AsyncSession],
) -> None:
    storage = DatabaseStorage(session_pool)
    assert await storage.get_state(KEY) is None
    assert await storage.get_data(KEY) == {}
    assert await storage.get_value(KEY, "x", "none") == "none"
    assert await rows(session_pool) == 0  # reading creates nothing

    await storage.set_state(KEY, Form.name)
    assert await storage.get_state(KEY) == "Form:name"
    assert await storage.update_data(KEY, {"client_id": 5, "names": ["Альфа", "ё"]}) == {
        "client_id": 5,
        "names": ["Альфа", "ё"],
    }
    await storage.update_data(KEY, {"due": "2026-11-24"})
    assert await storage.get_state(KEY) == "Form:name"  # data writes keep the state
    assert await storage.get_data(KEY) == {"client_id": 5, "names": ["Альфа", "ё"], "due": "2026-11-24"}
    await storage.set_state(KEY, "Other:step")
    assert await storage.get_value(KEY, "client_id") == 5  # state writes keep the data
    other = StorageKey(bot_id=42, chat_id=7001, user_id=7001, thread_id=9, destiny="aside")
    await storage.set_state(other, "Aside:one")
    assert await storage.get_state(other) == "Aside:one"
    assert await storage.get_state(KEY) == "Other:step"
    assert await rows(session_pool) == 2

    await storage.set_state(KEY, None)  # FSMContext.clear(): state, then data
    assert await rows(session_pool) == 2  # the data is still there
    await storage.set_data(KEY, {})
    await storage.set_state(other)
    assert await rows(session_pool) == 0  # nobody in a dialog, no rows
    await storage.close()


async def test_a_dialog_outlives_the_storage_and_the_engine(db_url: str) -> None:
    engine = create_engine(db_url)
    await DatabaseStorage(create_session_pool(engine)).set_state(KEY, Form.name)
    await DatabaseStorage(create_session_pool(engine)).update_data(KEY, {"client": "Альфа"})
    await engine.dispose()  # the process is gone

    engine = create_engine(db_url)
    storage = DatabaseStorage(create_session_pool(engine))
    assert await storage.get_state(KEY) == "Form:name"
    assert await storage.get_data(KEY) == {"client": "Альфа"}
    await engine.dispose()


async def test_writes_in_an_update_join_its_transaction_and_roll_back_with_it(
    session_pool: async_sessionmaker[AsyncSession],
) -> None:
    storage = DatabaseStorage(session_pool)
    middleware = DialogSessionMiddleware()

    async def refused(_event: Any, _data: dict[str, Any]) -> None:
        await storage.set_state(KEY, Form.name)
        assert await storage.get_state(KEY) == "Form:name"  # seen inside the update's transaction
        raise RuntimeError("the handler refuses")

    async def accepted(_event: Any, _data: dict[str, Any]) -> None:
        await storage.set_state(KEY, Form.name)

    with pytest.raises(RuntimeError):
        async with session_pool() as session, session.begin():
            await middleware(refused, object(), {"session": session})  # type: ignore[arg-type]
    assert await storage.get_state(KEY) is None  # rolled back with the update's work
    async with session_pool() as session, session.begin():
        await middleware(accepted, object(), {"session": session})  # type: ignore[arg-type]
    assert await storage.get_state(KEY) == "Form:name"


def test_which_storage() -> None:
    settings = Settings(bot_token=TEST_TOKEN, _env_file=None)  # type: ignore[call-arg]
    pool = create_session_pool(create_engine("sqlite+aiosqlite://"))
    assert isinstance(create_storage(settings, pool), DatabaseStorage)  # the bot processes
    assert isinstance(create_storage(settings), DialogMemoryStorage)  # tests, the demo


@pytest.fixture
async def pool(db_url: str) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    engine = create_engine(db_url)
    yield create_session_pool(engine)
    await engine.dispose()


async def test_add_dialog_through_the_dispatcher_across_a_restart_with_one_read_per_update(
    settings: Settings, pool: async_sessionmaker[AsyncSession]
) -> None:
    """/add in one dispatcher, the answer in a new one with a new storage (a restart); on SQLite the write
    inside the handler would wait on the update's own write lock if it did not join its transaction."""
    emu = Emulator(TEST_TOKEN, bot_username="rop_test_bot")
    team, _head, (anna, *_) = await make_team(pool, "Отдел продаж", 8_810_000)
    async with pool() as s, s.begin():
        s.add(Client(team_id=team.id, owner_id=anna.id, name="Альфа", name_key="альфа", stage=Stage.NEW))
    emu.add_user(anna.tg_id, anna.name)
    engine = pool.kw["bind"]
    statements: list[str] = []
    event.listen(engine.sync_engine, "before_cursor_execute", lambda *a: statements.append(a[2]))

    async def say(text: str) -> str:
        bot = create_bot(settings, session=EmulatorSession(emu))
        dp = create_dispatcher(
            settings, pool, clock=ManualClock(MORNING_UTC), storage=create_storage(settings, pool)
        )
        emu.send_text(anna.tg_id, text)
        statements.clear()
        for update in emu.take_updates():
            await dp.feed_raw_update(bot, update)
        await bot.session.close()
        return emu.sent(anna.tg_id)[-1].plain_text

    def touching() -> list[str]:
        """What each statement touching the table does; the read comes with the sender's lookup (on
        PostgreSQL also with the update id's claim: a ``WITH``)."""
        return [
            "READ" if "members" in s else s.split()[0].upper() for s in statements if "dialog_states" in s
        ]

    # each update reads the dialog once and writes it once, however many steps its handler made
    assert "Для какого клиента" in await say("/add")
    assert touching() == ["READ", "INSERT"]
    assert "Что конкретно сделать для Альфа" in await say("Альфа")  # a new dispatcher and storage
    assert touching() == ["READ", "INSERT"]
    assert "отправить договор" in await say("отправить договор завтра")  # the task: the dialog ends
    assert touching() == ["READ", "DELETE"]
    # a task added in one message: no dialog before or after, none written
    assert "согласовать условия" in await say("/add Альфа: согласовать условия договора завтра")
    assert touching() == ["READ"]

    assert "/today" in await say("/help")  # outside a dialog: one read of the table, and nothing more
    assert touching() == ["READ"]
    # ... in the update's transaction, with or after its id's claim (and on PostgreSQL after the person's
    # lock, bot/middlewares/db.py): no transaction and no statement of its own
    claim = next(i for i, s in enumerate(statements) if "processed_updates" in s)
    read = next(i for i, s in enumerate(statements) if "dialog_states" in s)
    assert claim <= read
    assert sum("BEGIN" in s for s in statements) <= 1
