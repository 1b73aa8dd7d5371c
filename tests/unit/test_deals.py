"""The rules of won deals: unusual amounts, repeats, who may change a deal and when, similar names."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.deals import (
    CORRECTION_WINDOW,
    REPEAT_WINDOW,
    DealState,
    RecentDeal,
    can_move,
    distance,
    is_repeat,
    is_unusual,
    may_change,
    name_key,
    similar_names,
    typical_amount,
)

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
D = Decimal


def test_typical_amount_needs_some_history() -> None:
    assert typical_amount([D(100), D(200)]) is None
    assert typical_amount([D(100), D(200), D(900)]) == D(200)
    assert typical_amount([D(100000)] * 30 + [D(1)] * 5) == D(100000)  # only the latest 20


@pytest.mark.parametrize(
    ("amount", "typical", "plan", "unusual"),
    [
        (D(100_000_000), D(150_000), D(600_000), True),  # the /deal Луч 100 000 000 of issue 15
        (D(750_000), D(150_000), None, True),  # 5x the typical amount
        (D(700_000), D(150_000), None, False),
        (D(700_000), D(150_000), D(600_000), True),  # above the whole month's plan
        (D(600_000), D(150_000), D(600_000), False),
        (D(9_999_999), None, None, False),  # nothing to compare with: only a very large amount
        (D(10_000_000), None, None, True),
        (D(2_000_000), None, D(1_000_000), True),
        (D(500_000), None, D(1_000_000), False),
    ],
)
def test_unusual_amounts(
    amount: Decimal, typical: Decimal | None, plan: Decimal | None, unusual: bool
) -> None:
    assert is_unusual(amount, typical, plan) is unusual


def test_a_repeat_is_the_same_client_and_amount_within_minutes() -> None:
    recent = [RecentDeal(7, D(1000), NOW - timedelta(minutes=3))]
    assert is_repeat(recent, 7, D(1000), NOW)
    assert not is_repeat(recent, 7, D(1001), NOW)
    assert not is_repeat(recent, 8, D(1000), NOW)
    assert not is_repeat(recent, 7, D(1000), NOW + REPEAT_WINDOW)
    assert not is_repeat([], 7, D(1000), NOW)


def test_who_may_change_a_deal() -> None:
    made = NOW - timedelta(hours=1)
    assert may_change(actor_id=1, actor_is_head=False, author_id=1, created_at=made, now=NOW)
    assert not may_change(actor_id=2, actor_is_head=False, author_id=1, created_at=made, now=NOW)
    late = NOW - CORRECTION_WINDOW
    assert not may_change(actor_id=1, actor_is_head=False, author_id=1, created_at=late, now=NOW)
    assert may_change(
        actor_id=9, actor_is_head=True, author_id=1, created_at=late - timedelta(days=90), now=NOW
    )


def test_state_transitions() -> None:
    assert can_move(DealState.PENDING, DealState.LIVE)
    assert can_move(DealState.PENDING, DealState.VOID)
    assert can_move(DealState.LIVE, DealState.VOID)
    assert not can_move(DealState.VOID, DealState.LIVE)
    assert not can_move(DealState.LIVE, DealState.PENDING)


CLIENTS = [(1, "Ромашка"), (2, "ООО «Лютик»"), (3, "Луч"), (4, "Ромашка-Сервис"), (5, "Альфа Строй")]


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("Ромашкаа", [1]),
        ("ромашка", [1]),
        ("Рмоашка", [1]),  # two neighbours swapped
        ("Лютик", [2]),
        ("ИП Лютикк", [2]),
        ("Альфастрой", [5]),
        ("Лучь", [3]),
        ("Лу", []),  # too short for a typo
        ("Бета", []),
        ("Ромашка Сервис", [4]),
    ],
)
def test_similar_names(typed: str, expected: list[int]) -> None:
    assert [cid for cid, _ in similar_names(typed, CLIENTS)] == expected


def test_name_key_drops_quotes_and_legal_forms() -> None:
    assert name_key("ООО «Ромашка»") == "ромашка"
    assert name_key("ООО") == "ооо"
    assert name_key("Ёлка") == "елка"


@given(st.text(max_size=12), st.text(max_size=12), st.integers(0, 4))
def test_distance_is_bounded_and_symmetric(a: str, b: str, limit: int) -> None:
    d = distance(a, b, limit)
    assert 0 <= d <= limit + 1
    assert (d == 0) == (a == b)
    assert distance(b, a, limit) == d
