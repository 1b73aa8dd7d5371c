"""The scheduled CRM sync: every ``CRM_SYNC_MINUTES`` each connected team's CRM is synced (the write-back
outbox drained first, then the changes since the cursors: after downtime that catches up), and once a
night, at the team's local ``CRM_FULL_HOUR``, a full reconcile (every open task read again) that logs what
it fixed. Each sync runs in the background through ``crm.live.CrmLive`` (its own sessions, one at a time
per team), so the scheduler's check takes a moment and never blocks the bot.

Also the ``crm_health`` notice's composer: the head is told the CRM refused the secret or is down, or that
it works again (``crm.live`` decides when, once each); and ``crm_reconcile``'s: what the nightly reconcile
corrected, one line a kind, from the counts ``CrmLive.note_reconcile`` stored.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from aiogram import Dispatcher
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from crm.live import DOWN, REVOKED, CrmLive, live_of
from scheduler.compose import ComposeContext, Outgoing
from scheduler.waking import start_every
from storage.repo import Repo

log = logging.getLogger("scheduler.crm")
CHECK_JOB = "crm-sync-check"
CHECK_SECONDS = 60.0


class CrmJobs:
    def __init__(
        self,
        live: CrmLive,
        pool: async_sessionmaker[AsyncSession],
        clock: Callable[[], datetime],
        *,
        every_minutes: int = 5,
        full_hour: int = 3,
    ) -> None:
        self.live, self.pool, self.clock = live, pool, clock
        self.every = timedelta(minutes=every_minutes)
        self.full_hour = full_hour
        self._tried: dict[int, datetime] = {}  # team → the last sync started here
        self._aps: AsyncIOScheduler | None = None

    async def check(self) -> list[tuple[int, bool]]:
        """Start the syncs that are due: (team, full) for each started."""
        now = self.clock()
        async with self.pool() as session:
            repo = Repo(session)
            due: list[tuple[int, bool]] = []
            for conn in await repo.crm.active_connections():
                team = await repo.teams.get(conn.team_id)
                if team is None or self.live.busy(conn.team_id):
                    continue
                local = now.astimezone(ZoneInfo(team.timezone))
                full = local.hour == self.full_hour and (
                    conn.full_at is None or conn.full_at.astimezone(local.tzinfo).date() < local.date()
                )
                last = max(
                    (at for at in (conn.last_sync_at, self._tried.get(conn.team_id)) if at is not None),
                    default=None,
                )
                if full or last is None or now - last >= self.every:
                    due.append((conn.team_id, full))
        for team_id, full in due:
            self._tried[team_id] = now
            self.live.request(team_id, full=full)
        return due

    async def start(self) -> None:
        self._aps = start_every(CHECK_SECONDS, self._check_logged, CHECK_JOB)
        log.info("CRM sync every %s, full reconcile at %02d:00 local", self.every, self.full_hour)

    async def _check_logged(self) -> None:
        try:
            await self.check()
        except Exception:
            log.exception("CRM sync check failed")

    async def stop(self) -> None:
        if self._aps is not None:
            self._aps.shutdown(wait=False)
            self._aps = None
        await self.live.close()


def install_crm_jobs(dp: Dispatcher) -> None:
    """Start the CRM schedule with the bot (only where ``CRM_SECRET_KEY`` is set), stop it on shutdown."""
    jobs: list[CrmJobs] = []

    async def on_startup(**_: Any) -> None:
        data = dp.workflow_data
        live = live_of(data)
        if live is None:
            return
        settings = data["settings"]
        job = CrmJobs(
            live,
            data["session_pool"],
            live.clock,
            every_minutes=settings.crm_sync_minutes,
            full_hour=settings.crm_full_hour,
        )
        jobs.append(job)
        await job.start()

    async def on_shutdown(**_: Any) -> None:
        while jobs:
            await jobs.pop().stop()

    dp.startup.register(on_startup)
    dp.shutdown.register(on_shutdown)


async def compose_crm_health(ctx: ComposeContext) -> list[Outgoing]:
    conn = await ctx.repo.crm.connection(ctx.team.id)
    if conn is None:
        return []
    crm = "amoCRM" if conn.provider == "amocrm" else "Bitrix24"
    if conn.down_told and conn.down_kind == REVOKED:
        return [Outgoing(ctx.t("crm-live-revoked", crm=crm))]
    if conn.down_told and conn.down_kind == DOWN and conn.down_since is not None:
        minutes = int((ctx.clock() - conn.down_since).total_seconds() // 60)
        return [Outgoing(ctx.t("crm-live-outage", crm=crm, minutes=minutes))]
    if conn.down_kind is None:
        return [Outgoing(ctx.t("crm-live-recovered", crm=crm))]
    return []


#: the lines of the reconcile message, in this order, each only when its count is not 0
RECONCILE_LINES = ("created", "closed", "moved", "reassigned", "edited", "deals", "clients", "stages")


async def compose_crm_reconcile(ctx: ComposeContext) -> list[Outgoing]:
    conn = await ctx.repo.crm.connection(ctx.team.id)
    fixed = (conn.reconcile if conn is not None else None) or {}
    lines = [
        ctx.t(f"crm-reconcile-{key}", count=int(fixed.get(key) or 0))
        for key in RECONCILE_LINES
        if int(fixed.get(key) or 0) > 0
    ]
    if conn is None or not lines:
        return []
    crm = "amoCRM" if conn.provider == "amocrm" else "Bitrix24"
    text = [ctx.t("crm-reconcile-title", crm=crm), *lines]
    if int(fixed.get("waiting") or 0) > 0:
        text.append(
            ctx.t(
                "crm-reconcile-waiting",
                users=int(fixed["waiting"]),
                tasks=int(fixed.get("waiting_tasks") or 0),
            )
        )
    return [Outgoing("\n".join(text))]
