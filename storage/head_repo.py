"""The head's side in the database: plans to decide, changes to a manager's tasks, the hot list, reviews,
and the plain facts the digests and status views are computed from (``domain.digest``, ``domain.hot``,
``domain.review``). Every read and write is scoped to the acting member's team; an id from another team
is "not found"."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, case, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from domain import zones
from domain.approval import is_due_for_auto_approval
from domain.calendar import MemberCalendar, WorkCalendar
from domain.digest import (
    SHARE_WINDOW_DAYS,
    DayValue,
    EveningFacts,
    FrozenFacts,
    HeadShare,
    MorningFacts,
    expected_to_report,
)
from domain.due import DueSend
from domain.enums import OPEN_STAGES, HotOutcome, PlanStatus, Role, Stage, TaskEventKind, TaskStatus
from domain.errors import UserError
from domain.frozen import FREEZE_MOVES
from domain.hot import HotItem
from domain.plan import AWAITING, PlanEvent, TaskChange, require_task_change, transition
from domain.planfact import DayTask, plan_fact
from domain.review import ReviewClient
from domain.zones import member_zone
from storage.day_repo import DayRepo, is_frozen, latest_outcomes
from storage.models import (
    Client,
    DayReport,
    Deal,
    HotEntry,
    Lead,
    Member,
    Plan,
    Review,
    Task,
    TaskEvent,
    Team,
    Vacation,
)
from storage.outbox_repo import OutboxRepo
from storage.repo import name_key
from storage.sales_repo import LIVE
from storage.session_repo import SessionRepo

#: Plans the head can still act on from the card (approve, return).
UNDECIDED = AWAITING
DECIDED = (PlanStatus.APPROVED, PlanStatus.AUTO_APPROVED)


#: The outbox kind telling a manager their plan was approved automatically (listed in ``scheduler.kinds``).
AUTO_APPROVED_NOTICE = "plan_auto_approved"


def local_day(moment: datetime, zone: ZoneInfo) -> date:
    return moment.astimezone(zone).date()


def day_bounds(day: date, zone: ZoneInfo) -> tuple[datetime, datetime]:
    return datetime.combine(day, time(0), zone), datetime.combine(day + timedelta(days=1), time(0), zone)


@dataclass(frozen=True)
class TaskRow:
    """A task with its client's and assignee's names, for the head's lists."""

    task: Task
    client: str | None
    assignee: str


class HeadRepo(SessionRepo):
    def __init__(self, session: AsyncSession) -> None:
        super().__init__(session)
        self.days = DayRepo(session)

    # ------------------------------------------------------------------ people

    async def members(self, team_id: int, *roles: Role) -> list[Member]:
        """Active members with one of ``roles`` (any role when none given), by name."""
        query = select(Member).where(Member.team_id == team_id, Member.active.is_(True))
        if roles:
            query = query.where(Member.role.in_(roles))
        rows = (await self.session.scalars(query)).all()
        return sorted(rows, key=lambda m: (m.name.casefold(), m.id))

    async def manager(self, team_id: int, member_id: int) -> Member:
        """An active manager of the team; anything else is "not found"."""
        return await self.required(
            select(Member).where(
                Member.id == member_id,
                Member.team_id == team_id,
                Member.role == Role.MANAGER,
                Member.active.is_(True),
            ),
            "member",
        )

    async def find_managers(self, team_id: int, query: str) -> list[Member]:
        """Managers whose name or @username contains ``query`` (case-insensitive); an exact match wins."""
        key = name_key(query.lstrip("@"))
        managers = await self.members(team_id, Role.MANAGER)
        exact = [m for m in managers if key in (name_key(m.name), name_key(m.username or ""))]
        if exact:
            return exact
        return [m for m in managers if key and (key in name_key(m.name) or key in name_key(m.username or ""))]

    # ------------------------------------------------------------------ plans

    async def plan(self, team_id: int, plan_id: int) -> Plan:
        return await self.required(select(Plan).where(Plan.id == plan_id, Plan.team_id == team_id), "plan")

    async def plan_task(self, team_id: int, plan: Plan, task_id: int) -> Task:
        """A task on ``plan``; a task that left it (reassigned) or another team's is "not found"."""
        return await self.required(
            select(Task).where(Task.id == task_id, Task.team_id == team_id, Task.plan_id == plan.id), "task"
        )

    async def plans(self, team_id: int, statuses: Sequence[PlanStatus]) -> Sequence[Plan]:
        return (
            await self.session.scalars(
                select(Plan)
                .where(Plan.team_id == team_id, Plan.status.in_(statuses))
                .order_by(Plan.for_date, Plan.submitted_at, Plan.id)
            )
        ).all()

    async def settle(self, team: Team, now: datetime) -> list[Plan]:
        """Approve automatically every submitted plan whose deadline has come (``domain.approval``), and
        queue each manager's ``AUTO_APPROVED_NOTICE`` through the outbox (one a manager a local day)."""
        zone = zones.team_zone(team)
        approved = []
        for plan in await self.plans(team.id, UNDECIDED):
            submitted = plan.submitted_at or now
            if is_due_for_auto_approval(
                submitted, plan.for_date, team.approval_at, team.morning_at, zone, now
            ):
                plan.status = transition(plan.status, PlanEvent.AUTO_APPROVE)
                plan.decided_at, plan.decided_by = now, None
                approved.append(plan)
        await self.session.flush()
        notices = []
        for plan in approved:
            manager = await self.session.get(Member, plan.member_id)
            if manager is not None and manager.active and not manager.unreachable:
                today = zones.local_date_of(now, team, manager)
                notices.append(DueSend(team.id, manager.id, AUTO_APPROVED_NOTICE, today))
        if notices:
            await OutboxRepo(self.session).enqueue(notices)
        return approved

    async def auto_approved_between(self, team_id: int, start: datetime, end: datetime) -> Sequence[Plan]:
        """The team's plans approved automatically (``settle``) from ``start`` up to ``end``, by date."""
        approved = select(Plan).where(
            Plan.team_id == team_id,
            Plan.status == PlanStatus.AUTO_APPROVED,
            Plan.decided_at >= start,
            Plan.decided_at < end,
        )
        return (await self.session.scalars(approved.order_by(Plan.for_date, Plan.id))).all()

    def decide(
        self, plan: Plan, event: PlanEvent, head: Member, now: datetime, comment: str | None = None
    ) -> None:
        """The head approves or returns the plan (``domain.plan`` refuses it unless the plan waits)."""
        plan.status = transition(plan.status, event)
        plan.decided_at, plan.decided_by = now, head.id
        if comment is not None:
            plan.comment = comment

    # ------------------------------------------------------------------ the head's changes to a task

    @staticmethod
    def require_open(task: Task) -> None:
        if task.status is not TaskStatus.OPEN:
            raise UserError("task-closed", status=task.status.value)

    def cancel(self, head: Member, plan: Plan, task: Task, now: datetime) -> None:
        """The head takes the task off the plan: it no longer counts in the day's plan-vs-fact."""
        require_task_change(plan.status, TaskChange.CANCEL)
        self.require_open(task)
        task.status, task.closed_at = TaskStatus.CANCELLED, now
        self.days.tasks.log(task, TaskEventKind.CANCELLED, head.id, at=now, by_head=True)

    def drop_from_plan(self, member: Member, plan: Plan | None, task: Task, now: datetime) -> None:
        """The manager takes a task off a returned plan (or one not sent yet) before its day: it never
        was in a plan."""
        require_task_change(plan.status if plan is not None else None, TaskChange.DROP)
        self.require_open(task)
        task.status, task.closed_at = TaskStatus.CANCELLED, now
        self.days.tasks.log(task, TaskEventKind.CANCELLED, member.id, at=now, off_plan=True)

    def edit(self, head: Member, plan: Plan, task: Task, action: str, now: datetime) -> None:
        require_task_change(plan.status, TaskChange.EDIT)
        self.require_open(task)
        was, task.action = task.action, action
        self.days.tasks.log(task, TaskEventKind.EDITED, head.id, at=now, action=action, was=was, by_head=True)

    async def reassign(self, head: Member, plan: Plan, task: Task, to: Member, now: datetime) -> None:
        """Give the task to another manager; it joins their plan for that day when they have one."""
        require_task_change(plan.status, TaskChange.GIVE)
        self.require_open(task)
        if to.id == task.assignee_id:
            raise UserError("reassign-same")
        moved: dict[str, Any] = {"from": task.assignee_id, "to": to.id}  # "from" is a keyword
        self.days.tasks.log(task, TaskEventKind.REASSIGNED, head.id, at=now, **moved)
        task.assignee_id = to.id
        target = await self.days.plan(to, task.due_date)
        task.plan_id = target.id if target is not None and target.status is not PlanStatus.DRAFT else None

    # ------------------------------------------------------------------ tasks across the team

    async def _names_of(self, model: type[Client] | type[Member], ids: set[int]) -> dict[int, str]:
        """Id → name of these clients or members."""
        if not ids:
            return {}
        rows = await self.session.execute(select(model.id, model.name).where(model.id.in_(ids)))
        return {row_id: name for row_id, name in rows.all()}

    async def _rows(self, tasks: Sequence[Task]) -> list[TaskRow]:
        clients = await self._names_of(Client, {t.client_id for t in tasks if t.client_id})
        names = await self._names_of(Member, {t.assignee_id for t in tasks})
        return [
            TaskRow(t, clients.get(t.client_id) if t.client_id else None, names.get(t.assignee_id, "?"))
            for t in tasks
        ]

    async def overdue(self, team_id: int, today: date, member_ids: Iterable[int]) -> list[TaskRow]:
        """Open tasks due before ``today`` of these members, the oldest first."""
        return await self._open_task_rows(
            team_id, member_ids, Task.due_date < today, order=(Task.due_date, Task.id)
        )

    async def frozen_tasks(self, team_id: int, member_ids: Iterable[int]) -> list[TaskRow]:
        """Open tasks moved three times or more, the most moved first."""
        return await self._open_task_rows(
            team_id, member_ids, Task.moves >= FREEZE_MOVES, order=(Task.moves.desc(), Task.due_date, Task.id)
        )

    async def _open_task_rows(
        self,
        team_id: int,
        member_ids: Iterable[int],
        which: ColumnElement[bool],
        *,
        order: tuple[Any, ...],
    ) -> list[TaskRow]:
        """The members' open tasks that also meet ``which``, in ``order``."""
        ids = list(member_ids)
        if not ids:
            return []
        tasks = (
            await self.session.scalars(
                select(Task)
                .where(
                    Task.team_id == team_id, Task.assignee_id.in_(ids), Task.status == TaskStatus.OPEN, which
                )
                .order_by(*order)
            )
        ).all()
        return await self._rows(tasks)

    async def frozen_facts(self, team_id: int, managers: Sequence[Member]) -> list[FrozenFacts]:
        ids = [m.id for m in managers]
        tasks = await self.frozen_tasks(team_id, ids)
        # the managers' open clients with their latest outcomes, in one read: thousands in a big team
        clients = await self.session.execute(
            select(Client.owner_id, Client.name, *latest_outcomes())
            .where(Client.team_id == team_id, Client.owner_id.in_(ids), Client.stage.in_(OPEN_STAGES))
            .order_by(Client.name_key, Client.id)
        )
        frozen_clients: dict[int, list[str]] = defaultdict(list)
        for owner, name, *statuses in clients:
            if is_frozen(statuses):
                frozen_clients[owner].append(name)
        by_member: dict[int, list[str]] = defaultdict(list)
        for row in tasks:
            by_member[row.task.assignee_id].append(f"{row.client or '—'}: {row.task.action}")
        return [
            FrozenFacts(m.id, m.name, tuple(by_member.get(m.id, ())), tuple(frozen_clients.get(m.id, ())))
            for m in managers
        ]

    async def submitted_reports(
        self, team_id: int, days: Iterable[date]
    ) -> dict[tuple[int, date], DayReport]:
        wanted = list(days)
        if not wanted:
            return {}
        rows = await self.session.scalars(
            select(DayReport).where(
                DayReport.team_id == team_id,
                DayReport.on_date.in_(wanted),
                DayReport.submitted_at.is_not(None),
            )
        )
        return {(r.member_id, r.on_date): r for r in rows}

    async def vacations(self, member_ids: Iterable[int]) -> dict[int, tuple[tuple[date, date], ...]]:
        ids = list(member_ids)
        result: dict[int, list[tuple[date, date]]] = defaultdict(list)
        if ids:
            rows = await self.session.execute(
                select(Vacation.member_id, Vacation.starts, Vacation.ends).where(Vacation.member_id.in_(ids))
            )
            for member_id, starts, ends in rows:
                result[member_id].append((starts, ends))
        return {k: tuple(v) for k, v in result.items()}

    # ------------------------------------------------------------------ digest facts

    async def morning_facts(self, team: Team, managers: Sequence[Member], today: date) -> list[MorningFacts]:
        calendar = WorkCalendar.from_db(team.workdays, team.holiday_country)
        yesterday = calendar.previous_working_day(today)
        overdue = await self.overdue(team.id, today, [m.id for m in managers])
        counts: dict[int, int] = defaultdict(int)
        for row in overdue:
            counts[row.task.assignee_id] += 1
        reports = await self.submitted_reports(team.id, [yesterday])
        vacations = await self.vacations(m.id for m in managers)
        facts = []
        for m in managers:
            idle = await self.days.idle_clients(m)
            working = MemberCalendar(calendar, vacations.get(m.id, ())).is_working_day(yesterday)
            asked = expected_to_report(m.joined_at, yesterday, team.evening_at, member_zone(team, m))
            facts.append(
                MorningFacts(
                    member_id=m.id,
                    name=m.name,
                    overdue=counts.get(m.id, 0),
                    idle_clients=tuple(c.name for c in idle),
                    worked_yesterday=working and asked,
                    reported_yesterday=(m.id, yesterday) in reports,
                )
            )
        return facts

    async def evening_facts(self, team: Team, managers: Sequence[Member], today: date) -> list[EveningFacts]:
        """Each manager's day (``DayRepo.day_tasks`` and plan-vs-fact, leads, deals, report) in a fixed
        number of reads whatever the team's size and history: one for the day's tasks per time zone in the
        team, one for each of the rest."""
        ids = [m.id for m in managers]
        if not ids:
            return []
        overdue = await self.overdue(team.id, today, ids)
        counts: dict[int, int] = defaultdict(int)
        for row in overdue:
            counts[row.task.assignee_id] += 1
        zones: dict[str, list[int]] = defaultdict(list)
        for m in managers:
            zones[m.timezone or team.timezone].append(m.id)
        tasks: list[Task] = []
        for zone, members in zones.items():
            tasks.extend(await self.days.days_tasks(team.id, members, today, ZoneInfo(zone)))
        off = await self.days.off_plan([t.id for t in tasks if t.status is TaskStatus.CANCELLED])
        day: dict[int, list[DayTask]] = defaultdict(list)
        for t in tasks:  # moved away today: still open, now due later (moving is not doing)
            day[t.assignee_id].append(DayTask(t.id, t.status, t.due_date > today, t.id in off))
        leads = dict(
            (
                await self.session.execute(
                    select(Lead.member_id, func.count(Lead.id))
                    .join(Client, Client.id == Lead.client_id)
                    .where(Lead.team_id == team.id, Lead.member_id.in_(ids), Lead.on_date == today)
                    .group_by(Lead.member_id)
                )
            ).all()
        )
        deals: dict[int, list[Decimal]] = defaultdict(list)
        for member_id, amount in await self.session.execute(
            select(Deal.member_id, Deal.amount)
            .join(Client, Client.id == Deal.client_id)
            .where(Deal.team_id == team.id, Deal.member_id.in_(ids), Deal.on_date == today)
            .where(LIVE)
        ):
            deals[member_id].append(Decimal(amount))
        reports = await self.submitted_reports(team.id, [today])
        calendar = WorkCalendar.from_db(team.workdays, team.holiday_country)
        vacations = await self.vacations(ids)
        return [
            EveningFacts(
                member_id=m.id,
                name=m.name,
                fact=plan_fact(day.get(m.id, ())),
                overdue=counts.get(m.id, 0),
                leads=int(leads.get(m.id, 0)),
                deals=len(deals.get(m.id, ())),
                revenue=sum(deals.get(m.id, ()), Decimal(0)),
                working=MemberCalendar(calendar, vacations.get(m.id, ())).is_working_day(today),
                reported=(m.id, today) in reports,
                expected=expected_to_report(m.joined_at, today, team.evening_at, member_zone(team, m)),
            )
            for m in managers
        ]

    async def history(
        self, team: Team, managers: Sequence[Member], today: date, days: int
    ) -> dict[int, list[DayValue]]:
        """Each manager's last ``days`` working days up to ``today`` (the team's calendar minus their
        vacations), with the day's percent and mood from the submitted report."""
        calendar = WorkCalendar.from_db(team.workdays, team.holiday_country)
        vacations = await self.vacations(m.id for m in managers)
        per_member: dict[int, list[date]] = {}
        for m in managers:
            own = MemberCalendar(calendar, vacations.get(m.id, ()))
            d, found = today, []
            if own.is_working_day(d):
                found.append(d)
            while len(found) < days:
                d = own.previous_working_day(d)
                found.append(d)
            per_member[m.id] = sorted(found)
        all_days = {d for ds in per_member.values() for d in ds}
        reports = await self.submitted_reports(team.id, all_days)
        result = {}
        for m in managers:
            values = []
            for d in per_member[m.id]:
                r = reports.get((m.id, d))
                percent = None
                if r is not None and r.planned > 0:
                    percent = (200 * r.done + r.planned) // (2 * r.planned)
                values.append(DayValue(d, percent, r.mood if r is not None else None))
            result[m.id] = values
        return result

    async def head_share(self, team_id: int, head: Member, today: date) -> HeadShare:
        """Of the head's tasks due in the last ``SHARE_WINDOW_DAYS`` days, those for their own clients."""
        start = today - timedelta(days=SHARE_WINDOW_DAYS - 1)
        row = (
            await self.session.execute(
                select(
                    func.count(Task.id),
                    func.coalesce(func.sum(case((Client.owner_id == head.id, 1), else_=0)), 0),
                )
                .select_from(Task)
                .outerjoin(Client, Client.id == Task.client_id)
                .where(
                    Task.team_id == team_id,
                    Task.assignee_id == head.id,
                    Task.due_date >= start,
                    Task.due_date <= today,
                    Task.status != TaskStatus.CANCELLED,
                )
            )
        ).one()
        return HeadShare(own=int(row[1] or 0), total=int(row[0] or 0))

    # ------------------------------------------------------------------ hot list

    async def hot_entry(self, team_id: int, entry_id: int) -> HotEntry:
        return await self.required(
            select(HotEntry).where(
                HotEntry.id == entry_id, HotEntry.team_id == team_id, HotEntry.closed_at.is_(None)
            ),
            "hot",
        )

    async def hot_items(self, team: Team, entry_ids: Iterable[int] | None = None) -> list[HotItem]:
        """Open entries of the team's hot list."""
        zone = zones.team_zone(team)
        query = (
            select(HotEntry, Client.name, Member.name)
            .join(Client, Client.id == HotEntry.client_id)
            .join(Member, Member.id == Client.owner_id)
            .where(HotEntry.team_id == team.id, HotEntry.closed_at.is_(None))
        )
        if entry_ids is not None:
            query = query.where(HotEntry.id.in_(list(entry_ids)))
        rows = (await self.session.execute(query)).all()
        return [
            HotItem(
                entry_id=e.id,
                client_id=e.client_id,
                client=client,
                owner=owner,
                reason=e.reason,
                step=e.next_step,
                next_date=e.next_date,
                touched_on=local_day(e.touched_at, zone),
            )
            for e, client, owner in rows
        ]

    async def add_hot(
        self,
        team_id: int,
        client: Client,
        reason: str,
        step: str,
        next_date: date,
        head: Member,
        now: datetime,
    ) -> HotEntry:
        existing = await self.session.scalar(
            select(HotEntry).where(HotEntry.client_id == client.id, HotEntry.closed_at.is_(None))
        )
        if existing is not None:
            raise UserError("hot-exists", name=client.name)
        if client.stage not in OPEN_STAGES:
            raise UserError("hot-closed-client", name=client.name)
        entry = HotEntry(
            team_id=team_id,
            client_id=client.id,
            reason=reason,
            next_step=step,
            next_date=next_date,
            created_by=head.id,
            created_at=now,
            touched_at=now,
        )
        self.session.add(entry)
        await self.session.flush()
        return entry

    @staticmethod
    def close_hot(entry: HotEntry, outcome: HotOutcome, now: datetime) -> None:
        entry.closed_at, entry.outcome, entry.touched_at = now, outcome, now

    @staticmethod
    def touch_hot(
        entry: HotEntry,
        now: datetime,
        *,
        reason: str | None = None,
        step: str | None = None,
        next_date: date | None = None,
    ) -> None:
        """The head changed the entry (what is given): every change counts as a touch."""
        if reason is not None:
            entry.reason = reason
        if step is not None:
            entry.next_step = step
        if next_date is not None:
            entry.next_date = next_date
        entry.touched_at = now

    # ------------------------------------------------------------------ reviews

    async def review(self, team_id: int, review_id: int) -> Review:
        return await self.required(
            select(Review).where(Review.id == review_id, Review.team_id == team_id), "review"
        )

    async def open_review(self, team_id: int, manager_id: int, day: date) -> Review | None:
        return await self.session.scalar(
            select(Review)
            .where(
                Review.team_id == team_id,
                Review.manager_id == manager_id,
                Review.held_on == day,
                Review.closed_at.is_(None),
            )
            .order_by(Review.id.desc())
            .limit(1)
        )

    async def start_review(
        self, team_id: int, manager_id: int, head_id: int, day: date, now: datetime, agenda: dict[str, object]
    ) -> Review:
        """Today's open review of the manager, or a new one, holding ``agenda`` as it is now."""
        review = await self.open_review(team_id, manager_id, day)
        if review is None:
            review = Review(
                team_id=team_id, manager_id=manager_id, head_id=head_id, held_on=day, created_at=now
            )
            self.session.add(review)
        review.agenda = agenda
        await self.session.flush()
        return review

    @staticmethod
    def close_review(review: Review, outcome: str, now: datetime) -> None:
        review.outcome, review.closed_at = outcome, now

    async def last_closed_review(self, team_id: int, manager_id: int) -> Review | None:
        return await self.session.scalar(
            select(Review)
            .where(Review.team_id == team_id, Review.manager_id == manager_id, Review.closed_at.is_not(None))
            .order_by(Review.held_on.desc(), Review.id.desc())
            .limit(1)
        )

    async def review_tasks(self, review: Review) -> Sequence[Task]:
        return (
            await self.session.scalars(select(Task).where(Task.review_id == review.id).order_by(Task.id))
        ).all()

    async def review_clients(self, team: Team, manager: Member, today: date) -> list[ReviewClient]:
        """The manager's clients as the review agenda needs them (``domain.review``)."""
        zone = zones.team_zone(team)
        clients = (
            await self.session.scalars(
                select(Client).where(Client.team_id == team.id, Client.owner_id == manager.id)
            )
        ).all()
        if not clients:
            return []
        ids = [c.id for c in clients]
        last: dict[int, datetime] = {}

        def later(rows: Iterable[tuple[int | None, datetime | None]]) -> None:
            for cid, at in rows:
                if cid is not None and at is not None and (cid not in last or at > last[cid]):
                    last[cid] = at

        later(
            (
                await self.session.execute(
                    select(Task.client_id, func.max(TaskEvent.at))
                    .join(TaskEvent, TaskEvent.task_id == Task.id)
                    .where(Task.client_id.in_(ids))
                    .group_by(Task.client_id)
                )
            ).all()
        )
        for model in (Lead, Deal):
            later(
                (
                    await self.session.execute(
                        select(model.client_id, func.max(model.created_at))
                        .where(model.client_id.in_(ids))
                        .group_by(model.client_id)
                    )
                ).all()
            )
        open_tasks = dict(
            (
                await self.session.execute(
                    select(Task.client_id, func.count(Task.id))
                    .where(Task.client_id.in_(ids), Task.status == TaskStatus.OPEN)
                    .group_by(Task.client_id)
                )
            ).all()
        )
        month_start = today.replace(day=1)
        brought = dict(
            (
                await self.session.execute(
                    select(Deal.client_id, func.sum(Deal.amount))
                    .where(
                        Deal.client_id.in_(ids),
                        Deal.member_id == manager.id,
                        Deal.on_date >= month_start,
                        Deal.on_date <= today,
                        LIVE,
                    )
                    .group_by(Deal.client_id)
                )
            ).all()
        )
        result = []
        for c in clients:
            since = local_day(c.updated_at or c.created_at, zone)
            created = local_day(c.created_at, zone)
            activity = max(created, since, local_day(last[c.id], zone) if c.id in last else created)
            result.append(
                ReviewClient(
                    client_id=c.id,
                    name=c.name,
                    stage=Stage(c.stage),
                    stage_since=since,
                    last_activity=activity,
                    open_tasks=int(open_tasks.get(c.id, 0)),
                    brought=Decimal(brought.get(c.id) or 0),
                )
            )
        return result
