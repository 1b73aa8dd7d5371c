"""The plan's state machine (``domain.plan``): every allowed transition and every refused one, every
allowed and refused change to a plan's tasks, each refusal with the polite message it becomes."""

from __future__ import annotations

import itertools

import pytest

from bot.i18n import default_translator
from domain.enums import PlanStatus
from domain.plan import (
    AWAITING,
    TASK_CHANGES,
    TRANSITIONS,
    PlanEvent,
    PlanRefused,
    TaskChange,
    allows,
    allows_change,
    awaits_decision,
    head_may_change,
    require,
    require_task_change,
    transition,
)

S = PlanStatus
ALL_PAIRS = list(itertools.product(PlanStatus, PlanEvent))
ALLOWED = {
    (S.DRAFT, PlanEvent.SUBMIT): S.SUBMITTED,
    (S.RETURNED, PlanEvent.SUBMIT): S.SUBMITTED,
    (S.SUBMITTED, PlanEvent.APPROVE): S.APPROVED,
    (S.SUBMITTED, PlanEvent.RETURN): S.RETURNED,
    (S.SUBMITTED, PlanEvent.AUTO_APPROVE): S.AUTO_APPROVED,
}
HEAD = {TaskChange.EDIT, TaskChange.CANCEL, TaskChange.GIVE}
CHANGES = {
    S.DRAFT: {TaskChange.DROP},
    S.SUBMITTED: HEAD,
    S.APPROVED: HEAD,
    S.AUTO_APPROVED: HEAD,
    S.RETURNED: {TaskChange.DROP},
}


def test_the_table_is_the_documented_one() -> None:
    """Written out by hand from the spec, so a change to the table is a change to this test too."""
    assert dict(TRANSITIONS) == ALLOWED
    assert {s: set(c) for s, c in TASK_CHANGES.items()} == CHANGES
    assert set(TASK_CHANGES) == set(PlanStatus)  # every state says what it allows


@pytest.mark.parametrize(("status", "event"), list(ALLOWED), ids=lambda x: str(x))
def test_an_allowed_transition(status: PlanStatus, event: PlanEvent) -> None:
    assert allows(status, event)
    require(status, event)
    assert transition(status, event) is ALLOWED[(status, event)]


@pytest.mark.parametrize(
    ("status", "event"), [p for p in ALL_PAIRS if p not in ALLOWED], ids=lambda x: str(x)
)
def test_a_refused_transition(status: PlanStatus, event: PlanEvent) -> None:
    assert not allows(status, event)
    with pytest.raises(PlanRefused) as asked:
        require(status, event)
    with pytest.raises(PlanRefused) as refused:
        transition(status, event)
    assert (asked.value.code, asked.value.args_) == (refused.value.code, refused.value.args_)
    error = refused.value
    assert error.code == ("plan-sent" if event is PlanEvent.SUBMIT else "plan-decided")
    assert error.status is status and error.args_ == {"status": status.value}
    for locale in ("ru", "en"):  # a polite sentence, not the key
        text = default_translator().get(locale)(error.key, **error.args_)
        assert text != error.key and "{" not in text


def test_decided_plans_stay_decided_and_a_return_can_be_resubmitted() -> None:
    for decided in (S.APPROVED, S.AUTO_APPROVED):
        assert not any(allows(decided, e) for e in PlanEvent)
    assert transition(transition(S.SUBMITTED, PlanEvent.RETURN), PlanEvent.SUBMIT) is S.SUBMITTED
    assert [s for s in PlanStatus if awaits_decision(s)] == [S.SUBMITTED] == list(AWAITING)
    assert {s for s in PlanStatus if head_may_change(s)} == {S.SUBMITTED, S.APPROVED, S.AUTO_APPROVED}


@pytest.mark.parametrize(
    ("status", "change"), list(itertools.product([*PlanStatus, None], TaskChange)), ids=lambda x: str(x)
)
def test_task_changes(status: PlanStatus | None, change: TaskChange) -> None:
    allowed = change in CHANGES[status or S.DRAFT]
    assert allows_change(status, change) is allowed
    if allowed:
        require_task_change(status, change)
        return
    with pytest.raises(PlanRefused) as refused:
        require_task_change(status, change)
    assert refused.value.code == ("plan-drop-decided" if change is TaskChange.DROP else "plan-decided")
    assert refused.value.status is (status or S.DRAFT)


def test_the_head_and_the_manager_never_change_the_same_plan_at_once() -> None:
    """A state lets either the head (edit, cancel, give) or the manager (drop) touch its tasks."""
    for status in PlanStatus:
        changes = set(TASK_CHANGES[status])
        assert changes and (changes <= HEAD or changes == {TaskChange.DROP})
