"""The head's digests, computed from plain numbers (rendering is in ``handlers.digest``).

Morning digest (the team's morning time)
  * Overdue per manager: open tasks due before today. Only managers with overdue tasks, the most first
    (then by name); the team total leads, because the goal is zero.
  * Clients without a next step per manager: open-stage clients with no open task; managers with any, the
    most first.
  * The hot list due today: open entries whose next step is dated today or earlier (earlier = overdue),
    the earliest first (``domain.hot``).
  * Yesterday's non-reporters: managers who worked on the team's previous working day and submitted no
    report for it, by name. That day is named when it was not yesterday (Friday, on a Monday). Someone who
    joined after that day's evening time was not asked for a report and is not listed
    (``expected_to_report``).

Evening digest (the team's digest time)
  * Per manager: planned, done and percent of the day (``domain.planfact``), overdue, new leads, deals
    (count and amount). Managers who work today or had something planned, by name. The team line adds the
    numbers up; its percent comes from the sums, not from an average of percents.
  * Not reported: managers working today with no report submitted today, by name; not someone who joined
    after today's evening time (``expected_to_report``).
  * Frozen: per manager, tasks moved three times or more and frozen clients (``domain.frozen``).
  * Falling (a cue for a one-on-one): a manager whose fulfilment (the day's percent) or mood fell on each of
    the last ``FALL_DAYS`` working days: the last ``FALL_DAYS + 1`` working-day values, oldest first, all
    known, each lower than the one before. A day with no report, or with nothing planned, has no value and
    breaks the run.
  * The head's own clients: of the head's tasks over the last ``SHARE_WINDOW_DAYS`` days (today included:
    tasks assigned to the head, due in the window, not cancelled), the share whose client the head owns.
    Over the limit when above ``SHARE_LIMIT_PERCENT`` % of at least ``SHARE_MIN_TASKS`` tasks (a couple of
    tasks say nothing about how the head spends the fortnight).

Both digests
  * Not an action (a team with a CRM): per manager, the open CRM tasks due today or earlier whose wording
    names no concrete action (``domain.actions``: "Ромашка", "перезвонить"), each with its wording, so the
    head has it fixed in the CRM (``not_actions``). The most first.
  * Abnormal load (``abnormal_load``): a manager whose overdue count no one works through in a day: at
    least ``OVERDUE_LIMIT``, or at least ``OVERDUE_MIN`` and over ``MEDIAN_FACTOR`` times the team's median
    (an import whose dates had passed leaves thousands). The most first; the head should sort it out with
    the manager, since the day list shows one page and a summary of the rest.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, tzinfo
from decimal import Decimal
from itertools import pairwise

from domain.hot import HotItem, order_entries
from domain.planfact import PlanFact, total

FALL_DAYS = 3
SHARE_WINDOW_DAYS = 14
SHARE_LIMIT_PERCENT = 20
SHARE_MIN_TASKS = 5
OVERDUE_LIMIT = 50
OVERDUE_MIN = 15
MEDIAN_FACTOR = 5


def _name_key(name: str, member_id: int) -> tuple[str, str, int]:
    return (name.casefold(), name, member_id)


@dataclass(frozen=True, slots=True)
class Count:
    """A manager and a number (overdue tasks, clients without a next step)."""

    member_id: int
    name: str
    count: int
    names: tuple[str, ...] = ()  # what is counted, when the digest names it


def most_first(items: Iterable[Count]) -> list[Count]:
    """Non-zero counts, the largest first, then by name."""
    return sorted(
        (c for c in items if c.count > 0), key=lambda c: (-c.count, *_name_key(c.name, c.member_id))
    )


def abnormal_load(counts: Iterable[Count]) -> list[Count]:
    """The managers whose overdue count is abnormal (module docstring), the most first."""
    items = list(counts)
    values = sorted(c.count for c in items)
    median = 0.0
    if values:
        mid = len(values) // 2
        median = values[mid] if len(values) % 2 else (values[mid - 1] + values[mid]) / 2
    return most_first(
        c
        for c in items
        if c.count >= OVERDUE_LIMIT or (c.count >= OVERDUE_MIN and c.count > MEDIAN_FACTOR * median)
    )


@dataclass(frozen=True, slots=True)
class VagueTask:
    """An open CRM task whose wording names no action (``problem``: ``domain.actions.ActionProblem``)."""

    member_id: int
    name: str  # the manager's
    action: str  # the wording to fix
    client: str | None
    problem: str


def not_actions(tasks: Iterable[VagueTask]) -> list[Count]:
    """Per manager, the vague CRM tasks (``Count.names``: their wordings, in the order given), the most
    first."""
    by_member: dict[int, list[VagueTask]] = {}
    for task in tasks:
        by_member.setdefault(task.member_id, []).append(task)
    return most_first(
        Count(items[0].member_id, items[0].name, len(items), tuple(i.action for i in items))
        for items in by_member.values()
    )


# ---------------------------------------------------------------------- morning


@dataclass(frozen=True, slots=True)
class MorningFacts:
    member_id: int
    name: str
    overdue: int
    idle_clients: tuple[str, ...]  # open-stage clients with no open task, in list order
    worked_yesterday: bool  # worked on the team's previous working day
    reported_yesterday: bool


@dataclass(frozen=True)
class MorningDigest:
    overdue_total: int
    overdue: list[Count]
    idle_total: int
    idle: list[Count]
    hot_due: list[HotItem]
    not_reported: list[Count]  # count unused (0): the managers, by name
    abnormal: list[Count] = field(default_factory=list)  # overdue far above normal (``abnormal_load``)
    reported_day: date | None = None  # the day ``not_reported`` is about: the previous working day
    not_actions: list[Count] = field(default_factory=list)  # vague CRM tasks (``not_actions``)

    @property
    def empty(self) -> bool:
        return not (self.overdue or self.idle or self.hot_due or self.not_reported or self.not_actions)


def expected_to_report(joined_at: datetime, day: date, evening_at: time, zone: tzinfo) -> bool:
    """Whether ``day``'s report is expected from someone who joined at ``joined_at``: only when they had
    joined by that day's evening time, when the evening prompt goes out."""
    return joined_at < datetime.combine(day, evening_at, zone)


def morning_digest(
    managers: Sequence[MorningFacts],
    hot: Iterable[HotItem],
    today: date,
    reported_day: date | None = None,
    vague: Iterable[VagueTask] = (),
) -> MorningDigest:
    """The morning digest (rules in the module docstring); ``reported_day`` is the previous working day."""
    overdue = most_first(Count(m.member_id, m.name, m.overdue) for m in managers)
    idle = most_first(Count(m.member_id, m.name, len(m.idle_clients), m.idle_clients) for m in managers)
    missing = sorted(
        (Count(m.member_id, m.name, 0) for m in managers if m.worked_yesterday and not m.reported_yesterday),
        key=lambda c: _name_key(c.name, c.member_id),
    )
    return MorningDigest(
        overdue_total=sum(c.count for c in overdue),
        overdue=overdue,
        idle_total=sum(c.count for c in idle),
        idle=idle,
        hot_due=order_entries(h for h in hot if h.next_date <= today),
        not_reported=missing,
        abnormal=abnormal_load(Count(m.member_id, m.name, m.overdue) for m in managers),
        reported_day=reported_day,
        not_actions=not_actions(vague),
    )


# ---------------------------------------------------------------------- evening


@dataclass(frozen=True, slots=True)
class EveningFacts:
    member_id: int
    name: str
    fact: PlanFact
    overdue: int
    leads: int
    deals: int
    revenue: Decimal
    working: bool  # works today (team calendar, own vacations)
    reported: bool  # today's report submitted
    expected: bool = True  # had joined by today's evening time (``expected_to_report``)


@dataclass(frozen=True, slots=True)
class DayValue:
    """One working day of a manager: the day's percent and mood, None when unknown."""

    day: date
    percent: int | None
    mood: int | None


@dataclass(frozen=True, slots=True)
class Falling:
    member_id: int
    name: str
    percents: tuple[int, ...] | None  # the falling run, oldest first, when fulfilment fell
    moods: tuple[int, ...] | None  # the same for mood


@dataclass(frozen=True, slots=True)
class FrozenFacts:
    member_id: int
    name: str
    tasks: tuple[str, ...]  # frozen tasks, as the digest names them
    clients: tuple[str, ...]  # frozen clients


@dataclass(frozen=True, slots=True)
class HeadShare:
    own: int  # the head's tasks for the head's own clients
    total: int  # all of the head's tasks in the window
    percent: int | None = field(init=False)
    over: bool = field(init=False)

    def __post_init__(self) -> None:
        percent = None if self.total == 0 else (200 * self.own + self.total) // (2 * self.total)
        over = self.total >= SHARE_MIN_TASKS and self.own * 100 > SHARE_LIMIT_PERCENT * self.total
        object.__setattr__(self, "percent", percent)
        object.__setattr__(self, "over", over)


@dataclass(frozen=True)
class EveningDigest:
    rows: list[EveningFacts]
    team: PlanFact
    overdue_total: int
    leads_total: int
    deals_total: int
    revenue_total: Decimal
    not_reported: list[Count]  # count unused (0)
    frozen: list[FrozenFacts]
    falling: list[Falling]
    head_share: HeadShare | None  # set only when over the limit
    abnormal: list[Count] = field(default_factory=list)  # overdue far above normal (``abnormal_load``)
    not_actions: list[Count] = field(default_factory=list)  # vague CRM tasks (``not_actions``)


def fell_each_day(values: Sequence[int | None], days: int = FALL_DAYS) -> tuple[int, ...] | None:
    """The last ``days + 1`` values (oldest first) when each is known and lower than the one before."""
    run = list(values[-(days + 1) :])
    if len(run) < days + 1 or any(v is None for v in run):
        return None
    known = [v for v in run if v is not None]
    return tuple(known) if all(b < a for a, b in pairwise(known)) else None


def falling(
    names: Mapping[int, str], history: Mapping[int, Sequence[DayValue]], days: int = FALL_DAYS
) -> list[Falling]:
    """Managers whose fulfilment or mood fell each of the last ``days`` working days, by name."""
    result = []
    for member_id, values in history.items():
        ordered = sorted(values, key=lambda v: v.day)
        percents = fell_each_day([v.percent for v in ordered], days)
        moods = fell_each_day([v.mood for v in ordered], days)
        if percents or moods:
            result.append(Falling(member_id, names.get(member_id, "?"), percents, moods))
    return sorted(result, key=lambda f: _name_key(f.name, f.member_id))


def evening_digest(
    managers: Sequence[EveningFacts],
    history: Mapping[int, Sequence[DayValue]],
    frozen: Iterable[FrozenFacts],
    share: HeadShare | None,
    vague: Iterable[VagueTask] = (),
) -> EveningDigest:
    """The evening digest (rules in the module docstring)."""
    rows = sorted(
        (m for m in managers if m.working or m.fact.planned > 0),
        key=lambda m: _name_key(m.name, m.member_id),
    )
    missing = sorted(
        (Count(m.member_id, m.name, 0) for m in managers if m.working and m.expected and not m.reported),
        key=lambda c: _name_key(c.name, c.member_id),
    )
    return EveningDigest(
        rows=rows,
        team=total(m.fact for m in rows),
        overdue_total=sum(m.overdue for m in managers),
        leads_total=sum(m.leads for m in rows),
        deals_total=sum(m.deals for m in rows),
        revenue_total=sum((m.revenue for m in rows), Decimal(0)),
        not_reported=missing,
        frozen=sorted(
            (f for f in frozen if f.tasks or f.clients), key=lambda f: _name_key(f.name, f.member_id)
        ),
        falling=falling({m.member_id: m.name for m in managers}, history),
        head_share=share if share is not None and share.over else None,
        abnormal=abnormal_load(Count(m.member_id, m.name, m.overdue) for m in managers),
        not_actions=not_actions(vague),
    )


def day_percent(planned: int, done: int) -> int | None:
    """A day's fulfilment as the evening report computes it (None when nothing was planned)."""
    return None if planned <= 0 else (200 * done + planned) // (2 * planned)
