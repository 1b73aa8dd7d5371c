"""Working days: which dates a team (and a member) works.

Rules:

* A team works on its ``workdays`` (ISO weekday numbers, 1 = Monday … 7 = Sunday; Monday–Friday by
  default), minus the public holidays of its ``country``, plus the weekend days the country moved work to.
* The country's calendar comes from the ``holidays`` package (``holidays.country_holidays``), Russia's
  production calendar by default. Its entries count as days off: public holidays, the days off moved from
  a weekend ("Day off (substituted from …)", e.g. 2024-12-30, 2025-05-02, 2025-05-08) and observed
  holidays (e.g. 2026-03-09 for 8 March on a Sunday). Its ``weekend_workdays`` count as working days (the
  Saturdays Russia moved work to, e.g. 2024-11-02, 2024-12-28, 2025-11-01), whatever the team's
  ``workdays``. Nothing is hard-coded per year. Russia moves days off by a yearly government decree,
  which ``holidays`` encodes year by year: for a year it has no decree for yet (with holidays 0.109:
  2028 on) only the fixed holidays count, so keep the package current; ``extra_days_off`` can bridge.
* ``country=None`` means no public holidays: only ``workdays`` and the explicit extra days count.
  A country may carry a subdivision, "US-CA" or "DE-BY" (the DB column holds up to 8 characters).
* Explicit days override everything: ``extra_days_off`` is never a working day, ``extra_workdays``
  always is. A date may not be in both.
* The country's calendar is computed once per (country, subdivision, year) and kept as frozen sets.
* A member works on a team working day unless it falls within one of their vacations (inclusive ranges
  ``(first_day, last_day)``).
* The DB stores ``workdays`` as a string "1,2,3,4,5": ``parse_workdays`` / ``format_workdays`` convert it.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta

import holidays

#: Monday to Friday.
DEFAULT_WORKDAYS: frozenset[int] = frozenset({1, 2, 3, 4, 5})
#: How far ``next_working_day`` / ``previous_working_day`` look before giving up (ten years).
SEARCH_LIMIT_DAYS = 3660

_ONE_DAY = timedelta(days=1)


@dataclass(frozen=True)
class _CountryYear:
    """One year of a country's calendar: days off and weekend days moved to work."""

    days_off: frozenset[date]
    weekend_workdays: frozenset[date]


def _split_country(country: str) -> tuple[str, str | None]:
    code, _, subdiv = country.partition("-")
    return code.upper(), (subdiv or None)


@functools.lru_cache(maxsize=512)
def _country_year(country: str, year: int) -> _CountryYear:
    """The country's calendar for one year, from the ``holidays`` package (cached)."""
    code, subdiv = _split_country(country)
    calendar = holidays.country_holidays(code, subdiv=subdiv, years=year, observed=True)
    days_off = frozenset(d for d in calendar if d.year == year)
    moved: Iterable[date] = getattr(calendar, "weekend_workdays", ())  # absent for most countries
    return _CountryYear(days_off=days_off, weekend_workdays=frozenset(d for d in moved if d.year == year))


@functools.cache
def _supported_countries() -> dict[str, list[str]]:
    return holidays.list_supported_countries()


def normalize_country(country: str) -> str | None:
    """The canonical spelling ("RU", "US-CA") of a country known to ``holidays``, or None if unknown.

    The code is case-insensitive and so is the optional subdivision after a dash."""
    code, subdiv = _split_country(country.strip())
    supported = _supported_countries()
    if code not in supported:
        return None
    if subdiv is None:
        return code
    for known in supported[code]:
        if known.casefold() == subdiv.casefold():
            return f"{code}-{known}"
    return None


def is_supported_country(country: str) -> bool:
    """Whether ``holidays`` knows the country code (and its subdivision, if given as "CC-SUB")."""
    return normalize_country(country) is not None


def parse_workdays(value: str) -> frozenset[int]:
    """Parse the DB form "1,2,3,4,5" (spaces allowed) into ISO weekday numbers; raise ``ValueError``
    on anything but a non-empty list of numbers 1..7."""
    parts = [p.strip() for p in value.split(",") if p.strip()]
    try:
        days = frozenset(int(p) for p in parts)
    except ValueError as exc:
        raise ValueError(f"workdays must be ISO weekday numbers 1..7, got {value!r}") from exc
    _check_workdays(days)
    return days


def format_workdays(days: Iterable[int]) -> str:
    """The DB form of a set of ISO weekday numbers: sorted, comma-separated, e.g. "1,2,3,4,5"."""
    result = frozenset(days)
    _check_workdays(result)
    return ",".join(str(d) for d in sorted(result))


def _check_workdays(days: frozenset[int]) -> None:
    if not days:
        raise ValueError("at least one working weekday is needed")
    bad = sorted(d for d in days if not (isinstance(d, int) and 1 <= d <= 7))
    if bad:
        raise ValueError(f"workdays must be ISO weekday numbers 1..7, got {bad}")


@dataclass(frozen=True)
class WorkCalendar:
    """A team's working days: weekdays, a country's holidays and explicit exceptions."""

    workdays: frozenset[int] = DEFAULT_WORKDAYS
    country: str | None = "RU"
    extra_days_off: frozenset[date] = field(default_factory=frozenset)
    extra_workdays: frozenset[date] = field(default_factory=frozenset)

    def __post_init__(self) -> None:
        for name in ("workdays", "extra_days_off", "extra_workdays"):
            object.__setattr__(self, name, frozenset(getattr(self, name)))
        _check_workdays(self.workdays)
        both = self.extra_days_off & self.extra_workdays
        if both:
            raise ValueError(f"dates both off and working: {sorted(both)}")
        if self.country is not None:
            country = normalize_country(self.country)
            if country is None:
                raise ValueError(f"unknown holiday country {self.country!r}")
            object.__setattr__(self, "country", country)

    @classmethod
    def from_db(
        cls,
        workdays: str,
        country: str | None,
        extra_days_off: Iterable[date] = (),
        extra_workdays: Iterable[date] = (),
    ) -> WorkCalendar:
        """Build from the team's stored columns ("1,2,3,4,5", "RU" or None); an empty country is None."""
        return cls(
            workdays=parse_workdays(workdays),
            country=country or None,
            extra_days_off=frozenset(extra_days_off),
            extra_workdays=frozenset(extra_workdays),
        )

    def is_holiday(self, d: date) -> bool:
        """Whether the country's calendar makes ``d`` a day off (holiday, moved or observed day off)."""
        return self.country is not None and d in _country_year(self.country, d.year).days_off

    def is_moved_workday(self, d: date) -> bool:
        """Whether the country moved work to ``d``, a day of its weekend (e.g. Saturday 2024-11-02)."""
        return self.country is not None and d in _country_year(self.country, d.year).weekend_workdays

    def is_working_day(self, d: date) -> bool:
        """Extra days first, then the country's days off, then its moved working days, then weekdays."""
        if d in self.extra_days_off:
            return False
        if d in self.extra_workdays:
            return True
        if self.country is not None:
            year = _country_year(self.country, d.year)
            if d in year.days_off:
                return False
            if d in year.weekend_workdays:
                return True
        return d.isoweekday() in self.workdays

    def next_working_day(self, d: date) -> date:
        """The first working day strictly after ``d``."""
        return _search(self.is_working_day, d, _ONE_DAY)

    def previous_working_day(self, d: date) -> date:
        """The last working day strictly before ``d``."""
        return _search(self.is_working_day, d, -_ONE_DAY)

    def working_days_between(self, a: date, b: date) -> int:
        """Working days ``d`` with ``a <= d < b`` (half-open, like ``range``); negative when ``b < a``."""
        if b < a:
            return -self.working_days_between(b, a)
        return sum(1 for i in range((b - a).days) if self.is_working_day(a + timedelta(days=i)))

    def working_days(self, a: date, b: date) -> list[date]:
        """The working days ``d`` with ``a <= d <= b`` (inclusive), in order."""
        days = (a + timedelta(days=i) for i in range((b - a).days + 1))
        return [d for d in days if self.is_working_day(d)]


def _search(works: Callable[[date], bool], d: date, step: timedelta) -> date:
    current = d
    for _ in range(SEARCH_LIMIT_DAYS):
        current += step
        if works(current):
            return current
    raise ValueError(f"no working day within {SEARCH_LIMIT_DAYS} days of {d}")


def on_vacation(d: date, vacations: Iterable[tuple[date, date]]) -> bool:
    """Whether ``d`` lies in one of the inclusive ranges ``(first_day, last_day)``; a range whose end
    precedes its start raises ``ValueError``."""
    for start, end in vacations:
        if end < start:
            raise ValueError(f"vacation ends before it starts: {start}..{end}")
        if start <= d <= end:
            return True
    return False


def is_member_working(d: date, calendar: WorkCalendar, vacations: Iterable[tuple[date, date]] = ()) -> bool:
    """A member works on ``d`` when the team works and ``d`` is in none of their vacations."""
    return calendar.is_working_day(d) and not on_vacation(d, vacations)


@dataclass(frozen=True)
class MemberCalendar:
    """A member's working days: the team's calendar minus their vacations (inclusive ranges)."""

    calendar: WorkCalendar
    vacations: tuple[tuple[date, date], ...] = ()

    def __post_init__(self) -> None:
        vacations = tuple((start, end) for start, end in self.vacations)
        on_vacation(date.min, vacations)  # validates the ranges
        object.__setattr__(self, "vacations", vacations)

    def is_working_day(self, d: date) -> bool:
        """Whether the member works on ``d``."""
        return is_member_working(d, self.calendar, self.vacations)

    def next_working_day(self, d: date) -> date:
        """The member's first working day strictly after ``d``."""
        return _search(self.is_working_day, d, _ONE_DAY)

    def previous_working_day(self, d: date) -> date:
        """The member's last working day strictly before ``d``."""
        return _search(self.is_working_day, d, -_ONE_DAY)
