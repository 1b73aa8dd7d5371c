"""Every kind of scheduled message, in one list: its name, who gets it, at which team time, on which
days, and the composer that writes it (``scheduler.compose``).

This module is the wiring: it imports each feature's composer by name, so a broken feature module fails
start-up with its import error instead of silently dropping its kinds, and nothing registers itself on
import. ``KINDS`` (name → kind) is what the scheduler, delivery and the command line read; the README's
table of scheduled kinds lists the same names (a test compares them). Tests add their own kinds to
``KINDS`` with a fixture and take them out afterwards.
"""

from __future__ import annotations

from crm.live import NOTICE as CRM_NOTICE
from crm.live import RECONCILE as CRM_RECONCILE_NOTICE
from domain.enums import Role
from handlers.approvals import compose_approval, compose_auto_approved
from handlers.digest import compose_evening_digest, compose_morning_digest
from handlers.hot import compose_hot_reminder
from handlers.report import compose_evening, compose_morning
from handlers.sales import compose_monthly, compose_weekly
from scheduler.compose import Kind
from scheduler.crm_jobs import compose_crm_health, compose_crm_reconcile
from scheduler.failures import FAILURE_NOTICE, compose_failure_notice
from scheduler.notices import NOTICE, compose_unreachable
from storage.head_repo import AUTO_APPROVED_NOTICE

HEAD = Role.HEAD.value
MANAGER = Role.MANAGER.value
OWNER = Role.OWNER.value

#: A morning-type send missed while the bot was down goes out later that day, but not once the evening
#: time has come: the evening prompt covers the day then, and a morning list at 19:05 only confuses.
UNTIL_EVENING = "evening_at"

#: The manager's morning list (the head's too, when they have tasks).
MORNING = Kind(
    "morning", compose_morning, frozenset({MANAGER, HEAD}), at="morning_at", deadline=UNTIL_EVENING
)
#: The manager's evening plan-vs-fact prompt.
EVENING = Kind("evening", compose_evening, frozenset({MANAGER}), at="evening_at")
#: The plans nobody approved by the deadline are approved, and the head told; on days off too.
APPROVAL = Kind("approval", compose_approval, frozenset({HEAD}), at="approval_at", working_days_only=False)
#: The head's morning digest.
DIGEST_MORNING = Kind(
    "digest_morning", compose_morning_digest, frozenset({HEAD}), at="morning_at", deadline=UNTIL_EVENING
)
#: The head's evening digest, with a one-tap reminder for those who did not report.
DIGEST_EVENING = Kind("digest_evening", compose_evening_digest, frozenset({HEAD}), at="digest_at")
#: The hot-list entries due today and those untouched too long.
HOT_REMINDER = Kind(
    "hot_reminder", compose_hot_reminder, frozenset({HEAD}), at="morning_at", deadline=UNTIL_EVENING
)
#: The owner's weekly and monthly sales reports.
WEEKLY_REPORT = Kind("weekly_report", compose_weekly, frozenset({HEAD, OWNER}), at="digest_at")
MONTHLY_REPORT = Kind("monthly_report", compose_monthly, frozenset({HEAD, OWNER}), at="morning_at")
#: Not at a team time: enqueued when a member blocks the bot (``scheduler.notices``).
UNREACHABLE = Kind(NOTICE, compose_unreachable, frozenset({HEAD}), at="", working_days_only=False)
#: Not at a team time: enqueued when a scheduled message cannot be composed (``scheduler.failures``).
COMPOSE_FAILED = Kind(
    FAILURE_NOTICE, compose_failure_notice, frozenset({HEAD}), at="", working_days_only=False
)
#: Not at a team time: enqueued when the CRM refuses the secret or is down long, and when it recovers.
CRM_HEALTH = Kind(CRM_NOTICE, compose_crm_health, frozenset({HEAD}), at="", working_days_only=False)
#: Not at a team time: enqueued after the nightly CRM reconcile when it corrected something.
CRM_RECONCILE = Kind(
    CRM_RECONCILE_NOTICE, compose_crm_reconcile, frozenset({HEAD}), at="", working_days_only=False
)

#: Not at a team time: queued for a manager whose plan was approved automatically (``HeadRepo.settle``).
AUTO_APPROVED = Kind(
    AUTO_APPROVED_NOTICE, compose_auto_approved, frozenset({MANAGER}), at="", working_days_only=False
)

ALL: tuple[Kind, ...] = (
    MORNING,
    EVENING,
    APPROVAL,
    DIGEST_MORNING,
    DIGEST_EVENING,
    HOT_REMINDER,
    WEEKLY_REPORT,
    MONTHLY_REPORT,
    UNREACHABLE,
    COMPOSE_FAILED,
    AUTO_APPROVED,
    CRM_HEALTH,
    CRM_RECONCILE,
)


def _index(kinds: tuple[Kind, ...]) -> dict[str, Kind]:
    index: dict[str, Kind] = {}
    for kind in kinds:
        if kind.name in index:
            raise ValueError(f"kind {kind.name!r} listed twice")
        index[kind.name] = kind
    return index


#: name → kind: the registry the scheduler and delivery read.
KINDS: dict[str, Kind] = _index(ALL)


def kind_names() -> list[str]:
    """The names of the kinds in the registry, sorted (the scheduler logs them at start)."""
    return sorted(KINDS)
