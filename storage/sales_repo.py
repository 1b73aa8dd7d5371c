"""Queries of plans, the board, bonuses, reports and export. Never commits; every query takes the team."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, delete, func, select, update
from sqlalchemy.orm import InstrumentedAttribute, aliased

from domain.deals import HISTORY, DealEventKind, DealState, RecentDeal
from domain.enums import Role, TaskEventKind
from domain.reporting import TaskHistory
from domain.sales import BonusScale, Fact, Target
from domain.zones import team_zone
from storage.models import (
    BonusScheme,
    Client,
    DayReport,
    Deal,
    DealEvent,
    Lead,
    Member,
    SalesPlan,
    Task,
    TaskEvent,
    Team,
    Vacation,
)
from storage.session_repo import SessionRepo


@dataclass(frozen=True, slots=True)
class Scheme:
    """A team's bonus scheme as ``bonus_schemes`` keeps it: the base amount and the scale applied to it."""

    base: Decimal
    scale: BonusScale


#: Only live deals count: not the ones waiting for a tap, not the cancelled ones.
LIVE = Deal.state == DealState.LIVE.value


@dataclass(frozen=True, slots=True)
class DealRow:
    """A deal as /deals lists it."""

    deal: Deal
    client_name: str
    member_name: str


class SalesRepo(SessionRepo):
    # ------------------------------------------------------------------ members

    async def sellers(self, team_id: int) -> Sequence[Member]:
        """Active managers, by name: the people with a line on the board and a plan."""
        return (
            await self.session.scalars(
                select(Member)
                .where(Member.team_id == team_id, Member.role == Role.MANAGER, Member.active.is_(True))
                .order_by(Member.name, Member.id)
            )
        ).all()

    async def names(self, team_id: int) -> dict[int, str]:
        """Every member ever in the team (inactive too: their deals stay on the board)."""
        rows = await self.session.execute(select(Member.id, Member.name).where(Member.team_id == team_id))
        return dict(rows.all())

    async def recipients(self, team_id: int) -> Sequence[Member]:
        """Heads and owners: who gets the weekly and monthly report."""
        return (
            await self.session.scalars(
                select(Member)
                .where(
                    Member.team_id == team_id,
                    Member.role.in_((Role.HEAD, Role.OWNER)),
                    Member.active.is_(True),
                )
                .order_by(Member.role, Member.id)
            )
        ).all()

    async def vacations(self, member_ids: Iterable[int]) -> dict[int, list[tuple[date, date]]]:
        out: dict[int, list[tuple[date, date]]] = defaultdict(list)
        ids = list(member_ids)
        if ids:
            rows = await self.session.execute(
                select(Vacation.member_id, Vacation.starts, Vacation.ends).where(Vacation.member_id.in_(ids))
            )
            for member_id, starts, ends in rows:
                out[member_id].append((starts, ends))
        return dict(out)

    # ------------------------------------------------------------------ fact

    async def facts(self, team_id: int, start: date, end: date) -> dict[int, Fact]:
        """Leads, deals and revenue per member, dated ``start..end`` inclusive."""
        deals = await self.session.execute(
            select(Deal.member_id, func.count(), func.coalesce(func.sum(Deal.amount), 0))
            .where(Deal.team_id == team_id, Deal.on_date >= start, Deal.on_date <= end, LIVE)
            .group_by(Deal.member_id)
        )
        leads = await self.session.execute(
            select(Lead.member_id, func.count())
            .where(Lead.team_id == team_id, Lead.on_date >= start, Lead.on_date <= end)
            .group_by(Lead.member_id)
        )
        out: dict[int, Fact] = {}
        for member_id, count, amount in deals:
            out[member_id] = Fact(deals=count, revenue=Decimal(str(amount)).quantize(Decimal("0.01")))
        for member_id, count in leads:
            fact = out.get(member_id, Fact())
            out[member_id] = Fact(leads=count, deals=fact.deals, revenue=fact.revenue)
        return out

    # ------------------------------------------------------------------ deals

    async def record_deal(
        self,
        member: Member,
        client: Client,
        amount: Decimal,
        day: date,
        now: datetime,
        state: DealState = DealState.LIVE,
    ) -> Deal:
        deal = Deal(
            team_id=member.team_id,
            client_id=client.id,
            member_id=member.id,
            amount=amount,
            on_date=day,
            created_at=now,
            state=state.value,
        )
        self.session.add(deal)
        await self.session.flush()
        self._event(deal.id, member.id, DealEventKind.RECORDED, None, amount, now)
        await self.session.flush()
        return deal

    def _event(
        self,
        deal_id: int,
        actor_id: int,
        kind: DealEventKind,
        old: Decimal | None,
        new: Decimal | None,
        now: datetime,
    ) -> None:
        self.session.add(
            DealEvent(
                deal_id=deal_id, actor_id=actor_id, kind=kind.value, old_amount=old, new_amount=new, at=now
            )
        )

    async def deal(self, team_id: int, deal_id: int) -> Deal:
        """The team's deal, or ``NotFound`` (another team's deal looks the same as none)."""
        return await self.required(select(Deal).where(Deal.id == deal_id, Deal.team_id == team_id), "deal")

    async def set_deal_state(self, deal: Deal, target: DealState, actor_id: int, now: datetime) -> bool:
        """Move the deal from its current state to ``target`` (one winner if two race); False if it had
        already moved."""
        current = DealState(deal.state)
        values: dict[str, object] = {"state": target.value}
        if target is DealState.VOID:
            values.update(voided_at=now, voided_by=actor_id)
        result = await self.session.execute(
            update(Deal)
            .where(Deal.id == deal.id, Deal.state == current.value)
            .values(**values)
            .execution_options(synchronize_session=False)
        )
        if not getattr(result, "rowcount", 0):
            return False
        kind = DealEventKind.VOIDED if target is DealState.VOID else DealEventKind.CONFIRMED
        self._event(
            deal.id, actor_id, kind, deal.amount, None if target is DealState.VOID else deal.amount, now
        )
        await self.session.flush()
        await self.session.refresh(deal)
        return True

    async def correct_deal(self, deal: Deal, amount: Decimal, actor_id: int, now: datetime) -> Decimal:
        """Set the deal's amount; returns the old one (kept in the history)."""
        old = Decimal(deal.amount)
        deal.amount = amount
        self._event(deal.id, actor_id, DealEventKind.CORRECTED, old, amount, now)
        await self.session.flush()
        return old

    async def deal_history(self, deal_id: int) -> Sequence[DealEvent]:
        return (
            await self.session.scalars(
                select(DealEvent).where(DealEvent.deal_id == deal_id).order_by(DealEvent.at, DealEvent.id)
            )
        ).all()

    async def recent_of(self, member_id: int, since: datetime) -> list[RecentDeal]:
        """The member's deals recorded since ``since`` that are not cancelled (for the repeat check)."""
        rows = await self.session.execute(
            select(Deal.client_id, Deal.amount, Deal.created_at).where(
                Deal.member_id == member_id, Deal.created_at >= since, Deal.state != DealState.VOID.value
            )
        )
        return [RecentDeal(cid, Decimal(amount), at) for cid, amount, at in rows]

    async def latest_amounts(self, member_id: int, limit: int = HISTORY) -> list[Decimal]:
        """The amounts of the member's latest live deals, newest first."""
        rows = await self.session.scalars(
            select(Deal.amount)
            .where(Deal.member_id == member_id, LIVE)
            .order_by(Deal.created_at.desc(), Deal.id.desc())
            .limit(limit)
        )
        return [Decimal(a) for a in rows]

    async def recent_deals(self, team_id: int, member_id: int | None, limit: int) -> list[DealRow]:
        """The latest deals not cancelled, newest first: the member's, or the whole team's."""
        query = (
            select(Deal, Client.name, Member.name)
            .join(Client, Client.id == Deal.client_id)
            .join(Member, Member.id == Deal.member_id)
            .where(Deal.team_id == team_id, Deal.state != DealState.VOID.value)
        )
        if member_id is not None:
            query = query.where(Deal.member_id == member_id)
        rows = await self.session.execute(query.order_by(Deal.created_at.desc(), Deal.id.desc()).limit(limit))
        return [DealRow(deal, client, who) for deal, client, who in rows]

    async def live_deals_of_client(self, team_id: int, client_id: int, since: date) -> list[DealRow]:
        """The client's live deals dated ``since`` or later, oldest first."""
        rows = await self.session.execute(
            select(Deal, Client.name, Member.name)
            .join(Client, Client.id == Deal.client_id)
            .join(Member, Member.id == Deal.member_id)
            .where(Deal.team_id == team_id, Deal.client_id == client_id, Deal.on_date >= since, LIVE)
            .order_by(Deal.on_date, Deal.id)
        )
        return [DealRow(deal, client, who) for deal, client, who in rows]

    async def client_names(self, team_id: int, owner_id: int | None = None) -> list[tuple[int, str]]:
        """The team's clients (or one owner's) as ``(id, name)``: the candidates of a fuzzy match."""
        query = select(Client.id, Client.name).where(Client.team_id == team_id)
        if owner_id is not None:
            query = query.where(Client.owner_id == owner_id)
        rows = await self.session.execute(query)
        return [(cid, name) for cid, name in rows]

    # ------------------------------------------------------------------ plans

    async def month_plans(
        self, team_id: int, months: Iterable[date]
    ) -> dict[tuple[int | None, date], Target]:
        """``(member_id or None for the team, month) -> plan`` for the given first days of months."""
        months = list(months)
        if not months:
            return {}
        rows = await self.session.scalars(
            select(SalesPlan).where(SalesPlan.team_id == team_id, SalesPlan.month.in_(months))
        )
        return {(p.member_id, p.month): Target(Decimal(p.revenue), Decimal(p.deals)) for p in rows}

    async def save_month_plan(
        self, team_id: int, month: date, members: Mapping[int, Target], team: Target | None
    ) -> None:
        """Set the managers' plans of ``month`` (others are left alone) and the team's: ``team=None``
        removes the team's own plan, so it is derived as the sum of the managers'."""
        existing = {
            p.member_id: p
            for p in await self.session.scalars(
                select(SalesPlan).where(SalesPlan.team_id == team_id, SalesPlan.month == month)
            )
        }
        for member_id, target in members.items():
            self._put(existing.get(member_id), team_id, member_id, month, target)
        if team is None:
            if None in existing:
                await self.session.execute(
                    delete(SalesPlan)
                    .where(SalesPlan.id == existing[None].id)
                    .execution_options(synchronize_session=False)
                )
        else:
            self._put(existing.get(None), team_id, None, month, team)
        await self.session.flush()

    def _put(
        self, row: SalesPlan | None, team_id: int, member_id: int | None, month: date, target: Target
    ) -> None:
        deals = int(target.deals)
        if row is None:
            self.session.add(
                SalesPlan(
                    team_id=team_id, member_id=member_id, month=month, revenue=target.revenue, deals=deals
                )
            )
        else:
            row.revenue, row.deals = target.revenue, deals

    # ------------------------------------------------------------------ bonus

    async def scheme(self, team_id: int) -> Scheme | None:
        row = await self.session.get(BonusScheme, team_id)
        if row is None or not row.scale:
            return None
        return Scheme(Decimal(row.base), BonusScale.from_json(row.scale))

    async def set_scheme(self, team_id: int, base: Decimal, scale: BonusScale) -> None:
        row = await self.session.get(BonusScheme, team_id)
        if row is None:
            self.session.add(BonusScheme(team_id=team_id, base=base, scale=scale.to_json()))
        else:
            row.base, row.scale = base, scale.to_json()
        await self.session.flush()

    # ------------------------------------------------------------------ report inputs

    async def task_histories(self, team: Team, start: date, end: date) -> list[TaskHistory]:
        """Tasks that could be overdue on some day of ``start..end``: created by its end and not closed
        before its start, with their moves (local dates in the team's time zone)."""
        tz = team_zone(team)
        since = datetime.combine(start - timedelta(days=2), time(0), tzinfo=UTC)  # any zone's local start
        tasks = (
            await self.session.scalars(
                select(Task).where(
                    Task.team_id == team.id, Task.closed_at.is_(None) | (Task.closed_at >= since)
                )
            )
        ).all()

        def local(at: datetime | None) -> date | None:
            return None if at is None else at.astimezone(tz).date()

        relevant = [
            t
            for t in tasks
            if (local(t.created_at) or start) <= end
            and (t.closed_at is None or t.closed_at.astimezone(tz).date() >= start)
        ]
        moves: dict[int, list[tuple[datetime, date]]] = defaultdict(list)
        ids = [t.id for t in relevant]
        for chunk in (ids[i : i + 500] for i in range(0, len(ids), 500)):
            rows = await self.session.execute(
                select(TaskEvent.task_id, TaskEvent.at, TaskEvent.from_date)
                .where(TaskEvent.task_id.in_(chunk), TaskEvent.kind == TaskEventKind.MOVED)
                .order_by(TaskEvent.at, TaskEvent.id)
            )
            for task_id, at, from_date in rows:
                if from_date is not None:
                    moves[task_id].append((at, from_date))
        return [
            TaskHistory(
                created_on=local(t.created_at) or start,
                closed_on=local(t.closed_at),
                due_date=t.due_date,
                moves=tuple((at.astimezone(tz).date(), d) for at, d in moves.get(t.id, [])),
            )
            for t in relevant
        ]

    async def report_times(
        self, team_id: int, start: date, end: date
    ) -> dict[int, dict[date, datetime | None]]:
        """``member_id -> {date: submitted_at or None}`` of the evening reports of ``start..end``."""
        rows = await self.session.execute(
            select(DayReport.member_id, DayReport.on_date, DayReport.submitted_at).where(
                DayReport.team_id == team_id, DayReport.on_date >= start, DayReport.on_date <= end
            )
        )
        out: dict[int, dict[date, datetime | None]] = defaultdict(dict)
        for member_id, on_date, submitted_at in rows:
            out[member_id][on_date] = submitted_at
        return dict(out)

    # ------------------------------------------------------------------ export

    async def export_clients(self, team_id: int) -> list[tuple[Any, ...]]:
        owner = aliased(Member)
        rows = await self.session.execute(
            select(Client.id, Client.name, owner.name, Client.stage, Client.created_at, Client.notes)
            .join(owner, owner.id == Client.owner_id)
            .where(Client.team_id == team_id)
            .order_by(Client.name_key, Client.id)
        )
        return [tuple(r) for r in rows]

    async def export_tasks(self, team_id: int, start: date, end: date) -> list[tuple[Any, ...]]:
        assignee = aliased(Member)
        rows = await self.session.execute(
            select(
                Task.id,
                Client.name,
                Task.action,
                Task.due_date,
                assignee.name,
                Task.status,
                Task.result,
                Task.reason,
                Task.moves,
                Task.created_at,
                Task.closed_at,
            )
            .join(assignee, assignee.id == Task.assignee_id)
            .outerjoin(Client, Client.id == Task.client_id)
            .where(Task.team_id == team_id, Task.due_date >= start, Task.due_date <= end)
            .order_by(Task.due_date, Task.id)
        )
        return [tuple(r) for r in rows]

    async def export_deals(self, team_id: int, start: date, end: date) -> list[tuple[Any, ...]]:
        return await self._export_of_clients(Deal, Deal.amount, team_id, start, end, LIVE)

    async def export_leads(self, team_id: int, start: date, end: date) -> list[tuple[Any, ...]]:
        return await self._export_of_clients(Lead, Lead.source, team_id, start, end)

    async def _export_of_clients(
        self,
        model: type[Deal] | type[Lead],
        value: InstrumentedAttribute[Any],
        team_id: int,
        start: date,
        end: date,
        *also: ColumnElement[bool],
    ) -> list[tuple[Any, ...]]:
        """A team's deals or leads dated ``start`` to ``end``, in date order: the date, the client, the member
        and ``value``."""
        rows = await self.session.execute(
            select(model.on_date, Client.name, Member.name, value)
            .join(Client, Client.id == model.client_id)
            .join(Member, Member.id == model.member_id)
            .where(model.team_id == team_id, model.on_date >= start, model.on_date <= end, *also)
            .order_by(model.on_date, model.id)
        )
        return [tuple(r) for r in rows]

    async def export_day_reports(self, team_id: int, start: date, end: date) -> list[tuple[Any, ...]]:
        rows = await self.session.execute(
            select(
                DayReport.on_date,
                Member.name,
                DayReport.planned,
                DayReport.done,
                DayReport.mood,
                DayReport.submitted_at,
            )
            .join(Member, Member.id == DayReport.member_id)
            .where(DayReport.team_id == team_id, DayReport.on_date >= start, DayReport.on_date <= end)
            .order_by(DayReport.on_date, Member.name)
        )
        return [tuple(r) for r in rows]
