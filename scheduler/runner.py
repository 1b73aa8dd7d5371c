"""The scheduler: APScheduler only wakes the bot; what is due is decided from the database at each wake.

* A tick runs every ``scheduler_tick_seconds`` and at the next instant something falls due (the earliest
  send time of any team or member zone, or the earliest retry). Each tick enqueues, for every team, the
  (member, kind, local date) sends that are due and current now (``domain.due``: member zone overrides,
  working days, holidays and moved working days, vacations), then drains the outbox.
* Nothing about the schedule is kept in APScheduler (a memory job store, two jobs with fixed ids and
  ``replace_existing``): a changed time, zone or calendar counts at the next tick, and a restart loses
  nothing. A send missed while the bot was down is enqueued at the first tick after it is back, while
  its local day is current; an evening prompt is not sent the next morning.
* Ticks never overlap: a wake-up during a tick makes that tick run once more when it ends.
* At start-up, rows left ``sending`` by a killed process are made due again (``recover_interrupted``).
  One polling process per database is assumed (Telegram allows one ``getUpdates`` consumer anyway).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from aiogram import Bot, Dispatcher
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.clock import Clock
from bot.i18n import Translator
from domain.due import DueSend, KindRule, Recipient, due_sends, sends_on, wakeup_pairs
from domain.schedule import next_wakeup
from scheduler.crm_jobs import install_crm_jobs
from scheduler.delivery import Deliverer, DeliveryOptions, DrainStats
from scheduler.kinds import kind_names
from scheduler.limiter import SendLimiter
from scheduler.plan import all_recipients, scheduled_rules, team_plan, team_recipients
from scheduler.waking import start_every
from storage.models import Team
from storage.outbox_repo import ANY, Filter, OutboxRepo
from storage.repo import TeamRepo

log = logging.getLogger(__name__)

TICK_JOB = "outbox-tick"
WAKE_JOB = "outbox-wakeup"
STOP_GRACE = 15.0  # seconds the sends in flight get to finish at shutdown


def limiter_from_settings(settings: Any) -> SendLimiter:
    """The in-process limiter; with ``REDIS_URL``, one shared by every process of the bot through Redis."""
    knobs: dict[str, Any] = {
        "chat_rate": settings.send_chat_rate,
        "chat_burst": settings.send_chat_burst,
        "paid_rate": settings.send_paid_rate,
    }
    if settings.redis_url:
        from scheduler.shared_limiter import RedisSendLimiter

        return RedisSendLimiter.from_url(
            settings.redis_url, settings.bot_id or 0, settings.send_rate, **knobs
        )
    return SendLimiter(settings.send_rate, **knobs)


@dataclass
class TickResult:
    enqueued: int = 0
    stats: DrainStats = field(default_factory=DrainStats)


class Runner:
    """Decides what is due and wakes the ``deliverer`` to send it (the deliverer's pool and clock are its)."""

    def __init__(
        self, deliverer: Deliverer, *, tick_seconds: float = 30.0, kinds: Sequence[str] | None = None
    ) -> None:
        self.deliverer = deliverer
        self.pool, self.clock = deliverer.pool, deliverer.clock
        self.kinds = frozenset(kinds) if kinds is not None else None  # None: every registered kind
        self.tick_seconds = tick_seconds
        self._aps: AsyncIOScheduler | None = None
        self._task: asyncio.Task[None] | None = None
        self._again = False
        self._stopping = False
        self.ticks = 0
        self.started_at: datetime | None = None
        self.last_tick_at: datetime | None = None  # real time, for /healthz

    @property
    def running(self) -> bool:
        return self._aps is not None and not self._stopping

    @property
    def heartbeat(self) -> datetime | None:
        """The last sign of life (real UTC time): a tick's start or end, or a send during a long drain."""
        beats = [b for b in (self.started_at, self.last_tick_at, self.deliverer.last_progress) if b]
        return max(beats) if beats else None

    @classmethod
    def from_settings(
        cls,
        bot: Bot,
        session_pool: async_sessionmaker[AsyncSession],
        settings: Any,
        *,
        translator: Translator,
        clock: Clock,
    ) -> Runner:
        deliverer = Deliverer(
            bot,
            session_pool,
            translator=translator,
            clock=clock,
            limiter=limiter_from_settings(settings),
            options=DeliveryOptions.from_settings(settings),
        )
        return cls(deliverer, tick_seconds=settings.scheduler_tick_seconds)

    # ------------------------------------------------------------------ deciding

    async def enqueue_due(self, now: datetime | None = None, *, team_id: int | None = None) -> int:
        """Enqueue every send due and current now, for every team (or one); the number of new rows.

        One transaction reads every team, member and vacation at once and inserts what is new."""
        now = now or self.clock()
        rules = scheduled_rules(self.kinds)
        if not rules:
            return 0
        async with self.pool() as session, session.begin():
            teams = await TeamRepo(session).listed(team_id)
            recipients = await all_recipients(session, [t.id for t in teams])
            due = [
                send
                for team in teams
                for send in due_sends(now, team_plan(team), recipients.get(team.id, []), rules)
            ]
            return len(await _enqueue_fresh(OutboxRepo(session), due))

    async def next_wakeup(self, now: datetime | None = None) -> datetime | None:
        """The next instant something falls due: a team time in some member's zone, or a retry."""
        now = now or self.clock()
        rules = scheduled_rules(self.kinds)
        pairs = set()
        async with self.pool() as session:
            if rules:
                for team, zones in await TeamRepo(session).reachable_zones():
                    who = [Recipient(0, "", tz) for tz in zones]
                    pairs |= wakeup_pairs(team_plan(team), who, rules)
            retry = await OutboxRepo(session).earliest_retry(now)
        candidates = [retry] if retry is not None else []
        if pairs:
            candidates.append(next_wakeup(now, pairs))
        return min(candidates) if candidates else None

    async def tick(self) -> TickResult:
        """Enqueue what is due now, then deliver everything deliverable."""
        self.ticks += 1
        self.last_tick_at = datetime.now(UTC)
        enqueued = await self.enqueue_due()
        stats = await self.deliverer.drain()
        self.last_tick_at = datetime.now(UTC)
        if enqueued or stats.handled:
            log.info(
                "tick: %d enqueued; %d sent, %d retried, %d unknown, %d failed, %d unreachable, %d skipped",
                enqueued,
                stats.sent,
                stats.retried,
                stats.unknown,
                stats.failed,
                stats.unreachable,
                stats.skipped,
            )
        return TickResult(enqueued, stats)

    # ------------------------------------------------------------------ waking up

    async def start(self, *, recover: bool = True) -> None:
        """Recover interrupted sends, then tick now, every ``tick_seconds`` and at each due instant.

        ``recover=False`` where other senders share the database (several webhook processes): their rows
        in flight are then taken over only once their claim is older than the lease."""
        self.started_at = datetime.now(UTC)
        if recover:
            await self.recover()
        self._aps = start_every(self.tick_seconds, self._wake, TICK_JOB)
        log.info(
            "scheduler started: a tick every %s s; kinds: %s", self.tick_seconds, ", ".join(kind_names())
        )

    async def recover(self) -> int:
        """Rows left ``sending`` by a killed process: due again now (``OutboxRepo.recover_interrupted``)."""
        async with self.pool() as session, session.begin():
            recovered = await OutboxRepo(session).recover_interrupted(self.clock())
        if recovered:
            log.warning("%d sends were in flight when the bot stopped; they are sent again", recovered)
        return recovered

    async def _wake(self) -> None:
        self.poke()

    def poke(self) -> None:
        """Run a tick now, or once more after the running one."""
        if self._stopping:
            return
        if self._task is not None and not self._task.done():
            self._again = True
            return
        self._task = asyncio.create_task(self._loop(), name="scheduler-tick")

    async def _loop(self) -> None:
        while True:
            self._again = False
            try:
                await self.tick()
                await self._plan_wakeup()
            except Exception:
                log.exception("scheduler tick failed; the next one retries")
            if not self._again or self._stopping:
                return

    async def _plan_wakeup(self) -> None:
        if self._aps is None or self._stopping:
            return
        wake = await self.next_wakeup()
        if wake is None:
            return
        delay = max(0.0, (wake - self.clock()).total_seconds())
        if delay >= self.tick_seconds:
            return  # the interval tick comes first
        self._aps.add_job(
            self._wake,
            "date",
            run_date=datetime.now(UTC) + timedelta(seconds=delay + 0.01),
            id=WAKE_JOB,
            replace_existing=True,
            misfire_grace_time=None,
        )

    async def stop(self) -> None:
        """Claim nothing more, let the sends in flight finish (a few seconds at most), stop waking."""
        self._stopping = True
        self.deliverer.stop()
        if self._aps is not None:
            self._aps.shutdown(wait=False)
            self._aps = None
        task = self._task
        if task is not None and not task.done():
            try:
                await asyncio.wait_for(asyncio.shield(task), STOP_GRACE)
            except TimeoutError:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
        await self.close()

    async def close(self) -> None:
        """Release what the runner holds besides its scheduler: the shared limiter's Redis client."""
        close = getattr(self.deliverer.limiter, "aclose", None)
        if close is not None:
            await close()


async def _enqueue_fresh(outbox: OutboxRepo, due: Sequence[DueSend]) -> list[int]:
    if not due:
        return []
    existing = await outbox.existing([(d.member_id, d.kind, d.local_date) for d in due])
    return await outbox.enqueue([d for d in due if (d.member_id, d.kind, d.local_date) not in existing])


class SchedulerHandle:
    """What handlers receive as ``scheduler`` (``poke()`` makes a changed setting count at once) and what
    ``/healthz`` reads (``heartbeat``, ``running``)."""

    def __init__(self) -> None:
        self.runner: Runner | None = None

    @property
    def heartbeat(self) -> datetime | None:
        return self.runner.heartbeat if self.runner is not None else None

    @property
    def running(self) -> bool | None:
        return self.runner.running if self.runner is not None else None

    def poke(self) -> None:
        if self.runner is not None:
            self.runner.poke()


def install_scheduler(dp: Dispatcher, *, recover: bool = True) -> SchedulerHandle:
    """Start the scheduler with the bot (dispatcher start-up) and stop it with the bot (shutdown).
    ``recover``: see ``Runner.start`` (False when several processes send from one database)."""
    handle = SchedulerHandle()
    dp["scheduler"] = handle

    async def on_startup(bot: Bot, **_: Any) -> None:
        data = dp.workflow_data
        runner = Runner.from_settings(
            bot, data["session_pool"], data["settings"], translator=data["translator"], clock=data["clock"]
        )
        handle.runner = runner
        await runner.start(recover=recover)

    async def on_shutdown(**_: Any) -> None:
        runner, handle.runner = handle.runner, None
        if runner is not None:
            await runner.stop()

    dp.startup.register(on_startup)
    dp.shutdown.register(on_shutdown)
    install_crm_jobs(dp)
    return handle


async def enqueue_for_date(
    session: AsyncSession, team: Team, kind: KindRule, d: date | None, now: datetime
) -> tuple[date, list[DueSend], list[int]]:
    """An operator's run of ``kind`` for ``team`` on local date ``d`` (default: the team's today):
    the sends it means (calendar honoured, time of day ignored) and the rows newly enqueued."""
    plan = team_plan(team)
    if d is None:
        from domain.due import zone

        d = now.astimezone(zone(team.timezone)).date()
    members = await team_recipients(session, team.id)
    sends = sends_on(d, plan, [r for _, r in members], kind)
    return d, sends, await _enqueue_fresh(OutboxRepo(session), sends)


__all__ = [
    "ANY",
    "Filter",
    "Runner",
    "SchedulerHandle",
    "TickResult",
    "enqueue_for_date",
    "install_scheduler",
]
