"""Injected faults and Telegram's flood limits.

Telegram documents roughly 30 messages a second overall (1000 with ``allow_paid_broadcast``) and about one
message a second per chat, "short bursts" allowed. :class:`RateLimits` models that as a one-second sliding
window for the global limit and a token bucket per chat (``burst`` messages at once, refilled at
``per_chat_per_second``). A send over either limit is answered 429 and not delivered.
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass, field
from typing import Any, Literal

from botapi_emulator.models import attributes

FaultKind = Literal["error", "timeout"]


@dataclass(frozen=True)
class Fault:
    """A fault queued for the next send to a chat (see :meth:`Emulator.inject`)."""

    kind: FaultKind
    status: int = 200
    description: str = ""
    parameters: dict[str, Any] | None = None
    delay: float = 0.0

    @classmethod
    def too_many(cls, retry_after: int = 5) -> Fault:
        """429 with ``retry_after``; the message is not delivered."""
        description = f"Too Many Requests: retry after {retry_after}"
        return cls("error", 429, description, {"retry_after": retry_after})

    @classmethod
    def server_error(cls) -> Fault:
        """500; the message is not delivered."""
        return cls("error", 500, "Internal Server Error")

    @classmethod
    def forbidden(cls) -> Fault:
        """403 as from a user who blocked the bot (the user is not marked blocked)."""
        return cls("error", 403, "Forbidden: bot was blocked by the user")

    @classmethod
    def bad_request(cls, description: str) -> Fault:
        """400 with the given description (``"Bad Request: "`` is prefixed when missing)."""
        if not description.startswith("Bad Request: "):
            description = f"Bad Request: {description}"
        return cls("error", 400, description)

    @classmethod
    def timeout(cls, seconds: float) -> Fault:
        """The message IS delivered, but the answer comes only after ``seconds``."""
        return cls("timeout", delay=seconds)

    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = {"ok": False, "error_code": self.status, "description": self.description}
        if self.parameters:
            body["parameters"] = self.parameters
        return body

    def to_dict(self) -> dict[str, Any]:
        return attributes(self, "kind", "status", "description", "delay")


@dataclass
class RateLimits:
    """Flood limits; ``burst`` is how many messages a chat may get at once before the 1/s pace applies."""

    per_second: int = 30
    per_chat_per_second: float = 1.0
    burst: int = 3
    allow_paid_broadcast: bool = False
    """Treat every send as paid broadcast (global limit ``paid_per_second``)."""
    paid_per_second: int = 1000


@dataclass
class _Bucket:
    tokens: float
    updated: float


@dataclass
class RateLimiter:
    """Book-keeping for :class:`RateLimits`."""

    limits: RateLimits
    _window: deque[float] = field(default_factory=deque)
    _buckets: dict[int, _Bucket] = field(default_factory=dict)

    def check(self, chat_id: int, now: float, paid: bool = False) -> int | None:
        """None if a send to ``chat_id`` may go now (it is then counted), else the seconds to wait.

        All sends share one sliding window; a paid broadcast may go while the window holds fewer than
        ``paid_per_second`` sends, any other while it holds fewer than ``per_second``.
        """
        limits = self.limits
        cap = limits.paid_per_second if paid or limits.allow_paid_broadcast else limits.per_second
        while self._window and self._window[0] <= now - 1.0:
            self._window.popleft()
        if len(self._window) >= cap:
            return max(1, math.ceil(self._window[-cap] + 1.0 - now))

        bucket = self._buckets.get(chat_id)
        if bucket is None:
            bucket = self._buckets[chat_id] = _Bucket(float(limits.burst), now)
        refill = (now - bucket.updated) * limits.per_chat_per_second
        bucket.tokens = min(float(limits.burst), bucket.tokens + refill)
        bucket.updated = now
        if bucket.tokens < 1.0:
            return max(1, math.ceil((1.0 - bucket.tokens) / limits.per_chat_per_second))

        bucket.tokens -= 1.0
        self._window.append(now)
        return None
