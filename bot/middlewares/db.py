from __future__ import annotations

import asyncio
from contextlib import nullcontext
from typing import Any

from aiogram import BaseMiddleware
from aiogram.types import TelegramObject, User
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.middlewares.base import Next
from storage.db import lock_person
from storage.repo import Repo


class DbSessionMiddleware(BaseMiddleware):
    """One session and one transaction per update: committed when the handler returns, rolled back when
    it raises (a refused action changes nothing). Repositories never commit.

    On PostgreSQL the transaction first takes the person's advisory lock (``pg_advisory_xact_lock`` on
    their Telegram id), and the dialog state is read only under it (aiogram's FSM middleware comes after
    this one, ``bot/factory.py``): one person's updates are handled one at a time across every process.
    Without it, two updates of one person handled at once (two quick commands on two webhook processes or
    on one, a Telegram retry beside a new message) read and write the same dialog state, which handlers
    use as their working memory, and a command's task is lost. The lock ends with the transaction, or
    with the connection of a process that died. SQLite needs none: its ``BEGIN IMMEDIATE`` (at the
    update's first statement, before any handler) admits one writer.

    On SQLite the updates handled at once (``bot/polling.py``) also take turns here, first come first
    served, before their transaction: SQLite admits one writer and makes the others retry on a backoff
    of up to 100 ms, which is not first come first served, and under concurrency some updates lost that
    race for many seconds in a row (``bench/fairness.py``: p99 16 s). One turn at a time in arrival
    order costs nothing, SQLite would serialise them anyway."""

    def __init__(
        self, session_pool: async_sessionmaker[AsyncSession], turns: asyncio.Lock | None = None
    ) -> None:
        self.session_pool = session_pool
        bind = session_pool.kw.get("bind")
        sqlite = bind is not None and bind.dialect.name == "sqlite"
        self.turns: asyncio.Lock | None = (turns or asyncio.Lock()) if sqlite else None

    async def __call__(self, handler: Next, event: TelegramObject, data: dict[str, Any]) -> Any:
        async with self.turns or nullcontext(), self.session_pool() as session, session.begin():
            data["session"] = session
            data["repo"] = Repo(session)
            user: User | None = data.get("event_from_user")
            if user is not None and _dialect(session) == "postgresql":
                await lock_person(session, user.id)
            return await handler(event, data)


def _dialect(session: AsyncSession) -> str:
    bind = session.bind
    return bind.dialect.name if bind is not None else ""
