"""``python -m bot job``: run a scheduled job now, for operations and tests."""

from __future__ import annotations

import sys

from bot.config import Settings
from bot.i18n import Texts
from scheduler.jobs import JOBS


async def run_job_command(
    settings: Settings, t: Texts, name: str | None, team: str | None, date: str | None
) -> int:
    from scheduler.ops import register_jobs

    register_jobs()  # a job per registered kind (morning, evening, ...) and "tick"
    if not name:
        print(t("cli-jobs", jobs=", ".join(sorted(JOBS)) or "—"))
        return 0
    job = JOBS.get(name)
    if job is None:
        print(t("cli-job-unknown", name=name, jobs=", ".join(sorted(JOBS)) or "—"), file=sys.stderr)
        return 2
    return await job(settings, team=team, date=date)
