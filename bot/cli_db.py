"""The database as the command-line commands open it: only a migrated one, the engine disposed of on the
way out. ``bot/cli.py``, ``importer/cli.py`` (and ``crm/cli.py``) share it."""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING

from bot.config import Settings
from bot.i18n import Texts

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker


@asynccontextmanager
async def migrated_pool(settings: Settings, t: Texts) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    """The session pool of the settings' database. One that needs migrating first ends the command (exit
    code 2) after saying so (``cli-not-migrated``, on stderr)."""
    from storage.db import create_engine, create_session_pool
    from storage.migrate import is_up_to_date

    engine = create_engine(settings.database_url)
    try:
        if not await is_up_to_date(engine):
            print(t("cli-not-migrated"), file=sys.stderr)
            raise SystemExit(2)
        yield create_session_pool(engine)
    finally:
        await engine.dispose()
