"""Won deals that can be confirmed, corrected and cancelled: the rules, as plain functions.

States (``DealState``): a deal is ``live`` (counted on the board, in plans, bonuses, digests and exports),
``pending`` (recorded but waiting for its author's tap: unusual, a repeat, or the client was lost) or
``void`` (cancelled; kept with its history). ``TRANSITIONS`` lists the allowed moves; a void deal stays
void.

Unusual (``is_unusual``): a deal far above what the manager usually closes, ``UNUSUAL_FACTOR`` times
their typical amount (the median of their latest live deals, once there are ``MIN_HISTORY`` of them), or
above the manager's whole plan for the month, or, with neither to compare with, at least
``UNUSUAL_ABSOLUTE``. An unusual deal is recorded as pending and counted only after a tap.

A repeat (``is_repeat``): the same author, client and amount as a deal recorded less than
``REPEAT_WINDOW`` ago; the bot asks whether it is a second deal.

Who may change a deal (``may_change``): the team's head always; its author within ``CORRECTION_WINDOW``
of recording it. The caller checks that the deal is in the presser's team.

Client names (``similar_names``): an unknown name is compared with the team's clients by edit distance
over the search key (case-folded, ё as е, quotes and legal forms such as ООО dropped); "Ромашкаа" finds
"Ромашка". The allowed distance grows with the name's length (``max_distance``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from enum import StrEnum
from statistics import median


class DealState(StrEnum):
    """Whether a deal counts: ``live`` counts, ``pending`` waits for its author's tap, ``void`` was cancelled
    (``TRANSITIONS`` says which way each may go)."""

    LIVE = "live"
    PENDING = "pending"
    VOID = "void"


class DealEventKind(StrEnum):
    """What happened to a deal: each is a ``deal_events`` row, with the amounts of a correction."""

    RECORDED = "recorded"
    CONFIRMED = "confirmed"
    CORRECTED = "corrected"
    VOIDED = "voided"


TRANSITIONS: dict[DealState, frozenset[DealState]] = {
    DealState.PENDING: frozenset({DealState.LIVE, DealState.VOID}),
    DealState.LIVE: frozenset({DealState.VOID}),
    DealState.VOID: frozenset(),
}

UNUSUAL_FACTOR = Decimal(5)
MIN_HISTORY = 3
HISTORY = 20  # the latest live deals the typical amount is taken from
UNUSUAL_ABSOLUTE = Decimal(10_000_000)
REPEAT_WINDOW = timedelta(minutes=10)
CORRECTION_WINDOW = timedelta(hours=24)
RECENT_LIMIT = 10  # deals listed by /deals


def can_move(current: DealState, target: DealState) -> bool:
    return target in TRANSITIONS[current]


def typical_amount(amounts: Sequence[Decimal]) -> Decimal | None:
    """The median of the latest live deals' amounts; ``None`` with fewer than ``MIN_HISTORY``."""
    latest = list(amounts)[:HISTORY]
    if len(latest) < MIN_HISTORY:
        return None
    return Decimal(median(latest))


def is_unusual(amount: Decimal, typical: Decimal | None, month_plan: Decimal | None) -> bool:
    if typical is not None and typical > 0 and amount >= typical * UNUSUAL_FACTOR:
        return True
    if month_plan is not None and month_plan > 0 and amount > month_plan:
        return True
    if (typical is None or typical <= 0) and (month_plan is None or month_plan <= 0):
        return amount >= UNUSUAL_ABSOLUTE
    return False


@dataclass(frozen=True, slots=True)
class RecentDeal:
    client_id: int
    amount: Decimal
    created_at: datetime


def is_repeat(recent: Iterable[RecentDeal], client_id: int, amount: Decimal, now: datetime) -> bool:
    """Is this (client, amount) the same as one of the author's deals recorded within ``REPEAT_WINDOW``?"""
    return any(
        d.client_id == client_id and d.amount == amount and timedelta(0) <= now - d.created_at < REPEAT_WINDOW
        for d in recent
    )


def may_change(
    *, actor_id: int, actor_is_head: bool, author_id: int, created_at: datetime, now: datetime
) -> bool:
    """The head always; the author within ``CORRECTION_WINDOW`` of recording the deal."""
    if actor_is_head:
        return True
    return actor_id == author_id and now - created_at < CORRECTION_WINDOW


# ------------------------------------------------------------------------------------------ similar names

_LEGAL = {"ооо", "оао", "зао", "пао", "ао", "ип", "llc", "ltd", "inc"}
_PUNCT = str.maketrans({c: " " for c in "\"'«»“”„`.,;:!?()[]-"})


def name_key(name: str) -> str:
    """Case-folded, ё as е, without quotes, punctuation and legal forms: "ООО «Ромашка»" → "ромашка"."""
    words = name.casefold().replace("ё", "е").translate(_PUNCT).split()
    kept = [w for w in words if w not in _LEGAL]
    return " ".join(kept or words)


def max_distance(key: str) -> int:
    """Typos allowed in a name of this length: 1 up to 6 letters, 2 up to 12, 3 beyond."""
    n = len(key)
    if n <= 3:
        return 0
    return 1 if n <= 6 else 2 if n <= 12 else 3


def distance(a: str, b: str, limit: int) -> int:
    """Optimal string alignment distance (insert, delete, substitute, swap two neighbours), or
    ``limit + 1`` as soon as it is certain to exceed ``limit``."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    prev2: list[int] = []
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            cost = 0 if ca == cb else 1
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                cur[j] = min(cur[j], prev2[j - 2] + 1)
        if min(cur) > limit:
            return limit + 1
        prev2, prev = prev, cur
    return min(prev[-1], limit + 1)


def similar_names(name: str, candidates: Iterable[tuple[int, str]], limit: int = 3) -> list[tuple[int, str]]:
    """The candidates ``(id, name)`` whose name is a near miss of ``name`` ("ООО Ромашка" for
    "Ромашка" too: the same key), closest first, at most ``limit``."""
    key = name_key(name)
    allowed = max_distance(key)
    found: list[tuple[int, int, str, int]] = []
    for cid, cname in candidates:
        other = name_key(cname)
        if not other:
            continue
        d = distance(key, other, allowed)
        if d <= allowed:
            found.append((d, len(other), cname, cid))
    found.sort()
    return [(cid, cname) for _, _, cname, cid in found[:limit]]
