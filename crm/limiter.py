"""The one limiter a CRM account's calls share, whatever sends them (sync, write-back, the connect check).

Two shapes, one for each CRM's published rule:

- ``SlidingWindow(n, period)``: at most ``n`` requests in any ``period`` seconds (amoCRM: 7 a second per
  integration; past it 429, and a block on abuse: 403 for a while).
- ``LeakyBucket(capacity, rate)``: a bucket of ``capacity`` requests that drains ``rate`` a second
  (Bitrix24: 50 and 2 a second; past it 503 ``QUERY_LIMIT_EXCEEDED``).

Both also hold the account's block (``block``/``blocked_for``): while the CRM has blocked the integration,
every client of the account fails at once instead of knocking again (``crm/http.py``).

``shared(key, factory)`` hands every client of one account the same limiter in this process.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol


class Limiter(Protocol):
    async def acquire(self) -> None: ...

    def answered(self) -> None:
        """A request let through by ``acquire`` has its answer (or failed): the server saw it by now."""
        ...

    def backoff(self, seconds: float) -> None:
        """The server refused for its limit: send nothing for ``seconds``."""
        ...

    def block(self, seconds: float) -> None:
        """The CRM blocked the integration (amoCRM's 403 after repeated 429s): for ``seconds`` every call
        fails at once without reaching it, as in an outage."""
        ...

    def blocked_for(self) -> float:
        """Seconds the block still lasts (0: not blocked)."""
        ...


class Blockable:
    """The block part of a limiter: a moment before which nothing is sent."""

    clock: Callable[[], float]
    _blocked_until = 0.0

    def block(self, seconds: float) -> None:
        self._blocked_until = max(self._blocked_until, self.clock() + seconds)

    def blocked_for(self) -> float:
        return max(0.0, self._blocked_until - self.clock())

    def answered(self) -> None:
        """Nothing to do by default (a bucket drains by time alone)."""


@dataclass(slots=True)
class _Stamp:
    """A request in a sliding window: when it was let through, then when it was answered."""

    at: float
    answered: bool = False


class SlidingWindow(Blockable):
    def __init__(
        self, n: int, period: float = 1.0, *, guard: float = 0.03, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.n, self.period, self.guard, self.clock = n, period, guard, clock
        self._sent: list[_Stamp] = []
        self._lock = asyncio.Lock()
        self._paused_until = 0.0

    async def acquire(self) -> None:
        async with self._lock:
            while True:
                now = self.clock()
                if now < self._paused_until:
                    await asyncio.sleep(self._paused_until - now)
                    continue
                horizon = now - self.period - self.guard
                self._sent = [stamp for stamp in self._sent if stamp.at > horizon]
                if len(self._sent) < self.n:
                    self._sent.append(_Stamp(now))
                    return
                await asyncio.sleep(min(stamp.at for stamp in self._sent) - horizon)

    def answered(self) -> None:
        """The server saw the request no later than now: the oldest stamp not yet answered moves to now.
        Stamped only when let through, a request the loop then stalled (a busy process: 100 ms and more)
        reached the server late, and the next ones, sent at once, reached it too close behind: 429s,
        and after three a minute amoCRM blocks the integration. Answers may come in any order: all
        unanswered stamps stand for the requests in flight alike."""
        now = self.clock()
        for stamp in self._sent:
            if not stamp.answered:
                stamp.at, stamp.answered = now, True
                return
        self._sent.append(_Stamp(now, answered=True))  # its stamp had left the window while it was in flight

    def backoff(self, seconds: float) -> None:
        self._paused_until = max(self._paused_until, self.clock() + seconds)


class LeakyBucket(Blockable):
    def __init__(
        self,
        capacity: float,
        rate: float,
        *,
        margin: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        # ``margin`` requests of headroom: our clock and the server's never agree to the millisecond
        self.capacity, self.rate, self.margin, self.clock = capacity, rate, margin, clock
        self._level = 0.0
        self._at = clock()
        self._lock = asyncio.Lock()

    def _leak(self, now: float) -> None:
        self._level = max(0.0, self._level - (now - self._at) * self.rate)
        self._at = now

    async def acquire(self) -> None:
        async with self._lock:
            while True:
                now = self.clock()
                self._leak(now)
                if self._level + 1 <= self.capacity - self.margin:
                    self._level += 1
                    return
                await asyncio.sleep((self._level + 1 - (self.capacity - self.margin)) / self.rate)

    def backoff(self, seconds: float) -> None:
        # the server's bucket is fuller than ours: count it full
        self._leak(self.clock())
        self._level = max(self._level, self.capacity - self.margin + seconds * self.rate)


_SHARED: dict[str, Limiter] = {}


def shared(key: str, factory: Callable[[], Limiter]) -> Limiter:
    """The limiter of one CRM account (``key``: provider and address) in this process."""
    limiter = _SHARED.get(key)
    if limiter is None:
        limiter = _SHARED[key] = factory()
    return limiter
