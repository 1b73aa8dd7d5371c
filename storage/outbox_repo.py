"""The delivery outbox: one row per (recipient, kind, local date), written before the message is sent.

Life of a row (``OutboxStatus``):

* ``enqueue`` inserts with ``INSERT … ON CONFLICT DO NOTHING`` on the unique (member, kind, local date), so
  however many ticks, processes or operators enqueue the same send, there is one row.
* ``claim`` takes rows that are due (``pending``, or ``unknown`` awaiting its one retry, whose
  ``next_attempt_at`` has come) and marks them ``sending``: on PostgreSQL with ``FOR UPDATE SKIP LOCKED``
  (concurrent senders never take the same row), on SQLite with a conditional ``UPDATE`` inside the
  ``BEGIN IMMEDIATE`` transaction (one writer at a time). A ``sending`` row whose claim is older than the
  lease (its sender died) is claimable again.
* After the send: ``sent`` with Telegram's message ids and ``sent_at``; ``pending`` again with a later
  ``next_attempt_at`` (429, 5xx, network); ``unknown`` after a read timeout (it may have arrived:
  retried once, then left ``unknown`` with no next attempt); ``unreachable`` (403: the user blocked the
  bot; ``sent_at`` is when Telegram refused); ``failed`` (a permanent error, or retries exhausted);
  ``skipped`` (nothing to say, no longer current, member gone).
* ``recover_interrupted`` (at start-up of the single polling process) turns rows left ``sending`` by a
  killed process into ``unknown``, due now: they may have arrived, and they are sent again, so nothing is
  lost and the only duplicates are those sends that were in flight.

The repository never commits; the caller's transaction does.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any, cast

from sqlalchemy import ColumnElement, CursorResult, Select, and_, case, func, or_, select, tuple_, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from domain.due import DueSend
from domain.enums import OutboxStatus
from storage.models import Outbox
from storage.session_repo import SessionRepo

#: The error text prefix that marks a row whose send timed out once (its one retry is then used up).
TIMEOUT_MARK = "timeout"
ERROR_LIMIT = 500
_BATCH = 400

S = OutboxStatus


@dataclass(frozen=True)
class Filter:
    """Restricts a claim: one team, some kinds, one local date (all optional)."""

    team_id: int | None = None
    kinds: frozenset[str] | None = None
    local_date: date | None = None

    def apply(self, query: Select[Any]) -> Select[Any]:
        if self.team_id is not None:
            query = query.where(Outbox.team_id == self.team_id)
        if self.kinds is not None:
            query = query.where(Outbox.kind.in_(sorted(self.kinds)))
        if self.local_date is not None:
            query = query.where(Outbox.local_date == self.local_date)
        return query


ANY = Filter()


def _clip(error: str) -> str:
    return error if len(error) <= ERROR_LIMIT else error[: ERROR_LIMIT - 1] + "…"


class OutboxRepo(SessionRepo):
    @property
    def dialect(self) -> str:
        bind = self.session.bind
        assert bind is not None, "the session must be bound to an engine"
        return bind.dialect.name

    # ------------------------------------------------------------------ writing rows

    async def enqueue(self, sends: Iterable[DueSend]) -> list[int]:
        """Insert a row per send unless one exists for its (member, kind, local date); the new rows' ids."""
        rows = [
            {
                "team_id": s.team_id,
                "member_id": s.member_id,
                "kind": s.kind,
                "local_date": s.local_date,
                "status": S.PENDING,
                "attempts": 0,
            }
            for s in sends
        ]
        insert = pg_insert if self.dialect == "postgresql" else sqlite_insert
        ids: list[int] = []
        for start in range(0, len(rows), _BATCH):
            stmt = (
                insert(Outbox)
                .values(rows[start : start + _BATCH])
                .on_conflict_do_nothing(index_elements=["member_id", "kind", "local_date"])
                .returning(Outbox.id)
            )
            ids.extend((await self.session.scalars(stmt)).all())
        return ids

    async def existing(self, keys: Iterable[tuple[int, str, date]]) -> set[tuple[int, str, date]]:
        """Which of the (member, kind, local date) keys already have a row (to skip no-op inserts)."""
        wanted = set(keys)
        if not wanted:
            return set()
        dates = sorted({k[2] for k in wanted})
        members = sorted({k[0] for k in wanted})
        found: set[tuple[int, str, date]] = set()
        for start in range(0, len(members), _BATCH):
            rows = await self.session.execute(
                select(Outbox.member_id, Outbox.kind, Outbox.local_date).where(
                    Outbox.member_id.in_(members[start : start + _BATCH]), Outbox.local_date.in_(dates)
                )
            )
            found.update((m, k, d) for m, k, d in rows)
        return found & wanted

    async def rearm(self, member_id: int, kind: str, local_date: date) -> bool:
        """Make a finished row (sent or skipped) due again: for notices that gather news since the last
        one. The previous ``sent_at`` stays until the new send replaces it."""
        result = await self.session.execute(
            update(Outbox)
            .where(
                Outbox.member_id == member_id,
                Outbox.kind == kind,
                Outbox.local_date == local_date,
                Outbox.status.in_([S.SENT, S.SKIPPED]),
            )
            .values(status=S.PENDING, next_attempt_at=None, attempts=0, message_ids=None, error=None)
            .execution_options(synchronize_session=False)
        )
        return bool(cast(CursorResult[Any], result).rowcount)

    # ------------------------------------------------------------------ claiming

    def _claimable(self, now: datetime, lease: timedelta) -> ColumnElement[bool]:
        due = or_(Outbox.next_attempt_at.is_(None), Outbox.next_attempt_at <= now)
        return or_(
            and_(Outbox.status == S.PENDING, due),
            and_(
                Outbox.status == S.UNKNOWN, Outbox.next_attempt_at.is_not(None), Outbox.next_attempt_at <= now
            ),
            and_(Outbox.status == S.SENDING, Outbox.claimed_at < now - lease),
        )

    async def claim(
        self, now: datetime, limit: int = 1, *, lease: timedelta, where: Filter = ANY
    ) -> list[Outbox]:
        """Take up to ``limit`` due rows, oldest first, and mark them ``sending`` (see the module doc)."""
        candidates = where.apply(
            select(Outbox.id).where(self._claimable(now, lease)).order_by(Outbox.id).limit(limit)
        )
        if self.dialect == "postgresql":
            # rows another sender holds locked are skipped, not waited for
            condition: ColumnElement[bool] = Outbox.id.in_(
                candidates.with_for_update(skip_locked=True).scalar_subquery()
            )
        else:
            # one conditional UPDATE inside the BEGIN IMMEDIATE transaction: nobody else writes meanwhile,
            # and a row that stopped matching is not taken
            condition = and_(Outbox.id.in_(candidates.scalar_subquery()), self._claimable(now, lease))
        stmt = (
            update(Outbox)
            .where(condition)
            .values(status=S.SENDING, claimed_at=now)
            .returning(Outbox)
            .execution_options(synchronize_session=False, populate_existing=True)
        )
        rows = list((await self.session.scalars(stmt)).all())
        return sorted(rows, key=lambda r: r.id)

    async def recover_interrupted(self, now: datetime) -> int:
        """Rows left ``sending`` by a process that died: ``unknown`` and due now (they may have arrived).
        Call it only where no other sender runs: at start-up of the one polling process."""
        result = await self.session.execute(
            update(Outbox)
            .where(Outbox.status == S.SENDING)
            .values(
                status=S.UNKNOWN,
                next_attempt_at=now,
                error=case(
                    (Outbox.error.like(f"{TIMEOUT_MARK}%"), Outbox.error),
                    else_="interrupted: the process stopped during the send",
                ),
            )
            .execution_options(synchronize_session=False)
        )
        return cast(CursorResult[Any], result).rowcount or 0

    # ------------------------------------------------------------------ outcomes

    async def _set(self, row_id: int, **values: object) -> None:
        error = values.get("error")
        if isinstance(error, str):
            values["error"] = _clip(error)
        await self.session.execute(
            update(Outbox)
            .where(Outbox.id == row_id)
            .values(**values)
            .execution_options(synchronize_session=False)
        )

    async def progress(self, row_id: int, message_ids: Sequence[int]) -> None:
        """The parts of a split message sent so far (a retry resumes after them)."""
        await self._set(row_id, message_ids=list(message_ids))

    async def mark_sent(self, row_id: int, message_ids: Sequence[int], now: datetime) -> None:
        await self._set(
            row_id, status=S.SENT, message_ids=list(message_ids), sent_at=now, next_attempt_at=None
        )

    async def mark_sent_many(self, sent: Sequence[tuple[int, Sequence[int], datetime]]) -> None:
        """``mark_sent`` for many rows in one statement (executemany)."""
        await self.session.execute(
            update(Outbox),
            [
                {
                    "id": row_id,
                    "status": S.SENT,
                    "message_ids": list(ids),
                    "sent_at": now,
                    "next_attempt_at": None,
                }
                for row_id, ids, now in sent
            ],
        )

    async def retry(
        self, row_id: int, at: datetime, error: str, *, attempts: int, status: OutboxStatus = S.PENDING
    ) -> None:
        await self._set(row_id, status=status, next_attempt_at=at, error=error, attempts=attempts)

    async def mark_unknown(self, row_id: int, error: str, *, attempts: int) -> None:
        """Final: the outcome stays unknown, no more attempts."""
        await self._set(row_id, status=S.UNKNOWN, next_attempt_at=None, error=error, attempts=attempts)

    async def mark_failed(self, row_id: int, error: str, *, attempts: int) -> None:
        await self._set(row_id, status=S.FAILED, next_attempt_at=None, error=error, attempts=attempts)

    async def mark_failed_at(self, row_id: int, error: str, now: datetime, *, attempts: int) -> None:
        """Failed for good at ``now`` (kept in ``sent_at``): a composer that cannot compose this row."""
        await self._set(
            row_id, status=S.FAILED, next_attempt_at=None, error=error, attempts=attempts, sent_at=now
        )

    async def mark_unreachable(self, row_id: int, error: str, now: datetime) -> None:
        """403: the user blocked the bot; ``sent_at`` records when Telegram refused."""
        await self._set(row_id, status=S.UNREACHABLE, next_attempt_at=None, error=error, sent_at=now)

    async def mark_skipped(self, row_id: int, reason: str) -> None:
        await self._set(row_id, status=S.SKIPPED, next_attempt_at=None, error=reason)

    # ------------------------------------------------------------------ reading

    async def earliest_retry(self, now: datetime) -> datetime | None:
        """When the next row waiting for a retry falls due (None: none waits)."""
        return await self.session.scalar(
            select(func.min(Outbox.next_attempt_at)).where(
                Outbox.status.in_([S.PENDING, S.UNKNOWN]), Outbox.next_attempt_at > now
            )
        )

    async def fresh(self, row_id: int) -> Outbox | None:
        """The row as the database has it now (not a copy this session read earlier)."""
        return await self.session.get(Outbox, row_id, populate_existing=True)

    async def backlog(self, statuses: Iterable[OutboxStatus]) -> tuple[int, datetime | None]:
        """How many rows are in ``statuses``, and when the oldest of them fell due (aware, UTC)."""
        due = func.coalesce(Outbox.next_attempt_at, Outbox.created_at)
        query = select(func.count(), func.min(due)).where(Outbox.status.in_(list(statuses)))
        count, oldest = (await self.session.execute(query)).one()
        if isinstance(oldest, str):  # SQLite hands an aggregate back untyped
            oldest = datetime.fromisoformat(oldest)
        if oldest is not None and oldest.tzinfo is None:
            oldest = oldest.replace(tzinfo=UTC)
        return int(count or 0), oldest

    async def outstanding(self, now: datetime, *, lease: timedelta, where: Filter = ANY) -> int:
        """Rows claimable now."""
        query = where.apply(select(func.count()).select_from(Outbox).where(self._claimable(now, lease)))
        return (await self.session.scalar(query)) or 0

    async def counts(self, team_id: int, since: date) -> dict[OutboxStatus, int]:
        rows = await self.session.execute(
            select(Outbox.status, func.count())
            .where(Outbox.team_id == team_id, Outbox.local_date >= since)
            .group_by(Outbox.status)
        )
        return {S(status): n for status, n in rows}

    async def sent_on(self, team_id: int, local_date: date) -> int:
        return (
            await self.session.scalar(
                select(func.count())
                .select_from(Outbox)
                .where(Outbox.team_id == team_id, Outbox.local_date == local_date, Outbox.status == S.SENT)
            )
        ) or 0

    async def problems(self, team_id: int, since: date, limit: int = 20) -> Sequence[Outbox]:
        """The latest rows that failed, stayed unknown or hit a blocked user, and those still waiting after
        an error (retried with backoff: stuck until the error passes), each with its error."""
        return (
            await self.session.scalars(
                select(Outbox)
                .where(
                    Outbox.team_id == team_id,
                    Outbox.local_date >= since,
                    or_(
                        Outbox.status.in_([S.FAILED, S.UNKNOWN, S.UNREACHABLE]),
                        and_(Outbox.status.in_([S.PENDING, S.SENDING]), Outbox.error.is_not(None)),
                    ),
                )
                .order_by(Outbox.local_date.desc(), Outbox.id.desc())
                .limit(limit)
            )
        ).all()

    async def one(self, member_id: int, kind: str, local_date: date) -> Outbox | None:
        return await self.session.scalar(
            select(Outbox).where(
                Outbox.member_id == member_id, Outbox.kind == kind, Outbox.local_date == local_date
            )
        )

    async def ids_of(self, member_id: int, kind: str) -> Sequence[int]:
        """The ids of the member's rows of ``kind`` (a head's notices)."""
        return (
            await self.session.scalars(
                select(Outbox.id).where(Outbox.member_id == member_id, Outbox.kind == kind)
            )
        ).all()

    async def failed_since(self, team_id: int, error_prefix: str, since: datetime) -> Sequence[Outbox]:
        """The team's rows failed at ``since`` or later whose error begins with ``error_prefix``."""
        return (
            await self.session.scalars(
                select(Outbox)
                .where(
                    Outbox.team_id == team_id,
                    Outbox.status == S.FAILED,
                    Outbox.sent_at >= since,
                    Outbox.error.startswith(error_prefix, autoescape=True),
                )
                .order_by(Outbox.id)
            )
        ).all()

    async def keys(self, keys: Iterable[tuple[int, str, date]]) -> Sequence[Outbox]:
        wanted = list(keys)
        if not wanted:
            return []
        return (
            await self.session.scalars(
                select(Outbox).where(tuple_(Outbox.member_id, Outbox.kind, Outbox.local_date).in_(wanted))
            )
        ).all()
