"""What an import reads and writes (``importer/service.py`` holds the rules, this the SQL): the team's
people, clients and task keys for the preview, and the writes of the good rows: staged, then published.

Staged: the new clients and tasks go first into two temporary tables of the import's own connection
(``staging_session``), a few hundred rows a statement. On SQLite those transactions begin deferred and
write only the connection's temporary database, so they never take the database's one write lock: the
other people's updates go on meanwhile, and the Python work of passing thousands of rows to the driver
is done in slices, the loop free between them. Then ``publish`` makes them real in one short
transaction (the only one that needs the writer): a few ``INSERT … SELECT`` statements SQLite or
PostgreSQL run by themselves, whatever the number of rows. All or nothing: nobody sees a staged row
(temporary tables are the connection's own), and a crash before ``publish`` commits leaves nothing; the
temporary tables go with the connection.

Why not a batch of rows per transaction into the real tables: a crash or an error midway would leave
half an import visible (idempotence would let a second import finish it, but people would meanwhile
see half). Why not permanent staging tables: their writes would take SQLite's write lock too, each batch
a turn at the writer, and a crash would leave rows to clean up."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable, Sequence
from contextlib import asynccontextmanager
from datetime import date
from decimal import Decimal
from typing import Any, cast

from sqlalchemy import (
    Column,
    Date,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    exists,
    func,
    insert,
    literal,
    select,
)
from sqlalchemy.engine import CursorResult
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from sqlalchemy.orm import aliased

from domain.enums import Role, Stage, TaskEventKind, TaskStatus
from storage.db import SQLITE_BEGIN
from storage.models import Client, Member, SalesPlan, Task, TaskEvent
from storage.repo import name_key
from storage.session_repo import SessionRepo

TaskKey = tuple[int, str, date]  # (client id, the action's name key, due date)
StagedTask = tuple[str, int, str, date]  # (the client's name key, assignee, action, due date)

STAGE_ROWS = 500
"""Rows a staging statement carries: the loop is busy a few milliseconds a statement, not a second."""

# The models' tables, for the inserts from a select (``Model.__table__`` is typed as any FromClause).
CLIENTS, TASKS, EVENTS = (cast(Table, model.__table__) for model in (Client, Task, TaskEvent))

# not in the models' metadata: no migration, created on the import's connection as it starts
_staging = MetaData()
STAGED_CLIENTS = Table(
    "import_clients",
    _staging,
    Column("name", String(200)),
    Column("name_key", String(200)),
    Column("owner_id", Integer),
    Column("stage", String(16)),
    Index("ix_import_clients_name_key", "name_key"),
    prefixes=["TEMPORARY"],
)
STAGED_TASKS = Table(
    "import_tasks",
    _staging,
    Column("client_key", String(200)),
    Column("assignee_id", Integer),
    Column("action", String(500)),
    Column("due_date", Date),
    # the publishing join looks staged tasks up by client (without it SQLite, knowing nothing of a temporary
    # table's size, scanned it once per client of the team: 22 s for 5,000 rows)
    Index("ix_import_tasks_client_key", "client_key"),
    prefixes=["TEMPORARY"],
)


@asynccontextmanager
async def staging_session(pool: async_sessionmaker[AsyncSession]) -> AsyncIterator[AsyncSession]:
    """A session on one connection of its own for an import's write: its temporary tables hold the staged
    rows between transactions. Its transactions begin deferred on SQLite (reading and staging take no
    write lock) until ``publishing``."""
    engine: AsyncEngine = pool.kw["bind"]
    async with engine.connect() as connection:
        await connection.execution_options(**{SQLITE_BEGIN: "BEGIN"})
        session = AsyncSession(bind=connection, expire_on_commit=False)
        try:
            yield session
        finally:
            await session.close()
            await connection.rollback()
            await connection.execution_options(**{SQLITE_BEGIN: "BEGIN"})  # no write lock to drop them
            async with connection.begin():  # the connection goes back to the pool without them
                for table in (STAGED_CLIENTS, STAGED_TASKS):
                    await connection.run_sync(table.drop, checkfirst=True)


async def publishing(session: AsyncSession) -> None:
    """The next transaction of a ``staging_session`` takes the write lock at once (``BEGIN IMMEDIATE``, as
    every writer): it publishes."""
    connection = await session.connection()
    await session.commit()
    await connection.execution_options(**{SQLITE_BEGIN: "BEGIN IMMEDIATE"})


class ImportRepo(SessionRepo):
    async def people(self, team_id: int) -> Sequence[Member]:
        """Who may own an imported row: the team's active managers and heads."""
        return (
            await self.session.scalars(
                select(Member).where(
                    Member.team_id == team_id,
                    Member.active.is_(True),
                    Member.role.in_((Role.MANAGER, Role.HEAD)),
                )
            )
        ).all()

    async def clients_by_key(self, team_id: int) -> dict[str, Client]:
        return {
            c.name_key: c for c in await self.session.scalars(select(Client).where(Client.team_id == team_id))
        }

    async def client_ids(self, team_id: int) -> dict[str, int]:
        """The team's client ids by name key (plain rows: an import's load reads thousands). A name key is not
        unique (a CRM sync may bring two «Ромашка»): it maps to the highest id, as ``publish`` picks."""
        rows = await self.session.execute(
            select(Client.name_key, Client.id).where(Client.team_id == team_id).order_by(Client.id)
        )
        return {key: cid for key, cid in rows}

    async def task_keys(self, team_id: int) -> tuple[set[TaskKey], set[tuple[int, str]]]:
        """Every client task of the team as (client, action key, due), and the open ones as (client, action
        key): an overdue row the team already has open (perhaps moved since) is not new."""
        rows = await self.session.execute(
            select(Task.client_id, Task.action, Task.due_date, Task.status).where(
                Task.team_id == team_id, Task.client_id.is_not(None)
            )
        )
        keys: set[TaskKey] = set()
        open_: set[tuple[int, str]] = set()
        for client_id, action, due, status in rows:
            assert client_id is not None
            keys.add((client_id, name_key(action), due))
            if status is TaskStatus.OPEN:
                open_.add((client_id, name_key(action)))
        return keys, open_

    async def member_plans(self, team_id: int) -> dict[tuple[int, date], SalesPlan]:
        plans = await self.session.scalars(
            select(SalesPlan).where(SalesPlan.team_id == team_id, SalesPlan.member_id.is_not(None))
        )
        return {(p.member_id, p.month): p for p in plans if p.member_id is not None}

    async def start_staging(self) -> None:
        """Empty staging tables on this session's connection (created when missing)."""
        connection = await self.session.connection()
        for table in (STAGED_CLIENTS, STAGED_TASKS):
            await connection.run_sync(table.create, checkfirst=True)
            await self.session.execute(table.delete())

    async def stage_clients(self, rows: Iterable[tuple[str, int, Stage]]) -> None:
        """New clients (name, owner, stage), staged: nobody sees them before ``publish``."""
        values = [
            {"name": name, "name_key": name_key(name), "owner_id": owner, "stage": stage.value}
            for name, owner, stage in rows
        ]
        if values:
            await self.session.execute(insert(STAGED_CLIENTS), values)

    async def stage_tasks(self, rows: Iterable[StagedTask]) -> None:
        """New open tasks (client's name key, assignee, action, due), staged."""
        values = [
            {"client_key": key, "assignee_id": assignee, "action": action, "due_date": due}
            for key, assignee, action, due in rows
        ]
        if values:
            await self.session.execute(insert(STAGED_TASKS), values)

    async def publish(self, team_id: int, actor_id: int | None) -> tuple[int, int]:
        """The staged clients and tasks become the team's, each task with its "created" event, in a few
        set-based statements (the database copies the rows; no row passes through Python); how many
        clients and tasks. A client whose name key the team has by now, and a task its client has by now
        (same action, same day), are not added twice."""
        staged_c, staged_t = STAGED_CLIENTS.c, STAGED_TASKS.c
        team = literal(team_id, Integer)
        # one client per staged task though a name key is not unique in a team: the one ``client_ids`` picks
        twin = aliased(Client)
        picked = (
            select(func.max(twin.id))
            .where(twin.team_id == team_id, twin.name_key == staged_t.client_key)
            .correlate(STAGED_TASKS)
            .scalar_subquery()
        )
        clients = await self.session.execute(
            insert(CLIENTS).from_select(
                ["team_id", "owner_id", "name", "name_key", "stage"],
                select(team, staged_c.owner_id, staged_c.name, staged_c.name_key, staged_c.stage).where(
                    ~exists().where(Client.team_id == team_id, Client.name_key == staged_c.name_key)
                ),
            )
        )
        new_tasks = (
            select(
                team,
                Client.id,
                staged_t.assignee_id,
                staged_t.action,
                staged_t.due_date,
                literal(actor_id, Integer),
                literal(TaskStatus.OPEN.value, String),
                literal(0, Integer),
            )
            .select_from(STAGED_TASKS.join(Client, Client.id == picked))
            .where(
                ~exists().where(
                    Task.client_id == Client.id,
                    Task.due_date == staged_t.due_date,
                    Task.action == staged_t.action,
                )
            )
        )
        task_columns = [
            "team_id",
            "client_id",
            "assignee_id",
            "action",
            "due_date",
            "created_by",
            "status",
            "moves",
        ]
        event_columns = ["task_id", "actor_id", "kind", "from_date", "data"]
        created = literal(TaskEventKind.CREATED.value, String)
        actor = literal(actor_id, Integer)
        if (await self.session.connection()).dialect.name == "sqlite":
            # the write lock is held: every task above the highest id now is this import's
            before = await self.session.scalar(select(func.coalesce(func.max(Task.id), 0)))
            await self.session.execute(insert(TASKS).from_select(task_columns, new_tasks))
            events = await self.session.execute(
                insert(EVENTS).from_select(
                    event_columns,
                    select(
                        Task.id, actor, created, Task.due_date, func.json_object("due", Task.due_date)
                    ).where(Task.id > before),
                )
            )
        else:  # PostgreSQL: other writers go on meanwhile, so the new tasks' ids come from RETURNING
            inserted = (
                insert(TASKS)
                .from_select(task_columns, new_tasks)
                .returning(TASKS.c.id, TASKS.c.due_date)
                .cte("inserted")
            )
            events = await self.session.execute(
                insert(EVENTS).from_select(
                    event_columns,
                    select(
                        inserted.c.id,
                        actor,
                        created,
                        inserted.c.due_date,
                        func.json_build_object("due", inserted.c.due_date),
                    ),
                )
            )
        return _count(clients), _count(events)

    async def end_staging(self) -> None:
        """The staged rows gone (a ``staging_session`` drops its tables as it ends; this is for an import
        in a pooled session's one transaction)."""
        for table in (STAGED_CLIENTS, STAGED_TASKS):
            await self.session.execute(table.delete())

    async def put_plan(
        self,
        team_id: int,
        member_id: int,
        month: date,
        revenue: Decimal,
        deals: int,
        stored: SalesPlan | None,
    ) -> None:
        if stored is None:
            self.session.add(
                SalesPlan(team_id=team_id, member_id=member_id, month=month, revenue=revenue, deals=deals)
            )
        else:
            stored.revenue, stored.deals = revenue, deals


def _count(result: Any) -> int:
    return cast(CursorResult[Any], result).rowcount or 0
