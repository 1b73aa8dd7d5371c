"""Running the bot: long polling (the default)."""

from __future__ import annotations

import asyncio
import logging
import sys
from collections.abc import AsyncIterator, Coroutine
from contextlib import asynccontextmanager
from typing import Any

from aiogram import Bot, Dispatcher
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.clock import Clock, clock_from_env
from bot.commands import CannotStart, check_token, publish_default_commands
from bot.config import Settings
from bot.factory import create_bot, create_dispatcher, create_storage
from bot.heavy import HeavyJobs
from bot.housekeeping import install as install_housekeeping
from bot.i18n import Texts, Translator, default_translator
from bot.perf import freeze_startup_objects
from bot.polling import run_polling as run_concurrent_polling
from storage.db import create_engine, create_session_pool
from storage.migrate import is_up_to_date

log = logging.getLogger(__name__)


class NotMigrated(Exception):
    pass


@asynccontextmanager
async def migrated_engine(settings: Settings) -> AsyncIterator[AsyncEngine]:
    """The settings' database engine, disposed of on the way out; ``NotMigrated`` if the database needs
    migrating first."""
    engine = create_engine(settings.database_url)
    try:
        if not await is_up_to_date(engine):
            raise NotMigrated
        yield engine
    finally:
        await engine.dispose()


def run_bot(main: Coroutine[Any, Any, None], t: Texts) -> int:
    """Runs the bot (polling or webhook) until it stops: exit code 0, or 2 after the one line saying why
    it could not start."""
    try:
        asyncio.run(main)
    except NotMigrated:
        print(t("cli-not-migrated"), file=sys.stderr)
        return 2
    except CannotStart as exc:
        print(t(exc.key, **exc.args_), file=sys.stderr)
        return 2
    return 0


async def run_polling(settings: Settings, clock: Clock | None = None) -> None:
    async with migrated_engine(settings) as engine:
        translator = default_translator()
        bot = create_bot(settings)
        pool = create_session_pool(engine)
        dp = create_dispatcher(
            settings,
            pool,
            clock=clock or clock_from_env(),
            translator=translator,
            storage=create_storage(settings, pool),  # without Redis, dialogs survive a restart
            heavy=HeavyJobs(settings.database_url, processes=True),  # worker processes (bot/heavy.py)
        )
        dp.startup.register(_on_startup)
        install_housekeeping(dp, settings)  # prunes processed update ids; /healthz when HEALTH_PORT is set
        if settings.scheduler_enabled:  # scheduled messages: wakes on a tick, decides from the database
            from scheduler.runner import install_scheduler

            install_scheduler(dp)
        async with bot.context():
            # Different people's updates at once, each person's in order; the offset that confirms an
            # update is sent only after its handler's transaction has committed, so a crash mid-update
            # loses nothing (Telegram resends it). bot/polling.py explains.
            await run_concurrent_polling(dp, bot)


async def _on_startup(bot: Bot, dispatcher: Dispatcher, translator: Translator, settings: Settings) -> None:
    me = await check_token(bot, settings.telegram_api_url)  # a refused token stops here, in one line
    log.info("bot @%s started", me.username)
    await bot.delete_webhook(drop_pending_updates=False)
    await publish_default_commands(bot, translator, settings.default_locale, dispatcher)  # never stops it
    freeze_startup_objects()  # full garbage collections stop pausing the bot (bot/perf.py)
