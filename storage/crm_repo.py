"""CRM connections, CRM users matched to members, links from CRM ids to bot rows, and the stage map.

Every read takes the team id. Links are unique per (team, provider, kind, CRM id): a replayed sync finds
the row it made before instead of making another.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any, NamedTuple

from sqlalchemy import Select, and_, delete, func, insert, or_, select, text, update

from domain.deals import DealEventKind
from domain.enums import CrmConnectionStatus, LinkKind, Stage, TaskEventKind, TaskStatus
from domain.text import name_key
from storage.models import (
    Client,
    CrmConnection,
    CrmLink,
    CrmOutbox,
    CrmStageMap,
    CrmUserLink,
    Deal,
    DealEvent,
    Member,
    Task,
    TaskEvent,
)
from storage.reachability_repo import ReachabilityRepo
from storage.session_repo import SessionRepo


@dataclass(frozen=True, slots=True)
class NewCrmTask:
    """An open CRM task to become a bot task (``vague``: the concrete-action check's problem, if any)."""

    external_id: str
    version: str
    assignee_id: int
    client_id: int | None
    action: str
    due: date
    vague: str | None


@dataclass(frozen=True, slots=True)
class NewCrmClient:
    """A CRM deal, company or contact to become a bot client (``external_id`` like ``deal:123``)."""

    external_id: str
    version: str | None
    owner_id: int
    name: str
    stage: Stage


@dataclass(frozen=True, slots=True)
class TaskMark:
    """A task event of a team with a CRM, with what a write-back needs of its task."""

    event_id: int
    kind: TaskEventKind
    at: datetime
    data: dict[str, object]
    task: Task
    external_id: str | None  # the CRM task it mirrors; None for a task made in the bot


PENDING, SENDING, SENT, FAILED = "pending", "sending", "sent", "failed"

# Held shared by every transaction that writes a task or deal event, from before its insert draws an id (the
# statement triggers of migration 0015, PostgreSQL only; the migration spells the numbers out). Two int4 keys:
# a space of its own, apart from the single bigint keys of ``storage.db.lock_person`` (Telegram ids).
EVENT_WRITERS_LOCK = (0x524F50, 1)  # "ROP", 1


class EventWriter(NamedTuple):
    """A transaction writing events now: its virtual transaction id, its backend and how long it is open."""

    vxid: str
    pid: int
    open_for: float  # seconds


_EVENT_WRITERS = text(
    "SELECT l.virtualtransaction, l.pid, greatest(extract(epoch FROM clock_timestamp() - a.xact_start), 0)"
    " FROM pg_locks l LEFT JOIN pg_stat_activity a ON a.pid = l.pid"
    " WHERE l.locktype = 'advisory' AND l.classid = :space AND l.objid = :key AND l.objsubid = 2"
    " AND l.mode = 'ShareLock' AND l.granted AND l.pid <> pg_backend_pid()"
    " AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())"
)


@dataclass(frozen=True, slots=True)
class DealMark:
    """A deal event of a team with a CRM (``amount``: the new amount of a correction)."""

    event_id: int
    kind: DealEventKind
    amount: Decimal | None
    deal: Deal
    client: Client


@dataclass(frozen=True, slots=True)
class CrmHealth:
    """A connected team's CRM as the operator's metrics show it."""

    team_id: int
    provider: str
    last_sync_at: datetime | None
    error: bool  # the last sync or write failed
    waiting: int  # writes to the CRM not sent yet
    failed: int  # writes the CRM refused for good
    oldest_waiting: datetime | None  # when the oldest waiting write was made


class CrmRepo(SessionRepo):
    # ------------------------------------------------------------------ the connection

    async def connection(self, team_id: int) -> CrmConnection | None:
        return await self.session.scalar(select(CrmConnection).where(CrmConnection.team_id == team_id))

    async def connect(
        self,
        team_id: int,
        provider: str,
        address: str,
        secret_enc: str,
        secret_tail: str,
        account_name: str,
        summary: dict[str, object],
        now: datetime,
        auth: str = "token",
    ) -> CrmConnection:
        """Stores a checked connection (``auth``: ``token`` or ``oauth2``, the shape of the secret).
        Reconnecting the same account keeps the sync cursors; another
        account or CRM starts from scratch (its ids mean nothing in the old one)."""
        conn = await self.connection(team_id)
        if conn is None:
            conn = CrmConnection(team_id=team_id, provider=provider, address=address)
            self.session.add(conn)
        elif (conn.provider, conn.address) != (provider, address):
            conn.tasks_cursor = conn.deals_cursor = conn.last_sync_at = None
        conn.provider, conn.address = provider, address
        conn.secret_enc, conn.secret_tail, conn.auth = secret_enc, secret_tail, auth
        # a client holding the old secret's version re-reads the row instead of refreshing it
        conn.secret_version = (conn.secret_version or 0) + 1
        conn.status, conn.account_name, conn.summary = CrmConnectionStatus.ACTIVE, account_name, summary
        conn.connected_at, conn.last_error = now, None
        # marks made before the connection are not the CRM's business: the write-back starts here
        conn.events_cursor, conn.deal_events_cursor = await self.newest_events()
        await self.session.flush()
        return conn

    async def lock_connection(self, team_id: int) -> CrmConnection | None:
        """The connection, its row locked until the transaction ends: processes refreshing a team's OAuth
        tokens take turns (PostgreSQL: ``FOR UPDATE``; SQLite: every transaction begins ``IMMEDIATE``)."""
        return await self.session.scalar(
            select(CrmConnection)
            .where(CrmConnection.team_id == team_id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )

    async def put_secret(self, team_id: int, secret_enc: str, version: int) -> bool:
        """Compare-and-set: stores a refreshed secret as ``version + 1`` only if the row is still at
        ``version``; False when another holder wrote first."""
        result = await self.session.execute(
            update(CrmConnection)
            .where(CrmConnection.team_id == team_id, CrmConnection.secret_version == version)
            .values(secret_enc=secret_enc, secret_version=version + 1)
            .execution_options(synchronize_session=False)
        )
        return bool(getattr(result, "rowcount", 0))

    async def set_win_deals(self, team_id: int, win: bool) -> bool:
        """The team's setting: /deal wins the deal in the CRM (True) or is only recorded in the bot."""
        conn = await self.connection(team_id)
        if conn is None:
            return False
        conn.win_deals = win
        return True

    async def active_connections(self) -> Sequence[CrmConnection]:
        return (
            await self.session.scalars(
                select(CrmConnection)
                .where(CrmConnection.status == CrmConnectionStatus.ACTIVE)
                .order_by(CrmConnection.team_id)
            )
        ).all()

    async def health(self) -> list[CrmHealth]:
        """Each active connection's freshness and its write-back queue (the operator's metrics)."""
        conns = await self.active_connections()
        if not conns:
            return []
        rows = await self.session.execute(
            select(CrmOutbox.team_id, CrmOutbox.status, func.count(), func.min(CrmOutbox.created_at))
            .where(CrmOutbox.team_id.in_([c.team_id for c in conns]))
            .group_by(CrmOutbox.team_id, CrmOutbox.status)
        )
        queue: dict[tuple[int, str], tuple[int, datetime | None]] = {
            (team_id, status): (n, oldest) for team_id, status, n, oldest in rows.all()
        }
        out = []
        for c in conns:
            waiting = [queue.get((c.team_id, s), (0, None)) for s in (PENDING, SENDING)]
            oldest = min((o for _, o in waiting if o is not None), default=None)
            out.append(
                CrmHealth(
                    c.team_id,
                    c.provider,
                    c.last_sync_at,
                    c.last_error is not None,
                    sum(n for n, _ in waiting),
                    queue.get((c.team_id, FAILED), (0, None))[0],
                    oldest,
                )
            )
        return out

    # ------------------------------------------------------------------ CRM users

    async def users(self, team_id: int, provider: str) -> dict[str, CrmUserLink]:
        rows = await self.session.scalars(
            select(CrmUserLink).where(CrmUserLink.team_id == team_id, CrmUserLink.provider == provider)
        )
        return {row.crm_user_id: row for row in rows}

    async def put_user(self, team_id: int, provider: str, crm_user_id: str, name: str) -> CrmUserLink:
        known = await self.session.scalar(
            select(CrmUserLink).where(
                CrmUserLink.team_id == team_id,
                CrmUserLink.provider == provider,
                CrmUserLink.crm_user_id == crm_user_id,
            )
        )
        if known is None:
            known = CrmUserLink(team_id=team_id, provider=provider, crm_user_id=crm_user_id, name=name)
            self.session.add(known)
        known.name = name
        await self.session.flush()
        return known

    async def user_link(self, team_id: int, link_id: int) -> CrmUserLink | None:
        """One CRM user of the team's CRM by our row id (None for another team's)."""
        return await self.session.scalar(
            select(CrmUserLink).where(CrmUserLink.id == link_id, CrmUserLink.team_id == team_id)
        )

    async def waiting_users(self, team_id: int, provider: str) -> Sequence[CrmUserLink]:
        """CRM users matched to no member whom the head has not set aside, by name."""
        return (
            await self.session.scalars(
                select(CrmUserLink)
                .where(
                    CrmUserLink.team_id == team_id,
                    CrmUserLink.provider == provider,
                    CrmUserLink.member_id.is_(None),
                    CrmUserLink.ignored.is_(False),
                )
                .order_by(CrmUserLink.name, CrmUserLink.id)
            )
        ).all()

    async def match_user(self, link: CrmUserLink, member_id: int | None) -> None:
        """The head's choice: ``member_id``, or None for «not one of the department's people». A match
        owes a full sync (the user's older tasks are not among the changes an incremental one reads)."""
        link.member_id, link.ignored = member_id, member_id is None
        if member_id is not None:
            await self.session.execute(
                update(CrmConnection).where(CrmConnection.team_id == link.team_id).values(full_sync_due=True)
            )
        await self.session.flush()

    async def disconnect(self, team_id: int) -> None:
        """Stops the sync; every row it made stays."""
        await self.session.execute(
            update(CrmConnection)
            .where(CrmConnection.team_id == team_id)
            .values(status=CrmConnectionStatus.DISCONNECTED)
        )

    # ------------------------------------------------------------------ one sync per team across processes

    async def claim_sync(self, team_id: int, owner: str, now: datetime, until: datetime) -> bool:
        """Take (or, for its owner, renew) the team's sync lease until ``until``; False while another
        owner's lease holds. One conditional UPDATE: on PostgreSQL a second claimer waits for the first's
        row lock and then finds the lease taken; on SQLite the write lock orders them."""
        result = await self.session.execute(
            update(CrmConnection)
            .where(
                CrmConnection.team_id == team_id,
                or_(
                    CrmConnection.sync_owner.is_(None),
                    CrmConnection.sync_owner == owner,
                    CrmConnection.sync_until.is_(None),
                    CrmConnection.sync_until <= now,
                ),
            )
            .values(sync_owner=owner, sync_until=until)
            .execution_options(synchronize_session=False)
        )
        return bool(getattr(result, "rowcount", 0) == 1)

    async def release_sync(self, team_id: int, owner: str) -> None:
        """Give the lease back (only its owner's: a lapsed lease another process took stays theirs)."""
        await self.session.execute(
            update(CrmConnection)
            .where(CrmConnection.team_id == team_id, CrmConnection.sync_owner == owner)
            .values(sync_owner=None, sync_until=None)
            .execution_options(synchronize_session=False)
        )

    async def full_sync_done(self, team_id: int) -> None:
        await self.session.execute(
            update(CrmConnection).where(CrmConnection.team_id == team_id).values(full_sync_due=False)
        )

    async def members(self, team_id: int) -> Sequence[Member]:
        return (
            await self.session.scalars(
                select(Member).where(Member.team_id == team_id, Member.active.is_(True)).order_by(Member.id)
            )
        ).all()

    # ------------------------------------------------------------------ links

    async def links(
        self, team_id: int, provider: str, kind: str, external_ids: Iterable[str]
    ) -> dict[str, CrmLink]:
        ids = list(dict.fromkeys(external_ids))
        found: dict[str, CrmLink] = {}
        for i in range(0, len(ids), 500):
            rows = await self.session.scalars(
                select(CrmLink).where(
                    CrmLink.team_id == team_id,
                    CrmLink.provider == provider,
                    CrmLink.kind == kind,
                    CrmLink.external_id.in_(ids[i : i + 500]),
                )
            )
            found.update((row.external_id, row) for row in rows)
        return found

    def add_link(
        self,
        team_id: int,
        provider: str,
        kind: str,
        external_id: str,
        local_id: int,
        version: str | None,
        vague: str | None = None,
    ) -> CrmLink:
        link = CrmLink(
            team_id=team_id,
            provider=provider,
            kind=kind,
            external_id=external_id,
            local_id=local_id,
            version=version,
            vague=vague,
        )
        self.session.add(link)
        return link

    async def link_counts(self, team_id: int, provider: str) -> dict[str, int]:
        rows = await self.session.execute(
            select(CrmLink.kind, func.count())
            .where(CrmLink.team_id == team_id, CrmLink.provider == provider)
            .group_by(CrmLink.kind)
        )
        return {kind: n for kind, n in rows.all()}

    async def vague_tasks(self, team_id: int, task_ids: Iterable[int]) -> dict[int, str]:
        """The CRM tasks among ``task_ids`` whose wording names no action, and the problem with each."""
        ids = list(task_ids)
        if not ids:
            return {}
        rows = await self.session.execute(
            select(CrmLink.local_id, CrmLink.vague).where(
                CrmLink.team_id == team_id,
                CrmLink.kind == LinkKind.TASK,
                CrmLink.local_id.in_(ids),
                CrmLink.vague.is_not(None),
            )
        )
        return {local_id: vague for local_id, vague in rows.all() if vague is not None}

    async def vague_open(self, team_id: int, due_by: date) -> list[tuple[int, str, str | None, str]]:
        """The team's open CRM tasks due by ``due_by`` whose wording names no action: (assignee id,
        wording, client name, problem), by assignee and due date (what the head's digest counts)."""
        rows = await self.session.execute(
            select(Task.assignee_id, Task.action, Client.name, CrmLink.vague)
            .join(CrmLink, and_(CrmLink.local_id == Task.id, CrmLink.kind == LinkKind.TASK))
            .outerjoin(Client, Client.id == Task.client_id)
            .where(
                CrmLink.team_id == team_id,
                CrmLink.vague.is_not(None),
                Task.team_id == team_id,
                Task.status == TaskStatus.OPEN,
                Task.due_date <= due_by,
            )
            .order_by(Task.assignee_id, Task.due_date, Task.id)
        )
        return [(a, action, client, vague) for a, action, client, vague in rows.all() if vague is not None]

    async def _batched(self, ids: Iterable[int], query: Callable[[list[int]], Select[Any]]) -> list[Any]:
        """The rows ``query`` finds for ``ids``, asked 500 ids at a time."""
        ids = list(ids)
        found: list[Any] = []
        for i in range(0, len(ids), 500):
            found.extend(await self.session.scalars(query(ids[i : i + 500])))
        return found

    async def tasks_by_id(self, team_id: int, ids: Iterable[int]) -> dict[int, Task]:
        tasks = await self._batched(
            ids, lambda part: select(Task).where(Task.team_id == team_id, Task.id.in_(part))
        )
        return {t.id: t for t in tasks}

    async def open_task_links(self, team_id: int, provider: str) -> list[str]:
        """The CRM ids of the team's open bot tasks that mirror a CRM task. Two plain reads matched here,
        not a join: joined, right after a first sync's bulk inserts (no statistics yet), it took minutes
        on PostgreSQL (the bench's first sync: 104–194 s instead of about 70)."""
        open_ids = set(
            (
                await self.session.scalars(
                    select(Task.id).where(Task.team_id == team_id, Task.status == TaskStatus.OPEN)
                )
            ).all()
        )
        rows = await self.session.execute(
            select(CrmLink.local_id, CrmLink.external_id)
            .where(CrmLink.team_id == team_id, CrmLink.provider == provider, CrmLink.kind == LinkKind.TASK)
            .order_by(CrmLink.id)
        )
        return [external for local_id, external in rows.all() if local_id in open_ids]

    async def open_task_count(self, team_id: int, provider: str) -> int:
        linked = select(CrmLink.local_id).where(
            CrmLink.team_id == team_id, CrmLink.provider == provider, CrmLink.kind == LinkKind.TASK
        )
        return (
            await self.session.scalar(
                select(func.count())
                .select_from(Task)
                .where(Task.team_id == team_id, Task.status == TaskStatus.OPEN, Task.id.in_(linked))
            )
            or 0
        )

    async def _new_ids(self, table: str, n: int) -> list[int]:
        """``n`` primary keys for rows inserted in bulk. SQLite cannot hand back the ids of a multi-row
        insert in order, so the ORM would insert a row at a time; the ids are taken first instead: on
        PostgreSQL from the table's sequence, on SQLite above the highest id (the transaction holds the
        write lock from its ``BEGIN IMMEDIATE``, so no one else inserts meanwhile)."""
        if n == 0:
            return []
        if self.session.get_bind().dialect.name == "postgresql":
            rows = await self.session.execute(
                text(f"SELECT nextval(pg_get_serial_sequence('{table}', 'id')) FROM generate_series(1, :n)"),
                {"n": n},
            )
            return [int(r[0]) for r in rows.all()]
        top = await self.session.scalar(text(f"SELECT coalesce(max(id), 0) FROM {table}")) or 0
        return list(range(int(top) + 1, int(top) + 1 + n))

    async def _insert_new(self, model: type[Task] | type[Client], values: list[dict[str, Any]]) -> list[int]:
        """One multi-row insert of new rows, their ids taken first (``_new_ids``); the ids, in order."""
        ids = await self._new_ids(model.__tablename__, len(values))
        if ids:
            await self.session.execute(
                insert(model), [{"id": i, **one} for i, one in zip(ids, values, strict=True)]
            )
        return ids

    async def create_tasks(self, team_id: int, provider: str, rows: Sequence[NewCrmTask]) -> list[int]:
        """Bot tasks for new CRM tasks, each with its "created" event and its link: three multi-row
        inserts however many tasks (a first sync brings thousands)."""
        ids = await self._insert_new(
            Task,
            [
                {
                    "team_id": team_id,
                    "assignee_id": row.assignee_id,
                    "client_id": row.client_id,
                    "created_by": None,
                    "action": row.action,
                    "due_date": row.due,
                    "status": TaskStatus.OPEN,
                    "moves": 0,
                }
                for row in rows
            ],
        )
        if not ids:
            return []
        await self.session.execute(
            insert(TaskEvent),
            [
                {
                    "task_id": task_id,
                    "actor_id": None,
                    "kind": TaskEventKind.CREATED,
                    "from_date": row.due,
                    "data": {"due": row.due.isoformat(), "source": provider},
                }
                for task_id, row in zip(ids, rows, strict=True)
            ],
        )
        await self._link_new(team_id, provider, LinkKind.TASK, ids, rows)
        return ids

    async def _link_new(
        self,
        team_id: int,
        provider: str,
        kind: str,
        local_ids: Sequence[int],
        rows: Sequence[NewCrmTask | NewCrmClient],
    ) -> None:
        """The links of rows just created (``local_ids``, in the order of ``rows``), one multi-row insert."""
        if rows:
            await self.session.execute(
                insert(CrmLink),
                [
                    {
                        "team_id": team_id,
                        "provider": provider,
                        "kind": kind,
                        "external_id": row.external_id,
                        "local_id": local_id,
                        "version": row.version,
                        "vague": getattr(row, "vague", None),
                    }
                    for local_id, row in zip(local_ids, rows, strict=True)
                ],
            )

    async def create_clients(self, team_id: int, provider: str, rows: Sequence[NewCrmClient]) -> list[int]:
        ids = await self._insert_new(
            Client,
            [
                {
                    "team_id": team_id,
                    "owner_id": row.owner_id,
                    "name": row.name[:200],
                    "name_key": name_key(row.name[:200]),
                    "stage": row.stage,
                }
                for row in rows
            ],
        )
        await self._link_new(team_id, provider, LinkKind.CLIENT, ids, rows)
        return ids

    async def clients_by_id(self, team_id: int, ids: Iterable[int]) -> dict[int, Client]:
        clients = await self._batched(
            ids, lambda part: select(Client).where(Client.team_id == team_id, Client.id.in_(part))
        )
        return {c.id: c for c in clients}

    # ------------------------------------------------------------------ deals

    async def add_deal(
        self, team_id: int, client_id: int, member_id: int, amount: Decimal, on_date: date
    ) -> Deal:
        deal = Deal(team_id=team_id, client_id=client_id, member_id=member_id, amount=amount, on_date=on_date)
        self.session.add(deal)
        await self.session.flush()
        return deal

    # ------------------------------------------------------------------ the stage map

    async def stage_map(self, team_id: int, provider: str) -> dict[tuple[str, str], Stage]:
        rows = await self.session.scalars(
            select(CrmStageMap).where(CrmStageMap.team_id == team_id, CrmStageMap.provider == provider)
        )
        return {(row.pipeline_id, row.stage_id): row.stage for row in rows}

    async def add_stages(
        self, team_id: int, provider: str, stages: Iterable[tuple[str, str, str, str, Stage]]
    ) -> int:
        """Adds (pipeline id, stage id, name, semantic, bot stage) rows the team does not have yet; a
        stage the head has mapped keeps its mapping."""
        known = await self.stage_map(team_id, provider)
        added = 0
        for pipeline_id, stage_id, name, semantic, stage in stages:
            if (pipeline_id, stage_id) in known:
                continue
            self.session.add(
                CrmStageMap(
                    team_id=team_id,
                    provider=provider,
                    pipeline_id=pipeline_id,
                    stage_id=stage_id,
                    name=name[:200],
                    semantic=semantic,
                    stage=stage,
                )
            )
            known[(pipeline_id, stage_id)] = stage
            added += 1
        await self.session.flush()
        return added

    # ------------------------------------------------------------------ the write-back outbox

    async def marks_after(
        self, team_id: int, provider: str, after: int, upto: int, limit: int = 500
    ) -> list[TaskMark]:
        """Task events of the team after event ``after`` up to ``upto`` (what ``newest_events`` read once
        ``event_writers`` were gone), oldest first, with each task and its CRM id."""
        rows = await self.session.execute(
            select(TaskEvent.id, TaskEvent.kind, TaskEvent.at, TaskEvent.data, Task, CrmLink.external_id)
            .join(Task, Task.id == TaskEvent.task_id)
            .outerjoin(
                CrmLink,
                and_(
                    CrmLink.team_id == team_id,
                    CrmLink.provider == provider,
                    CrmLink.kind == LinkKind.TASK,
                    CrmLink.local_id == Task.id,
                ),
            )
            .where(Task.team_id == team_id, TaskEvent.id > after, TaskEvent.id <= upto)
            .order_by(TaskEvent.id)
            .limit(limit)
        )
        return [
            TaskMark(eid, kind, at, dict(data or {}), task, ext)
            for eid, kind, at, data, task, ext in rows.all()
        ]

    def enqueue(
        self,
        team_id: int,
        provider: str,
        event_id: int,
        task_id: int,
        op: str,
        payload: dict[str, object],
        at: datetime,
    ) -> None:
        self._enqueue(team_id, provider, op, payload, at, event_id=event_id, task_id=task_id)

    async def outbox_head(self, team_id: int, limit: int = 50) -> Sequence[CrmOutbox]:
        """The team's unsent writes in the order they were made (``sending``: cut off mid-send)."""
        return (
            await self.session.scalars(
                select(CrmOutbox)
                .where(CrmOutbox.team_id == team_id, CrmOutbox.status.in_((PENDING, SENDING)))
                .order_by(CrmOutbox.id)
                .limit(limit)
            )
        ).all()

    async def outbox_row(self, row_id: int) -> CrmOutbox | None:
        return await self.session.get(CrmOutbox, row_id)

    async def outbox_counts(self, team_id: int) -> dict[str, int]:
        rows = await self.session.execute(
            select(CrmOutbox.status, func.count())
            .where(CrmOutbox.team_id == team_id)
            .group_by(CrmOutbox.status)
        )
        return {status: n for status, n in rows.all()}

    async def deal_marks_after(self, team_id: int, after: int, upto: int, limit: int = 500) -> list[DealMark]:
        """The team's deal events after ``after`` up to ``upto``, oldest first, each with its deal and
        client."""
        rows = await self.session.execute(
            select(DealEvent.id, DealEvent.kind, DealEvent.new_amount, Deal, Client)
            .join(Deal, Deal.id == DealEvent.deal_id)
            .join(Client, Client.id == Deal.client_id)
            .where(Deal.team_id == team_id, DealEvent.id > after, DealEvent.id <= upto)
            .order_by(DealEvent.id)
            .limit(limit)
        )
        return [
            DealMark(eid, DealEventKind(kind), amount, deal, client)
            for eid, kind, amount, deal, client in rows.all()
        ]

    async def deal_wins(self, team_id: int, deal_ids: Iterable[int]) -> dict[int, list[CrmOutbox]]:
        """Bot deal id → its "win" rows (oldest first): a deal's win row is made from one of its events."""
        ids = list(set(deal_ids))
        if not ids:
            return {}
        rows = await self.session.execute(
            select(DealEvent.deal_id, CrmOutbox)
            .join(DealEvent, DealEvent.id == CrmOutbox.deal_event_id)
            .where(CrmOutbox.team_id == team_id, CrmOutbox.op == "win", DealEvent.deal_id.in_(ids))
            .order_by(CrmOutbox.id)
        )
        found: dict[int, list[CrmOutbox]] = {}
        for deal_id, row in rows.all():
            found.setdefault(deal_id, []).append(row)
        return found

    async def drop_deal_link(self, team_id: int, provider: str, external_id: str) -> None:
        """Forget which bot deal a CRM deal is (it left won: a later win there is a new deal)."""
        await self.session.execute(
            delete(CrmLink).where(
                CrmLink.team_id == team_id,
                CrmLink.provider == provider,
                CrmLink.kind == LinkKind.DEAL,
                CrmLink.external_id == external_id,
            )
        )

    def enqueue_deal(
        self,
        team_id: int,
        provider: str,
        deal_event_id: int,
        op: str,
        payload: dict[str, object],
        at: datetime,
    ) -> None:
        self._enqueue(team_id, provider, op, payload, at, deal_event_id=deal_event_id)

    def _enqueue(
        self,
        team_id: int,
        provider: str,
        op: str,
        payload: dict[str, object],
        at: datetime,
        **source: int,
    ) -> None:
        """A pending write to the CRM, due ``at``; ``source``: the event it comes from (a task's
        ``event_id`` and ``task_id``, or a deal's ``deal_event_id``)."""
        self.session.add(
            CrmOutbox(
                status=PENDING,
                attempts=0,
                next_attempt_at=at,
                team_id=team_id,
                provider=provider,
                op=op,
                payload=payload,
                **source,
            )
        )

    async def newest_events(self) -> tuple[int, int]:
        """The highest task and deal event ids visible now (0 with none)."""
        row = (
            await self.session.execute(
                select(
                    select(func.coalesce(func.max(TaskEvent.id), 0)).scalar_subquery(),
                    select(func.coalesce(func.max(DealEvent.id), 0)).scalar_subquery(),
                )
            )
        ).one()
        return int(row[0]), int(row[1])

    async def event_writers(self, among: Iterable[EventWriter] | None = None) -> list[EventWriter]:
        """The other transactions writing task or deal events now (of ``among``, when given).

        On PostgreSQL an event's id is drawn at its insert, and a transaction still open may commit a
        lower id after a higher one is visible: a cursor moved to the highest visible id would pass it
        for good. Every transaction that writes an event holds ``EVENT_WRITERS_LOCK`` shared from before
        its insert draws an id (migration 0015), so once the holders seen after reading
        ``newest_events`` are gone, every id up to those is settled; a writer after them draws a higher
        one. SQLite runs one writer at a time: what it shows is settled, and this is always empty."""
        if self.session.get_bind().dialect.name != "postgresql":
            return []
        space, key = EVENT_WRITERS_LOCK
        rows = await self.session.execute(_EVENT_WRITERS, {"space": space, "key": key})
        seen = None if among is None else {w.vxid for w in among}
        return [
            EventWriter(vxid, pid, float(age or 0))
            for vxid, pid, age in rows.all()
            if seen is None or vxid in seen
        ]

    async def set_deal_events_cursor(self, team_id: int, event_id: int) -> None:
        await self.session.execute(
            update(CrmConnection)
            .where(CrmConnection.team_id == team_id, CrmConnection.deal_events_cursor < event_id)
            .values(deal_events_cursor=event_id)
        )

    async def set_events_cursor(self, team_id: int, event_id: int) -> None:
        await self.session.execute(
            update(CrmConnection)
            .where(CrmConnection.team_id == team_id, CrmConnection.events_cursor < event_id)
            .values(events_cursor=event_id)
        )

    async def client_refs(self, team_id: int, provider: str, client_ids: Iterable[int]) -> dict[int, str]:
        """Client id → its CRM key (``deal:123``) for the clients that came from the CRM."""
        return await self._external_ids(team_id, provider, LinkKind.CLIENT, client_ids)

    async def _external_ids(
        self, team_id: int, provider: str, kind: str, local_ids: Iterable[int]
    ) -> dict[int, str]:
        """Bot row id → the CRM id it mirrors, for those of ``local_ids`` that have a link of ``kind``."""
        ids = list(set(local_ids))
        if not ids:
            return {}
        rows = await self.session.execute(
            select(CrmLink.local_id, CrmLink.external_id).where(
                CrmLink.team_id == team_id,
                CrmLink.provider == provider,
                CrmLink.kind == kind,
                CrmLink.local_id.in_(ids),
            )
        )
        return {local_id: ext for local_id, ext in rows.all()}

    async def crm_user_of(self, team_id: int, provider: str) -> dict[int, str]:
        """Member id → their CRM user id."""
        rows = await self.session.execute(
            select(CrmUserLink.member_id, CrmUserLink.crm_user_id).where(
                CrmUserLink.team_id == team_id,
                CrmUserLink.provider == provider,
                CrmUserLink.member_id.is_not(None),
            )
        )
        return {member_id: crm_id for member_id, crm_id in rows.all() if member_id is not None}

    async def links_of_tasks(self, team_id: int, provider: str, task_ids: Iterable[int]) -> dict[int, str]:
        """Bot task id → the CRM task it mirrors."""
        return await self._external_ids(team_id, provider, LinkKind.TASK, task_ids)

    async def sent_result(self, task_id: int) -> str | None:
        """The result text the task's completion carried to the CRM, if it went."""
        payload = await self.session.scalar(
            select(CrmOutbox.payload)
            .where(CrmOutbox.task_id == task_id, CrmOutbox.op == "complete", CrmOutbox.status == SENT)
            .order_by(CrmOutbox.id.desc())
            .limit(1)
        )
        value = (payload or {}).get("result")
        return str(value) if value is not None else None

    # ------------------------------------------------------------------ CRM live (webhooks, health notices)

    async def by_hook(self, provider: str, hook_hash: str) -> CrmConnection | None:
        """The active connection whose webhook path secret hashes to ``hook_hash``."""
        return await self.session.scalar(
            select(CrmConnection).where(
                CrmConnection.hook_hash == hook_hash,
                CrmConnection.provider == provider,
                CrmConnection.status == CrmConnectionStatus.ACTIVE,
            )
        )

    async def tell_heads(self, team_id: int, kind: str, now: datetime) -> int:
        """Queue the notice ``kind`` to the team's active, reachable heads for their local today (made due
        again where today's already went out); how many heads."""
        return await ReachabilityRepo(self.session).tell_heads(team_id, kind, now)
