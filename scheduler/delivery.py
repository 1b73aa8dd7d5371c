"""The sender: takes due outbox rows, composes each right before sending, sends it, records the outcome.

Rules (the row states are in ``storage.outbox_repo``):

* At most ``concurrency`` sends are in flight, and at most twice that many rows ``sending`` (claimed a
  batch ahead; a claim ends once its outcome is committed): the rows a crash leaves ``sending`` bound the
  duplicates it can cause (only those whose send was in flight may have arrived). A batch is claimed and
  composed in one transaction, and outcomes that finish together are committed together: far fewer
  transactions per message (SQLite has one writer at a time).
* Before composing, a row whose member left, is unreachable, or whose send is no longer current (its
  local day or deadline passed, or it became a day off or a vacation day) is ``skipped``; an operator's
  run (``enforce_window=False``) skips only for the member.
* Composing runs in its own short transaction, committed before the send: SQLite's write lock must not be
  held across the network. An empty composition skips the row. Texts over 4,096 characters are split in
  order (``domain.text.split_message``); the keyboard goes with the last part. Parts already sent (a retry
  after a partial send) are not sent again.
* Every send waits for the one shared ``SendLimiter``; a team with ``paid_broadcast`` sends with
  ``allow_paid_broadcast``.
* 429: the chat is paused for ``retry_after`` and the row retried then (not counted as an attempt).
  5xx, a refused connection, 401/404 and a composer's network or database error: retried with exponential
  backoff, ``failed`` after ``max_attempts``. Any other composer error fails the row at once and tells the
  team's heads once (``scheduler.failures``). A read timeout: the message may have arrived, so the row is
  ``unknown``, retried once; a second timeout leaves it ``unknown`` for good. 403 (or "chat not found"):
  ``unreachable``, the member flagged and the head told once (``scheduler.notices``); never retried.
  Other 400s: ``failed``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any, cast

import aiohttp
from aiogram import Bot, methods
from aiogram.exceptions import (
    TelegramAPIError,
    TelegramBadRequest,
    TelegramEntityTooLarge,
    TelegramForbiddenError,
    TelegramNetworkError,
    TelegramRetryAfter,
)
from aiogram.methods.base import Response
from aiogram.types import BufferedInputFile
from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.clock import Clock
from bot.i18n import Translator
from domain.due import TeamPlan, still_current
from domain.enums import OutboxStatus
from domain.text import MESSAGE_LIMIT, split_message, utf16_len
from scheduler import failures, notices
from scheduler.compose import ComposeContext, Outgoing
from scheduler.kinds import KINDS
from scheduler.limiter import SendLimiter
from scheduler.plan import is_scheduled, recipient, rule, team_plan
from storage.models import Member, Outbox, Team
from storage.outbox_repo import ANY, TIMEOUT_MARK, Filter, OutboxRepo
from storage.reachability_repo import ReachabilityRepo
from storage.repo import Repo
from storage.schedule_repo import ScheduleRepo

log = logging.getLogger(__name__)
PHOTO_NAME = "picture.png"

#: How long an outcome waits for others to share its transaction (a send's slot is held meanwhile; a batch
#: of ``concurrency`` outcomes goes at once). At the ordinary 28 sends a second, sends finish 36 ms apart:
#: 30 ms let one outcome in a transaction (a BEGIN, an UPDATE and a COMMIT a message); 150 ms let about
#: five. A crash still leaves at most the pipeline's ``2 * concurrency`` rows ``sending``.
WRITE_LINGER = 0.15
UNREACHABLE_400 = ("chat not found", "user not found", "peer_id_invalid")


class Sent(BaseModel):
    """What the sender reads of Telegram's answer to a send: the message id. Telegram echoes the whole
    message back (its text, chat, sender and every button of its keyboard); validating that into aiogram's
    ``Message`` built some two dozen models a morning list, for an id."""

    message_id: int


class SendMessage(methods.SendMessage):
    """``sendMessage`` whose answer is read as ``Sent``. The class keeps aiogram's name: the request
    metrics are labelled by it (``rop_telegram_requests_total{method="SendMessage"}``)."""

    __returning__ = Sent  # type: ignore[assignment]  # aiogram's class says Message: read as Sent, the point


class SendPhoto(methods.SendPhoto):
    """``sendPhoto`` whose answer is read as ``Sent`` (see ``SendMessage``)."""

    __returning__ = Sent  # type: ignore[assignment]  # as in SendMessage


#: aiogram validates an answer with ``Response[<result type>]``, which pydantic keeps in a weak cache only
#: (see ``bot/perf.py``): held here, it is built once.
_SENT_RESPONSE = Response[Sent]


@dataclass(frozen=True)
class DeliveryOptions:
    concurrency: int = 8
    send_timeout: int = 10  # seconds to wait for Telegram's answer to one send
    max_attempts: int = 5
    backoff: float = 2.0  # first retry delay; doubles per attempt
    backoff_max: float = 600.0
    lease: timedelta = timedelta(minutes=2)  # a claim older than this belongs to a dead sender

    @classmethod
    def from_settings(cls, settings: Any) -> DeliveryOptions:
        timeout = int(settings.send_timeout)
        return cls(
            concurrency=settings.send_concurrency,
            send_timeout=timeout,
            lease=timedelta(seconds=max(60, 4 * timeout)),
        )

    def delay(self, attempts: int) -> float:
        return float(min(self.backoff_max, self.backoff * 2 ** max(0, attempts - 1)))


@dataclass
class DrainStats:
    """What one drain of the outbox did: a count per way a row ends, the Telegram messages sent (``parts``:
    a row may take several) and the rows sent by kind."""

    sent: int = 0
    parts: int = 0
    retried: int = 0
    unknown: int = 0
    failed: int = 0
    unreachable: int = 0
    skipped: int = 0
    by_kind: dict[str, int] = field(default_factory=dict)

    @property
    def handled(self) -> int:
        return self.sent + self.retried + self.unknown + self.failed + self.unreachable + self.skipped


@dataclass
class _Ready:
    chat_id: int
    paid: bool
    parts: list[Outgoing]
    done: list[int]


class Deliverer:
    def __init__(
        self,
        bot: Bot,
        session_pool: async_sessionmaker[AsyncSession],
        *,
        translator: Translator,
        clock: Clock,
        limiter: SendLimiter,
        options: DeliveryOptions | None = None,
    ) -> None:
        self.bot, self.pool, self.translator, self.clock = bot, session_pool, translator, clock
        self.limiter = limiter
        self.options = options or DeliveryOptions()
        self._stopping = False
        self.in_flight = 0
        self._db_lock: asyncio.Lock | contextlib.nullcontext[None] = (
            asyncio.Lock() if _is_sqlite(session_pool) else contextlib.nullcontext()
        )
        self.last_progress: datetime | None = None  # real UTC time of the last finished row
        self._writes: list[_Write] = []
        self._writer: asyncio.Task[None] | None = None
        self._joined = asyncio.Event()  # another outcome came in while a batch lingers

    def stop(self) -> None:
        """Claim nothing more; sends already claimed finish."""
        self._stopping = True

    async def drain(self, where: Filter = ANY, *, enforce_window: bool = True) -> DrainStats:
        """Deliver every row claimable now (and those that become claimable while draining, such as a
        notice queued by a 403); returns when none is left.

        At most ``concurrency`` sends are in flight. Rows are claimed and composed a batch of
        ``concurrency`` at a time, one transaction per batch, as soon as that many earlier rows are
        done, so the senders never wait for the database and no more than twice ``concurrency`` rows
        are ever ``sending`` (a row's claim ends only once its outcome is committed)."""
        stats = DrainStats()
        size = max(1, self.options.concurrency)
        pipeline = asyncio.Semaphore(2 * size)  # rows claimed and not yet finished
        senders = asyncio.Semaphore(size)  # sends in flight
        tasks: set[asyncio.Task[None]] = set()
        teams = _TeamCache()
        try:
            while not self._stopping:
                for _ in range(size):  # wait until a whole batch can be taken
                    await pipeline.acquire()
                taken = size
                while not pipeline.locked():
                    await pipeline.acquire()
                    taken += 1

                async def claim(s: AsyncSession, n: int = taken) -> list[tuple[Outbox, _Ready | None]]:
                    return await self._claim_and_prepare(s, n, where, enforce_window, stats, teams)

                try:
                    prepared = await self._txn(claim)
                except _ComposeFailed as failed:  # rolled back, the composer's writes too
                    log.error(
                        "composing outbox row %s (%s) failed",
                        failed.row.id,
                        failed.row.kind,
                        exc_info=failed.__cause__,
                    )
                    cause = failed.__cause__
                    assert cause is not None
                    if failures.is_transient(cause):
                        await self._retry(failed.row, f"compose: {type(cause).__name__}: {cause}", stats, [])
                    else:
                        await self._compose_failed(failed.row, failures.failure_error(cause), stats)
                    _release(pipeline, taken)
                    continue
                ready = [(row, r) for row, r in prepared if r is not None]
                _release(pipeline, taken - len(ready))
                for row, r in ready:
                    task = asyncio.create_task(self._send_one(row, r, stats, senders, pipeline))
                    tasks.add(task)
                    task.add_done_callback(tasks.discard)
                if not prepared:
                    if not tasks:
                        break
                    # a send in flight may still queue more (a 403 queues the head's notice)
                    await asyncio.wait(set(tasks), return_when=asyncio.FIRST_COMPLETED)
            if tasks:
                await asyncio.gather(*tasks)
        except BaseException:
            for task in tasks:
                task.cancel()
            raise
        return stats

    async def _send_one(
        self,
        row: Outbox,
        ready: _Ready,
        stats: DrainStats,
        senders: asyncio.Semaphore,
        pipeline: asyncio.Semaphore,
    ) -> None:
        try:
            async with senders:
                self.in_flight += 1
                try:
                    await self._send(row, ready, stats)
                finally:
                    self.in_flight -= 1
                    self.last_progress = datetime.now(UTC)
        finally:
            pipeline.release()

    async def _txn(self, action: Callable[[AsyncSession], Awaitable[Any]]) -> Any:
        # SQLite has one writer at a time: queue our own transactions here rather than in SQLite's busy
        # handler, which sleeps in growing steps (the sends themselves still overlap)
        async with self._db_lock, self.pool() as session, session.begin():
            return await action(session)

    async def _write(self, action: Callable[[AsyncSession], Awaitable[Any]] | _Sent) -> None:
        """Record a send's outcome; returns once it is committed. Outcomes that come in while another
        batch is being written go together in the next transaction (a group commit)."""
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._writes.append((action, future))
        self._joined.set()
        if self._writer is None or self._writer.done():
            self._writer = asyncio.create_task(self._flush_writes())
        await future

    async def _linger(self) -> None:
        """Up to ``WRITE_LINGER`` for the outcomes of the other sends to join the batch, but no longer than
        until every send in flight has its outcome waiting: none can come then, and each waiting one holds
        a send's slot (with Telegram answering in 250 ms, lingering the whole time cost a third of the
        rate)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + WRITE_LINGER
        while len(self._writes) < min(self.in_flight, self.options.concurrency) and loop.time() < deadline:
            self._joined.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._joined.wait(), deadline - loop.time())

    async def _flush_writes(self) -> None:
        while self._writes:
            await self._linger()
            batch, self._writes = self._writes, []

            async def run(session: AsyncSession, batch: list[_Write] = batch) -> None:
                sent = [a for a, _ in batch if isinstance(a, _Sent)]
                if sent:  # the common outcome: one statement for all
                    await OutboxRepo(session).mark_sent_many([(a.row_id, a.message_ids, a.now) for a in sent])
                for action, _ in batch:
                    if not isinstance(action, _Sent):
                        await action(session)

            try:
                await self._txn(run)
            except BaseException as exc:
                for _, future in batch:
                    if not future.done():
                        future.set_exception(exc)
                if not isinstance(exc, Exception):
                    raise
            else:
                for _, future in batch:
                    if not future.done():
                        future.set_result(None)

    # ------------------------------------------------------------------ one row

    async def _claim_and_prepare(
        self,
        session: AsyncSession,
        limit: int,
        where: Filter,
        enforce_window: bool,
        stats: DrainStats,
        teams: _TeamCache,
    ) -> list[tuple[Outbox, _Ready | None]]:
        """Claim up to ``limit`` rows and compose each, in one transaction (empty: nothing claimable).
        A crash of a composer rolls the whole transaction back (``_ComposeFailed``)."""
        rows = await OutboxRepo(session).claim(self.clock(), limit, lease=self.options.lease, where=where)
        # the batch's members in one read, held here: the session's identity map holds objects weakly,
        # so a ``session.get`` after a read whose objects were dropped reads each member again
        members: dict[int, Member] = {}
        if rows:
            found = await ReachabilityRepo(session).members({r.member_id for r in rows})
            members = {m.id: m for m in found}
        return [
            (row, await self._prepare(session, row, members, enforce_window, stats, teams)) for row in rows
        ]

    async def _prepare(
        self,
        session: AsyncSession,
        row: Outbox,
        members: Mapping[int, Member],
        enforce_window: bool,
        stats: DrainStats,
        teams: _TeamCache,
    ) -> _Ready | None:
        outbox = OutboxRepo(session)
        now = self.clock()
        member = members.get(row.member_id)
        cached = await teams.get(session, row.team_id)
        kind = KINDS.get(row.kind)
        reason: str | None = None
        if member is None or cached is None or not member.active or member.team_id != row.team_id:
            reason = "the member is no longer in the team"
        elif member.unreachable:
            reason = "unreachable: the user blocked the bot"
        elif kind is None:
            await outbox.mark_failed(row.id, f"no composer for kind {row.kind!r}", attempts=row.attempts + 1)
            stats.failed += 1
            return None
        elif enforce_window and is_scheduled(kind):
            who = recipient(member, cached.vacations.get(member.id, ()))
            if not still_current(now, cached.plan, who, rule(kind), row.local_date):
                reason = "no longer due: its day or deadline passed, or it became a day off"
        if reason is not None:
            await outbox.mark_skipped(row.id, reason)
            await self._after(session, row, now)
            stats.skipped += 1
            return None
        assert kind is not None and member is not None and cached is not None
        team = await session.merge(cached.team, load=False)
        ctx = ComposeContext(
            repo=Repo(session),
            team=team,
            member=member,
            local_date=row.local_date,
            t=self.translator.get(member.locale),
            clock=self.clock,
        )
        try:
            messages = await kind.composer(ctx)
        except Exception as exc:  # a feature's composer crashed: retry later, the others go on
            raise _ComposeFailed(_snapshot(row)) from exc
        parts = split_parts(messages)
        if not parts:
            await outbox.mark_skipped(row.id, "nothing to send")
            await self._after(session, row, now)
            stats.skipped += 1
            return None
        return _Ready(member.tg_id, bool(team.paid_broadcast), parts, list(row.message_ids or []))

    async def _send(self, row: Outbox, ready: _Ready, stats: DrainStats) -> None:
        done = ready.done[: len(ready.parts)]
        for part in ready.parts[len(done) :]:
            await self.limiter.acquire(ready.chat_id, ready.paid)
            try:
                message = await self._send_part(ready, part)
            except TelegramRetryAfter as exc:
                self.limiter.pause_chat(ready.chat_id, exc.retry_after)
                await self._retry(row, f"429: {exc.message}", stats, done, after=exc.retry_after, count=False)
                return
            except TelegramForbiddenError as exc:
                await self._unreachable(row, f"403: {exc.message}", stats)
                return
            except TelegramBadRequest as exc:
                if any(s in exc.message.lower() for s in UNREACHABLE_400):
                    await self._unreachable(row, f"400: {exc.message}", stats)
                else:
                    await self._fail(row, f"400: {exc.message}", stats, done)
                return
            except TelegramEntityTooLarge as exc:
                await self._fail(row, f"413: {exc.message}", stats, done)
                return
            except TelegramNetworkError as exc:
                if _maybe_delivered(exc):
                    await self._timed_out(row, exc.message, stats, done)
                else:
                    await self._retry(row, f"network: {exc.message}", stats, done)
                return
            except TelegramAPIError as exc:  # 5xx, 401, 404, 409: maybe passing; back off and retry
                await self._retry(row, f"{type(exc).__name__}: {exc.message}", stats, done)
                return
            done.append(message.message_id)
            stats.parts += 1
            if len(done) < len(ready.parts):
                await self._write(_progress(row.id, list(done)))
        now = self.clock()

        if row.kind in (notices.NOTICE, failures.FAILURE_NOTICE):

            async def sent(session: AsyncSession) -> None:
                await OutboxRepo(session).mark_sent(row.id, done, now)
                await self._after(session, row, now, sent=True)

            await self._write(sent)
        else:
            await self._write(_Sent(row.id, list(done), now))
        stats.sent += 1
        stats.by_kind[row.kind] = stats.by_kind.get(row.kind, 0) + 1

    async def _send_part(self, ready: _Ready, part: Outgoing) -> Sent:
        paid = True if ready.paid else None
        timeout = self.options.send_timeout
        if part.photo is not None:
            photo = SendPhoto(
                chat_id=ready.chat_id,
                photo=BufferedInputFile(part.photo, PHOTO_NAME),
                caption=part.text or None,
                reply_markup=part.reply_markup,
                allow_paid_broadcast=paid,
            )
            return cast(Sent, await self.bot(photo, request_timeout=timeout))
        message = SendMessage(
            chat_id=ready.chat_id, text=part.text, reply_markup=part.reply_markup, allow_paid_broadcast=paid
        )
        return cast(Sent, await self.bot(message, request_timeout=timeout))

    # ------------------------------------------------------------------ outcomes

    async def _after(self, session: AsyncSession, row: Outbox, now: datetime, *, sent: bool = False) -> None:
        if row.kind == notices.NOTICE:
            await notices.after_notice(session, row.id, now, sent=sent)
        elif row.kind == failures.FAILURE_NOTICE:
            await failures.after_failure_notice(session, row.id, now, sent=sent)

    async def _retry(
        self,
        row: Outbox,
        error: str,
        stats: DrainStats,
        done: list[int],
        *,
        after: float | None = None,
        count: bool = True,
    ) -> None:
        attempts = row.attempts + (1 if count else 0)
        uncertain = (row.error or "").startswith(TIMEOUT_MARK)
        if uncertain:
            error = f"{TIMEOUT_MARK}, then {error}"
        if attempts >= self.options.max_attempts:
            await self._fail(row, error, stats, done, attempts=attempts)
            return
        delay = after if after is not None else self.options.delay(attempts)
        at = self.clock() + timedelta(seconds=delay)
        status = OutboxStatus.UNKNOWN if uncertain else OutboxStatus.PENDING

        async def save(session: AsyncSession) -> None:
            repo = OutboxRepo(session)
            if done:
                await repo.progress(row.id, done)
            await repo.retry(row.id, at, error, attempts=attempts, status=status)

        await self._write(save)
        log.info("outbox row %s (%s): %s; retry in %.1f s", row.id, row.kind, error, delay)
        stats.retried += 1

    async def _timed_out(self, row: Outbox, error: str, stats: DrainStats, done: list[int]) -> None:
        attempts = row.attempts + 1
        again = (row.error or "").startswith(TIMEOUT_MARK)
        text = f"{TIMEOUT_MARK}: {error}; it may have arrived"

        async def save(session: AsyncSession) -> None:
            repo = OutboxRepo(session)
            if done:
                await repo.progress(row.id, done)
            if again:
                await repo.mark_unknown(row.id, f"{text}; timed out twice, not retried", attempts=attempts)
            else:
                at = self.clock() + timedelta(seconds=self.options.delay(attempts))
                await repo.retry(row.id, at, text, attempts=attempts, status=OutboxStatus.UNKNOWN)

        await self._write(save)
        log.warning("outbox row %s (%s): %s", row.id, row.kind, text)
        stats.unknown += 1

    async def _fail(
        self,
        row: Outbox,
        error: str,
        stats: DrainStats,
        done: list[int],
        *,
        attempts: int | None = None,
    ) -> None:
        async def save(session: AsyncSession) -> None:
            repo = OutboxRepo(session)
            if done:
                await repo.progress(row.id, done)
            await repo.mark_failed(
                row.id, error, attempts=attempts if attempts is not None else row.attempts + 1
            )

        await self._failed(row, error, stats, save)

    async def _compose_failed(self, row: Outbox, error: str, stats: DrainStats) -> None:
        """A composer failed for a reason that will not pass: failed for good, the head told once."""
        now = self.clock()

        async def save(session: AsyncSession) -> None:
            await OutboxRepo(session).mark_failed_at(row.id, error, now, attempts=row.attempts + 1)
            await failures.report_failure(session, row, now)

        await self._failed(row, error, stats, save)

    async def _failed(
        self, row: Outbox, error: str, stats: DrainStats, save: Callable[[AsyncSession], Awaitable[None]]
    ) -> None:
        """Write the failure (``save``), log it and count it."""
        await self._write(save)
        log.error("outbox row %s (%s) failed: %s", row.id, row.kind, error)
        stats.failed += 1

    async def _unreachable(self, row: Outbox, error: str, stats: DrainStats) -> None:
        now = self.clock()

        async def save(session: AsyncSession) -> None:
            await OutboxRepo(session).mark_unreachable(row.id, error, now)
            await notices.report_unreachable(session, row.member_id, now)

        await self._write(save)
        log.warning("outbox row %s (%s): member %s unreachable: %s", row.id, row.kind, row.member_id, error)
        stats.unreachable += 1


@dataclass(frozen=True)
class _Sent:
    row_id: int
    message_ids: list[int]
    now: datetime


_Write = tuple[Callable[[AsyncSession], Awaitable[Any]] | _Sent, "asyncio.Future[None]"]


def _progress(row_id: int, ids: list[int]) -> Callable[[AsyncSession], Awaitable[None]]:
    """The write that records the parts of a split message sent so far."""

    async def save(session: AsyncSession) -> None:
        await OutboxRepo(session).progress(row_id, ids)

    return save


#: The columns of a claimed row that sending it needs.
_SNAPSHOT = ("id", "team_id", "member_id", "kind", "local_date", "attempts", "error", "message_ids")


def _snapshot(row: Outbox) -> Outbox:
    """A copy outside any session: the original expires when its transaction rolls back."""
    return Outbox(**{name: getattr(row, name) for name in _SNAPSHOT})


def _release(slots: asyncio.Semaphore, n: int) -> None:
    for _ in range(n):
        slots.release()


class _ComposeFailed(Exception):
    def __init__(self, row: Outbox) -> None:
        super().__init__(row.id)
        self.row = row


@dataclass
class _Team:
    team: Team
    plan: TeamPlan
    vacations: dict[int, list[tuple[date, date]]]
    loaded: float


class _TeamCache:
    """Each team's row, schedule and vacations, read once per drain (and again after ``TTL`` seconds), so
    a fan-out does not read them for every message; a drain starts with a fresh cache, so a change made
    between ticks counts at the next one."""

    TTL = 10.0

    def __init__(self) -> None:
        self._teams: dict[int, _Team | None] = {}

    async def get(self, session: AsyncSession, team_id: int) -> _Team | None:
        cached = self._teams.get(team_id)
        now = time.monotonic()
        if team_id in self._teams and (cached is None or now - cached.loaded < self.TTL):
            return cached
        team = await session.get(Team, team_id)
        if team is None:
            self._teams[team_id] = None
            return None
        session.expunge(team)  # kept out of any session: a rollback there must not expire it
        vacations = await ScheduleRepo(session).team_vacations(team_id)
        found = self._teams[team_id] = _Team(team, team_plan(team), vacations, now)
        return found


def _is_sqlite(pool: async_sessionmaker[AsyncSession]) -> bool:
    bind = pool.kw.get("bind")
    return bind is not None and bind.dialect.name == "sqlite"


def split_parts(messages: list[Outgoing]) -> list[Outgoing]:
    """Each message split under Telegram's limit, in order; a keyboard stays with the last part."""
    parts: list[Outgoing] = []
    for message in messages:
        if message.photo is not None:  # a picture with its caption: one part
            parts.append(message)
            continue
        if not message.text.strip():
            continue
        if utf16_len(message.text) <= MESSAGE_LIMIT:  # the usual case: as it is
            parts.append(message)
            continue
        chunks = split_message(message.text, MESSAGE_LIMIT)
        for i, chunk in enumerate(chunks):
            last = i == len(chunks) - 1
            parts.append(Outgoing(chunk, message.reply_markup if last else None))
    return parts


def _maybe_delivered(exc: TelegramNetworkError) -> bool:
    """A timeout or a connection lost after the request went out: the message may have arrived. Only a
    refused connection (nothing sent) is safe to retry freely."""
    cause = exc.__cause__
    return not isinstance(cause, aiohttp.ClientConnectorError)
