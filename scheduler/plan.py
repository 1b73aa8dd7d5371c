"""From rows to the plain data of ``domain.due``: a team's schedule, its recipients, the kinds' rules."""

from __future__ import annotations

import importlib
import logging
import os
import pkgutil
from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import date, time

from sqlalchemy import Time, select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.calendar import WorkCalendar
from domain.due import KindRule, Recipient, TeamPlan
from scheduler.compose import KINDS, Kind
from storage.models import Member, Team, Vacation

log = logging.getLogger(__name__)

#: The Team columns that hold a local time of day ("morning_at", "evening_at", ...).
TIME_FIELDS: tuple[str, ...] = tuple(c.name for c in Team.__table__.columns if isinstance(c.type, Time))


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
        deadline=getattr(kind, "deadline", None),
    )


def scheduled_rules(names: Iterable[str] | None = None) -> list[KindRule]:
    wanted = set(names) if names is not None else None
    return [rule(k) for k in KINDS.values() if is_scheduled(k) and (wanted is None or k.name in wanted)]


async def vacations_of(
    session: AsyncSession, member_ids: Sequence[int]
) -> dict[int, list[tuple[date, date]]]:
    result: dict[int, list[tuple[date, date]]] = defaultdict(list)
    ids = list(member_ids)
    for start in range(0, len(ids), 500):
        rows = await session.execute(
            select(Vacation.member_id, Vacation.starts, Vacation.ends).where(
                Vacation.member_id.in_(ids[start : start + 500])
            )
        )
        for member_id, starts, ends in rows:
            result[member_id].append((starts, ends))
    return result


async def team_recipients(session: AsyncSession, team_id: int) -> list[tuple[Member, Recipient]]:
    """The team's active, reachable members with their vacations."""
    members = list(
        (
            await session.scalars(
                select(Member)
                .where(Member.team_id == team_id, Member.active.is_(True), Member.unreachable.is_(False))
                .order_by(Member.id)
            )
        ).all()
    )
    vacations = await vacations_of(session, [m.id for m in members])
    return [(m, recipient(m, vacations.get(m.id, ()))) for m in members]


async def all_recipients(session: AsyncSession, team_ids: Sequence[int]) -> dict[int, list[Recipient]]:
    """team id → its active, reachable members with their vacations (three queries for all teams)."""
    result: dict[int, list[Recipient]] = defaultdict(list)
    if not team_ids:
        return result
    members = (
        await session.scalars(
            select(Member)
            .where(Member.team_id.in_(list(team_ids)), Member.active.is_(True), Member.unreachable.is_(False))
            .order_by(Member.id)
        )
    ).all()
    vacations = await vacations_of(session, [m.id for m in members])
    for m in members:
        result[m.team_id].append(recipient(m, vacations.get(m.id, ())))
    return result


def load_kinds() -> list[str]:
    """Import every feature module that registers a kind: all ``handlers`` modules, this package's
    notices, and the modules named in ``ROP_EXTRA_KINDS`` (comma-separated; for tests). Returns the kinds."""
    import handlers

    for info in pkgutil.iter_modules(handlers.__path__):
        try:
            importlib.import_module(f"handlers.{info.name}")
        except Exception:  # a broken feature module must not stop the other kinds going out
            log.exception("could not import handlers.%s; its kinds are not scheduled", info.name)
    importlib.import_module("scheduler.notices")
    for name in filter(None, (n.strip() for n in os.environ.get("ROP_EXTRA_KINDS", "").split(","))):
        importlib.import_module(name)
    return sorted(KINDS)
