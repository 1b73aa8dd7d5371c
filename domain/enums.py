"""Vocabularies shared by the rules, the storage and the handlers."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    HEAD = "head"
    MANAGER = "manager"
    OWNER = "owner"


class Stage(StrEnum):
    """A client's stage in the funnel, in funnel order (see ``STAGE_ORDER``)."""

    NEW = "new"
    QUALIFIED = "qualified"
    PROPOSAL = "proposal"
    NEGOTIATION = "negotiation"
    WON = "won"
    LOST = "lost"


#: Open stages from the farthest to the nearest to a decision.
OPEN_STAGES: tuple[Stage, ...] = (Stage.NEW, Stage.QUALIFIED, Stage.PROPOSAL, Stage.NEGOTIATION)
CLOSED_STAGES: frozenset[Stage] = frozenset({Stage.WON, Stage.LOST})
STAGE_ORDER: dict[Stage, int] = {stage: i for i, stage in enumerate((*OPEN_STAGES, Stage.WON, Stage.LOST))}


class TaskStatus(StrEnum):
    OPEN = "open"
    DONE = "done"
    NOT_DONE = "not_done"
    CANCELLED = "cancelled"


class TaskEventKind(StrEnum):
    CREATED = "created"
    DONE = "done"
    NOT_DONE = "not_done"
    MOVED = "moved"
    CANCELLED = "cancelled"
    REASSIGNED = "reassigned"
    EDITED = "edited"
    REOPENED = "reopened"
