"""Heavy work as jobs, off the event loop: the Excel export, the owner's report and its workbook, the board
picture, reading and writing an import.

Why: the event loop handles everybody's updates. A five-second workbook built on it stalls every other
person for five seconds (30 ``/export`` in a row made a manager's ``/help`` wait 153 s). So a handler
only checks the request (role, team, period), says "Готовлю файл…" at once and hands the work to
``HeavyJobs.submit``; the update's transaction commits and the next update goes on. The job runs in one of
``workers`` threads, each with **its own event loop, engine and session** (never the update's session or
transaction), so both its database reads and its CPU work (openpyxl, matplotlib, CSV parsing) are off
the bot's loop. What it returns is delivered back on the bot's loop (sending needs the bot's HTTP
session). Threads rather than processes: measured by ``bench/fairness.py``, light commands stay far under
a second with two worker threads on two cores (CPython switches the GIL every 5 ms, so the loop keeps
getting its turns), and a thread needs no pickling of teams or texts.

One job per person and kind: pressing ``/export`` again while one is prepared gets "уже готовлю" and no
second job (``submit`` returns ``False``). The pool is bounded, so a flood of heavy commands from many
people queues in the pool instead of multiplying threads.

A crash mid-job: the update that asked for it has committed (its "Готовлю файл…" was sent), so
Telegram does not redeliver it, and the job is gone with the process. Nothing is half-written: an
import's writes are one transaction in the job, committed or not at all (a repeated import adds nothing
twice, so sending the file again is safe). The person never gets the file and asks again; no job row
survives the process (see the README's "What a crash loses").
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

from aiogram import Bot
from sqlalchemy.ext.asyncio import AsyncSession

from bot.i18n import Texts
from domain.errors import UserError
from storage.db import create_engine, create_session_pool

log = logging.getLogger(__name__)

T = TypeVar("T")
JobKey = tuple[int, str]  # (the person's chat, the kind of work)
Work = Callable[[AsyncSession], Awaitable[T]]

DEFAULT_WORKERS = 2


class HeavyJobs:
    """The bounded pool of worker threads and the jobs in flight, one per (chat, kind)."""

    def __init__(self, database_url: str, workers: int = DEFAULT_WORKERS) -> None:
        self.database_url = database_url
        self.workers = workers
        self._executor = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="heavy")
        self._running: dict[JobKey, asyncio.Task[None]] = {}
        self._local = threading.local()
        # True: the old way, for bench/fairness.py's "before": the work runs on the bot's loop and the
        # update that asked waits for it
        self.inline = False

    def busy(self, key: JobKey) -> bool:
        return key in self._running

    async def submit(
        self,
        key: JobKey,
        work: Work[T],
        deliver: Callable[[T], Awaitable[None]],
        fail: Callable[[BaseException], Awaitable[None]],
        *,
        writes: bool = False,
    ) -> bool:
        """Start ``work`` (it gets its own session and transaction, in a worker thread); on the bot's loop
        then ``deliver`` its result, or ``fail`` with what it raised. ``False``: this person's job of
        this kind is still running, nothing started. A job that only reads (``writes=False``) holds no
        write lock on SQLite: a WAL reader neither waits for writers nor stops them, so the updates of
        everybody else go on while it reads and builds."""
        if key in self._running:
            return False
        task = asyncio.get_running_loop().create_task(self._run(key, work, deliver, fail, writes))
        self._running[key] = task
        if self.inline:  # the old way: the update waits for its heavy work
            await task
        return True

    async def _run(
        self,
        key: JobKey,
        work: Work[T],
        deliver: Callable[[T], Awaitable[None]],
        fail: Callable[[BaseException], Awaitable[None]],
        writes: bool,
    ) -> None:
        try:
            try:
                if self.inline:
                    result = await self._in_session(work, writes)
                else:
                    loop = asyncio.get_running_loop()
                    result = await loop.run_in_executor(self._executor, self._in_worker, work, writes)
            except Exception as exc:  # told to the person by ``fail``; a bug is logged there
                await fail(exc)
                return
            await deliver(result)
        except Exception:
            log.exception("heavy job %s could not deliver", key)
        finally:
            del self._running[key]

    def _in_worker(self, work: Work[T], writes: bool) -> T:
        """In a worker thread: its own loop (kept for the thread's life) runs the work."""
        loop: asyncio.AbstractEventLoop | None = getattr(self._local, "loop", None)
        if loop is None:
            loop = self._local.loop = asyncio.new_event_loop()
        return loop.run_until_complete(self._in_session(work, writes))

    async def _in_session(self, work: Work[T], writes: bool) -> T:
        # an engine per job: asyncpg's connections belong to the loop that opened them, and a job's
        # few milliseconds of connecting are nothing beside the seconds of work
        engine = create_engine(self.database_url, read_only=not writes)
        try:
            async with create_session_pool(engine)() as session, session.begin():
                return await work(session)
        finally:
            await engine.dispose()

    async def wait_idle(self) -> None:
        """Until no job runs (tests, and the stop of the process)."""
        while self._running:
            await asyncio.gather(*list(self._running.values()), return_exceptions=True)

    async def close(self) -> None:
        await self.wait_idle()
        await asyncio.get_running_loop().run_in_executor(None, self._shutdown)

    def _shutdown(self) -> None:
        self._executor.shutdown(wait=True)


async def start_job(
    heavy: HeavyJobs,
    bot: Bot,
    chat_id: int,
    kind: str,
    t: Texts,
    work: Work[T],
    deliver: Callable[[T], Awaitable[None]],
    *,
    writes: bool = False,
    preparing: str = "heavy-preparing",
) -> bool:
    """What a handler of heavy work calls once the request is checked: "Готовлю файл…" now and the work as
    a job, or "уже готовлю" when this person's job of this kind still runs. A ``UserError`` the job
    raises reaches the person as the same polite message a handler's would; anything else is logged
    and the person gets the apology."""
    key = (chat_id, kind)
    if heavy.busy(key):
        await bot.send_message(chat_id, t("heavy-busy"))
        return False

    async def fail(exc: BaseException) -> None:
        if isinstance(exc, UserError):
            text = t(exc.key, **exc.args_)
        else:
            log.error("heavy job %s failed", key, exc_info=exc)
            text = t("error-unexpected")
        await bot.send_message(chat_id, text)

    await bot.send_message(chat_id, t(preparing))
    return await heavy.submit(key, work, deliver, fail, writes=writes)
