"""The order of a manager's day list, and the clients that have no open task.

The one rule for the day list ("finish with whoever is almost ready to buy before calling someone who
isn't waiting"):

1. Overdue tasks (due before today) come first, the oldest due date first; among the same due date, hot
   clients first, then by stage as in 3.
2. Then tasks for hot-list clients.
3. Then tasks by their client's stage, nearest to a decision first: negotiation, proposal, qualified,
   new; tasks without a client or for a client in a closed stage (won, lost) last.
4. Within each of these, the earlier due date first, then the earlier created, then the smaller task id,
   so the order is total (task ids are unique) and never depends on the order the tasks came in.

A task's status does not move it: the list keeps its morning order while tasks are marked during the
day. ``frozen`` is shown next to a task but does not change its place.

Clients without tasks: clients in an open stage (new, qualified, proposal, negotiation) with no open
task, nearest to a decision first, then by name (case-insensitive), then by id.
"""

from __future__ import annotations

from collections.abc import Iterable
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from datetime import date, datetime

from domain.enums import OPEN_STAGES, Stage, TaskStatus

#: Stage → place in the list: negotiation 0, proposal 1, qualified 2, new 3.
STAGE_RANK: dict[Stage, int] = {stage: i for i, stage in enumerate(reversed(OPEN_STAGES))}
#: The place of tasks without a client, or with a client in a closed stage.
NO_STAGE_RANK = len(OPEN_STAGES)


@dataclass(frozen=True, slots=True)
class TaskItem:
    """A task as the day list needs it."""

    task_id: int
    due: date
    created_at: datetime
    client_id: int | None
    client_name: str | None
    stage: Stage | None
    hot: bool
    frozen: bool
    action: str
    status: TaskStatus
    moves: int = 0  # times the task was moved to another day

    def is_overdue(self, today: date) -> bool:
        return self.due < today


@dataclass(frozen=True, slots=True)
class ClientItem:
    client_id: int
    name: str
    stage: Stage
    hot: bool


def stage_rank(stage: Stage | None) -> int:
    """0 for the stage nearest to a decision; ``NO_STAGE_RANK`` for none or a closed stage."""
    return NO_STAGE_RANK if stage is None else STAGE_RANK.get(stage, NO_STAGE_RANK)


SortKey = tuple[int, int, int, int, datetime, int]


def sort_key(item: TaskItem, today: date) -> SortKey:
    """The key that puts ``item`` in its place in the day list (rule in the module docstring)."""
    hot = 0 if item.hot else 1
    stage = stage_rank(item.stage)
    due = item.due.toordinal()
    if item.is_overdue(today):
        return (0, due, hot, stage, item.created_at, item.task_id)
    return (1 + hot, stage, due, 0, item.created_at, item.task_id)


def order_day_tasks(items: Iterable[TaskItem], today: date) -> list[TaskItem]:
    """The day list in its one order."""
    return sorted(items, key=lambda item: sort_key(item, today))


def clients_without_tasks(
    clients: Iterable[ClientItem], open_task_client_ids: AbstractSet[int]
) -> list[ClientItem]:
    """Open-stage clients with no open task, nearest to a decision first, then by name."""
    found = [c for c in clients if c.stage in OPEN_STAGES and c.client_id not in open_task_client_ids]
    return sorted(found, key=lambda c: (stage_rank(c.stage), c.name.casefold(), c.name, c.client_id))
