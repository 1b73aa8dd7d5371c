from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware
from aiogram.types import TelegramObject
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.repo import Repo


class DbSessionMiddleware(BaseMiddleware):
    """One session and one transaction per update: committed when the handler returns, rolled back when
    it raises (a refused action changes nothing). Repositories never commit."""

    def __init__(self, session_pool: async_sessionmaker[AsyncSession]) -> None:
        self.session_pool = session_pool

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        async with self.session_pool() as session, session.begin():
            data["session"] = session
            data["repo"] = Repo(session)
            return await handler(event, data)
