from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiogram import BaseMiddleware
from aiogram.types import CallbackQuery, Message, TelegramObject, User

from bot.middlewares.base import Next


@dataclass(slots=True, eq=False)  # compared by identity, as any table of state
class TokenBuckets:
    """A token bucket per user: ``rate`` tokens a second up to ``burst``; bounded in memory (LRU)."""

    rate: float
    burst: int
    max_users: int = 50_000
    monotonic: Callable[[], float] = time.monotonic
    buckets: OrderedDict[int, tuple[float, float]] = field(
        init=False, default_factory=OrderedDict, repr=False, compare=False
    )

    def take(self, key: int) -> bool:
        now = self.monotonic()
        tokens, last = self.buckets.pop(key, (float(self.burst), now))
        tokens = min(float(self.burst), tokens + (now - last) * self.rate)
        allowed = tokens >= 1.0
        self.buckets[key] = (tokens - 1.0 if allowed else tokens, now)
        if len(self.buckets) > self.max_users:
            self.buckets.popitem(last=False)
        return allowed


class ThrottlingMiddleware(BaseMiddleware):
    """Drops messages and button presses from a user who floods the bot, telling them once per flood."""

    def __init__(self, rate: float, burst: int) -> None:
        self.buckets = TokenBuckets(rate, burst)
        self.warned: set[int] = set()

    async def __call__(self, handler: Next, event: TelegramObject, data: dict[str, Any]) -> Any:
        user: User | None = data.get("event_from_user")
        if user is None:
            return await handler(event, data)
        if self.buckets.take(user.id):
            self.warned.discard(user.id)
            return await handler(event, data)
        t = data["translator"].get(user.language_code if user.language_code == "en" else None)
        if isinstance(event, CallbackQuery):
            await event.answer(t("throttled"))
        elif isinstance(event, Message) and user.id not in self.warned:
            self.warned.add(user.id)
            await event.answer(t("throttled"))
        return None
