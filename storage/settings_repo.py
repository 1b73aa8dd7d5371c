"""The head's settings: the team's times, zone, working days and holiday calendar; members' zones and
vacations. Every method takes the acting head's team id; an object of another team is ``NotFound``."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, time

from sqlalchemy import select

from domain.calendar import format_workdays, parse_workdays
from domain.errors import NotFound, UserError
from storage.models import Member, Team, Vacation
from storage.session_repo import SessionRepo

#: Settings names → the Team column holding that local time.
TIME_FIELDS: dict[str, str] = {
    "morning": "morning_at",
    "evening": "evening_at",
    "approval": "approval_at",
    "digest": "digest_at",
}
DEFAULT_HOLIDAYS = "RU"


class SettingsRepo(SessionRepo):
    async def team(self, team_id: int) -> Team:
        team = await self.session.get(Team, team_id)
        if team is None:
            raise NotFound("team")
        return team

    async def set_time(self, team_id: int, field: str, value: time) -> Team:
        if field not in TIME_FIELDS:
            raise NotFound("setting")
        team = await self.team(team_id)
        setattr(team, TIME_FIELDS[field], value)
        await self.session.flush()
        return team

    async def set_timezone(self, team_id: int, zone: str) -> Team:
        team = await self.team(team_id)
        team.timezone = zone
        await self.session.flush()
        return team

    async def toggle_workday(self, team_id: int, weekday: int) -> frozenset[int]:
        """Turn ISO ``weekday`` (1 = Monday) on or off; at least one must stay."""
        if not 1 <= weekday <= 7:
            raise NotFound("weekday")
        team = await self.team(team_id)
        days = set(parse_workdays(team.workdays)) ^ {weekday}
        if not days:
            raise UserError("settings-workdays-empty")
        team.workdays = format_workdays(days)
        await self.session.flush()
        return frozenset(days)

    async def toggle_holidays(self, team_id: int) -> str | None:
        """The holiday calendar on (Russia's production calendar) or off; the new value."""
        team = await self.team(team_id)
        team.holiday_country = None if team.holiday_country else DEFAULT_HOLIDAYS
        await self.session.flush()
        return team.holiday_country

    async def member(self, team_id: int, member_id: int) -> Member:
        return await self.required(
            select(Member).where(Member.id == member_id, Member.team_id == team_id, Member.active.is_(True)),
            "member",
        )

    async def members(self, team_id: int) -> Sequence[Member]:
        return (
            await self.session.scalars(
                select(Member)
                .where(Member.team_id == team_id, Member.active.is_(True))
                .order_by(Member.name, Member.id)
            )
        ).all()

    async def set_member_timezone(self, team_id: int, member_id: int, zone: str | None) -> Member:
        member = await self.member(team_id, member_id)
        member.timezone = zone
        await self.session.flush()
        return member

    async def vacations(self, team_id: int, since: date, member_id: int | None = None) -> Sequence[Vacation]:
        """Vacations of the team's active members that have not ended before ``since``, by start."""
        query = (
            select(Vacation)
            .join(Member, Member.id == Vacation.member_id)
            .where(Member.team_id == team_id, Member.active.is_(True), Vacation.ends >= since)
        )
        if member_id is not None:
            query = query.where(Vacation.member_id == member_id)
        return (await self.session.scalars(query.order_by(Vacation.starts, Vacation.id))).all()

    async def add_vacation(self, team_id: int, member_id: int, starts: date, ends: date) -> Vacation:
        if ends < starts:
            raise UserError("settings-dates")
        member = await self.member(team_id, member_id)
        overlap = await self.session.scalar(
            select(Vacation).where(
                Vacation.member_id == member.id, Vacation.starts <= ends, Vacation.ends >= starts
            )
        )
        if overlap is not None:
            raise UserError("settings-vacation-overlap", range=date_range(overlap.starts, overlap.ends))
        vacation = Vacation(member_id=member.id, starts=starts, ends=ends)
        self.session.add(vacation)
        await self.session.flush()
        return vacation

    async def delete_vacation(self, team_id: int, vacation_id: int) -> Vacation:
        vacation = await self.required(
            select(Vacation)
            .join(Member, Member.id == Vacation.member_id)
            .where(Vacation.id == vacation_id, Member.team_id == team_id),
            "vacation",
        )
        await self.session.delete(vacation)
        await self.session.flush()
        return vacation


def date_range(starts: date, ends: date) -> str:
    """01.07–14.07 (with the year when the range leaves the current one: 25.12.2026–10.01.2027)."""
    if starts == ends:
        return f"{starts:%d.%m.%Y}"
    if starts.year == ends.year:
        return f"{starts:%d.%m}–{ends:%d.%m.%Y}"
    return f"{starts:%d.%m.%Y}–{ends:%d.%m.%Y}"
