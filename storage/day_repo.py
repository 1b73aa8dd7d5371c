"""The manager's day in the database: the day list, marking tasks, leads, deals, the evening report and
tomorrow's plan. Rules (order, frozen, plan-vs-fact) come from ``domain``; this module only reads and
writes rows, always inside the acting member's team."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from functools import cache, lru_cache
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from sqlalchemy import (
    BindParameter,
    ColumnElement,
    Executable,
    ScalarSelect,
    Select,
    String,
    and_,
    bindparam,
    case,
    insert,
    literal,
    literal_column,
    null,
    or_,
    select,
    type_coerce,
    union,
    union_all,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute
from sqlalchemy.orm.util import identity_key

from domain.calendar import MemberCalendar, WorkCalendar
from domain.enums import OPEN_STAGES, HotOutcome, LinkKind, PlanStatus, Stage, TaskEventKind, TaskStatus
from domain.errors import UserError
from domain.frozen import FREEZE_MOVES, is_client_frozen, is_task_frozen, task_outcome
from domain.ordering import ClientItem, TaskItem, clients_without_tasks, order_day_tasks
from domain.plan import PlanEvent, transition
from domain.planfact import DayTask, PlanFact, plan_fact, what_is_missing
from storage.crm_repo import CrmRepo
from storage.models import (
    Client,
    CrmLink,
    DayReport,
    Deal,
    HotEntry,
    Lead,
    Plan,
    Task,
    TaskEvent,
    Vacation,
)
from storage.repo import ClientRepo, TaskRepo
from storage.sales_repo import LIVE
from storage.session_repo import once

if TYPE_CHECKING:  # named in annotations only
    from storage.models import Member, Team

#: The two parts of the day list's one read (``DayRepo.day_list``): its first column.
TASK_ROW, CLIENT_ROW = 0, 1

#: A task's event as ``TaskRepo.log`` writes it (all its columns but the id, ``data`` None as JSON null).
_EVENT_INSERT = insert(TaskEvent)

#: The events that mean the member dealt with a task that day.
MARKS = (TaskEventKind.DONE, TaskEventKind.NOT_DONE, TaskEventKind.MOVED, TaskEventKind.CANCELLED)


@dataclass(frozen=True)
class DayList:
    """A member's list for one day, in the documented order."""

    day: date
    tasks: list[TaskItem]
    frozen_clients: frozenset[int]
    idle_clients: list[ClientItem]
    vague: Mapping[int, str] = field(default_factory=dict)  # CRM tasks that name no action: the problem

    @property
    def open_count(self) -> int:
        return sum(t.status is TaskStatus.OPEN for t in self.tasks)


@dataclass(frozen=True)
class LeadItem:
    lead_id: int
    client_id: int
    client_name: str
    source: str | None
    has_next_task: bool


@dataclass(frozen=True)
class DealItem:
    client_name: str
    amount: Decimal


@dataclass(frozen=True)
class EveningReport:
    day: date
    tasks: list[TaskItem]  # every task of the day, in list order, with its status now
    fact: PlanFact
    missing: list[int]  # task ids waiting for a verdict
    leads: list[LeadItem]
    deals: list[DealItem]
    tomorrow: date
    tomorrow_tasks: list[TaskItem]
    plan: Plan | None
    report: DayReport | None
    frozen_clients: frozenset[int]
    #: CRM tasks of the day and of tomorrow that name no action: the problem (``crm_links.vague``)
    vague: Mapping[int, str] = field(default_factory=dict)

    @property
    def leads_without_task(self) -> list[LeadItem]:
        return [lead for lead in self.leads if not lead.has_next_task]


def _task_items(tasks: Sequence[Task], clients: Mapping[int, Client], hot: set[int]) -> list[TaskItem]:
    items = []
    for t in tasks:
        client = clients.get(t.client_id) if t.client_id is not None else None
        items.append(
            TaskItem(
                task_id=t.id,
                due=t.due_date,
                created_at=t.created_at,
                client_id=t.client_id,
                client_name=client.name if client else None,
                stage=client.stage if client else None,
                hot=bool(client and client.id in hot),
                frozen=is_task_frozen(t.moves),
                action=t.action,
                status=t.status,
                moves=t.moves,
            )
        )
    return items


def _idle(own: Iterable[Client], hot: set[int], open_ids: set[int]) -> list[ClientItem]:
    """Of the member's open-stage clients (in name order), those with no open task."""
    return clients_without_tasks([ClientItem(c.id, c.name, c.stage, c.id in hot) for c in own], open_ids)


@cache  # built once: the statements take no parameters, and building them costs more than running them
def latest_outcomes() -> tuple[ScalarSelect[TaskStatus], ...]:
    """Columns for a query over clients: the status of each client's latest ``FREEZE_MOVES`` tasks with
    an outcome, the latest first (None past the last). Read from ix_tasks_client_latest: a few index entries
    per client however long its history."""

    def nth(n: int) -> ScalarSelect[TaskStatus]:
        return (
            select(Task.status)
            .where(Task.client_id == Client.id, (Task.status != TaskStatus.OPEN) | (Task.moves > 0))
            .order_by(Task.updated_at.desc(), Task.id.desc())
            .limit(1)
            .offset(n)
            .correlate(Client)
            .scalar_subquery()
        )

    return tuple(nth(n) for n in range(FREEZE_MOVES))


def is_frozen(statuses: Sequence[TaskStatus | str | None]) -> bool:
    """A client frozen by the statuses ``latest_outcomes`` read (an open task there was moved)."""
    return is_client_frozen([task_outcome(TaskStatus(s), moves=1) for s in statuses if s is not None])


@lru_cache(maxsize=64)  # a pure memo: a few statuses, FREEZE_MOVES at a time
def frozen_by(statuses: tuple[str | None, ...]) -> bool:
    """``is_frozen`` of the statuses as stored (``latest_outcomes`` read as text): the day list asks once a
    task, with one of a handful of answers."""
    return is_frozen(statuses)


# Built once, run on the session's connection: every /add and due date asks (building it cost more than
# SQLite running it).
_VACATIONS = select(Vacation.starts, Vacation.ends).where(Vacation.member_id == bindparam("member"))


async def member_calendar(session: AsyncSession, team: Team, member: Member) -> MemberCalendar:
    """The member's working days: the team's calendar and the member's vacations."""
    rows = await (await session.connection()).execute(_VACATIONS, {"member": member.id})
    calendar = WorkCalendar.from_db(team.workdays, team.holiday_country)
    return MemberCalendar(calendar, tuple((s, e) for s, e in rows))


@cache  # built once (building a statement costs more than SQLite running it); the values are bound
def _days_tasks_statement() -> Executable:
    """The day's tasks of the ``members``: a UNION ALL, not an OR, so each branch seeks its own index
    (PostgreSQL cannot combine an OR holding a subquery and reads all the members' history). The team
    is checked on the rows, not in the query: SQLite, planning without statistics, would take
    "team_id = ?" for the most selective term and read the whole team's history."""
    members: BindParameter[list[int]] = bindparam("members", expanding=True)
    today = bindparam("today", type_=Task.__table__.c.due_date.type)
    at = TaskEvent.__table__.c.at.type
    touched = select(TaskEvent.task_id).where(
        TaskEvent.at >= bindparam("start", type_=at),
        TaskEvent.at < bindparam("end", type_=at),
        TaskEvent.kind.in_(MARKS),
    )
    mine = Task.assignee_id.in_(members)
    branches = union_all(
        select(Task).where(mine, Task.status == TaskStatus.OPEN, Task.due_date <= today),
        select(Task).where(mine, Task.due_date == today),
        select(Task).where(mine, Task.id.in_(touched)),
    )
    return select(Task).from_statement(branches)


def fixed_in(
    column: ColumnElement[Any] | InstrumentedAttribute[Any], values: Iterable[Any]
) -> ColumnElement[bool]:
    """``column IN (values)`` for a fixed list, each value its own bound parameter. A plain ``in_(list)`` is
    an "expanding" parameter: SQLAlchemy renders it into the SQL string at every execution, a pass over
    the whole statement (the day list's is long) that cost more than SQLite running the list's read."""
    return column.in_([literal(v, column.type) for v in values])


def in_day_order(items: list[TaskItem], today: date, morning_due: Mapping[int, date]) -> list[TaskItem]:
    """The day order, with a task moved today kept in the place its morning due date (``morning_due``)
    gave it, so marking never renumbers the list."""
    if not morning_due:  # nothing on the list was moved today: the list is in its morning order already
        return order_day_tasks(items, today)
    by_id = {i.task_id: i for i in items}
    as_in_morning = [replace(i, due=morning_due.get(i.task_id, i.due)) for i in items]
    return [by_id[i.task_id] for i in order_day_tasks(as_in_morning, today)]


class DayRepo:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self.tasks = TaskRepo(session)
        self.clients = ClientRepo(session)

    # ------------------------------------------------------------------ reading

    async def calendar(self, team: Team, member: Member) -> MemberCalendar:
        """The member's working days: the team's calendar and the member's vacations."""
        return await member_calendar(self.session, team, member)

    async def task_items(self, team_id: int, tasks: Sequence[Task]) -> list[TaskItem]:
        """The tasks as list items (client, stage, hot, frozen), unordered."""
        client_ids = {t.client_id for t in tasks if t.client_id is not None}
        clients: dict[int, Client] = {}
        if client_ids:
            rows = await self.session.scalars(
                select(Client).where(Client.team_id == team_id, Client.id.in_(client_ids))
            )
            clients = {c.id: c for c in rows}
        return _task_items(tasks, clients, await self.clients.hot_client_ids(team_id))

    async def frozen_clients(self, client_ids: Iterable[int]) -> frozenset[int]:
        """Of ``client_ids``, those whose last three tasks with an outcome were moved or failed."""
        ids = set(client_ids)
        if not ids:
            return frozenset()
        rows = await self.session.execute(select(Client.id, *latest_outcomes()).where(Client.id.in_(ids)))
        return frozenset(client_id for client_id, *statuses in rows if is_frozen(statuses))

    @staticmethod
    def _bounds(today: date, zone: ZoneInfo) -> tuple[datetime, datetime]:
        return datetime.combine(today, time(0), zone), datetime.combine(
            today + timedelta(days=1), time(0), zone
        )

    async def _ordered(self, items: list[TaskItem], today: date, zone: ZoneInfo) -> list[TaskItem]:
        """The day order, with a task moved today kept in the place its morning due date gave it, so
        marking never renumbers the list."""
        moved = [i.task_id for i in items if i.moves]
        if not moved:  # nothing on the list was ever moved: the list is in its morning order already
            return order_day_tasks(items, today)
        start, end = self._bounds(today, zone)
        rows = await self.session.execute(
            select(TaskEvent.task_id, TaskEvent.from_date)
            .where(
                TaskEvent.task_id.in_(moved),
                TaskEvent.kind == TaskEventKind.MOVED,
                TaskEvent.at >= start,
                TaskEvent.at < end,
            )
            .order_by(TaskEvent.at.desc(), TaskEvent.id.desc())
        )
        # the earliest move of the day wins: it is applied last
        morning_due = {task_id: due for task_id, due in rows.all() if due is not None}
        return in_day_order(items, today, morning_due)

    async def day_tasks(self, member: Member, today: date, zone: ZoneInfo) -> Sequence[Task]:
        """The tasks of the member's day: open ones due today or earlier, any due today, and any the
        member marked today (a done overdue task, a task moved away), so marking never drops a line."""
        return await self.days_tasks(member.team_id, [member.id], today, zone)

    async def days_tasks(
        self, team_id: int, member_ids: Sequence[int], today: date, zone: ZoneInfo
    ) -> Sequence[Task]:
        """``day_tasks`` of several members of a team at once (members in the same time ``zone``)."""
        start, end = self._bounds(today, zone)
        params = {"members": list(member_ids), "today": today, "start": start, "end": end}
        rows = (await self.session.scalars(_days_tasks_statement(), params)).unique()
        return [t for t in rows if t.team_id == team_id]

    async def day_list(self, member: Member, today: date, zone: ZoneInfo, *, idle: bool = True) -> DayList:
        """The day list in the one order (``domain.ordering``). One read whatever the list's length (the
        morning fan-out composes one per manager), a UNION ALL of two parts told apart by its first column:
        the day's tasks with all a line shows (client, stage, hot, frozen, a CRM task's vagueness, where a
        task moved today stood in the morning), and the member's open-stage clients with whether each is
        hot and has an open task (the idle ones). Rows, not ORM objects; the statements are built once
        (``once``). ``idle=False``: the list alone, to draw it again after a press (``idle_clients`` is then
        left empty, not read: the clients part is left out of the read)."""

        def statements() -> tuple[Executable, Executable]:
            # one function holding both parts: ``once`` keys by its code, which holds theirs
            team: BindParameter[int] = bindparam("team")
            me: BindParameter[int] = bindparam("member")

            def hot_entry(client_id: InstrumentedAttribute[Any], outer: type[Any]) -> ScalarSelect[int]:
                """The id of the client's open hot-list entry (None: not hot), correlated to ``outer``."""
                return (
                    select(HotEntry.id)
                    .where(
                        HotEntry.client_id == client_id,
                        HotEntry.team_id == team,
                        HotEntry.closed_at.is_(None),
                    )
                    .limit(1)
                    .correlate(outer)
                    .scalar_subquery()
                )

            def tasks_part() -> Select[*tuple[Any, ...]]:
                today_ = bindparam("today", type_=Task.__table__.c.due_date.type)
                at = TaskEvent.__table__.c.at.type
                start, end = bindparam("start", type_=at), bindparam("end", type_=at)
                touched = select(TaskEvent.task_id).where(
                    TaskEvent.at >= start, TaskEvent.at < end, fixed_in(TaskEvent.kind, MARKS)
                )
                # the day's task ids: each branch seeks its own index (an OR would read the member's history)
                ids = union(
                    select(Task.id).where(
                        Task.assignee_id == me, Task.status == TaskStatus.OPEN, Task.due_date <= today_
                    ),
                    select(Task.id).where(Task.assignee_id == me, Task.due_date == today_),
                    select(Task.id).where(Task.assignee_id == me, Task.id.in_(touched)),
                ).subquery()
                hot = hot_entry(Task.client_id, Task)
                vague = (
                    select(CrmLink.vague)
                    .where(
                        CrmLink.team_id == team,
                        CrmLink.kind == LinkKind.TASK,
                        CrmLink.local_id == Task.id,
                        CrmLink.vague.is_not(None),
                    )
                    .limit(1)
                    .correlate(Task)
                    .scalar_subquery()
                )
                # the morning due date of a task moved today: the earliest move of the day's from_date
                moved_from = case(
                    (
                        Task.moves > 0,
                        select(TaskEvent.from_date)
                        .where(
                            TaskEvent.task_id == Task.id,
                            TaskEvent.kind == TaskEventKind.MOVED,
                            TaskEvent.at >= start,
                            TaskEvent.at < end,
                            TaskEvent.from_date.is_not(None),
                        )
                        .order_by(TaskEvent.at, TaskEvent.id)
                        .limit(1)
                        .correlate(Task)
                        .scalar_subquery(),
                    ),
                    else_=None,
                )
                return (
                    select(
                        literal_column(str(TASK_ROW)),
                        Task.id,
                        Task.team_id,
                        Task.due_date,
                        Task.created_at,
                        Task.client_id,
                        Task.action,
                        Task.status,
                        Task.moves,
                        Client.name,
                        Client.stage,
                        hot,
                        vague,
                        moved_from,
                        # as text, for frozen_by: converting each to a TaskStatus first cost more than it
                        *(type_coerce(status, String) for status in latest_outcomes()),
                    )
                    .join_from(ids, Task, Task.id == ids.c.id)
                    .outerjoin(Client, and_(Client.id == Task.client_id, Client.team_id == team))
                )

            def clients_part() -> Select[*tuple[Any, ...]]:
                """The clients part: its columns where the tasks part's have the same meaning (id, the
                client's name, stage and hot mark; whether it has an open task where a task has its client),
                None elsewhere."""
                hot = hot_entry(Client.id, Client)
                has_open = (
                    select(Task.id)
                    .where(
                        Task.client_id == Client.id, Task.assignee_id == me, Task.status == TaskStatus.OPEN
                    )
                    .limit(1)
                    .correlate(Client)
                    .scalar_subquery()
                )
                none = null()
                return select(
                    literal_column(str(CLIENT_ROW)),
                    Client.id,
                    none,  # the team: checked in the query, here
                    none,
                    none,
                    has_open,
                    none,
                    none,
                    none,
                    Client.name,
                    Client.stage,
                    hot,
                    none,
                    none,
                    *(none for _ in latest_outcomes()),
                ).where(Client.team_id == team, Client.owner_id == me, fixed_in(Client.stage, OPEN_STAGES))

            tasks = tasks_part()
            return union_all(tasks, clients_part()), tasks

        start, end = self._bounds(today, zone)
        params = {"team": member.team_id, "member": member.id, "today": today, "start": start, "end": end}
        rows = (await self.session.execute(once(statements)[0 if idle else 1], params)).all()
        items: list[TaskItem] = []
        morning_due: dict[int, date] = {}
        frozen: set[int] = set()
        vague: dict[int, str] = {}
        own: list[ClientItem] = []
        open_clients: set[int] = set()
        team_id = member.team_id
        for row in rows:  # unpacked by place: a row's attributes by name cost a lookup each
            if row[0] == CLIENT_ROW:
                own.append(ClientItem(row[1], row[9], row[10], row[11] is not None))
                if row[5] is not None:
                    open_clients.add(row[1])
                continue
            # the tasks' team is checked on the rows, not in the query (see _days_tasks_statement)
            if row[0] != TASK_ROW or row[2] != team_id:
                continue
            task_id, client_id, moves = row[1], row[5], row[8]
            items.append(
                TaskItem(
                    task_id=task_id,
                    due=row[3],
                    created_at=row[4],
                    client_id=client_id,
                    client_name=row[9],
                    stage=row[10],
                    hot=row[11] is not None,
                    frozen=is_task_frozen(moves),
                    action=row[6],
                    status=row[7],
                    moves=moves,
                )
            )
            if row[12] is not None:
                vague[task_id] = row[12]
            if moves and row[13] is not None:
                morning_due[task_id] = row[13]
            if client_id is not None and row[9] is not None and frozen_by(row[14:]):
                frozen.add(client_id)
        return DayList(
            day=today,
            tasks=in_day_order(items, today, morning_due),
            frozen_clients=frozenset(frozen),
            idle_clients=clients_without_tasks(own, open_clients),
            vague=vague,
        )

    async def idle_clients(self, member: Member) -> list[ClientItem]:
        """The member's open-stage clients with no open task."""
        clients = await self.clients.of_owner(member.team_id, member.id)
        hot = await self.clients.hot_client_ids(member.team_id)
        return _idle(clients, hot, await self.tasks.open_client_ids(member.id))

    async def leads_of(self, member: Member, day: date) -> list[LeadItem]:
        rows = (
            await self.session.execute(
                select(Lead, Client)
                .join(Client, Client.id == Lead.client_id)
                .where(Lead.member_id == member.id, Lead.team_id == member.team_id, Lead.on_date == day)
                .order_by(Lead.id)
            )
        ).all()
        open_ids = await self.tasks.open_client_ids(member.id)
        # a lead counts as worked when its client has an open task, or one done today
        done_today = set(
            await self.session.scalars(
                select(Task.client_id).where(
                    Task.assignee_id == member.id, Task.status == TaskStatus.DONE, Task.due_date == day
                )
            )
        )
        return [
            LeadItem(lead.id, client.id, client.name, lead.source, client.id in open_ids | done_today)
            for lead, client in rows
        ]

    async def deals_of(self, member: Member, day: date) -> list[DealItem]:
        rows = await self.session.execute(
            select(Client.name, Deal.amount)
            .join(Client, Client.id == Deal.client_id)
            .where(
                Deal.member_id == member.id,
                Deal.team_id == member.team_id,
                Deal.on_date == day,
                LIVE,
            )
            .order_by(Deal.id)
        )
        return [DealItem(name, Decimal(amount)) for name, amount in rows]

    async def evening(self, member: Member, day: date, tomorrow: date, zone: ZoneInfo) -> EveningReport:
        """The evening report: the day's tasks with their verdicts, plan-vs-fact, what is missing."""
        tasks = await self.day_tasks(member, day, zone)
        items = await self._ordered(await self.task_items(member.team_id, tasks), day, zone)
        # still open but now due later: moved away today (moving is not doing)
        off = await self.off_plan([i.task_id for i in items if i.status is TaskStatus.CANCELLED])
        day_tasks = [
            DayTask(i.task_id, i.status, moved_today=i.due > day, cancelled_by_head=i.task_id in off)
            for i in items
        ]
        tomorrow_tasks = (
            await self.session.scalars(
                select(Task).where(
                    Task.assignee_id == member.id,
                    Task.team_id == member.team_id,
                    Task.status == TaskStatus.OPEN,
                    Task.due_date > day,
                    Task.due_date <= tomorrow,
                )
            )
        ).all()
        tomorrow_items = order_day_tasks(await self.task_items(member.team_id, tomorrow_tasks), tomorrow)
        client_ids = [i.client_id for i in [*items, *tomorrow_items] if i.client_id]
        return EveningReport(
            day=day,
            tasks=items,
            fact=plan_fact(day_tasks),
            missing=what_is_missing(day_tasks),
            leads=await self.leads_of(member, day),
            deals=await self.deals_of(member, day),
            tomorrow=tomorrow,
            tomorrow_tasks=tomorrow_items,
            plan=await self.plan(member, tomorrow),
            report=await self.report(member, day),
            frozen_clients=await self.frozen_clients(client_ids),
            vague=await CrmRepo(self.session).vague_tasks(
                member.team_id, [i.task_id for i in [*items, *tomorrow_items]]
            ),
        )

    async def off_plan(self, task_ids: Sequence[int]) -> set[int]:
        """Of these cancelled tasks, those taken off the plan: cancelled by the head (``by_head``), or
        dropped by the manager from a returned plan before its day (``off_plan``); they do not count."""
        if not task_ids:
            return set()
        rows = await self.session.execute(
            select(TaskEvent.task_id, TaskEvent.data).where(
                TaskEvent.task_id.in_(list(task_ids)), TaskEvent.kind == TaskEventKind.CANCELLED
            )
        )
        return {tid for tid, data in rows if data and (data.get("by_head") or data.get("off_plan"))}

    async def plan(self, member: Member, for_date: date) -> Plan | None:
        return await self.session.scalar(
            select(Plan).where(Plan.member_id == member.id, Plan.for_date == for_date)
        )

    async def report(self, member: Member, day: date) -> DayReport | None:
        return await self.session.scalar(
            select(DayReport).where(DayReport.member_id == member.id, DayReport.on_date == day)
        )

    # ------------------------------------------------------------------ marking tasks

    async def own_task(self, member: Member, task_id: int) -> Task:
        """A task of the member's team assigned to them; anything else is "not found" (no leak)."""
        task = await self.tasks.get(member.team_id, task_id)
        if task.assignee_id != member.id:
            raise UserError("not-found")
        return task

    @staticmethod
    def require_open(task: Task) -> None:
        """Refuse to mark a task that is no longer open."""
        if task.status is not TaskStatus.OPEN:
            raise UserError("task-closed", status=task.status.value)

    async def mark_done(self, member: Member, task: Task, now: datetime) -> None:
        self.require_open(task)
        task.status, task.closed_at = TaskStatus.DONE, now
        self.tasks.log(task, TaskEventKind.DONE, member.id, at=now)

    async def mark_own_done(self, member: Member, task_id: int, now: datetime) -> int | None:
        """``mark_done`` of ``own_task`` in two statements and no ORM object (✅ on the day list): the
        member's own open task marked done (its status, when, ``updated_at``) and its event logged, as the
        ORM writes them. Returns the task's ``moves`` (its buttons' version: a stale button must then
        raise, and the update's rollback undoes the mark), or None when nothing was written: the member
        has no open task of that id (``own_task`` and ``require_open`` then say why), or the task is loaded
        in this session already (``mark_done`` marks it then)."""

        def statement() -> Executable:
            team: BindParameter[int] = bindparam("team")
            return (
                update(Task)
                .where(
                    Task.id == bindparam("task"),
                    Task.team_id == team,
                    Task.assignee_id == bindparam("member"),
                    Task.status == TaskStatus.OPEN,
                )
                .values(status=TaskStatus.DONE, closed_at=bindparam("now", type_=Task.closed_at.type))
                .returning(Task.moves, Task.due_date)
            )

        params = {"task": task_id, "team": member.team_id, "member": member.id, "now": now}
        # Core statements on the session's connection (the ORM's execute costs more than they do): what
        # the session holds goes first. A task already loaded in this session is left to the ORM's path
        # (None: the caller marks it through ``mark_done``), so that object stays current and loaded.
        if self.session.identity_map.get(identity_key(Task, task_id)) is not None:
            return None
        if self.session.new or self.session.dirty or self.session.deleted:
            await self.session.flush()
        connection = await self.session.connection()
        row = (await connection.execute(once(statement), params)).first()
        if row is None:
            return None
        moves, due = row
        event = {"task_id": task_id, "actor_id": member.id, "kind": TaskEventKind.DONE, "from_date": due}
        await connection.execute(_EVENT_INSERT, {**event, "data": None, "at": now})
        return int(moves)

    async def set_result(self, member: Member, task: Task, result: str) -> None:
        if task.status is not TaskStatus.DONE:
            raise UserError("task-closed", status=task.status.value)
        task.result = result
        self.tasks.log(task, TaskEventKind.EDITED, member.id, result=result)

    async def mark_not_done(self, member: Member, task: Task, reason: str, now: datetime) -> None:
        self.require_open(task)
        task.status, task.reason, task.closed_at = TaskStatus.NOT_DONE, reason, now
        self.tasks.log(task, TaskEventKind.NOT_DONE, member.id, at=now, reason=reason)

    async def move(
        self, member: Member, task: Task, to: date, now: datetime, reason: str | None = None
    ) -> None:
        self.require_open(task)
        if to == task.due_date:
            raise UserError("task-same-date")
        self.tasks.log(
            task, TaskEventKind.MOVED, member.id, from_date=task.due_date, at=now, to=to.isoformat()
        )
        task.due_date, task.moves = to, task.moves + 1
        if reason:
            task.reason = reason

    async def set_reason(self, member: Member, task: Task, reason: str) -> None:
        task.reason = reason
        self.tasks.log(task, TaskEventKind.EDITED, member.id, reason=reason)

    async def cancel(self, member: Member, task: Task, now: datetime) -> None:
        self.require_open(task)
        task.status, task.closed_at = TaskStatus.CANCELLED, now
        self.tasks.log(task, TaskEventKind.CANCELLED, member.id, at=now)

    # ------------------------------------------------------------------ leads and deals

    async def client_for(self, member: Member, name: str) -> tuple[Client, bool]:
        """The member's client by exact name (any teammate's if the member has none), else a new one."""
        client = await self.clients.by_exact_name(member.team_id, name, owner_id=member.id)
        client = client or await self.clients.by_exact_name(member.team_id, name)
        if client is not None:
            return client, False
        return await self.clients.create(member.team_id, member.id, name), True

    async def add_lead(self, member: Member, client: Client, source: str | None, day: date) -> Lead:
        lead = Lead(
            team_id=member.team_id, client_id=client.id, member_id=member.id, source=source, on_date=day
        )
        self.session.add(lead)
        await self.session.flush()
        return lead

    async def set_stage(self, client: Client, stage: Stage, now: datetime) -> None:
        """Move a client; a won or lost client leaves the hot list with its outcome recorded."""
        client.stage = stage
        if stage in (Stage.WON, Stage.LOST):
            entries = await self.session.scalars(
                select(HotEntry).where(HotEntry.client_id == client.id, HotEntry.closed_at.is_(None))
            )
            for entry in entries:
                entry.closed_at = now
                entry.outcome = HotOutcome.WON if stage is Stage.WON else HotOutcome.LOST

    # ------------------------------------------------------------------ the evening and tomorrow's plan

    async def ensure_plan(self, member: Member, for_date: date) -> Plan:
        plan = await self.plan(member, for_date)
        if plan is None:
            plan = Plan(
                team_id=member.team_id, member_id=member.id, for_date=for_date, status=PlanStatus.DRAFT
            )
            self.session.add(plan)
            await self.session.flush()
        return plan

    async def ensure_report(self, member: Member, day: date) -> DayReport:
        report = await self.report(member, day)
        if report is None:
            report = DayReport(team_id=member.team_id, member_id=member.id, on_date=day, planned=0, done=0)
            self.session.add(report)
            await self.session.flush()
        return report

    async def plan_candidates(self, member: Member, today: date, tomorrow: date) -> Sequence[Task]:
        """Open tasks for after today up to tomorrow that no plan holds yet: what a submission takes."""
        return (
            await self.session.scalars(
                select(Task).where(
                    Task.assignee_id == member.id,
                    Task.status == TaskStatus.OPEN,
                    Task.due_date > today,
                    Task.due_date <= tomorrow,
                    Task.plan_id.is_(None),
                )
            )
        ).all()

    async def submit_plan(self, member: Member, plan: Plan, today: date, now: datetime) -> None:
        """The member sends the plan (again, after a return: ``domain.plan``): it takes the open tasks up
        to its day that no plan holds yet, and waits for the head's decision."""
        plan.status = transition(plan.status, PlanEvent.SUBMIT)
        plan.submitted_at = now
        for task in await self.plan_candidates(member, today, plan.for_date):
            task.plan_id = plan.id

    async def plan_items(self, plan: Plan) -> list[TaskItem]:
        """The plan's tasks in the day-list order (``domain.ordering``)."""
        return order_day_tasks(
            await self.task_items(plan.team_id, await self.plan_tasks(plan)), plan.for_date
        )

    async def plan_tasks(self, plan: Plan) -> Sequence[Task]:
        return (
            await self.session.scalars(select(Task).where(Task.plan_id == plan.id).order_by(Task.id))
        ).all()

    async def plan_additions(self, plan: Plan) -> list[TaskItem]:
        """Tasks of the plan's day that are not in the plan (added or moved there after it was sent), not
        cancelled, in the day-list order: the head sees them beside the plan."""
        tasks = (
            await self.session.scalars(
                select(Task)
                .where(
                    Task.team_id == plan.team_id,
                    Task.assignee_id == plan.member_id,
                    Task.due_date == plan.for_date,
                    or_(Task.plan_id.is_(None), Task.plan_id != plan.id),
                    Task.status != TaskStatus.CANCELLED,
                )
                .order_by(Task.id)
            )
        ).all()
        return order_day_tasks(await self.task_items(plan.team_id, tasks), plan.for_date) if tasks else []

    async def active_clients(self, member: Member) -> Sequence[Client]:
        return (
            await self.session.scalars(
                select(Client).where(
                    Client.team_id == member.team_id,
                    Client.owner_id == member.id,
                    Client.stage.in_(OPEN_STAGES),
                )
            )
        ).all()
