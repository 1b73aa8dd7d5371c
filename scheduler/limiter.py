"""One shared limiter for every scheduled send of the process, so a fan-out stays inside Telegram's limits.

Telegram allows about 30 messages a second per bot (up to 1,000 with paid broadcast), about one a second
per private chat in short bursts, and 20 a minute per group. Rules:

* **Global.** Ordinary sends are spaced evenly, ``1 / rate`` seconds apart (``rate`` a little under 30 by
  default), never in bursts: spacing keeps every one-second window under the limit even when requests
  arrive with some network jitter. A paid broadcast send is spaced ``1 / paid_rate`` apart. An ordinary
  send also waits while the last second already holds ``rate`` sends of any kind (after a paid burst).
* **Per chat.** A token bucket per chat (GCRA): ``chat_burst`` messages at once, then one every
  ``1 / chat_rate`` seconds, the interval stretched by ``JITTER_MARGIN`` so a message that arrives a little
  early at Telegram is not counted against the bucket. Groups (negative chat ids): one every three
  seconds, no burst (20 a minute).
* ``pause_chat`` honours a 429's ``retry_after`` for that chat; ``pause_all`` for every send.
* ``acquire`` first waits until the chat may receive, then reserves the next global slot (slots never go
  back, in the order reserved; no ``await`` between reading and reserving, so the event loop is the only
  lock) and sleeps until it. A chat that must wait never holds up the other chats. A sender that woke
  late (a busy event loop) still keeps the ordinary sends actually made in any second under ``rate``.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Awaitable, Callable

#: Stretch of the per-chat interval, against arrival jitter.
JITTER_MARGIN = 0.1
#: Telegram's group limit: 20 messages a minute.
GROUP_INTERVAL = 3.0
_WINDOW = 1.0
_EPSILON = 1e-6  # slots spaced 1/rate apart add up to a hair under a second


class SendLimiter:
    def __init__(
        self,
        rate: float = 28.0,
        *,
        chat_rate: float = 1.0,
        chat_burst: int = 3,
        paid_rate: float = 900.0,
        monotonic: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
    ) -> None:
        if rate <= 0 or chat_rate <= 0 or paid_rate <= 0 or chat_burst < 1:
            raise ValueError("rates must be positive and the burst at least 1")
        self.rate, self.paid_rate = rate, paid_rate
        self.chat_interval = (1.0 / chat_rate) * (1.0 + JITTER_MARGIN)
        self.chat_burst = chat_burst
        self.monotonic, self.sleep = monotonic, sleep
        self._cap = max(1, int(rate))
        self._last_free = float("-inf")  # slot of the last ordinary send
        self._last = float("-inf")  # slot of the last send of any kind (slots never go back)
        self._paused_until = 0.0
        self._recent: deque[float] = deque()  # reserved slots of the last second (sorted)
        self._sent: deque[float] = deque()  # when the ordinary sends of the last second actually went
        self._chats: dict[int, float] = {}  # chat id -> theoretical arrival time (GCRA)
        self.reserved = 0

    # ------------------------------------------------------------------ per chat

    def _chat_params(self, chat_id: int) -> tuple[float, float]:
        """(interval, tolerance) of the chat's bucket."""
        if chat_id < 0:
            return GROUP_INTERVAL * (1.0 + JITTER_MARGIN), 0.0
        return self.chat_interval, (self.chat_burst - 1) * self.chat_interval

    def chat_ready_at(self, chat_id: int) -> float:
        """The earliest instant (monotonic) a message to ``chat_id`` may go."""
        tat = self._chats.get(chat_id)
        if tat is None:
            return float("-inf")
        return tat - self._chat_params(chat_id)[1]

    def pause_chat(self, chat_id: int, seconds: float) -> None:
        """No message to ``chat_id`` for ``seconds`` (a 429's ``retry_after``)."""
        tolerance = self._chat_params(chat_id)[1]
        until = self.monotonic() + seconds + tolerance
        self._chats[chat_id] = max(self._chats.get(chat_id, until), until)

    def pause_all(self, seconds: float) -> None:
        self._paused_until = max(self._paused_until, self.monotonic() + seconds)

    # ------------------------------------------------------------------ acquiring

    def _reserve(self, chat_id: int, paid: bool, now: float) -> float:
        """Reserve and return the global slot of one send to a chat that may receive now."""
        slot = max(now, self._paused_until, self._last)
        while self._recent and self._recent[0] <= slot - _WINDOW:
            self._recent.popleft()
        if paid:
            slot = max(slot, self._last + 1.0 / self.paid_rate)
        else:
            slot = max(slot, self._last_free + 1.0 / self.rate)
            if len(self._recent) >= self._cap:
                slot = max(slot, self._recent[-self._cap] + _WINDOW)
            self._last_free = slot
        self._last = slot
        self._recent.append(slot)
        interval, _ = self._chat_params(chat_id)
        self._chats[chat_id] = max(self._chats.get(chat_id, slot), slot) + interval
        self.reserved += 1
        if len(self._chats) > 10_000:
            self._forget(now)
        return slot

    def _forget(self, now: float) -> None:
        for chat_id, tat in list(self._chats.items()):
            if tat < now:
                del self._chats[chat_id]

    async def acquire(self, chat_id: int, paid: bool = False) -> None:
        """Wait for the slot of one send to ``chat_id`` (``paid``: a paid broadcast send).

        The chat's own pace is waited out first, without holding a global slot, so a busy chat never
        delays the others."""
        while True:
            now = self.monotonic()
            ready = self.chat_ready_at(chat_id)
            if ready <= now:
                break
            await self.sleep(ready - now)
        slot = self._reserve(chat_id, paid, now)
        if slot > now:
            await self.sleep(slot - now)
        if not paid:
            await self._under_cap()

    async def _under_cap(self) -> None:
        """Slots are spaced, but a sender can wake late (the event loop was busy composing), and the late
        ones then go together with the next second's own: so the ordinary sends actually made in any
        second are counted too, and one that would be over ``rate`` waits."""
        now = self.monotonic()
        while True:
            while self._sent and self._sent[0] <= now - _WINDOW + _EPSILON:
                self._sent.popleft()
            if len(self._sent) < self._cap:
                break
            await self.sleep(self._sent[0] + _WINDOW - now)
            now = self.monotonic()
        self._sent.append(now)
