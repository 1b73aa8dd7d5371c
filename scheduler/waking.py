"""APScheduler only wakes us (the schedule itself lives in our tables): one job, run now and then every so
many seconds; late runs coalesce into one, never two at once, never dropped for lateness."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

from apscheduler.schedulers.asyncio import AsyncIOScheduler


def start_every(seconds: float, job: Callable[[], Awaitable[None]], job_id: str) -> AsyncIOScheduler:
    """A started scheduler running ``job`` now and every ``seconds``; more jobs may be added to it."""
    aps = AsyncIOScheduler(timezone=UTC)
    aps.add_job(
        job,
        "interval",
        seconds=seconds,
        id=job_id,
        replace_existing=True,
        next_run_time=datetime.now(UTC),
        coalesce=True,
        max_instances=1,
        misfire_grace_time=None,
    )
    aps.start()
    return aps
