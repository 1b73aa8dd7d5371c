"""Background duties of a serving process, started and stopped with the dispatcher: forgetting old
processed update ids, and (polling mode with ``HEALTH_PORT``) the health endpoint."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from contextlib import AsyncExitStack
from datetime import datetime, timedelta

from aiogram import Dispatcher
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.clock import Clock, system_clock
from bot.config import Settings
from storage.updates_repo import ProcessedUpdateRepo

log = logging.getLogger(__name__)

KEEP_PROCESSED = timedelta(days=2)
"""Telegram retries an undelivered update for at most a day; two days of ids cover any redelivery."""
PRUNE_EVERY_S = 3600.0


async def prune_processed_updates(
    session_pool: async_sessionmaker[AsyncSession], now: datetime, keep: timedelta = KEEP_PROCESSED
) -> int:
    async with session_pool() as session, session.begin():
        return await ProcessedUpdateRepo(session).prune(now - keep)


async def _prune_forever(
    session_pool: async_sessionmaker[AsyncSession], clock: Clock, every_s: float
) -> None:
    while True:
        try:
            removed = await prune_processed_updates(session_pool, clock())
            if removed:
                log.info("forgot %d processed update ids older than %s", removed, KEEP_PROCESSED)
        except Exception:  # a failed pass is retried next time; it must not stop the loop
            log.exception("pruning processed updates failed")
        await asyncio.sleep(every_s)


class Housekeeping:
    """Registered on a dispatcher's startup and shutdown (``install``)."""

    def __init__(
        self, dp: Dispatcher, health_port: int | None, health_host: str, every_s: float = PRUNE_EVERY_S
    ) -> None:
        self.dp = dp
        self.health_port, self.health_host, self.every_s = health_port, health_host, every_s
        self.stack = AsyncExitStack()
        self.task: asyncio.Task[None] | None = None
        self.health_url: str | None = None

    async def on_startup(self, session_pool: async_sessionmaker[AsyncSession]) -> None:
        # wall time, not the business clock: the ids only have to outlive Telegram's retries
        self.task = asyncio.create_task(_prune_forever(session_pool, system_clock, self.every_s))
        if self.health_port is not None:
            from bot.health import serve_health

            self.health_url = await self.stack.enter_async_context(
                serve_health(session_pool, self.dp.workflow_data, self.health_host, self.health_port)
            )

    async def on_shutdown(self) -> None:
        if self.task is not None:
            self.task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self.task
        await self.stack.aclose()


def install(dp: Dispatcher, settings: Settings, *, health: bool = True) -> Housekeeping:
    """``health=False`` where the process serves ``/healthz`` itself (webhook mode)."""
    keeper = Housekeeping(dp, settings.health_port if health else None, settings.health_host)
    dp.startup.register(keeper.on_startup)
    dp.shutdown.register(keeper.on_shutdown)
    return keeper
