"""The CRM live: each team's sync run in the background (webhooks, the schedule), and the head told of a
refused secret or a long outage, and of the recovery.

* ``CrmLive.request(team_id)`` starts the team's sync as a background task with its own sessions and
  returns at once; a request while that team's sync runs makes it run once more afterwards (so a webhook
  that came in mid-sync is not lost), never two at a time. The sync is ``crm.service.sync_team``, the same
  code as ``crm sync``: the bot's marks to the CRM, then the CRM's changes since the cursors. It is
  idempotent (CRM ids and versions in ``crm_links``), so a webhook delivered three times changes once.
* Health: a refused secret (401) is told to the team's heads at once, an outage once it lasts
  ``OUTAGE`` (30 minutes); each once, and the recovery once after a told failure, through the outbox
  (the ``crm_health`` notice, composed from the connection's state when it is sent).
* The nightly full reconcile (``full=True`` from the schedule) stores what it corrected that polling and
  webhooks had missed (tasks created, closed, moved, reassigned, reworded; deals won, clients linked, stages)
  and, when it corrected anything, tells the heads once (``crm_reconcile``); nothing when nothing was fixed.
* One sync of a team at a time across processes: ``sync_team`` holds the team's lease in the database
  (``crm.service.sync_lease``); a request while another process syncs the team is left to that sync.
* The webhook path secret (``POST /crm/{provider}/{secret}``) is generated at connect, stored as its
  SHA-256 (the lookup) and encrypted (so ``crm status`` can show it); never logged.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable, Coroutine, Mapping, MutableMapping
from contextlib import asynccontextmanager
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from crm.base import CrmProvider
from crm.hooks import ensure_hook, hook_hash, set_application_token
from crm.service import SyncOutcome, sync_team
from crm.sync import SyncReport
from crm.vault import Vault
from domain.errors import UserError
from storage.models import CrmConnection
from storage.repo import Repo

__all__ = ["CrmLive", "TeamTasks", "ensure_hook", "hook_hash", "live_of", "set_application_token"]

log = logging.getLogger("crm.live")

OUTAGE = timedelta(minutes=30)
NOTICE = "crm_health"
RECONCILE = "crm_reconcile"  # the head's message of what the nightly reconcile fixed
REVOKED, DOWN = "revoked", "outage"


class TeamTasks:
    """Background work of this process, one task per team at most (a team's sync); a task leaves when it
    ends, and ``stop`` cancels what is left (the process's shutdown)."""

    def __init__(self) -> None:
        self._tasks: dict[int, asyncio.Task[None]] = {}

    def running(self, team_id: int) -> bool:
        task = self._tasks.get(team_id)
        return task is not None and not task.done()

    def start(self, team_id: int, job: Coroutine[Any, Any, None]) -> None:
        """``job`` as the team's task, started now (the caller checked ``running``)."""

        async def run() -> None:
            try:
                await job
            finally:
                self._tasks.pop(team_id, None)

        self._tasks[team_id] = asyncio.create_task(run(), name=f"crm-sync-{team_id}")

    async def wait(self) -> None:
        """Until every task started so far has ended (tests, shutdown)."""
        while self._tasks:
            await asyncio.gather(*self._tasks.values(), return_exceptions=True)

    async def stop(self) -> None:
        for task in list(self._tasks.values()):
            task.cancel()
        await asyncio.gather(*self._tasks.values(), return_exceptions=True)
        self._tasks.clear()  # one cancelled before it ever ran has not left by itself


class CrmLive:
    def __init__(
        self,
        pool: async_sessionmaker[AsyncSession],
        vault: Vault,
        clock: Callable[[], datetime],
        t: Callable[..., str],
        *,
        provider_of: Callable[[CrmConnection], CrmProvider] | None = None,
    ) -> None:
        self.pool, self.vault, self.clock, self.t = pool, vault, clock, t
        #: tests give a client with quick retries; else the stored connection's client
        self.provider_of = provider_of
        self._running = TeamTasks()
        self._again: dict[int, bool] = {}  # team → a full sync owed
        self.runs = 0

    def request(self, team_id: int, *, full: bool = False) -> None:
        """Sync the team soon, in the background; at most one sync of a team at a time."""
        if self._running.running(team_id):
            self._again[team_id] = self._again.get(team_id, False) or full
            return
        self._running.start(team_id, self._loop(team_id, full))

    def busy(self, team_id: int) -> bool:
        return self._running.running(team_id)

    async def idle(self) -> None:
        """Wait until no sync runs (tests, shutdown)."""
        await self._running.wait()

    async def close(self) -> None:
        await self._running.stop()

    async def _loop(self, team_id: int, full: bool) -> None:
        while True:
            try:
                await self.run_once(team_id, full=full)
            except Exception:
                log.exception("CRM sync of team %s failed", team_id)
            if team_id not in self._again:
                return
            full = self._again.pop(team_id)

    async def run_once(self, team_id: int, *, full: bool = False) -> SyncOutcome | None:
        """One sync of the team now, then its health noted; None when the CRM refused or was down."""
        self.runs += 1
        provider = None
        if self.provider_of is not None:
            async with self.pool() as session:
                conn = await Repo(session).crm.connection(team_id)
            if conn is None:
                return None
            provider = self.provider_of(conn)
        try:
            outcome = await sync_team(self.pool, self.vault, team_id, self.clock, self.t, provider, full=full)
        except UserError as refusal:
            if refusal.code == "crm-sync-busy":
                # another process (or the head's button) holds the team's lease: its sync covers this one
                log.info("CRM sync of team %s: already running elsewhere", team_id)
                return None
            if refusal.code == "crm-bad-secret":
                await self.note_health(team_id, REVOKED)
            elif refusal.code == "crm-unreachable":
                await self.note_health(team_id, DOWN)
            log.warning("CRM sync of team %s: %s", team_id, refusal.code)
            return None
        finally:
            if provider is not None:
                await provider.close()
        if full:
            await self.note_reconcile(team_id, outcome.report)
        report = outcome.report
        log.info(
            "CRM sync of team %s%s: %s tasks new, %s updated, %s completed; %s clients new, %s deals won",
            team_id,
            " (full)" if full else "",
            report.tasks_created,
            report.tasks_updated,
            report.tasks_completed,
            report.clients_created,
            report.deals_won,
        )
        await self.note_health(team_id, None)
        return outcome

    @asynccontextmanager
    async def _connection(self, team_id: int) -> AsyncIterator[tuple[Repo, CrmConnection | None]]:
        """The team's connection in a transaction of its own (committed when the block ends)."""
        async with self.pool() as session, session.begin():
            repo = Repo(session)
            yield repo, await repo.crm.connection(team_id)

    async def note_reconcile(self, team_id: int, report: SyncReport) -> None:
        """The nightly full reconcile is done: store what it corrected and, when it corrected anything,
        queue the head's ``crm_reconcile`` message (composed from what is stored here)."""
        now = self.clock()
        async with self._connection(team_id) as (repo, conn):
            if conn is None:
                return
            waiting = {u.name for u in await repo.crm.waiting_users(team_id, conn.provider)}
            fixed = reconcile_counts(report)
            still = {name: n for name, n in report.unmatched.items() if name in waiting and n}
            conn.full_at = now
            conn.reconcile = {
                **fixed,
                "waiting": len(still),
                "waiting_tasks": sum(still.values()),
                "at": now.isoformat(),
            }
            if any(fixed.values()):
                await repo.crm.tell_heads(team_id, RECONCILE, now)
        log.info("CRM nightly reconcile of team %s fixed %s", team_id, fixed)

    async def note_health(self, team_id: int, failure: str | None) -> None:
        """Record a sync's outcome; tell the heads once of a refused secret at once or of an outage past
        ``OUTAGE``, and once of the recovery after a told failure."""
        now = self.clock()
        async with self._connection(team_id) as (repo, conn):
            if conn is None:
                return
            if failure is None:
                told = conn.down_told
                conn.down_since, conn.down_kind, conn.down_told = None, None, False
                if told:
                    await repo.crm.tell_heads(team_id, NOTICE, now)
                return
            if conn.down_kind != failure or conn.down_since is None:
                conn.down_since, conn.down_kind = now, failure
                if conn.down_told:  # another failure than the one told: told anew
                    conn.down_told = False
            if not conn.down_told and (failure == REVOKED or now - conn.down_since >= OUTAGE):
                conn.down_told = True
                await repo.crm.tell_heads(team_id, NOTICE, now)


def reconcile_counts(report: SyncReport) -> dict[str, int]:
    """What a full reconcile corrected that polling and webhooks had missed, by kind (all 0: nothing)."""
    return {
        "created": report.tasks_created,
        "closed": report.tasks_completed,
        "moved": report.tasks_moved,
        "reassigned": report.tasks_reassigned,
        "edited": report.tasks_edited,
        "deals": report.deals_won,
        "clients": report.clients_created,
        "stages": report.stages_changed,
    }


def live_of(data: Mapping[str, Any]) -> CrmLive | None:
    """The process's one ``CrmLive`` (in the dispatcher's data), made on first use; None without a key."""
    live: CrmLive | None = data.get("crm_live")
    if live is not None:
        return live
    settings = data.get("settings")
    key = getattr(settings, "crm_secret_key", None)
    vault = Vault(key.get_secret_value() if key else None)
    if not vault.ready or data.get("session_pool") is None:
        return None
    translator = data.get("translator")
    t = translator.get(None, html=False) if translator is not None else (lambda key, **_: key)
    live = CrmLive(data["session_pool"], vault, data.get("clock") or _utcnow, t)
    if isinstance(data, MutableMapping):  # the dispatcher's data: one per process
        data["crm_live"] = live
    return live


def _utcnow() -> datetime:
    from datetime import UTC

    return datetime.now(UTC)
