"""Import: a preview first (what would be written, what is rejected and why), then one all-or-nothing
write of the good rows.

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
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.enums import Role, Stage
from domain.import_rules import (
    ClientRow,
    Person,
    PlanRow,
    Rejected,
    client_rows,
    map_columns,
    match_person,
    plan_rows,
)
from domain.sales import Target
from importer.read import Table
from storage.models import Client, Member, SalesPlan, Task, Team
from storage.repo import ClientRepo, TaskRepo, name_key

PREVIEW_ROWS = 5


@dataclass(frozen=True, slots=True)
class NewClient:
    name: str
    key: str
    owner_id: int
    stage: Stage


@dataclass(frozen=True, slots=True)
class NewTask:
    client_key: str
    action: str
    due: date
    assignee_id: int


@dataclass(frozen=True, slots=True)
class NewPlan:
    member_id: int
    month: date
    target: Target


@dataclass(frozen=True, slots=True)
class Sample:
    row: int
    client: str
    owner: str
    task: str | None
    due: date | None


@dataclass
class ImportPlan:
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
    rejected: list[Rejected] = field(default_factory=list)
    samples: list[Sample] = field(default_factory=list)
    understood: bool = False  # some table had columns this importer knows

    @property
    def known_clients(self) -> int:
        return len(self.known_client_keys)

    @property
    def nothing_new(self) -> bool:
        return not (self.new_clients or self.new_tasks or self.new_plans)


@dataclass(frozen=True, slots=True)
class Written:
    clients: int
    tasks: int
    plans: int


async def _people(session: AsyncSession, team_id: int) -> tuple[list[Person], dict[int, str]]:
    members = (
        await session.scalars(
            select(Member).where(
                Member.team_id == team_id,
                Member.active.is_(True),
                Member.role.in_((Role.MANAGER, Role.HEAD)),
            )
        )
    ).all()
    return [Person(m.id, m.name, m.username) for m in members], {m.id: m.name for m in members}


async def prepare(
    session: AsyncSession,
    team: Team,
    tables: Sequence[Table],
    today: date,
    default_owner_id: int | None = None,
) -> ImportPlan:
    """What importing ``tables`` would do now; writes nothing."""
    plan = ImportPlan()
    people, names = await _people(session, team.id)
    existing = {c.name_key: c for c in await session.scalars(select(Client).where(Client.team_id == team.id))}
    known_task_keys = {
        (client_id, name_key(action), due)
        for client_id, action, due in (
            await session.execute(
                select(Task.client_id, Task.action, Task.due_date).where(
                    Task.team_id == team.id, Task.client_id.is_not(None)
                )
            )
        )
    }
    stored_plans = {
        (p.member_id, p.month): p
        for p in await session.scalars(
            select(SalesPlan).where(SalesPlan.team_id == team.id, SalesPlan.member_id.is_not(None))
        )
    }
    seen_clients: dict[str, int] = {}  # key -> owner id, for clients new in this file
    seen_tasks: set[tuple[str, str, date]] = set()
    seen_plans: set[tuple[int, date]] = set()

    for table in tables:
        columns = map_columns(table.headers)
        kind = columns.kind
        if kind is None:
            continue
        plan.understood = True
        plan.rows += len(table.rows)
        plan.columns += [(str(columns.headers[i]), c.value) for c, i in columns.columns.items()]
        plan.ignored += list(columns.ignored)
        if kind == "plans":
            _plans(plan, plan_rows(table.rows, columns, today), people, stored_plans, seen_plans)
            continue
        for item in client_rows(table.rows, columns):
            if isinstance(item, Rejected):
                plan.rejected.append(item)
                continue
            _client_row(
                plan,
                item,
                people,
                names,
                default_owner_id,
                existing,
                known_task_keys,
                seen_clients,
                seen_tasks,
            )
    plan.rejected.sort(key=lambda r: r.row)
    return plan


def _client_row(
    plan: ImportPlan,
    item: ClientRow,
    people: list[Person],
    names: dict[int, str],
    default_owner_id: int | None,
    existing: dict[str, Client],
    known_task_keys: set[tuple[int, str, date]],
    seen_clients: dict[str, int],
    seen_tasks: set[tuple[str, str, date]],
) -> None:
    if item.owner:
        owner_id = match_person(item.owner, people)
        if owner_id is None:
            plan.rejected.append(Rejected(item.row, "unknown-owner", item.owner[:40]))
            return
    else:
        owner_id = default_owner_id
    key = name_key(item.client)
    if not key:  # nothing visible in the name (zero-width or bidi characters only)
        plan.rejected.append(Rejected(item.row, "no-client"))
        return
    client = existing.get(key)
    if owner_id is None:
        owner_id = client.owner_id if client else seen_clients.get(key)
        if owner_id is None:
            plan.rejected.append(Rejected(item.row, "no-owner"))
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
        if client is not None and (client.id, task_key[1], item.due) in known_task_keys:
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
    items: list[PlanRow | Rejected],
    people: list[Person],
    stored: dict[tuple[int, date], SalesPlan],
    seen: set[tuple[int, date]],
) -> None:
    for item in items:
        if isinstance(item, Rejected):
            plan.rejected.append(item)
            continue
        member_id = match_person(item.manager, people)
        if member_id is None:
            plan.rejected.append(Rejected(item.row, "unknown-owner", item.manager[:40]))
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


async def apply(session: AsyncSession, team: Team, plan: ImportPlan, actor_id: int | None) -> Written:
    """Write the plan's new rows (the caller's transaction makes it all or nothing)."""
    clients = ClientRepo(session)
    tasks = TaskRepo(session)
    by_key = {c.name_key: c for c in await session.scalars(select(Client).where(Client.team_id == team.id))}
    written_clients = 0
    for new in plan.new_clients:
        if new.key in by_key:  # appeared since the preview
            continue
        by_key[new.key] = await clients.create(team.id, new.owner_id, new.name, new.stage)
        written_clients += 1
    known = {
        (client_id, name_key(action), due)
        for client_id, action, due in (
            await session.execute(
                select(Task.client_id, Task.action, Task.due_date).where(
                    Task.team_id == team.id, Task.client_id.is_not(None)
                )
            )
        )
    }
    written_tasks = 0
    for new in plan.new_tasks:
        client = by_key[new.client_key]
        if (client.id, name_key(new.action), new.due) in known:
            continue
        await tasks.create(
            team.id, new.assignee_id, new.action, new.due, client_id=client.id, created_by=actor_id
        )
        known.add((client.id, name_key(new.action), new.due))
        written_tasks += 1
    written_plans = 0
    stored = {
        (p.member_id, p.month): p
        for p in await session.scalars(
            select(SalesPlan).where(SalesPlan.team_id == team.id, SalesPlan.member_id.is_not(None))
        )
    }
    for new in plan.new_plans:
        row = stored.get((new.member_id, new.month))
        if row is None:
            session.add(
                SalesPlan(
                    team_id=team.id,
                    member_id=new.member_id,
                    month=new.month,
                    revenue=new.target.revenue,
                    deals=int(new.target.deals),
                )
            )
        else:
            row.revenue, row.deals = new.target.revenue, int(new.target.deals)
        written_plans += 1
    await session.flush()
    return Written(written_clients, written_tasks, written_plans)
