"""Frozen tasks and frozen clients (замороженные): work that keeps being put off, flagged to the head.

- A task is frozen once it has been moved ``FREEZE_MOVES`` (three) times or more.
- A client is frozen when each of its last ``FREEZE_MOVES`` tasks that have an outcome was moved or not
  done. Outcomes are given most recent first. Tasks still open and never moved (``OPEN``) have no
  outcome yet and are skipped, so adding a fresh task does not hide a frozen client. A done or
  cancelled task among the last three breaks the run. Fewer than three outcomes: not frozen.
- ``task_outcome`` turns a task's status and move count into its outcome: an open task that was moved
  at least once is ``MOVED``.
"""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum

from domain.enums import TaskStatus

FREEZE_MOVES = 3


class TaskOutcome(StrEnum):
    DONE = "done"
    MOVED = "moved"
    NOT_DONE = "not_done"
    CANCELLED = "cancelled"
    OPEN = "open"


_STALLED = frozenset({TaskOutcome.MOVED, TaskOutcome.NOT_DONE})
_BY_STATUS = {
    TaskStatus.DONE: TaskOutcome.DONE,
    TaskStatus.NOT_DONE: TaskOutcome.NOT_DONE,
    TaskStatus.CANCELLED: TaskOutcome.CANCELLED,
}


def is_task_frozen(moves: int) -> bool:
    """A task moved ``FREEZE_MOVES`` times or more."""
    return moves >= FREEZE_MOVES


def task_outcome(status: TaskStatus, moves: int) -> TaskOutcome:
    """The outcome of a task for ``is_client_frozen``."""
    if status in _BY_STATUS:
        return _BY_STATUS[status]
    return TaskOutcome.MOVED if moves > 0 else TaskOutcome.OPEN


def is_client_frozen(last_outcomes: Sequence[TaskOutcome]) -> bool:
    """Whether the client's last three tasks with an outcome (most recent first) all stalled."""
    decided = [o for o in last_outcomes if o != TaskOutcome.OPEN][:FREEZE_MOVES]
    return len(decided) == FREEZE_MOVES and all(o in _STALLED for o in decided)
