"""What both CRM clients share: one aiohttp session, the account's limiter, retries with backoff.

Past the CRM's limit (429) every client of the account pauses for ``Retry-After`` (or the backoff) through
the shared limiter. A block (amoCRM's 403 after repeated abuse, or a ``Retry-After`` over a minute) is an
outage: ``CrmBlocked`` at once, and no call of the account leaves this process until it lapses."""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

import aiohttp

from crm.base import CrmBlocked, CrmUnavailable
from crm.limiter import Limiter

log = logging.getLogger("crm")

T = TypeVar("T")


class Retry(Exception):
    """One attempt failed in a way worth another: a timeout, a 5xx, the CRM's rate limit."""

    def __init__(self, reason: str, *, after: float | None = None, limited: bool = False) -> None:
        super().__init__(reason)
        self.after = after
        self.limited = limited


class Blocked(Exception):
    """The CRM answered that it has blocked the integration (``seconds``: for how long, if it said)."""

    def __init__(self, reason: str, *, seconds: float | None = None) -> None:
        super().__init__(reason)
        self.seconds = seconds


#: how long a block the CRM gave no length for keeps every call away (then one call tries again)
BLOCK_PAUSE = 600.0
#: a 403 within this long of a 429 is taken for amoCRM's abuse block (its fake blocks after repeated 429s
#: within 60 s); any other 403 is a refusal of that one call (no rights to the entity), not an outage
ABUSE_WINDOW = 60.0
#: a ``Retry-After`` longer than this is not waited out in line: the account counts as blocked
LONGEST_WAIT = 60.0


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
        #: blocks the CRM answered (the benchmark and the tests check it stays 0 under load)
        self.blocks = 0
        #: when (``time.monotonic()``) the CRM last refused a call for its limit
        self.limited_at: float | None = None

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
            self._check_block(what)
            await self.limiter.acquire()
            self._check_block(what)
            self.sent += 1
            try:
                return await attempt(self.session)
            except Blocked as exc:
                self.blocks += 1
                self.limiter.block(exc.seconds if exc.seconds is not None else BLOCK_PAUSE)
                log.warning("crm %s: %s; no calls for %.0f s", what, exc, self.limiter.blocked_for())
                raise CrmBlocked(f"{what}: {exc}") from None
            except Retry as exc:
                last = str(exc)
                if exc.limited:
                    self.limited += 1
                    self.limited_at = time.monotonic()
                    if exc.after is not None and exc.after > LONGEST_WAIT:
                        self.limiter.block(exc.after)
                        raise CrmBlocked(f"{what}: {exc}, retry after {exc.after:.0f} s") from None
                delay = exc.after if exc.after is not None else self._delay(n)
                if exc.limited:
                    delay = max(delay, self.limit_pause)
                    self.limiter.backoff(delay)
            except (TimeoutError, aiohttp.ClientConnectionError, aiohttp.ClientPayloadError) as exc:
                last = type(exc).__name__
                delay = self._delay(n)
            finally:
                self.limiter.answered()  # the window counts the request from its answer (crm/limiter.py)
            if n + 1 < self.attempts:
                log.info("crm %s: %s, retry %d in %.1f s", what, last, n + 1, delay)
                await asyncio.sleep(delay)
        raise CrmUnavailable(f"{what}: {last}")

    def limited_recently(self, window: float = ABUSE_WINDOW) -> bool:
        """Whether the CRM refused a call for its limit within ``window`` seconds: recent abuse."""
        return self.limited_at is not None and time.monotonic() - self.limited_at <= window

    def _check_block(self, what: str) -> None:
        left = self.limiter.blocked_for()
        if left > 0:
            raise CrmBlocked(f"{what}: the CRM blocked the integration, {left:.0f} s left")

    def _delay(self, n: int) -> float:
        delay: float = min(self.max_delay, self.base_delay * float(2**n))
        return delay * (0.8 + 0.4 * random.random())
