"""Sales plans, fact, the pace forecast, the results board and the bonus scale: plain rules.

Periods
  A ``Period`` is an inclusive range of local dates with a kind: a month, an ISO week (Monday to
  Sunday), a quarter, a year or a free range. Dates are the team's local dates: the caller turns "now"
  into today with the team's time zone (``domain.schedule.local_today``), and deals and leads carry the
  local date they happened on.

Plans
  A plan is set per month (``Target``: revenue and a number of deals), per manager and optionally for
  the whole team. The team's plan for a month is the one set for the team, or else the sum of its
  managers' plans for that month. The plan of any other period is derived from the months it touches:
  each month contributes its plan times the share of the month's working days that fall in the period
  (``period_target``; a part of a month is rounded to the kopeck and a hundredth of a deal), so a
  quarter or a year is exactly the sum of its months, and a week gets its working-day share of the
  month (or of both months, when it straddles two). A month without a plan
  contributes nothing; a period whose months have no plan at all has no plan (``None``), which is not a
  plan of zero.

Fact and percentage
  Fact is what the bot recorded: leads and deals (count and revenue) dated within the period.
  ``percent(fact, plan)`` is fact / plan x 100, ``None`` when the plan is zero or absent.

Pace forecast
  The expected total at the period's end at the current pace: fact / working days elapsed x working
  days in the period, with the team's calendar (``WorkCalendar``). Today counts as elapsed (the board is
  looked at during the day and its deals are already in). Before the period starts, or while no working
  day has elapsed yet (a period starting on a holiday), there is no pace: ``None``. Once the period is
  over the forecast is the fact.

Bonus scale
  A team's bonus is ``base x factor(p)`` where ``p`` is the percentage of the revenue plan fulfilled.
  The scale is a list of steps ``from% : rate`` with ascending ``from`` (the first at 0%). The first
  step with a rate above zero is the threshold ``T``. Below ``T`` nothing is paid. From ``T`` on,
  fulfilment pays proportionally from zero at the threshold's rate (so "70:1" pays 70% of the base at
  70%), and every further percentage point pays at the rate of the step it falls in:

      factor(p) = 0                                            if p < T
      factor(p) = (T x rate_T + sum over steps i >= T of rate_i x |[from_i, from_i+1) n [T, p)|) / 100

  "0:0 70:1 100:1.5" reads: nothing below 70%, proportional from 70% to 100%, and each point over 100%
  pays one and a half (an accelerator): 69% → 0, 70% → 0.70, 85% → 0.85, 100% → 1.00, 120% → 1.30.
  A later step with rate 0 caps the bonus ("150:0"). The factor never falls as fulfilment grows
  (rates are not negative), and partial fulfilment above the threshold is always rewarded, never
  all-or-nothing.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from enum import StrEnum
from zoneinfo import ZoneInfo

from domain.calendar import WorkCalendar
from domain.dates import MONTHS
from domain.errors import UserError
from domain.schedule import local_today

ZERO = Decimal(0)
HUNDRED = Decimal(100)
CENT = Decimal("0.01")

# ---------------------------------------------------------------------------------------------- periods


class PeriodKind(StrEnum):
    """What a report's period is: a calendar week, month, quarter or year, or any range of dates typed."""

    WEEK = "week"
    MONTH = "month"
    QUARTER = "quarter"
    YEAR = "year"
    RANGE = "range"


@dataclass(frozen=True, slots=True)
class Period:
    """The dates a board, a report or an export covers, both ends included (``parse_period`` reads it)."""

    kind: PeriodKind
    start: date
    end: date  # inclusive

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise ValueError(f"period ends before it starts: {self.start}..{self.end}")

    def __contains__(self, d: object) -> bool:
        return isinstance(d, date) and self.start <= d <= self.end

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def months(self) -> list[date]:
        """The first days of the months the period touches, in order."""
        out, m = [], month_start(self.start)
        while m <= self.end:
            out.append(m)
            m = add_months(m, 1)
        return out

    def previous(self) -> Period:
        """The period of the same kind just before this one (a range: of the same length)."""
        if self.kind is PeriodKind.WEEK:
            return week_period(self.start - timedelta(days=7))
        if self.kind is PeriodKind.MONTH:
            return month_period(add_months(self.start, -1))
        if self.kind is PeriodKind.QUARTER:
            return quarter_period(add_months(self.start, -3))
        if self.kind is PeriodKind.YEAR:
            return year_period(date(self.start.year - 1, 1, 1))
        return Period(
            PeriodKind.RANGE, self.start - timedelta(days=self.days), self.start - timedelta(days=1)
        )


def month_start(d: date) -> date:
    return d.replace(day=1)


def add_months(month: date, n: int) -> date:
    """The first day of the month ``n`` months after the month of ``month``."""
    index = month.year * 12 + month.month - 1 + n
    return date(index // 12, index % 12 + 1, 1)


def month_end(d: date) -> date:
    return add_months(d, 1) - timedelta(days=1)


def month_period(d: date) -> Period:
    return Period(PeriodKind.MONTH, month_start(d), month_end(d))


def week_period(d: date) -> Period:
    monday = d - timedelta(days=d.weekday())
    return Period(PeriodKind.WEEK, monday, monday + timedelta(days=6))


def quarter_period(d: date) -> Period:
    first = date(d.year, 3 * ((d.month - 1) // 3) + 1, 1)
    return Period(PeriodKind.QUARTER, first, month_end(add_months(first, 2)))


def year_period(d: date) -> Period:
    return Period(PeriodKind.YEAR, date(d.year, 1, 1), date(d.year, 12, 31))


class PeriodError(ValueError):
    """The text names no period this module understands."""


_THIS = {
    PeriodKind.WEEK: ("неделя", "неделю", "нед", "week", "w"),
    PeriodKind.MONTH: ("месяц", "мес", "month", "m"),
    PeriodKind.QUARTER: ("квартал", "кв", "quarter", "q"),
    PeriodKind.YEAR: ("год", "year", "y"),
}
_PREVIOUS_WORDS = ("прошлый", "прошлая", "прошлую", "прошлого", "предыдущий", "предыдущая", "last", "prev")
_DATE = r"(?:\d{4}-\d{1,2}-\d{1,2}|\d{1,2}\.\d{1,2}\.\d{4})"
_RANGE = re.compile(rf"(?P<a>{_DATE})\s*(?:\.\.|—|–|-|\s)\s*(?P<b>{_DATE})")
_YEAR_MONTH = re.compile(r"(?P<y>\d{4})[-./](?P<m>\d{1,2})")
_MONTH_YEAR = re.compile(r"(?P<m>\d{1,2})[./](?P<y>\d{4})")
_QUARTER = re.compile(r"(?:(?P<y1>\d{4})\s*-?\s*)?(?:q|кв)\s*(?P<q>[1-4])(?:\s+(?P<y2>\d{4}))?")
_NAMED_MONTH = re.compile(r"(?P<name>[a-zа-я]+)\.?(?:\s+(?P<y>\d{4}))?")


def _parse_date(text: str) -> date:
    try:
        if "-" in text:
            y, m, d = (int(x) for x in text.split("-"))
        else:
            d, m, y = (int(x) for x in text.split("."))
        return date(y, m, d)
    except ValueError:
        raise PeriodError(text) from None


def _month_of(year: int, month: int) -> Period:
    if not (1 <= month <= 12 and MIN_YEAR <= year <= 9998):
        raise PeriodError(f"{year}-{month}")
    return month_period(date(year, month, 1))


MIN_YEAR = 2000  # the earliest year a period may touch; the latest is next year


def period_in_range(period: Period, today: date) -> bool:
    """A sane period: from 2000 up to the end of next year (seen from ``today``)."""
    return period.start.year >= MIN_YEAR and period.end.year <= today.year + 1


def parse_period(text: str, today: date, *, future: bool = False) -> Period:
    """The period ``text`` names, seen from ``today``, within 2000 .. next year (``period_in_range``).

    Empty or "месяц"/"month": this month; "неделя"/"week", "квартал"/"quarter", "год"/"year": the
    current one; with "прошлый"/"last": the one before. "2026-10", "10.2026", "октябрь", "октябрь 2026":
    a month (a month name without a year is the latest such month not after today, or with
    ``future=True`` the nearest not before this month); "2026": a year; "2026-Q3", "Q3 2026": a quarter;
    "2026-10-01..2026-10-15" or "01.10.2026 - 15.10.2026": a range. Raises ``PeriodError`` otherwise."""
    try:
        period = _parse_period(text, today, future=future)
    except ValueError:  # a date out of the calendar ("0000-q1", a week past 9999)
        raise PeriodError(text) from None
    if not period_in_range(period, today):
        raise PeriodError(text)
    return period


def _parse_period(text: str, today: date, *, future: bool) -> Period:
    s = " ".join(text.casefold().replace("ё", "е").split())
    if not s:
        return month_period(today)
    words = s.split(" ")
    previous = words[0] in _PREVIOUS_WORDS
    rest = " ".join(words[1:]) if previous else s
    for kind, names in _THIS.items():
        if rest in names:
            current = {
                PeriodKind.WEEK: week_period,
                PeriodKind.MONTH: month_period,
                PeriodKind.QUARTER: quarter_period,
                PeriodKind.YEAR: year_period,
            }[kind](today)
            return current.previous() if previous else current
    if previous:
        raise PeriodError(text)
    if m := _RANGE.fullmatch(s):
        a, b = _parse_date(m["a"]), _parse_date(m["b"])
        if b < a:
            raise PeriodError(text)
        return Period(PeriodKind.RANGE, a, b)
    if m := _YEAR_MONTH.fullmatch(s):
        return _month_of(int(m["y"]), int(m["m"]))
    if m := _MONTH_YEAR.fullmatch(s):
        return _month_of(int(m["y"]), int(m["m"]))
    if re.fullmatch(r"\d{4}", s):
        year = int(s)
        if year < MIN_YEAR:
            raise PeriodError(text)
        return year_period(date(year, 1, 1))
    if m := _QUARTER.fullmatch(s):
        if m["y1"] and m["y2"]:
            raise PeriodError(text)
        year = int(m["y1"] or m["y2"] or today.year)
        return quarter_period(date(year, 3 * (int(m["q"]) - 1) + 1, 1))
    if (m := _NAMED_MONTH.fullmatch(s)) and m["name"] in MONTHS:
        month = MONTHS[m["name"]]
        if m["y"]:
            return _month_of(int(m["y"]), month)
        year = today.year
        if future and month < today.month:
            year += 1
        elif not future and month > today.month:
            year -= 1
        return _month_of(year, month)
    raise PeriodError(text)


def current_period(now_utc: datetime, tz: ZoneInfo, text: str = "", *, future: bool = False) -> Period:
    """The period ``text`` names, seen from the local date in the team's time zone at ``now_utc``."""
    return parse_period(text, local_today(now_utc, tz), future=future)


# ---------------------------------------------------------------------------------------------- plan, fact


@dataclass(frozen=True, slots=True)
class Target:
    """A plan: revenue and a number of deals (fractional for a part of a month)."""

    revenue: Decimal = ZERO
    deals: Decimal = ZERO

    def __post_init__(self) -> None:
        object.__setattr__(self, "revenue", Decimal(self.revenue))
        object.__setattr__(self, "deals", Decimal(self.deals))

    def __add__(self, other: Target) -> Target:
        return Target(self.revenue + other.revenue, self.deals + other.deals)

    def share(self, part: int, whole: int) -> Target:
        """``part / whole`` of this plan, to the kopeck and to a hundredth of a deal."""
        if part == whole:
            return self
        return Target(
            (self.revenue * part / whole).quantize(CENT, rounding=ROUND_HALF_UP),
            (self.deals * part / whole).quantize(CENT, rounding=ROUND_HALF_UP),
        )


@dataclass(frozen=True, slots=True)
class Fact:
    """What was recorded: leads, deals and their revenue."""

    leads: int = 0
    deals: int = 0
    revenue: Decimal = ZERO

    def __add__(self, other: Fact) -> Fact:
        return Fact(self.leads + other.leads, self.deals + other.deals, self.revenue + other.revenue)


def total_fact(facts: Iterable[Fact]) -> Fact:
    result = Fact()
    for fact in facts:
        result += fact
    return result


def team_month_target(explicit: Target | None, member_targets: Iterable[Target]) -> Target | None:
    """The team's plan for a month: the one set for the team, else the sum of its managers' (``None``
    when neither exists)."""
    if explicit is not None:
        return explicit
    targets = list(member_targets)
    if not targets:
        return None
    result = Target()
    for target in targets:
        result += target
    return result


def _working_days(calendar: WorkCalendar, a: date, b: date) -> int:
    """Working days in the inclusive range ``a..b``."""
    return calendar.working_days_between(a, b + timedelta(days=1)) if b >= a else 0


def period_target(
    month_targets: Mapping[date, Target], period: Period, calendar: WorkCalendar
) -> Target | None:
    """The plan of ``period`` from the monthly plans (keys: first days of months): each month's plan
    times the share of its working days inside the period (calendar days if the month has no working
    day). ``None`` when none of the touched months has a plan."""
    result: Target | None = None
    for month in period.months():
        target = month_targets.get(month)
        if target is None:
            continue
        last = month_end(month)
        a, b = max(month, period.start), min(last, period.end)
        whole = _working_days(calendar, month, last)
        if a == month and b == last:
            part = whole = 1
        elif whole:
            part = _working_days(calendar, a, b)
        else:
            part, whole = (b - a).days + 1, (last - month).days + 1
        result = (result or Target()) + target.share(part, whole)
    return result


def percent(fact: Decimal | int, plan: Decimal | int | None) -> Decimal | None:
    """fact / plan x 100 (unrounded); ``None`` when there is no plan or it is zero."""
    if plan is None or Decimal(plan) <= 0:
        return None
    return Decimal(fact) * HUNDRED / Decimal(plan)


def whole_percent(value: Decimal | None) -> int | None:
    """A percentage rounded half up to a whole number, for display."""
    if value is None:
        return None
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


@dataclass(frozen=True, slots=True)
class Pace:
    """Working days of the period that have elapsed by ``today`` (today included) and in all."""

    elapsed: int
    total: int


def pace(period: Period, today: date, calendar: WorkCalendar) -> Pace:
    total = _working_days(calendar, period.start, period.end)
    if today < period.start:
        return Pace(0, total)
    return Pace(_working_days(calendar, period.start, min(today, period.end)), total)


def pace_forecast(fact: Decimal | int, period: Period, today: date, calendar: WorkCalendar) -> Decimal | None:
    """The expected total at the period's end at the current pace (rules in the module docstring)."""
    fact = Decimal(fact)
    if today > period.end:
        return fact
    p = pace(period, today, calendar)
    if p.elapsed == 0:
        return None
    return fact * p.total / p.elapsed


# ---------------------------------------------------------------------------------------------- the board


@dataclass(frozen=True, slots=True)
class BoardRow:
    """One line of the board: a manager, or the team."""

    member_id: int | None
    name: str
    fact: Fact
    plan: Target | None
    forecast_revenue: Decimal | None
    forecast_deals: Decimal | None

    @property
    def revenue_percent(self) -> Decimal | None:
        return percent(self.fact.revenue, self.plan.revenue if self.plan else None)

    @property
    def deals_percent(self) -> Decimal | None:
        return percent(self.fact.deals, self.plan.deals if self.plan else None)

    @property
    def forecast_percent(self) -> Decimal | None:
        if self.forecast_revenue is None:
            return None
        return percent(self.forecast_revenue, self.plan.revenue if self.plan else None)


@dataclass(frozen=True, slots=True)
class Board:
    period: Period
    today: date
    pace: Pace
    rows: tuple[BoardRow, ...]
    team: BoardRow


@dataclass(frozen=True, slots=True)
class Seller:
    member_id: int
    name: str


def build_board(
    period: Period,
    today: date,
    calendar: WorkCalendar,
    sellers: Iterable[Seller],
    facts: Mapping[int, Fact],
    month_plans: Mapping[tuple[int | None, date], Target],
    names: Mapping[int, str] | None = None,
) -> Board:
    """The results board of ``period`` as seen on ``today``.

    ``sellers`` are the managers who get a line even with nothing recorded; anyone else with a fact (the
    head's own deals, a manager who left) gets a line too, named from ``names``. ``month_plans`` maps
    ``(member_id, first day of month)`` to the plan, ``member_id`` None for the team's own plan. Lines
    are ordered by revenue, then deals, then name; the team's line sums every fact of the team."""
    names = dict(names or {})
    people: dict[int, str] = {}
    for seller in sellers:
        people[seller.member_id] = seller.name
    for member_id, fact in facts.items():
        if member_id not in people and (fact.leads or fact.deals or fact.revenue):
            people[member_id] = names.get(member_id, f"#{member_id}")

    def row(member_id: int | None, name: str, fact: Fact, months: Mapping[date, Target]) -> BoardRow:
        plan = period_target(months, period, calendar)
        return BoardRow(
            member_id=member_id,
            name=name,
            fact=fact,
            plan=plan,
            forecast_revenue=pace_forecast(fact.revenue, period, today, calendar),
            forecast_deals=pace_forecast(fact.deals, period, today, calendar),
        )

    rows = []
    for member_id, name in people.items():
        months = {m: t for (who, m), t in month_plans.items() if who == member_id}
        rows.append(row(member_id, name, facts.get(member_id, Fact()), months))
    rows.sort(key=lambda r: (-r.fact.revenue, -r.fact.deals, r.name.casefold(), r.member_id or 0))

    team_months: dict[date, Target] = {}
    for month in period.months():
        explicit = month_plans.get((None, month))
        members = [t for (who, m), t in month_plans.items() if who is not None and m == month]
        target = team_month_target(explicit, members)
        if target is not None:
            team_months[month] = target
    team = row(None, "", total_fact(facts.values()), team_months)
    return Board(period, today, pace(period, today, calendar), tuple(rows), team)


# ---------------------------------------------------------------------------------------------- bonus scale


@dataclass(frozen=True, slots=True)
class Step:
    """One step of a bonus scale: from ``from_percent`` of plan on, the bonus is ``rate`` times the base."""

    from_percent: Decimal
    rate: Decimal


MAX_STEPS = 10
MAX_STEP_PERCENT = Decimal(1000)
MAX_RATE = Decimal(10)
MAX_BASE = Decimal("100000000")


@dataclass(frozen=True, slots=True)
class BonusScale:
    """Steps ``from% : rate``, validated on creation (raises ``UserError`` with a ``bonus-*`` code)."""

    steps: tuple[Step, ...]
    threshold_index: int = field(init=False)

    def __post_init__(self) -> None:
        steps = tuple(self.steps)
        if not steps:
            raise UserError("bonus-scale-empty")
        if len(steps) > MAX_STEPS:
            raise UserError("bonus-scale-too-many", max=MAX_STEPS)
        if steps[0].from_percent != 0:
            steps = (Step(ZERO, ZERO), *steps)
        for step in steps:
            if not (0 <= step.from_percent <= MAX_STEP_PERCENT):
                raise UserError("bonus-scale-percent", value=_plain(step.from_percent))
            if not (0 <= step.rate <= MAX_RATE):
                raise UserError("bonus-scale-rate", value=_plain(step.rate))
        for a, b in itertools.pairwise(steps):
            if b.from_percent <= a.from_percent:
                raise UserError("bonus-scale-order", value=_plain(b.from_percent))
        paying = [i for i, s in enumerate(steps) if s.rate > 0]
        if not paying:
            raise UserError("bonus-scale-no-pay")
        object.__setattr__(self, "steps", steps)
        object.__setattr__(self, "threshold_index", paying[0])

    @property
    def threshold(self) -> Decimal:
        return self.steps[self.threshold_index].from_percent

    def factor(self, fulfilment: Decimal | int) -> Decimal:
        """The share of the base paid at ``fulfilment`` percent of plan (module docstring)."""
        p = Decimal(fulfilment)
        t = self.threshold_index
        if p < self.steps[t].from_percent:
            return ZERO
        total = self.steps[t].from_percent * self.steps[t].rate
        for i in range(t, len(self.steps)):
            lo = self.steps[i].from_percent
            hi = self.steps[i + 1].from_percent if i + 1 < len(self.steps) else None
            if p <= lo:
                break
            top = p if hi is None else min(p, hi)
            total += (top - lo) * self.steps[i].rate
        return total / HUNDRED

    def to_json(self) -> list[dict[str, str]]:
        return [{"from": _plain(s.from_percent), "rate": _plain(s.rate)} for s in self.steps]

    @classmethod
    def from_json(cls, data: Iterable[Mapping[str, object]]) -> BonusScale:
        return cls(tuple(Step(Decimal(str(d["from"])), Decimal(str(d["rate"]))) for d in data))

    def __str__(self) -> str:
        return " ".join(f"{_plain(s.from_percent)}:{_plain(s.rate)}" for s in self.steps)


DEFAULT_SCALE_TEXT = "0:0 70:1 100:1.5"


def _plain(value: Decimal) -> str:
    """A decimal without trailing zeros or exponent: 70, 1.5."""
    return format(value.normalize(), "f")


def parse_number(text: str) -> Decimal:
    """A number as people type it: "1 250 000", "1,5", "500к", "1.2 млн", "70%"; raises ``ValueError``."""
    s = text.strip().casefold().replace("\u00a0", "").replace("\u202f", "").replace(" ", "")
    s = s.replace("₽", "").replace("руб.", "").replace("руб", "").replace("р.", "").rstrip("%")
    multiplier = Decimal(1)
    for suffix, mult in (("млн", 10**6), ("mln", 10**6), ("тыс", 1000), ("к", 1000), ("k", 1000)):
        if s.endswith(suffix):
            s, multiplier = s[: -len(suffix)], Decimal(mult)
            break
    else:
        if s.endswith(("м", "m")):
            s, multiplier = s[:-1], Decimal(10**6)
    s = s.rstrip(".")
    if s.count(",") == 1 and "." not in s:
        s = s.replace(",", ".")
    elif "," in s:
        s = s.replace(",", "")  # 1,250,000 or 1,250,000.50
    if not re.fullmatch(r"-?\d+(?:\.\d+)?", s):
        raise ValueError(text)
    try:
        return Decimal(s) * multiplier
    except InvalidOperation:
        raise ValueError(text) from None


def parse_scale(text: str) -> BonusScale:
    """``"0:0 70:1 100:1.5"`` (``%`` and decimal commas allowed: ``"70%:1 100%:1,5"``)."""
    steps = []
    for token in text.replace(";", " ").split():
        left, sep, right = token.partition(":")
        if not sep:
            left, sep, right = token.partition("=")
        try:
            if not sep:
                raise ValueError(token)
            steps.append(Step(parse_number(left), parse_number(right)))
        except ValueError:
            raise UserError("bonus-scale-format", token=token) from None
    return BonusScale(tuple(steps))


def parse_scheme(text: str) -> tuple[Decimal, BonusScale]:
    """``/bonus_scheme`` arguments: a base, then the scale; without a scale the default one."""
    # the base may be written with spaces ("50 000"): take the leading tokens that have no colon
    tokens = text.split()
    base_tokens = []
    while tokens and ":" not in tokens[0] and "=" not in tokens[0]:
        base_tokens.append(tokens.pop(0))
    try:
        base = parse_number("".join(base_tokens))
    except ValueError:
        raise UserError("bonus-base", value=" ".join(base_tokens)) from None
    if not (0 < base <= MAX_BASE):
        raise UserError("bonus-base", value=" ".join(base_tokens))
    scale = parse_scale(" ".join(tokens) if tokens else DEFAULT_SCALE_TEXT)
    return base.quantize(CENT), scale


def bonus_amount(base: Decimal, scale: BonusScale, fulfilment: Decimal | None) -> Decimal | None:
    """The bonus at ``fulfilment`` percent of plan, to the kopeck; ``None`` without a plan."""
    if fulfilment is None:
        return None
    return (Decimal(base) * scale.factor(fulfilment)).quantize(CENT, rounding=ROUND_HALF_UP)


# ---------------------------------------------------------------------------------------------- plan input


def parse_plan_input(text: str) -> Target:
    """A manager's month plan typed in the dialog: revenue then deals, "500 000 5", "1,5 млн 12",
    "500к 5"; raises ``UserError("salesplan-input")``."""
    m = re.fullmatch(r"\s*(?P<revenue>.+?)\s+(?P<deals>\d{1,5})\s*", text)
    if m is None:
        raise UserError("salesplan-input")
    try:
        revenue = parse_number(m["revenue"])
    except ValueError:
        raise UserError("salesplan-input") from None
    if revenue < 0 or revenue > Decimal("999999999999"):
        raise UserError("salesplan-input")
    return Target(revenue.quantize(CENT), Decimal(int(m["deals"])))
