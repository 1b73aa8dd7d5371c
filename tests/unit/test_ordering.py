"""The order of the day list and clients without tasks: domain/ordering.py."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from domain.enums import Stage, TaskStatus
from domain.ordering import (
    NO_STAGE_RANK,
    ClientItem,
    TaskItem,
    clients_without_tasks,
    order_day_tasks,
    sort_key,
    stage_rank,
)

TODAY = date(2025, 11, 19)
MORNING = datetime(2025, 11, 1, 9, tzinfo=UTC)


def task(
    task_id: int,
    *,
    due: date = TODAY,
    stage: Stage | None = None,
    hot: bool = False,
    created: int = 0,
    client: bool = True,
) -> TaskItem:
    return TaskItem(
        task_id=task_id,
        due=due,
        created_at=MORNING + timedelta(minutes=created),
        client_id=task_id if client else None,
        client_name=f"Клиент {task_id}" if client else None,
        stage=stage,
        hot=hot,
        frozen=False,
        action="Позвонить",
        status=TaskStatus.OPEN,
    )


def ids(items: list[TaskItem]) -> list[int]:
    return [t.task_id for t in items]


def test_stage_rank_goes_from_nearest_to_a_decision() -> None:
    ranks = [stage_rank(s) for s in (Stage.NEGOTIATION, Stage.PROPOSAL, Stage.QUALIFIED, Stage.NEW)]
    assert ranks == [0, 1, 2, 3]
    assert stage_rank(None) == stage_rank(Stage.WON) == stage_rank(Stage.LOST) == NO_STAGE_RANK


def test_the_documented_order() -> None:
    items = [
        task(1, stage=Stage.NEW),
        task(2, stage=None, client=False),
        task(3, stage=Stage.NEGOTIATION),
        task(4, due=TODAY - timedelta(days=1), stage=Stage.NEW),
        task(5, stage=Stage.NEW, hot=True),
        task(6, due=TODAY - timedelta(days=5)),
        task(7, stage=Stage.PROPOSAL),
        task(8, stage=Stage.QUALIFIED),
        task(9, stage=Stage.NEGOTIATION, hot=True),
        task(10, stage=Stage.WON),
        task(11, due=TODAY - timedelta(days=1), stage=Stage.NEGOTIATION, hot=True),
    ]
    # overdue oldest first (11 before 4: same due, hot first); hot by stage; then by stage; no stage last
    assert ids(order_day_tasks(items, TODAY)) == [6, 11, 4, 9, 5, 3, 7, 8, 1, 2, 10]


def test_ties_are_broken_by_due_then_created_then_id() -> None:
    tomorrow = TODAY + timedelta(days=1)
    items = [
        task(5, stage=Stage.PROPOSAL, due=tomorrow),
        task(4, stage=Stage.PROPOSAL, created=10),
        task(3, stage=Stage.PROPOSAL, created=5),
        task(2, stage=Stage.PROPOSAL, created=5),
    ]
    assert ids(order_day_tasks(items, TODAY)) == [2, 3, 4, 5]


def test_status_and_frozen_do_not_move_a_task() -> None:
    a, b = task(1, stage=Stage.NEGOTIATION), task(2, stage=Stage.NEW)
    done = TaskItem(**{**_fields(a), "status": TaskStatus.DONE, "frozen": True})
    assert sort_key(done, TODAY) == sort_key(a, TODAY)
    assert ids(order_day_tasks([b, done], TODAY)) == [1, 2]


def _fields(item: TaskItem) -> dict[str, object]:
    return {name: getattr(item, name) for name in TaskItem.__slots__}


def test_clients_without_tasks() -> None:
    clients = [
        ClientItem(1, "ромашка", Stage.NEW, hot=False),
        ClientItem(2, "Альфа", Stage.NEW, hot=False),
        ClientItem(3, "Бета", Stage.NEGOTIATION, hot=True),
        ClientItem(4, "Гамма", Stage.WON, hot=False),
        ClientItem(5, "Дельта", Stage.LOST, hot=False),
        ClientItem(6, "Эпсилон", Stage.PROPOSAL, hot=False),
        ClientItem(7, "Зета", Stage.QUALIFIED, hot=False),
    ]
    assert [c.client_id for c in clients_without_tasks(clients, {7})] == [3, 6, 2, 1]
    assert clients_without_tasks([], set()) == []


# --- properties -------------------------------------------------------------------------------------

stages = st.sampled_from([None, *Stage])


@st.composite
def day_lists(draw: st.DrawFn) -> list[TaskItem]:
    n = draw(st.integers(min_value=0, max_value=25))
    task_ids = draw(st.lists(st.integers(min_value=1, max_value=10_000), min_size=n, max_size=n, unique=True))
    return [
        TaskItem(
            task_id=task_id,
            due=TODAY + timedelta(days=draw(st.integers(min_value=-10, max_value=3))),
            created_at=MORNING + timedelta(hours=draw(st.integers(min_value=0, max_value=5))),
            client_id=draw(st.one_of(st.none(), st.integers(1, 5))),
            client_name=None,
            stage=draw(stages),
            hot=draw(st.booleans()),
            frozen=draw(st.booleans()),
            action="Позвонить",
            status=draw(st.sampled_from(TaskStatus)),
        )
        for task_id in task_ids
    ]


@given(items=day_lists(), seed=st.randoms(use_true_random=False))
def test_order_properties(items: list[TaskItem], seed: object) -> None:
    result = order_day_tasks(items, TODAY)
    assert sorted(result, key=lambda t: t.task_id) == sorted(items, key=lambda t: t.task_id)  # permutation

    overdue = [t.due < TODAY for t in result]
    assert overdue == sorted(overdue, reverse=True)  # every overdue precedes every other
    fresh = [t for t in result if t.due >= TODAY]
    hot = [t.hot for t in fresh]
    assert hot == sorted(hot, reverse=True)  # among the others, every hot precedes every non-hot
    for group in ([t for t in fresh if t.hot], [t for t in fresh if not t.hot]):
        ranks = [stage_rank(t.stage) for t in group]
        assert ranks == sorted(ranks)  # stage order within each group
    dues = [t.due for t in result if t.due < TODAY]
    assert dues == sorted(dues)  # overdue: oldest first

    assert order_day_tasks(result, TODAY) == result  # idempotent
    shuffled = list(items)
    seed.shuffle(shuffled)  # type: ignore[attr-defined]
    assert order_day_tasks(shuffled, TODAY) == result  # independent of input order
    assert order_day_tasks(reversed(items), TODAY) == result


@given(
    clients=st.lists(
        st.builds(ClientItem, st.integers(1, 50), st.text(max_size=5), st.sampled_from(Stage), st.booleans()),
        max_size=20,
        unique_by=lambda c: c.client_id,
    ),
    busy=st.sets(st.integers(1, 50)),
)
def test_clients_without_tasks_properties(clients: list[ClientItem], busy: set[int]) -> None:
    result = clients_without_tasks(clients, busy)
    assert all(c.stage not in (Stage.WON, Stage.LOST) and c.client_id not in busy for c in result)
    expected = {c for c in clients if c.stage not in (Stage.WON, Stage.LOST) and c.client_id not in busy}
    assert set(result) == expected
    ranks = [stage_rank(c.stage) for c in result]
    assert ranks == sorted(ranks)
    assert clients_without_tasks(list(reversed(clients)), busy) == result
