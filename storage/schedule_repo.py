"""What the scheduler reads to decide who is due: the teams' local times of day (``Team`` columns of
type Time), their active, reachable members and those members' vacations."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import date

from sqlalchemy import Time, select

from storage.models import Member, Team, Vacation
from storage.session_repo import SessionRepo

#: The Team columns that hold a local time of day ("morning_at", "evening_at", ...).
TIME_COLUMNS: tuple[str, ...] = tuple(c.name for c in Team.__table__.columns if isinstance(c.type, Time))

BATCH = 500  # ids in one IN (...)


class ScheduleRepo(SessionRepo):
    async def reachable_members(self, team_ids: Sequence[int]) -> Sequence[Member]:
        """The teams' active members who have not blocked the bot, by id."""
        if not team_ids:
            return []
        return (
            await self.session.scalars(
                select(Member)
                .where(
                    Member.team_id.in_(list(team_ids)), Member.active.is_(True), Member.unreachable.is_(False)
                )
                .order_by(Member.id)
            )
        ).all()

    async def vacations(self, member_ids: Sequence[int]) -> dict[int, list[tuple[date, date]]]:
        """member id → their vacations (first and last day)."""
        result: dict[int, list[tuple[date, date]]] = defaultdict(list)
        ids = list(member_ids)
        for start in range(0, len(ids), BATCH):
            rows = await self.session.execute(
                select(Vacation.member_id, Vacation.starts, Vacation.ends).where(
                    Vacation.member_id.in_(ids[start : start + BATCH])
                )
            )
            for member_id, starts, ends in rows:
                result[member_id].append((starts, ends))
        return result

    async def team_vacations(self, team_id: int) -> dict[int, list[tuple[date, date]]]:
        """member id → their vacations (first and last day), for every member of the team."""
        rows = await self.session.execute(
            select(Vacation.member_id, Vacation.starts, Vacation.ends)
            .join(Member, Member.id == Vacation.member_id)
            .where(Member.team_id == team_id)
        )
        result: dict[int, list[tuple[date, date]]] = defaultdict(list)
        for member_id, starts, ends in rows:
            result[member_id].append((starts, ends))
        return dict(result)
