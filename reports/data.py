"""Loading what the board, the bonuses and the reports show: the database in, plain data out."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from domain.calendar import MemberCalendar, WorkCalendar
from domain.reporting import Discipline, discipline, overdue_trend
from domain.sales import (
    Board,
    BoardRow,
    Fact,
    Period,
    Seller,
    bonus_amount,
    build_board,
    month_period,
)
from domain.schedule import local_due
from domain.zones import team_zone
from storage.models import Member, Team
from storage.sales_repo import SalesRepo, Scheme


def team_calendar(team: Team) -> WorkCalendar:
    return WorkCalendar.from_db(team.workdays, team.holiday_country)


async def load_board(session: AsyncSession, team: Team, period: Period, today: date) -> Board:
    repo = SalesRepo(session)
    sellers = [Seller(m.id, m.name) for m in await repo.sellers(team.id)]
    facts = await repo.facts(team.id, period.start, period.end)
    plans = await repo.month_plans(team.id, period.months())
    names = await repo.names(team.id)
    return build_board(period, today, team_calendar(team), sellers, facts, plans, names)


# ---------------------------------------------------------------------------------------------- bonuses


@dataclass(frozen=True, slots=True)
class BonusLine:
    member_id: int
    name: str
    fulfilment: Decimal | None  # % of the revenue plan so far
    bonus: Decimal | None  # at today's fulfilment
    forecast_fulfilment: Decimal | None  # % at the month's end at the current pace
    forecast_bonus: Decimal | None


@dataclass(frozen=True, slots=True)
class Bonuses:
    period: Period
    scheme: Scheme | None
    lines: tuple[BonusLine, ...]


def bonus_lines(board: Board, scheme: Scheme | None) -> tuple[BonusLine, ...]:
    lines = []
    for row in board.rows:
        if row.member_id is None:
            continue
        fulfilment, forecast = row.revenue_percent, row.forecast_percent
        lines.append(
            BonusLine(
                member_id=row.member_id,
                name=row.name,
                fulfilment=fulfilment,
                bonus=bonus_amount(scheme.base, scheme.scale, fulfilment) if scheme else None,
                forecast_fulfilment=forecast,
                forecast_bonus=bonus_amount(scheme.base, scheme.scale, forecast) if scheme else None,
            )
        )
    return tuple(lines)


async def load_bonuses(
    session: AsyncSession, team: Team, today: date, period: Period | None = None
) -> Bonuses:
    """The month's expected bonuses (by default the current month) for every manager on the board."""
    period = period or month_period(today)
    board = await load_board(session, team, period, today)
    scheme = await SalesRepo(session).scheme(team.id)
    return Bonuses(period, scheme, bonus_lines(board, scheme))


# ---------------------------------------------------------------------------------------------- reports


@dataclass(frozen=True, slots=True)
class TeamReport:
    board: Board
    previous: Fact  # the team's fact in the period before, for comparison
    overdue: tuple[tuple[date, int], ...]  # at the start of each day of the period so far
    discipline: dict[int, Discipline]  # per manager
    team_discipline: Discipline

    @property
    def overdue_first(self) -> int | None:
        return self.overdue[0][1] if self.overdue else None

    @property
    def overdue_last(self) -> int | None:
        return self.overdue[-1][1] if self.overdue else None


def report_deadline(team: Team) -> Callable[[date], datetime]:
    """The instant an evening report of a local day is due: the team's plan-approval time that evening
    (midnight when the approval time is not after the evening prompt)."""
    tz = team_zone(team)

    def deadline(day: date) -> datetime:
        if team.approval_at > team.evening_at:
            return local_due(day, team.approval_at, tz)
        return local_due(day + timedelta(days=1), time(0, 0), tz)

    return deadline


async def load_report(session: AsyncSession, team: Team, period: Period, today: date) -> TeamReport:
    repo = SalesRepo(session)
    board = await load_board(session, team, period, today)
    before = period.previous()
    previous_facts = await repo.facts(team.id, before.start, before.end)
    previous = Fact()
    for fact in previous_facts.values():
        previous += fact

    last = min(today, period.end)
    trend: tuple[tuple[date, int], ...] = ()
    if last >= period.start:
        histories = await repo.task_histories(team, period.start, last)
        trend = tuple(overdue_trend(histories, period.start, last))

    sellers = list(await repo.sellers(team.id))
    times = await repo.report_times(team.id, period.start, period.end)
    vacations = await repo.vacations(m.id for m in sellers)
    calendar = team_calendar(team)
    deadline = report_deadline(team)
    per: dict[int, Discipline] = {}
    for member in sellers:
        per[member.id] = discipline(
            _working_days(member, team, calendar, vacations.get(member.id, []), period.start, last),
            times.get(member.id, {}),
            deadline,
            today,
        )
    total = Discipline()
    for d in per.values():
        total += d
    return TeamReport(board, previous, trend, per, total)


def _working_days(
    member: Member,
    team: Team,
    calendar: WorkCalendar,
    vacations: list[tuple[date, date]],
    first: date,
    last: date,
) -> list[date]:
    """The member's working days in ``first..last`` since they joined (in the team's time zone)."""
    joined = member.joined_at.astimezone(team_zone(team)).date() if member.joined_at else first
    cal = MemberCalendar(calendar, tuple(vacations))
    days = []
    d = max(first, joined)
    while d <= last:
        if cal.is_working_day(d):
            days.append(d)
        d += timedelta(days=1)
    return days


def row_status(row: BoardRow) -> str:
    """ "good", "warn", "bad" or "none": the forecast against the plan (100% and 70% are the lines)."""
    value = row.forecast_percent if row.forecast_percent is not None else row.revenue_percent
    if value is None:
        return "none"
    if value >= 100:
        return "good"
    if value >= 70:
        return "warn"
    return "bad"
