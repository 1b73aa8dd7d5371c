"""Plan versus fact for one manager's day (итоги дня).

What the caller passes: every task that was on the manager's list that morning, every task added for
that day during the day, and every task moved away from that day during the day (a moved task is
planned and not done: moving is not doing).

- ``planned`` counts all of them except tasks the head cancelled (the head took the task off the plan).
  A task the manager cancelled stays planned and not done, so cancelling cannot raise the percentage.
- Each planned task falls in exactly one bucket, so ``done + not_done + moved + cancelled + open ==
  planned``: ``done`` (status done, even if it was moved earlier), ``not_done``, ``cancelled`` (by the
  manager), ``moved`` (still open, moved away today), ``open`` (still open, no verdict yet).
- ``percent`` = done / planned x 100, rounded half up to a whole number; ``None`` when nothing was
  planned (there is nothing to measure, which is not 0 %).
- ``what_is_missing``: the tasks still waiting for a verdict (open and not moved today, not cancelled by
  the head), in the order given.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from domain.enums import TaskStatus


@dataclass(frozen=True, slots=True)
class DayTask:
    """A task of the day; ``cancelled_by_head`` matters only for a cancelled task."""

    task_id: int
    status: TaskStatus
    moved_today: bool = False
    cancelled_by_head: bool = False

    @property
    def on_plan(self) -> bool:
        """Planned: anything but a task the head cancelled."""
        return not (self.status == TaskStatus.CANCELLED and self.cancelled_by_head)

    @property
    def awaits_verdict(self) -> bool:
        """Still open and not moved away today."""
        return self.status == TaskStatus.OPEN and not self.moved_today


@dataclass(frozen=True, slots=True)
class PlanFact:
    """A manager's day, plan against fact: how many tasks were planned and how each ended."""

    planned: int
    done: int
    not_done: int
    moved: int
    cancelled: int
    open: int
    #: done / planned in whole percent, rounded half up; None when nothing was planned. Derived.
    percent: int | None = field(init=False)

    def __post_init__(self) -> None:
        percent = None if self.planned == 0 else (200 * self.done + self.planned) // (2 * self.planned)
        object.__setattr__(self, "percent", percent)

    def __add__(self, other: PlanFact) -> PlanFact:
        """Totals of two days or two managers (the team's line in the digest)."""
        return PlanFact(
            planned=self.planned + other.planned,
            done=self.done + other.done,
            not_done=self.not_done + other.not_done,
            moved=self.moved + other.moved,
            cancelled=self.cancelled + other.cancelled,
            open=self.open + other.open,
        )


EMPTY_PLAN_FACT = PlanFact(planned=0, done=0, not_done=0, moved=0, cancelled=0, open=0)


def plan_fact(tasks: Iterable[DayTask]) -> PlanFact:
    """Plan versus fact of one day's tasks (rules in the module docstring)."""
    planned = [t for t in tasks if t.on_plan]
    by_status = {s: sum(t.status == s for t in planned) for s in TaskStatus}
    open_now = sum(t.awaits_verdict for t in planned)
    return PlanFact(
        planned=len(planned),
        done=by_status[TaskStatus.DONE],
        not_done=by_status[TaskStatus.NOT_DONE],
        moved=by_status[TaskStatus.OPEN] - open_now,
        cancelled=by_status[TaskStatus.CANCELLED],
        open=open_now,
    )


def total(facts: Iterable[PlanFact]) -> PlanFact:
    """The sum of several plan-fact lines."""
    result = EMPTY_PLAN_FACT
    for fact in facts:
        result += fact
    return result


def what_is_missing(tasks: Iterable[DayTask]) -> list[int]:
    """Ids of the tasks still waiting for the manager's verdict, in the order given."""
    return [t.task_id for t in tasks if t.on_plan and t.awaits_verdict]
