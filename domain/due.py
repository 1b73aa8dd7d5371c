"""Which scheduled messages are due now: (recipient, kind, local date) triples, decided from plain data.

Rules:

* A member's zone is their own override, else the team's; their local date and the send's instants are
  computed in that zone (``domain.schedule``), so daylight saving neither shifts nor doubles a send.
* A kind is due for a member when the member's role is one of the kind's roles (no roles: everyone), and
  the send for some local date ``d`` at the team's time for that kind is current now
  (``schedule.current_sends``: it fell due and its local day, or the kind's deadline, has not passed).
  A job missed while the bot was down is therefore still due when the bot comes back on the same local
  day, and not on the next one: an evening prompt is never sent the next morning.
* A working-day kind is due only when the member works on ``d``: the team's weekdays and holiday
  calendar (moved working days included) and the member's vacations (``domain.calendar``).
* Inactive or unreachable members get nothing.
* ``wakeup_pairs`` lists the distinct (zone, time) pairs whose next due instant should wake the
  scheduler.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from domain import zones
from domain.calendar import WorkCalendar, is_member_working
from domain.schedule import current_sends


def zone(name: str) -> ZoneInfo:
    return zones.zone(name)


@dataclass(frozen=True)
class Recipient:
    member_id: int
    role: str
    timezone: str | None = None  # the member's override
    vacations: tuple[tuple[date, date], ...] = ()
    active: bool = True
    unreachable: bool = False


@dataclass(frozen=True)
class KindRule:
    """When a kind goes out: at the team time named ``at``, to ``roles``, on working days or every day."""

    name: str
    at: str
    roles: frozenset[str] = field(default_factory=frozenset)
    working_days_only: bool = True
    deadline: str | None = None  # a team time after which the day's send is no longer current

    def for_role(self, role: str) -> bool:
        return not self.roles or role in self.roles


@dataclass(frozen=True)
class TeamPlan:
    """A team's schedule: its zone, calendar and named local times (``{"morning_at": time(9, 0), ...}``)."""

    team_id: int
    timezone: str
    calendar: WorkCalendar
    times: Mapping[str, time]


@dataclass(frozen=True, order=True)
class DueSend:
    team_id: int
    member_id: int
    kind: str
    local_date: date


def member_zone(team: TeamPlan, recipient: Recipient) -> ZoneInfo:
    return zones.zone_for(recipient.timezone, team.timezone)


def due_sends(
    now_utc: datetime, team: TeamPlan, recipients: Iterable[Recipient], kinds: Sequence[KindRule]
) -> list[DueSend]:
    """Everything due and current now for the team's members (see the module rules)."""
    result: list[DueSend] = []
    current: dict[tuple[ZoneInfo, time, time | None], date | None] = {}  # many members share a zone
    for recipient in recipients:
        if not recipient.active or recipient.unreachable:
            continue
        tz = member_zone(team, recipient)
        for kind in kinds:
            at = team.times.get(kind.at)
            if at is None or not kind.for_role(recipient.role):
                continue
            deadline = _deadline(team, kind, at)
            key = (tz, at, deadline)
            if key not in current:
                current[key] = current_sends(now_utc, tz, at, deadline)
            d = current[key]
            if d is None:
                continue
            if kind.working_days_only and not is_member_working(d, team.calendar, recipient.vacations):
                continue
            result.append(DueSend(team.team_id, recipient.member_id, kind.name, d))
    return sorted(result)


def _deadline(team: TeamPlan, kind: KindRule, at: time) -> time | None:
    """The kind's deadline that day, if it has one later than its send time."""
    deadline = team.times.get(kind.deadline) if kind.deadline else None
    return deadline if deadline is not None and deadline > at else None


def sends_on(d: date, team: TeamPlan, recipients: Iterable[Recipient], kind: KindRule) -> list[DueSend]:
    """The sends of ``kind`` for local date ``d`` whatever the time of day (an operator's run): its
    roles, reachable members, and for a working-day kind only those who work on ``d``."""
    return sorted(
        DueSend(team.team_id, r.member_id, kind.name, d)
        for r in recipients
        if r.active
        and not r.unreachable
        and kind.for_role(r.role)
        and (not kind.working_days_only or is_member_working(d, team.calendar, r.vacations))
    )


def still_current(
    now_utc: datetime, team: TeamPlan, recipient: Recipient, kind: KindRule, local_date: date
) -> bool:
    """Whether the send for ``local_date`` may still go out now: it is current and, for a working-day
    kind, the member still works that day (a vacation entered after it was queued counts)."""
    at = team.times.get(kind.at)
    if at is None:
        return True  # not a scheduled kind: always deliverable
    tz = member_zone(team, recipient)
    deadline = _deadline(team, kind, at)
    if current_sends(now_utc, tz, at, deadline) != local_date:
        return False
    return not kind.working_days_only or is_member_working(local_date, team.calendar, recipient.vacations)


def wakeup_pairs(
    team: TeamPlan, recipients: Iterable[Recipient], kinds: Sequence[KindRule]
) -> set[tuple[ZoneInfo, time]]:
    """The (zone, local time) pairs of the team's scheduled kinds for its reachable members."""
    zones = {member_zone(team, r) for r in recipients if r.active and not r.unreachable}
    times = {team.times[k.at] for k in kinds if k.at in team.times}
    return {(z, t) for z in zones for t in times}
