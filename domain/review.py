"""The agenda of a commercial review (коммерческий разбор): a one-on-one of the head with a manager over
the manager's clients, to find the extra sales the manager does not see.

What the agenda holds, for the manager's clients:

* By stage: open clients grouped by stage, nearest to a decision first (negotiation, proposal,
  qualified, new), by name within a stage.
* Stale: open clients with no activity for ``stale_days`` days or more. A client's last activity is the
  latest of: its creation, any change to one of its tasks (created, marked, moved, edited), a lead, a
  deal, a change of stage. The longest silent first.
* Neither fish nor fowl (ни рыба ни мясо): open clients that are not stale (something happens), whose
  stage has not moved for ``stale_days`` days or more: work without progress and without a decision.
  The longest in their stage first.
* Brought this month: clients with won deals this month (any stage now), the largest amount first, and
  the manager's total.

Ties are broken by name (case-insensitive), then id, so the agenda never depends on input order.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from domain.enums import OPEN_STAGES, Stage

STALE_DAYS = 14


@dataclass(frozen=True, slots=True)
class ReviewClient:
    """One of the manager's clients as the review's agenda sees it: its stage and since when, its last
    activity, its open tasks and what it brought this month."""

    client_id: int
    name: str
    stage: Stage
    stage_since: date  # the local date the stage last changed (or the client was created)
    last_activity: date  # see the module docstring
    open_tasks: int
    brought: Decimal  # won this month


@dataclass(frozen=True)
class Agenda:
    by_stage: dict[Stage, list[ReviewClient]]  # open stages, nearest to a decision first; empty ones left out
    stale: list[ReviewClient]
    limbo: list[ReviewClient]  # neither fish nor fowl
    brought: list[ReviewClient]
    brought_total: Decimal
    open_count: int


def _name(c: ReviewClient) -> tuple[str, str, int]:
    return (c.name.casefold(), c.name, c.client_id)


def silent_days(client: ReviewClient, today: date) -> int:
    return max(0, (today - client.last_activity).days)


def days_in_stage(client: ReviewClient, today: date) -> int:
    return max(0, (today - client.stage_since).days)


def agenda(clients: Iterable[ReviewClient], today: date, stale_days: int = STALE_DAYS) -> Agenda:
    """The review agenda (rules in the module docstring)."""
    items = list(clients)
    open_ = [c for c in items if c.stage in OPEN_STAGES]
    by_stage = {
        stage: sorted((c for c in open_ if c.stage is stage), key=_name) for stage in reversed(OPEN_STAGES)
    }
    stale = sorted(
        (c for c in open_ if silent_days(c, today) >= stale_days),
        key=lambda c: (-silent_days(c, today), *_name(c)),
    )
    stale_ids = {c.client_id for c in stale}
    limbo = sorted(
        (c for c in open_ if c.client_id not in stale_ids and days_in_stage(c, today) >= stale_days),
        key=lambda c: (-days_in_stage(c, today), *_name(c)),
    )
    brought = sorted((c for c in items if c.brought > 0), key=lambda c: (-c.brought, *_name(c)))
    return Agenda(
        by_stage={s: cs for s, cs in by_stage.items() if cs},
        stale=stale,
        limbo=limbo,
        brought=brought,
        brought_total=sum((c.brought for c in brought), Decimal(0)),
        open_count=len(open_),
    )
