"""Heavy jobs (``bot/heavy.py``) in worker processes, as production runs them: the work gets its own
session in another process, a ``UserError`` comes back whole, one job per person and kind."""

from __future__ import annotations

import asyncio
import os
from functools import partial

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from bot.heavy import WORKER_NICE, HeavyJobs
from domain.errors import UserError


async def where_and_what(session: AsyncSession) -> tuple[int, int]:
    return os.getpid(), int(await session.scalar(text("SELECT 41 + 1")) or 0)


async def refuse(session: AsyncSession) -> None:
    raise UserError("import-too-big", mb=20)


async def slow(seconds: float, session: AsyncSession) -> str:
    await asyncio.sleep(seconds)
    return "done"


async def test_jobs_run_in_worker_processes_and_errors_come_back_whole(sqlite_url: str) -> None:
    heavy = HeavyJobs(sqlite_url, processes=True)
    results: list[object] = []
    failures: list[BaseException] = []

    async def deliver(result: object) -> None:
        results.append(result)

    async def fail(exc: BaseException) -> None:
        failures.append(exc)

    try:
        await heavy.start()
        assert await heavy.submit((1, "a"), where_and_what, deliver, fail)
        assert await heavy.submit((1, "b"), refuse, deliver, fail)
        await heavy.wait_idle()
        [(pid, answer)] = results
        assert pid != os.getpid() and answer == 42
        [error] = failures
        assert isinstance(error, UserError) and error.code == "import-too-big" and error.args_ == {"mb": 20}

        assert await heavy.submit((2, "export"), partial(slow, 0.5), deliver, fail)
        assert heavy.busy((2, "export"))
        assert not await heavy.submit((2, "export"), partial(slow, 0.0), deliver, fail)  # "уже готовлю"
        await heavy.wait_idle()
        assert results[1:] == ["done"] and not heavy.busy((2, "export"))
    finally:
        await heavy.close()


async def niceness(session: AsyncSession) -> int:
    return os.nice(0)


async def test_worker_processes_yield_the_cpu_to_the_bots_loop(sqlite_url: str) -> None:
    """On a busy machine the loop answering everybody gets the CPU before a workbook being built."""
    heavy = HeavyJobs(sqlite_url, processes=True)
    results: list[int] = []

    async def deliver(result: int) -> None:
        results.append(result)

    async def fail(exc: BaseException) -> None:
        raise AssertionError(exc)

    try:
        assert await heavy.submit((1, "nice"), niceness, deliver, fail)
        await heavy.wait_idle()
    finally:
        await heavy.close()
    assert results == [min(19, os.nice(0) + WORKER_NICE)]
