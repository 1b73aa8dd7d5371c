"""Vocabularies shared by the rules, the storage and the handlers."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    """What a member is in the team: the head, a manager, or the owner (reads reports, changes nothing)."""

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
    """A task is open until it is marked done or not done, or cancelled."""

    OPEN = "open"
    DONE = "done"
    NOT_DONE = "not_done"
    CANCELLED = "cancelled"


class TaskEventKind(StrEnum):
    """What happened to a task: each change is a ``task_events`` row, the task's history."""

    CREATED = "created"
    DONE = "done"
    NOT_DONE = "not_done"
    MOVED = "moved"
    CANCELLED = "cancelled"
    REASSIGNED = "reassigned"
    EDITED = "edited"
    REOPENED = "reopened"


class PlanStatus(StrEnum):
    """Tomorrow's plan: written, submitted to the head, then approved (by the head or automatically at
    the team's approval deadline) or returned with a comment to rewrite."""

    DRAFT = "draft"
    SUBMITTED = "submitted"
    APPROVED = "approved"
    AUTO_APPROVED = "auto_approved"
    RETURNED = "returned"


class HotOutcome(StrEnum):
    WON = "won"
    LOST = "lost"
    REMOVED = "removed"


class OutboxStatus(StrEnum):
    """A scheduled message's delivery: pending → sending → sent; a send cut off mid-flight stays
    ``sending`` and is retried; ``unknown`` after a read timeout (it may have arrived); ``failed`` after the
    last retry; ``unreachable`` when the user blocked the bot; ``skipped`` when it is no longer due."""

    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    UNKNOWN = "unknown"
    FAILED = "failed"
    UNREACHABLE = "unreachable"
    SKIPPED = "skipped"


class CrmConnectionStatus(StrEnum):
    """A team's CRM connection: ``active`` while the bot syncs with it, ``disconnected`` once the head
    turns it off (the row stays, with its links)."""

    ACTIVE = "active"
    DISCONNECTED = "disconnected"


class LinkKind(StrEnum):
    """What a ``crm_links`` row links a CRM object to: a bot task, client or deal."""

    TASK = "task"
    CLIENT = "client"
    DEAL = "deal"
