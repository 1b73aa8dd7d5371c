"""Long polling that handles different people's updates at once, each person's in order, and confirms the
offset only once every update below it has committed.

aiogram's own polling either handles a batch one update at a time (``handle_as_tasks=False``: one
person's five-second command made everyone wait) or as loose tasks (``True``: the offset is confirmed at
once, so a crash loses the updates in flight, and one person's updates may overtake each other).

Here each ``getUpdates`` batch is split by sender (the user, else the chat) into per-sender queues; a
worker per sender with updates waiting handles them in order, at most ``max_in_flight`` updates of
different people at once. ``getUpdates``'s offset confirms every update below it, so the offset sent is
the **lowest unfinished** update id (or one past the highest taken when none is unfinished): an update is
confirmed only after its handler's transaction has committed (or it failed and was logged, as aiogram
does), so a kill loses nothing; Telegram resends what was not confirmed, and ``DedupMiddleware`` skips
the ones that had committed (each update's work happens once).

A slow update holds the offset, not the others: Telegram keeps returning the updates from the offset on,
this loop skips those it has taken already and queues only the new ones, so later updates of other
people are taken and handled meanwhile. While anything is in flight, a poll comes back at once (the
unconfirmed updates are still there), so the loop polls again when an update finishes or after
``BUSY_POLL_S``, not in a tight loop. Heavy work (export, import, pictures) does not run in handlers at
all (``bot/heavy.py``), so the lowest unfinished update is never held for long.

``sequential=True`` is the old way (one queue for everybody): ``bench/fairness.py``'s "before".
"""

from __future__ import annotations

import asyncio
import logging
import signal
from collections import deque
from collections.abc import Hashable
from contextlib import suppress
from typing import Any

from aiogram import Bot, Dispatcher
from aiogram.methods import GetUpdates
from aiogram.types import Update
from aiogram.types.update import UpdateTypeLookupError
from aiogram.utils.backoff import Backoff, BackoffConfig

log = logging.getLogger(__name__)

MAX_IN_FLIGHT = 16
"""Updates handled at once (of different people); below the PostgreSQL pool of 20 connections."""
MAX_TAKEN = 2_000
"""Updates taken and not yet finished before the loop stops fetching more (memory bound)."""
BUSY_POLL_S = 0.2
POLLING_TIMEOUT_S = 10
BACKOFF = BackoffConfig(min_delay=1.0, max_delay=5.0, factor=1.3, jitter=0.1)


def sender_key(update: Update) -> Hashable:
    """Whose update this is: updates with one key are handled in order. The user who acted, else the
    chat, else the update alone."""
    try:
        event = update.event
    except UpdateTypeLookupError:
        return ("update", update.update_id)
    user = getattr(event, "from_user", None)
    if user is not None:
        return ("user", user.id)
    chat = getattr(event, "chat", None)
    if chat is not None:
        return ("chat", chat.id)
    return ("update", update.update_id)


class ConcurrentPolling:
    def __init__(
        self,
        dp: Dispatcher,
        bot: Bot,
        *,
        allowed_updates: list[str] | None = None,
        polling_timeout: int = POLLING_TIMEOUT_S,
        max_in_flight: int = MAX_IN_FLIGHT,
        sequential: bool = False,
    ) -> None:
        self.dp, self.bot = dp, bot
        self.allowed_updates = allowed_updates
        self.polling_timeout = polling_timeout
        self.sequential = sequential
        self.slots = asyncio.Semaphore(1 if sequential else max_in_flight)
        self.queues: dict[Hashable, deque[Update]] = {}
        self.workers: set[asyncio.Task[None]] = set()
        self.unfinished: set[int] = set()  # taken, handling not finished
        self.taken: set[int] = set()  # taken at or above the last offset sent: skipped when sent again
        self.highest: int | None = None
        self.progress = asyncio.Event()  # an update finished
        self.stopping = asyncio.Event()
        self.workflow_data: dict[str, Any] = {"dispatcher": dp, "bots": [bot], **dp.workflow_data}
        self.workflow_data.pop("bot", None)

    # ------------------------------------------------------------------------------------------- offsets

    def confirm_point(self) -> int | None:
        """The offset to send: every update below it has finished."""
        if self.unfinished:
            return min(self.unfinished)
        return None if self.highest is None else self.highest + 1

    def take(self, updates: list[Update]) -> int:
        """Queue the updates not taken before, each behind its sender's earlier ones; how many were new."""
        new = 0
        for update in updates:
            uid = update.update_id
            if uid in self.taken:  # sent again: it was unconfirmed when this poll left
                continue
            self.taken.add(uid)
            self.unfinished.add(uid)
            self.highest = uid if self.highest is None else max(self.highest, uid)
            key = 0 if self.sequential else sender_key(update)
            queue = self.queues.get(key)
            if queue is None:
                queue = self.queues[key] = deque()
                worker = asyncio.create_task(self._worker(key, queue))
                self.workers.add(worker)
                worker.add_done_callback(self.workers.discard)
            queue.append(update)
            new += 1
        return new

    def confirmed(self, offset: int | None) -> None:
        """Telegram has been told ``offset``: the updates below it never come again."""
        if offset is not None:
            self.taken = {uid for uid in self.taken if uid >= offset}

    # ------------------------------------------------------------------------------------------ handling

    async def _worker(self, key: Hashable, queue: deque[Update]) -> None:
        try:
            while queue:
                update = queue[0]
                async with self.slots:
                    await self._handle(update)
                queue.popleft()
                self.unfinished.discard(update.update_id)
                self.progress.set()
        finally:
            if self.queues.get(key) is queue:
                del self.queues[key]

    async def _handle(self, update: Update) -> None:
        try:
            await self.dp.feed_update(self.bot, update, **self.workflow_data)
        except Exception:  # the error handlers did not absorb it: logged, as aiogram's polling does
            log.exception("update %s failed", update.update_id)

    # ---------------------------------------------------------------------------------------------- loop

    async def run(self) -> None:
        """Poll until ``stop()``; then finish the updates taken and confirm them."""
        backoff = Backoff(BACKOFF)
        kwargs: dict[str, Any] = {}
        if self.bot.session.timeout:
            kwargs["request_timeout"] = int(self.bot.session.timeout + self.polling_timeout)
        while not self.stopping.is_set():
            if self.unfinished:
                # a poll would come back at once with the unconfirmed updates: poll again when one
                # finishes (the offset moves) or soon (new updates of other people)
                self.progress.clear()
                with suppress(TimeoutError):
                    await asyncio.wait_for(self.progress.wait(), BUSY_POLL_S)
                if len(self.unfinished) >= MAX_TAKEN or self.stopping.is_set():
                    continue
            offset = self.confirm_point()
            request = GetUpdates(
                offset=offset, timeout=self.polling_timeout, allowed_updates=self.allowed_updates
            )
            fetch = asyncio.ensure_future(self.bot(request, **kwargs))
            stop = asyncio.ensure_future(self.stopping.wait())
            await asyncio.wait({fetch, stop}, return_when=asyncio.FIRST_COMPLETED)
            if not fetch.done():
                fetch.cancel()
                with suppress(asyncio.CancelledError, Exception):
                    await fetch
                break
            stop.cancel()
            try:
                updates = fetch.result()
            except Exception as exc:  # Telegram unreachable: keep trying, as aiogram does
                log.error("failed to fetch updates - %s: %s", type(exc).__name__, exc)
                await backoff.asleep()
                continue
            backoff.reset()
            self.confirmed(offset)
            self.take(updates)
        await self.finish()

    async def finish(self) -> None:
        """Let the updates taken finish, then confirm them, so a clean stop leaves nothing to redo."""
        while self.workers:
            await asyncio.gather(*list(self.workers), return_exceptions=True)
        offset = self.confirm_point()
        if offset is not None:
            with suppress(Exception):
                await self.bot(GetUpdates(offset=offset, timeout=0, limit=1))

    def stop(self) -> None:
        self.stopping.set()


async def run_polling(
    dp: Dispatcher, bot: Bot, *, handle_signals: bool = True, sequential: bool = False
) -> None:
    """aiogram's ``start_polling`` for one bot, with ``ConcurrentPolling``: startup, poll until a signal,
    finish what was taken, shutdown."""
    polling = ConcurrentPolling(
        dp, bot, allowed_updates=dp.resolve_used_update_types(), sequential=sequential
    )
    loop = asyncio.get_running_loop()
    if handle_signals:
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, polling.stop)
    await dp.emit_startup(bot=bot, **polling.workflow_data)
    log.info("start polling")
    try:
        await polling.run()
    finally:
        log.info("polling stopped")
        if handle_signals:
            for sig in (signal.SIGINT, signal.SIGTERM):
                loop.remove_signal_handler(sig)
        await dp.emit_shutdown(bot=bot, **polling.workflow_data)
