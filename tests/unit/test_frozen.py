"""Frozen tasks and clients: domain/frozen.py."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.enums import TaskStatus
from domain.frozen import FREEZE_MOVES, TaskOutcome, is_client_frozen, is_task_frozen, task_outcome

DONE, MOVED, NOT_DONE, CANCELLED, OPEN = (
    TaskOutcome.DONE,
    TaskOutcome.MOVED,
    TaskOutcome.NOT_DONE,
    TaskOutcome.CANCELLED,
    TaskOutcome.OPEN,
)


@pytest.mark.parametrize(("moves", "frozen"), [(0, False), (1, False), (2, False), (3, True), (7, True)])
def test_a_task_freezes_on_the_third_move(moves: int, frozen: bool) -> None:
    assert FREEZE_MOVES == 3
    assert is_task_frozen(moves) is frozen


@pytest.mark.parametrize(
    ("outcomes", "frozen"),
    [
        ([], False),
        ([MOVED], False),
        ([MOVED, NOT_DONE], False),
        ([MOVED, MOVED, MOVED], True),
        ([NOT_DONE, MOVED, NOT_DONE], True),
        ([NOT_DONE, NOT_DONE, NOT_DONE, DONE, DONE], True),  # only the last three count
        ([DONE, MOVED, MOVED, MOVED], False),  # the latest was done
        ([MOVED, CANCELLED, MOVED], False),
        ([MOVED, MOVED, DONE], False),
        ([OPEN, MOVED, MOVED, NOT_DONE], True),  # a fresh open task does not hide a frozen client
        ([OPEN, OPEN, MOVED, MOVED], False),
        ([OPEN, OPEN, OPEN], False),
    ],
)
def test_a_client_freezes_when_its_last_three_tasks_stalled(
    outcomes: list[TaskOutcome], frozen: bool
) -> None:
    assert is_client_frozen(outcomes) is frozen
    assert is_client_frozen(tuple(outcomes)) is frozen


@pytest.mark.parametrize(
    ("status", "moves", "outcome"),
    [
        (TaskStatus.OPEN, 0, OPEN),
        (TaskStatus.OPEN, 2, MOVED),
        (TaskStatus.DONE, 3, DONE),
        (TaskStatus.NOT_DONE, 0, NOT_DONE),
        (TaskStatus.CANCELLED, 1, CANCELLED),
    ],
)
def test_task_outcome(status: TaskStatus, moves: int, outcome: TaskOutcome) -> None:
    assert task_outcome(status, moves) is outcome


@given(st.lists(st.sampled_from(TaskOutcome), max_size=10))
def test_only_the_last_three_decided_outcomes_matter(outcomes: list[TaskOutcome]) -> None:
    decided = [o for o in outcomes if o is not OPEN]
    assert is_client_frozen(outcomes) == is_client_frozen(decided[:3])
    if is_client_frozen(outcomes):
        assert len(decided) >= 3 and DONE not in decided[:3] and CANCELLED not in decided[:3]
