"""What keeps the bot process small (``bench/memory.py`` measures it): modules the running bot does not need
are not imported, the start-up schema check does without alembic, and per-user state lives only as long
as a dialog."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from aiogram.fsm.state import State, StatesGroup
from aiogram.fsm.storage.base import StorageKey

from bot.factory import DialogMemoryStorage
from storage.db import create_engine
from storage.migrate import MIGRATIONS, current_revision, head_revision, is_up_to_date

HEAVY = ("alembic", "mako", "pygments", "matplotlib", "openpyxl")


def test_the_running_bot_does_not_import_what_it_does_not_need() -> None:
    script = (
        "import sys, bot.app, bot.webhook, scheduler.runner, handlers; "
        f"print(sorted(m for m in {HEAVY!r} if m in sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


def test_the_head_read_from_the_files_is_alembics() -> None:
    from alembic.script import ScriptDirectory

    assert head_revision() == ScriptDirectory(str(MIGRATIONS)).get_current_head()


async def test_the_start_up_check_tells_a_migrated_database_from_an_empty_one(
    sqlite_url: str, tmp_path: Path
) -> None:
    migrated, empty = create_engine(sqlite_url), create_engine(f"sqlite+aiosqlite:///{tmp_path / 'e.db'}")
    try:
        assert await current_revision(migrated) == head_revision()
        assert await is_up_to_date(migrated)
        assert await current_revision(empty) is None
        assert not await is_up_to_date(empty)
    finally:
        await migrated.dispose()
        await empty.dispose()


class Form(StatesGroup):
    name = State()


async def test_users_who_only_write_leave_no_record_in_the_dialog_storage() -> None:
    storage = DialogMemoryStorage()
    keys = [StorageKey(bot_id=1, chat_id=n, user_id=n) for n in range(1000)]
    for key in keys:  # what aiogram's FSM middleware asks on every update
        assert await storage.get_state(key) is None
        assert await storage.get_data(key) == {}
        assert await storage.get_value(key, "x", 5) == 5
    assert len(storage.storage) == 0

    await storage.set_state(keys[0], Form.name)
    await storage.set_data(keys[0], {"draft": "Ромашка"})
    assert await storage.get_state(keys[0]) == "Form:name"
    assert await storage.get_value(keys[0], "draft") == "Ромашка"
    assert len(storage.storage) == 1

    await storage.set_state(keys[0], None)  # the dialog ends: state cleared, then data
    assert len(storage.storage) == 1
    await storage.set_data(keys[0], {})
    assert len(storage.storage) == 0
