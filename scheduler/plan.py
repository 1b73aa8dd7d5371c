"""From rows to the plain data of ``domain.due``: a team's schedule, its recipients, the kinds' rules."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import date, time

from sqlalchemy.ext.asyncio import AsyncSession

from domain.calendar import WorkCalendar
from domain.due import KindRule, Recipient, TeamPlan
from scheduler.compose import Kind
from scheduler.kinds import KINDS
from storage.models import Member, Team
from storage.schedule_repo import TIME_COLUMNS, ScheduleRepo

#: The Team columns that hold a local time of day ("morning_at", "evening_at", ...).
TIME_FIELDS: tuple[str, ...] = TIME_COLUMNS


def team_plan(team: Team) -> TeamPlan:
    times: dict[str, time] = {name: getattr(team, name) for name in TIME_FIELDS if getattr(team, name)}
    return TeamPlan(
        team_id=team.id,
        timezone=team.timezone,
        calendar=WorkCalendar.from_db(team.workdays, team.holiday_country),
        times=times,
    )


def recipient(member: Member, vacations: Iterable[tuple[date, date]] = ()) -> Recipient:
    return Recipient(
        member_id=member.id,
        role=str(member.role),
        timezone=member.timezone,
        vacations=tuple(vacations),
        active=member.active,
        unreachable=member.unreachable,
    )


def is_scheduled(kind: Kind) -> bool:
    """A kind sent at a team time; the others (notices) are enqueued by events."""
    return kind.at in TIME_FIELDS


def rule(kind: Kind) -> KindRule:
    return KindRule(
        name=kind.name,
        at=kind.at,
        roles=frozenset(str(r) for r in kind.roles),
        working_days_only=kind.working_days_only,
        deadline=kind.deadline,
    )


def scheduled_rules(names: Iterable[str] | None = None) -> list[KindRule]:
    wanted = set(names) if names is not None else None
    return [rule(k) for k in KINDS.values() if is_scheduled(k) and (wanted is None or k.name in wanted)]


async def team_recipients(session: AsyncSession, team_id: int) -> list[tuple[Member, Recipient]]:
    """The team's active, reachable members with their vacations."""
    schedule = ScheduleRepo(session)
    members = list(await schedule.reachable_members([team_id]))
    vacations = await schedule.vacations([m.id for m in members])
    return [(m, recipient(m, vacations.get(m.id, ()))) for m in members]


async def all_recipients(session: AsyncSession, team_ids: Sequence[int]) -> dict[int, list[Recipient]]:
    """team id → its active, reachable members with their vacations (two queries for all teams)."""
    result: dict[int, list[Recipient]] = defaultdict(list)
    schedule = ScheduleRepo(session)
    members = await schedule.reachable_members(team_ids)
    vacations = await schedule.vacations([m.id for m in members])
    for m in members:
        result[m.team_id].append(recipient(m, vacations.get(m.id, ())))
    return result
