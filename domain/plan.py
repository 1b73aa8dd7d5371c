"""Tomorrow's plan: its states, what moves it from one to the next, and which changes to its tasks each
state allows. The one place these rules live; handlers ask before they show a button or act, and the
repositories apply a change only through :func:`transition` and :func:`require_task_change`.

The life of a plan::

    draft ──submit──▶ submitted ──approve──▶ approved
                        │  │ └──auto_approve──▶ auto_approved   (nobody decided by the deadline,
                        │  │                                      ``domain.approval``)
                        │  └──return──▶ returned ──submit──▶ submitted   (rewritten and sent again)

A head's own plan is submitted and approved at once by the head. Nothing leaves ``approved`` or
``auto_approved``: the plan stands, though the head may still change single tasks on it.

The changes to a plan's tasks:

* the head rewords a task (``edit``), cancels it so it leaves the day's plan-vs-fact (``cancel``) or gives
  it to another manager (``give``) on a plan that reached them: submitted or decided. A returned plan is
  the manager's to rewrite, a draft is not the head's yet.
* the manager takes a task off a plan of their own not yet sent or sent back (``drop``); a plan that is
  sent or approved is no longer theirs to cut. A day with no plan row yet counts as a draft.
"""

from __future__ import annotations

from enum import StrEnum
from types import MappingProxyType

from domain.enums import PlanStatus
from domain.errors import UserError


class PlanEvent(StrEnum):
    SUBMIT = "submit"  # the manager sends the plan (again, after a return)
    APPROVE = "approve"  # the head approves it
    RETURN = "return"  # the head returns it with a comment
    AUTO_APPROVE = "auto_approve"  # the approval deadline came and nobody decided


class TaskChange(StrEnum):
    EDIT = "edit"  # the head rewords the task
    CANCEL = "cancel"  # the head cancels it: it leaves the day's plan-vs-fact
    GIVE = "give"  # the head gives it to another manager
    DROP = "drop"  # the manager takes it off their own plan before sending (again)


_S = PlanStatus

#: (state, event) → the state it leads to. A pair that is not here is refused.
TRANSITIONS: MappingProxyType[tuple[PlanStatus, PlanEvent], PlanStatus] = MappingProxyType(
    {
        (_S.DRAFT, PlanEvent.SUBMIT): _S.SUBMITTED,
        (_S.RETURNED, PlanEvent.SUBMIT): _S.SUBMITTED,
        (_S.SUBMITTED, PlanEvent.APPROVE): _S.APPROVED,
        (_S.SUBMITTED, PlanEvent.RETURN): _S.RETURNED,
        (_S.SUBMITTED, PlanEvent.AUTO_APPROVE): _S.AUTO_APPROVED,
    }
)

#: The changes the head makes to a plan's tasks (from the card's task menu).
HEAD_CHANGES = frozenset({TaskChange.EDIT, TaskChange.CANCEL, TaskChange.GIVE})

#: state → the changes to the plan's tasks it allows.
TASK_CHANGES: MappingProxyType[PlanStatus, frozenset[TaskChange]] = MappingProxyType(
    {
        _S.DRAFT: frozenset({TaskChange.DROP}),
        _S.SUBMITTED: HEAD_CHANGES,
        _S.APPROVED: HEAD_CHANGES,
        _S.AUTO_APPROVED: HEAD_CHANGES,
        _S.RETURNED: frozenset({TaskChange.DROP}),
    }
)

#: The events a head's decision is: refused on a plan not waiting for one.
DECISIONS = frozenset({PlanEvent.APPROVE, PlanEvent.RETURN, PlanEvent.AUTO_APPROVE})


class PlanRefused(UserError):
    """The plan's state does not allow this; ``code`` names the polite explanation."""

    def __init__(self, code: str, status: PlanStatus) -> None:
        super().__init__(code, status=status.value)
        self.status = status


def allows(status: PlanStatus, event: PlanEvent) -> bool:
    return (status, event) in TRANSITIONS


def transition(status: PlanStatus, event: PlanEvent) -> PlanStatus:
    """The state ``event`` moves a plan in ``status`` to; :class:`PlanRefused` when it may not."""
    try:
        return TRANSITIONS[(status, event)]
    except KeyError:
        raise PlanRefused("plan-sent" if event is PlanEvent.SUBMIT else "plan-decided", status) from None


def require(status: PlanStatus, event: PlanEvent) -> None:
    """:class:`PlanRefused` unless ``event`` may happen to a plan in ``status`` (asked before a dialog that
    ends in it, such as the comment of a return)."""
    transition(status, event)


def awaits_decision(status: PlanStatus) -> bool:
    """Whether the head can still approve or return the plan (its card shows those buttons)."""
    return all(allows(status, e) for e in DECISIONS)


def allows_change(status: PlanStatus | None, change: TaskChange) -> bool:
    """Whether a plan in ``status`` (None: no plan row yet, as a draft) allows ``change`` to a task."""
    return change in TASK_CHANGES[status or PlanStatus.DRAFT]


#: The states a plan waits for the head's decision in.
AWAITING = tuple(s for s in PlanStatus if awaits_decision(s))


def head_may_change(status: PlanStatus) -> bool:
    """Whether the head may change the plan's tasks (its card shows a menu per open task)."""
    return bool(TASK_CHANGES[status] & HEAD_CHANGES)


def require_task_change(status: PlanStatus | None, change: TaskChange) -> None:
    """:class:`PlanRefused` unless a plan in ``status`` allows ``change`` to its tasks."""
    if not allows_change(status, change):
        code = "plan-drop-decided" if change is TaskChange.DROP else "plan-decided"
        raise PlanRefused(code, status or PlanStatus.DRAFT)
