"""Import: a preview first (what would be written, what is rejected and why), then one all-or-nothing
write of the good rows: staged, then published in one short statement per table (``apply_staged`` in
the bot, so other people's updates are not held while thousands of rows are written; see
``storage/import_repo.py``).

Idempotent: a client is the same client when its team and ``name_key`` match (an existing client is
kept as it is, never renamed or moved); a task is the same task when its client, action (compared by
``name_key``) and due date match, whatever its status. Rows repeating an earlier row of the file are
counted as duplicates. So importing the same file twice adds nothing the second time. Plans (a plan
sheet) are set per manager and month; a plan equal to the stored one is not a change.

Owners: a row's "Ответственный" is matched to an active manager or head of the team (full name in any
word order, @username, or a first name or surname only one of them has). A row naming nobody known is
rejected; a row with no owner gets ``default_owner_id`` (the head who imports in the chat, ``--owner``
on the command line) or is rejected when there is none. A task goes to the row's owner, else to the
client's owner.

Overdue tasks: a row's task due before today is "overdue". When most of the file's new tasks are
(``ImportPlan.mostly_overdue``), the preview says so and offers to write them due on another date
(``apply(..., move_overdue_to=...)``). An overdue row is also known when its client already has an open
task with the same action, whatever its due date: the same file imported again after such a move adds
nothing.

No SQL here: ``storage/import_repo.py`` reads and writes.
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import AbstractAsyncContextManager, nullcontext
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from domain import import_rules
from domain.enums import Stage
from domain.sales import Target
from importer.read import Table
from storage.import_repo import STAGE_ROWS, ImportRepo, StagedTask, TaskKey, publishing, staging_session
from storage.models import Client, SalesPlan, Team
from storage.repo import name_key

PREVIEW_ROWS = 5


@dataclass
class ImportPlan:
    """What ``prepare`` read: what the import would write (the preview) and what it rejects and why."""

    rows: int = 0
    columns: list[tuple[str, str]] = field(default_factory=list)  # (header, column kind) used
    ignored: list[str] = field(default_factory=list)
    new_clients: list[NewClient] = field(default_factory=list)
    known_client_keys: set[str] = field(default_factory=set)
    new_tasks: list[NewTask] = field(default_factory=list)
    known_tasks: int = 0
    new_plans: list[NewPlan] = field(default_factory=list)
    known_plans: int = 0
    duplicates: int = 0
    unknown_stages: int = 0
    rejected: list[import_rules.Rejected] = field(default_factory=list)
    samples: list[Sample] = field(default_factory=list)
    understood: bool = False  # some table had columns this importer knows
    today: date | None = None  # the team's today when prepared: what "overdue" is measured against

    @property
    def known_clients(self) -> int:
        return len(self.known_client_keys)

    @property
    def overdue(self) -> int:
        """New tasks due before today."""
        if self.today is None:
            return 0
        today = self.today
        return sum(1 for task in self.new_tasks if task.due < today)

    @property
    def mostly_overdue(self) -> bool:
        """More than half of the new tasks are overdue: the preview offers to move them."""
        return self.overdue * 2 > len(self.new_tasks) > 0

    @property
    def nothing_new(self) -> bool:
        return not (self.new_clients or self.new_tasks or self.new_plans)


@dataclass(frozen=True, slots=True)
class NewClient:
    """A client the import will create: its name, the key it is matched by, its owner and stage."""

    name: str
    key: str
    owner_id: int
    stage: Stage


@dataclass(frozen=True, slots=True)
class NewTask:
    """A task the import will create for a client (by the client's key: the client may be new too)."""

    client_key: str
    action: str
    due: date
    assignee_id: int


@dataclass(frozen=True, slots=True)
class NewPlan:
    """A manager's sales plan for a month the import will set."""

    member_id: int
    month: date
    target: Target


@dataclass(frozen=True, slots=True)
class Sample:
    """A row of the preview the head sees before confirming the import (``PREVIEW_ROWS`` at most)."""

    row: int
    client: str
    owner: str
    task: str | None
    due: date | None


@dataclass(frozen=True, slots=True)
class Written:
    clients: int
    tasks: int
    plans: int


async def prepare(
    session: AsyncSession,
    team: Team,
    tables: Sequence[Table],
    today: date,
    default_owner_id: int | None = None,
) -> ImportPlan:
    """What importing ``tables`` would do now; writes nothing."""
    plan = ImportPlan(today=today)
    repo = ImportRepo(session)
    members = await repo.people(team.id)
    people = [import_rules.Person(m.id, m.name, m.username) for m in members]
    names = {m.id: m.name for m in members}
    existing = await repo.clients_by_key(team.id)
    known_task_keys, open_actions = await repo.task_keys(team.id)
    stored_plans = await repo.member_plans(team.id)
    seen_clients: dict[str, int] = {}  # key -> owner id, for clients new in this file
    seen_tasks: set[tuple[str, str, date]] = set()
    seen_plans: set[tuple[int, date]] = set()

    for table in tables:
        columns = import_rules.map_columns(table.headers)
        kind = columns.kind
        if kind is None:
            continue
        plan.understood = True
        plan.rows += len(table.rows)
        plan.columns += [(str(columns.headers[i]), c.value) for c, i in columns.columns.items()]
        plan.ignored += list(columns.ignored)
        if kind == "plans":
            _plans(plan, import_rules.plan_rows(table.rows, columns, today), people, stored_plans, seen_plans)
            continue
        for item in import_rules.client_rows(table.rows, columns):
            if isinstance(item, import_rules.Rejected):
                plan.rejected.append(item)
                continue
            _client_row(
                plan,
                item,
                people,
                names,
                default_owner_id,
                existing,
                (known_task_keys, open_actions, today),
                seen_clients,
                seen_tasks,
            )
    plan.rejected.sort(key=lambda r: r.row)
    return plan


def _client_row(
    plan: ImportPlan,
    item: import_rules.ClientRow,
    people: list[import_rules.Person],
    names: dict[int, str],
    default_owner_id: int | None,
    existing: dict[str, Client],
    known: tuple[set[TaskKey], set[tuple[int, str]], date],
    seen_clients: dict[str, int],
    seen_tasks: set[tuple[str, str, date]],
) -> None:
    if item.owner:
        owner_id = import_rules.match_person(item.owner, people)
        if owner_id is None:
            plan.rejected.append(import_rules.Rejected(item.row, "unknown-owner", item.owner[:40]))
            return
    else:
        owner_id = default_owner_id
    key = name_key(item.client)
    if not key:  # nothing visible in the name (zero-width or bidi characters only)
        plan.rejected.append(import_rules.Rejected(item.row, "no-client"))
        return
    client = existing.get(key)
    if owner_id is None:
        owner_id = client.owner_id if client else seen_clients.get(key)
        if owner_id is None:
            plan.rejected.append(import_rules.Rejected(item.row, "no-owner"))
            return
    new_client = client is None and key not in seen_clients
    if new_client:
        if item.stage is None and item.stage_text:
            plan.unknown_stages += 1
        seen_clients[key] = owner_id
        plan.new_clients.append(NewClient(item.client, key, owner_id, item.stage or Stage.NEW))
    elif client is not None:
        plan.known_client_keys.add(key)
    new_task = False
    if item.task is not None and item.due is not None:
        task_key = (key, name_key(item.task), item.due)
        known_task_keys, open_actions, today = known
        if client is not None and (
            (client.id, task_key[1], item.due) in known_task_keys
            or (item.due < today and (client.id, task_key[1]) in open_actions)
        ):
            plan.known_tasks += 1
        elif task_key in seen_tasks:
            plan.duplicates += 1
        else:
            seen_tasks.add(task_key)
            plan.new_tasks.append(NewTask(key, item.task, item.due, owner_id))
            new_task = True
    elif client is None and not new_client:
        plan.duplicates += 1  # the same client again, with nothing more
    if (new_client or new_task) and len(plan.samples) < PREVIEW_ROWS:
        plan.samples.append(
            Sample(
                item.row,
                item.client,
                names.get(owner_id, ""),
                item.task if new_task else None,
                item.due if new_task else None,
            )
        )


def _plans(
    plan: ImportPlan,
    items: list[import_rules.PlanRow | import_rules.Rejected],
    people: list[import_rules.Person],
    stored: dict[tuple[int, date], SalesPlan],
    seen: set[tuple[int, date]],
) -> None:
    for item in items:
        if isinstance(item, import_rules.Rejected):
            plan.rejected.append(item)
            continue
        member_id = import_rules.match_person(item.manager, people)
        if member_id is None:
            plan.rejected.append(import_rules.Rejected(item.row, "unknown-owner", item.manager[:40]))
            continue
        if (member_id, item.month) in seen:
            plan.duplicates += 1
            continue
        seen.add((member_id, item.month))
        row = stored.get((member_id, item.month))
        if row is not None and Decimal(row.revenue) == item.revenue and row.deals == item.deals:
            plan.known_plans += 1
            continue
        plan.new_plans.append(NewPlan(member_id, item.month, Target(item.revenue, Decimal(item.deals))))


async def apply(
    session: AsyncSession,
    team: Team,
    plan: ImportPlan,
    actor_id: int | None,
    move_overdue_to: date | None = None,
) -> Written:
    """Write the plan's new rows in the caller's transaction (all or nothing: the command line, tests);
    with ``move_overdue_to``, the tasks due before the plan's today are written due on that date."""
    repo = ImportRepo(session)
    clients, tasks = await _rows(repo, team.id, plan, move_overdue_to)
    await repo.start_staging()
    for start in range(0, max(len(clients), len(tasks)), STAGE_ROWS):
        await _stage(repo, clients, tasks, start)
    written = await _publish(repo, team.id, plan, actor_id)
    await repo.end_staging()
    return written


async def apply_staged(
    session_pool: async_sessionmaker[AsyncSession],
    team_id: int,
    plan: ImportPlan,
    actor_id: int | None,
    move_overdue_to: date | None = None,
    turn: AbstractAsyncContextManager[Any] | None = None,
) -> Written:
    """``apply`` beside everybody's updates (the bot): the rows are staged a few hundred at a time in
    transactions that take no write lock, the loop free between them, then published in one short
    transaction inside ``turn`` (SQLite's one writer, taken in turns with the updates: ``HeavyJobs.turns``).
    All or nothing still: nobody sees a staged row, and nothing is published unless all of it is."""
    async with staging_session(session_pool) as session:
        repo = ImportRepo(session)
        async with session.begin():
            clients, tasks = await _rows(repo, team_id, plan, move_overdue_to)
            await repo.start_staging()
        for start in range(0, max(len(clients), len(tasks)), STAGE_ROWS):
            async with session.begin():
                await _stage(repo, clients, tasks, start)
        await publishing(session)
        async with turn or nullcontext(), session.begin():
            return await _publish(repo, team_id, plan, actor_id)


async def _rows(
    repo: ImportRepo, team_id: int, plan: ImportPlan, move_overdue_to: date | None
) -> tuple[list[NewClient], list[StagedTask]]:
    """The plan's clients and tasks still new now (the preview may be minutes old), overdue tasks moved."""
    ids = await repo.client_ids(team_id)
    fresh = [new for new in plan.new_clients if new.key not in ids]  # not appeared since the preview
    known, _ = await repo.task_keys(team_id)
    seen: set[tuple[str, str, date]] = set()
    rows: list[StagedTask] = []
    for new in plan.new_tasks:
        due = new.due
        if move_overdue_to is not None and plan.today is not None and due < plan.today:
            due = move_overdue_to
        action = name_key(new.action)
        client_id = ids.get(new.client_key)
        if (client_id is not None and (client_id, action, due) in known) or (
            new.client_key,
            action,
            due,
        ) in seen:
            continue
        seen.add((new.client_key, action, due))
        rows.append((new.client_key, new.assignee_id, new.action, due))
    return fresh, rows


async def _stage(repo: ImportRepo, clients: list[NewClient], tasks: list[StagedTask], start: int) -> None:
    end = start + STAGE_ROWS
    await repo.stage_clients((n.name, n.owner_id, n.stage) for n in clients[start:end])
    await repo.stage_tasks(tasks[start:end])


async def _publish(repo: ImportRepo, team_id: int, plan: ImportPlan, actor_id: int | None) -> Written:
    clients, tasks = await repo.publish(team_id, actor_id)
    stored = await repo.member_plans(team_id)
    for new_plan in plan.new_plans:
        await repo.put_plan(
            team_id,
            new_plan.member_id,
            new_plan.month,
            new_plan.target.revenue,
            int(new_plan.target.deals),
            stored.get((new_plan.member_id, new_plan.month)),
        )
    await repo.session.flush()
    return Written(clients, tasks, len(plan.new_plans))
