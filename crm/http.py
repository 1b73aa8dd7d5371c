"""What both CRM clients share: one aiohttp session, the account's limiter, retries with backoff."""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Awaitable, Callable
from typing import TypeVar

import aiohttp

from crm.base import CrmUnavailable
from crm.limiter import Limiter

log = logging.getLogger("crm")

T = TypeVar("T")


class Retry(Exception):
    """One attempt failed in a way worth another: a timeout, a 5xx, the CRM's rate limit."""

    def __init__(self, reason: str, *, after: float | None = None, limited: bool = False) -> None:
        super().__init__(reason)
        self.after = after
        self.limited = limited


class Transport:
    def __init__(
        self,
        limiter: Limiter,
        *,
        timeout: float = 15.0,
        attempts: int = 6,
        base_delay: float = 0.5,
        max_delay: float = 20.0,
        limit_pause: float = 0.5,
        session: aiohttp.ClientSession | None = None,
    ) -> None:
        self.limiter = limiter
        self.timeout = aiohttp.ClientTimeout(total=timeout)
        self.attempts, self.base_delay, self.max_delay = attempts, base_delay, max_delay
        #: the least wait after the CRM refused for its limit (half of amoCRM's window, a Bitrix24 slot)
        self.limit_pause = limit_pause
        self._session = session
        self._own_session = session is None
        #: requests sent, and those the CRM refused for its limit (the benchmark reads both)
        self.sent = 0
        self.limited = 0

    @property
    def session(self) -> aiohttp.ClientSession:
        if self._session is None:
            self._session = aiohttp.ClientSession(timeout=self.timeout)
        return self._session

    async def close(self) -> None:
        if self._session is not None and self._own_session:
            await self._session.close()
        self._session = None

    async def call(self, what: str, attempt: Callable[[aiohttp.ClientSession], Awaitable[T]]) -> T:
        """Runs ``attempt`` under the limiter until it returns, raises a final error, or attempts run out.

        ``what`` names the call in the log (a method and path, never a URL with a secret in it)."""
        last = "no attempt"
        for n in range(self.attempts):
            await self.limiter.acquire()
            self.sent += 1
            try:
                return await attempt(self.session)
            except Retry as exc:
                last = str(exc)
                if exc.limited:
                    self.limited += 1
                delay = exc.after if exc.after is not None else self._delay(n)
                if exc.limited:
                    delay = max(delay, self.limit_pause)
                    self.limiter.backoff(delay)
            except (TimeoutError, aiohttp.ClientConnectionError, aiohttp.ClientPayloadError) as exc:
                last = type(exc).__name__
                delay = self._delay(n)
            if n + 1 < self.attempts:
                log.info("crm %s: %s, retry %d in %.1f s", what, last, n + 1, delay)
                await asyncio.sleep(delay)
        raise CrmUnavailable(f"{what}: {last}")

    def _delay(self, n: int) -> float:
        delay: float = min(self.max_delay, self.base_delay * float(2**n))
        return delay * (0.8 + 0.4 * random.random())
