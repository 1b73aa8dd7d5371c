"""Plan versus fact for a day: domain/planfact.py."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.enums import TaskStatus
from domain.planfact import EMPTY_PLAN_FACT, DayTask, PlanFact, plan_fact, total, what_is_missing

OPEN, DONE, NOT_DONE, CANCELLED = TaskStatus.OPEN, TaskStatus.DONE, TaskStatus.NOT_DONE, TaskStatus.CANCELLED

DAY = [
    DayTask(1, DONE),
    DayTask(2, OPEN, moved_today=True),  # moved away: planned, not done
    DayTask(3, OPEN),  # no verdict yet
    DayTask(4, CANCELLED, cancelled_by_head=True),  # off the plan
    DayTask(5, CANCELLED),  # cancelled by the manager: planned, not done
    DayTask(6, NOT_DONE),
    DayTask(7, DONE, moved_today=True),  # moved earlier, then done anyway
    DayTask(8, OPEN),
]


def test_a_hand_computed_day() -> None:
    assert plan_fact(DAY) == PlanFact(planned=7, done=2, not_done=1, moved=1, cancelled=1, open=2)
    assert plan_fact(DAY).percent == 29  # 2 / 7 = 28.57 %
    assert what_is_missing(DAY) == [3, 8]


@pytest.mark.parametrize(
    ("done", "planned", "percent"),
    [
        (0, 1, 0),
        (1, 1, 100),
        (1, 2, 50),
        (1, 3, 33),
        (2, 3, 67),
        (1, 8, 13),
        (3, 8, 38),
        (1, 200, 1),
        (1, 201, 0),
    ],
)
def test_percent_is_rounded_half_up(done: int, planned: int, percent: int) -> None:
    tasks = [DayTask(i, DONE if i < done else NOT_DONE) for i in range(planned)]
    assert plan_fact(tasks).percent == percent


def test_nothing_planned_has_no_percent() -> None:
    assert plan_fact([]) == EMPTY_PLAN_FACT
    assert plan_fact([]).percent is None
    only_head_cancelled = [DayTask(1, CANCELLED, cancelled_by_head=True)]
    assert plan_fact(only_head_cancelled).planned == 0
    assert plan_fact(only_head_cancelled).percent is None
    assert what_is_missing(only_head_cancelled) == []


def test_the_head_flag_matters_only_for_cancelled_tasks() -> None:
    assert plan_fact([DayTask(1, DONE, cancelled_by_head=True)]).percent == 100


def test_a_manager_cannot_raise_the_percentage_by_cancelling() -> None:
    before = plan_fact([DayTask(1, DONE), DayTask(2, OPEN)])
    after = plan_fact([DayTask(1, DONE), DayTask(2, CANCELLED)])
    assert before.percent == after.percent == 50


def test_totals_add_up() -> None:
    day = plan_fact(DAY)
    both = total([day, plan_fact([DayTask(9, DONE)])])
    assert both == PlanFact(planned=8, done=3, not_done=1, moved=1, cancelled=1, open=2)
    assert both.percent == 38
    assert total([]) == EMPTY_PLAN_FACT


day_tasks = st.lists(
    st.builds(DayTask, st.integers(1, 1000), st.sampled_from(TaskStatus), st.booleans(), st.booleans()),
    max_size=30,
)


@given(day_tasks)
def test_buckets_add_up_to_planned(tasks: list[DayTask]) -> None:
    pf = plan_fact(tasks)
    assert pf.done + pf.not_done + pf.moved + pf.cancelled + pf.open == pf.planned <= len(tasks)
    assert pf.percent is None if pf.planned == 0 else 0 <= pf.percent <= 100
    assert len(what_is_missing(tasks)) == pf.open
