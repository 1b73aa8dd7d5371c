"""Heavy work as jobs, off the event loop: the Excel export, the owner's report and its workbook, the board
picture, reading and writing an import.

Why: the event loop handles everybody's updates. A five-second workbook built on it stalls every other
person for five seconds (30 ``/export`` in a row made a manager's ``/help`` wait 153 s). So a handler
only checks the request (role, team, period), says "Готовлю файл…" at once and hands the work to
``start_job``; the update's transaction commits and the next update goes on. The job runs in a bounded
pool of ``workers`` **processes** (production) or threads (the in-process bot of the tests and the demo),
each with its own event loop, engine and session (never the update's session or transaction), so both
its database reads and its CPU work (openpyxl, matplotlib, CSV parsing) are off the bot's loop. What it
returns is delivered back on the bot's loop (sending needs the bot's HTTP session).

Processes, not threads, because measured (``bench/fairness.py``): openpyxl and matplotlib are pure
Python under the GIL, and a thread building a workbook made the loop wait for the GIL at each of its
many small I/O steps (aiosqlite answers from its own thread), so a light command took seconds. So a job
is a picklable callable (a module-level function with ``functools.partial`` of plain arguments: ids,
dates, a locale), called with the job's session; its result is pickled back. A ``UserError`` it raises
comes back as the same ``UserError``.

One job per person and kind: pressing ``/export`` again while one is prepared gets "уже готовлю" and no
second job. The pool is bounded, so a flood of heavy commands from many people queues in the pool
instead of multiplying workers.

A crash mid-job: the update that asked for it has committed (its "Готовлю файл…" was sent), so
Telegram does not redeliver it, and the job is gone with the process. Nothing is half-written: an
import's rows are staged where nobody sees them and published in one transaction, after the job's
reading, committed or not at all (a repeated import adds nothing twice, so sending the file again is
safe). The person never gets the file and asks
again; no job row survives the process.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import os
import threading
from collections.abc import Awaitable, Callable
from concurrent.futures import Executor, ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass
from functools import cache
from typing import Any, TypeVar

from aiogram import Bot
from aiogram.types import BufferedInputFile, InlineKeyboardMarkup
from sqlalchemy.ext.asyncio import AsyncSession

from bot.i18n import Texts, default_translator
from domain.errors import NotFound, UserError
from storage.db import create_engine, create_session_pool, is_sqlite
from storage.models import Team
from storage.repo import Repo

log = logging.getLogger(__name__)

T = TypeVar("T")
JobKey = tuple[int, str]  # (the person's chat, the kind of work)
Work = Callable[[AsyncSession], Awaitable[T]]
Deliver = Callable[[T], Awaitable[None]]  # sends what the work returned
Fail = Callable[[BaseException], Awaitable[None]]  # tells the person what the work raised

DEFAULT_WORKERS = 2

#: What a picture job returns: the picture (``None`` when it cannot be drawn), its caption, the text in parts.
Picture = tuple[bytes | None, str, list[str]]


@dataclass(frozen=True)
class _Refused:
    """A ``UserError`` on its way back from a worker process (its keyword arguments do not pickle)."""

    code: str
    args: dict[str, Any]


_local = threading.local()


def _in_worker(database_url: str, work: Work[T], writes: bool) -> T | _Refused:
    """In a worker (process or thread): its own loop, kept for the worker's life, runs the work."""
    loop: asyncio.AbstractEventLoop | None = getattr(_local, "loop", None)
    if loop is None:
        loop = _local.loop = asyncio.new_event_loop()
    try:
        return loop.run_until_complete(_in_session(database_url, work, writes))
    except UserError as exc:
        return _Refused(exc.code, exc.args_)


async def _in_session(database_url: str, work: Work[T], writes: bool) -> T:
    # an engine per job: asyncpg's connections belong to the loop that opened them, and a job's few
    # milliseconds of connecting are nothing beside the seconds of work
    engine = create_engine(database_url, read_only=not writes)
    try:
        async with create_session_pool(engine)() as session, session.begin():
            return await work(session)
    finally:
        await engine.dispose()


async def job_team(session: AsyncSession, team_id: int) -> Team:
    """The team, read again inside the job's own session."""
    team = await Repo(session).teams.get(team_id)
    if team is None:
        raise NotFound("team")
    return team


@cache
def job_texts(locale: str, html: bool = True) -> Texts:
    """The texts of ``locale`` inside a job (a worker process has its own translator)."""
    return default_translator().get(locale, html=html)


WORKER_NICE = 10
"""How much lower a worker process's CPU priority is than the bot's (``os.nice``): on a busy machine the
loop that answers everybody gets the CPU first, the files come a little later (``bench/fairness.py``)."""


def _warm() -> None:
    """A new worker process imports what jobs need now, not in the first person's job, and yields the CPU
    to the bot's loop. A lower priority is safe since no job writes (an import's write is on the bot's
    side, ``importer.service.apply_staged``): a starved job holds no lock anybody waits for (a WAL
    reader stops no writer)."""
    os.nice(WORKER_NICE)
    import handlers.importing
    import handlers.sales  # noqa: F401


def _noop() -> None:
    return None


class HeavyJobs:
    """The bounded pool of workers and the jobs in flight, one per (chat, kind)."""

    def __init__(self, database_url: str, workers: int = DEFAULT_WORKERS, *, processes: bool = False) -> None:
        self.database_url = database_url
        self.workers = workers
        self.processes = processes
        self._executor: Executor | None = None
        self._running: dict[JobKey, asyncio.Task[None]] = {}
        # SQLite admits one writer: the updates of this process and the writes of its jobs take turns
        # here, first come first served (bot/middlewares/db.py). Jobs write on the bot's side for that
        # reason (the import's load): a worker process retrying for the lock lost to a stream of updates.
        self.turns: asyncio.Lock | None = asyncio.Lock() if is_sqlite(database_url) else None
        # True: the old way, for bench/fairness.py's "before": the work runs on the bot's loop and the
        # update that asked waits for it
        self.inline = False

    def _pool(self) -> Executor:
        if self._executor is None:
            if self.processes:
                # spawned, not forked: a fork would copy the bot's loop, threads and open connections
                self._executor = ProcessPoolExecutor(
                    self.workers, mp_context=multiprocessing.get_context("spawn"), initializer=_warm
                )
            else:
                self._executor = ThreadPoolExecutor(self.workers, thread_name_prefix="heavy")
        return self._executor

    async def start(self) -> None:
        """Start the worker processes now, so the next job does not wait for a process to spawn and
        import. The bot does not call it at start-up: the workers (about 200 MB each) are spawned by the
        first heavy job, which says "Готовлю…" at once anyway, so a bot nobody asks for a file stays small
        (``bench/memory.py``)."""
        if self.processes:
            pool = self._pool()
            loop = asyncio.get_running_loop()
            await asyncio.gather(*(loop.run_in_executor(pool, _noop) for _ in range(self.workers)))

    def busy(self, key: JobKey) -> bool:
        return key in self._running

    async def submit(
        self,
        key: JobKey,
        work: Work[T],
        deliver: Deliver[T],
        fail: Fail,
        *,
        writes: bool = False,
    ) -> bool:
        """Start ``work`` (it gets its own session and transaction, in a worker); on the bot's loop
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

    async def _run(self, key: JobKey, work: Work[T], deliver: Deliver[T], fail: Fail, writes: bool) -> None:
        try:
            try:
                if self.inline:
                    result: T | _Refused = await _in_session(self.database_url, work, writes)
                else:
                    loop = asyncio.get_running_loop()
                    result = await loop.run_in_executor(
                        self._pool(), _in_worker, self.database_url, work, writes
                    )
                if isinstance(result, _Refused):
                    raise UserError(result.code, **result.args)
            except Exception as exc:  # told to the person by ``fail``; a bug is logged there
                await fail(exc)
                return
            await deliver(result)
        except Exception:
            log.exception("heavy job %s could not deliver", key)
        finally:
            del self._running[key]

    async def wait_idle(self) -> None:
        """Until no job runs (tests, and the stop of the process)."""
        while self._running:
            await asyncio.gather(*list(self._running.values()), return_exceptions=True)

    async def close(self) -> None:
        await self.wait_idle()
        if self._executor is not None:
            executor, self._executor = self._executor, None
            await asyncio.get_running_loop().run_in_executor(None, executor.shutdown)


async def start_job(
    heavy: HeavyJobs,
    bot: Bot,
    chat_id: int,
    kind: str,
    t: Texts,
    work: Work[T],
    deliver: Deliver[T],
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


async def start_picture_job(
    heavy: HeavyJobs,
    bot: Bot,
    chat_id: int,
    kind: str,
    t: Texts,
    work: Work[Picture],
    filename: str,
    *,
    last_markup: InlineKeyboardMarkup | None = None,
) -> bool:
    """``start_job`` for a board picture and its text: "Готовлю картинку…" now; then the picture with its
    caption (a picture that cannot be drawn leaves the text to say it all) and the text's parts, the last
    one with ``last_markup``."""

    async def deliver(done: Picture) -> None:
        png, title, parts = done
        if png is not None:
            await bot.send_photo(chat_id, BufferedInputFile(png, filename), caption=title)
        for i, part in enumerate(parts):
            await bot.send_message(chat_id, part, reply_markup=last_markup if i == len(parts) - 1 else None)

    return await start_job(heavy, bot, chat_id, kind, t, work, deliver, preparing="heavy-preparing-picture")
