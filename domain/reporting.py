"""Rules of the owner's weekly and monthly report: the overdue trend and reporting discipline.

Overdue trend
  The number of overdue tasks at the start of a local day ``d`` (the morning view): tasks created before
  ``d``, not closed before ``d``, whose due date at that moment was before ``d``. A task's due date at
  the start of ``d`` is the date it was moved away from by its first move made on ``d`` or later, or its
  current due date when it was not moved since (``TaskHistory.moves`` holds ``(moved_on, from_date)``
  pairs, as the task's history records them). The trend is that count on each day of a period.

Reporting discipline
  Each working day of a manager (the team's calendar minus their vacations; up to yesterday, and today
  only when today's report is already in) expects an evening report. It is on time when submitted at or
  before the day's deadline (the team's plan-approval time that evening), late when submitted after it,
  missing when not submitted. The share is on-time reports over expected ones.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal


@dataclass(frozen=True, slots=True)
class TaskHistory:
    created_on: date
    closed_on: date | None
    due_date: date
    moves: tuple[tuple[date, date], ...] = ()  # (local date of the move, the due date it left), in order


def due_at_start_of(task: TaskHistory, day: date) -> date:
    for moved_on, from_date in task.moves:
        if moved_on >= day:
            return from_date
    return task.due_date


def is_overdue_at_start_of(task: TaskHistory, day: date) -> bool:
    if task.created_on >= day:
        return False
    if task.closed_on is not None and task.closed_on < day:
        return False
    return due_at_start_of(task, day) < day


def overdue_count(tasks: Iterable[TaskHistory], day: date) -> int:
    return sum(is_overdue_at_start_of(t, day) for t in tasks)


def overdue_trend(tasks: Iterable[TaskHistory], first: date, last: date) -> list[tuple[date, int]]:
    """``(day, overdue at its start)`` for every day ``first..last`` inclusive."""
    tasks = list(tasks)
    days = [first + timedelta(days=i) for i in range((last - first).days + 1)]
    return [(d, overdue_count(tasks, d)) for d in days]


@dataclass(frozen=True, slots=True)
class Discipline:
    expected: int = 0
    on_time: int = 0
    late: int = 0

    @property
    def missing(self) -> int:
        return self.expected - self.on_time - self.late

    @property
    def share(self) -> Decimal | None:
        """On-time reports over expected ones (0..1); ``None`` when none was expected."""
        return None if self.expected == 0 else Decimal(self.on_time) / Decimal(self.expected)

    def __add__(self, other: Discipline) -> Discipline:
        return Discipline(
            self.expected + other.expected, self.on_time + other.on_time, self.late + other.late
        )


def discipline(
    working_days: Iterable[date],
    submitted: Mapping[date, datetime | None],
    deadline: Callable[[date], datetime],
    today: date,
) -> Discipline:
    """A manager's reporting discipline over ``working_days`` (rules in the module docstring)."""
    expected = on_time = late = 0
    for day in working_days:
        at = submitted.get(day)
        if day > today or (day == today and at is None):
            continue
        expected += 1
        if at is None:
            continue
        if at <= deadline(day):
            on_time += 1
        else:
            late += 1
    return Discipline(expected, on_time, late)
