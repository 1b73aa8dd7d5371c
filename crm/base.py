"""One interface for every CRM: typed records and the ``CrmProvider`` protocol.

Each provider module (``crm/amocrm.py``, ``crm/bitrix24.py``) turns its API's shapes into these records, so
the sync engine (``crm/sync.py``) and the write-back never see a provider's JSON. Ids are strings whatever
the CRM uses. Every datetime is aware UTC.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Protocol


class ProviderKind(StrEnum):
    AMOCRM = "amocrm"
    BITRIX24 = "bitrix24"


class Semantic(StrEnum):
    """What a CRM stage means: still being worked, won or lost (amoCRM statuses 142/143; Bitrix24
    ``STAGE_SEMANTIC_ID`` P, S and F)."""

    OPEN = "open"
    WON = "won"
    LOST = "lost"


class EntityKind(StrEnum):
    """What a CRM task is bound to. amoCRM's leads are deals here."""

    DEAL = "deal"
    COMPANY = "company"
    CONTACT = "contact"
    LEAD = "lead"  # Bitrix24's leads, apart from its deals (amoCRM's leads are deals)


@dataclass(frozen=True, slots=True)
class EntityRef:
    """What a CRM task is bound to: the kind of record and its id in the CRM. Its ``key`` (``deal:123``)
    is how a bot client remembers the record it came from."""

    kind: EntityKind
    id: str

    @property
    def key(self) -> str:
        return f"{self.kind.value}:{self.id}"

    @classmethod
    def from_key(cls, key: str | None) -> EntityRef | None:
        """``deal:123`` → the record; None for no key or one of no known kind."""
        if not key:
            return None
        kind, _, ext = key.partition(":")
        try:
            return cls(EntityKind(kind), ext)
        except ValueError:
            return None


@dataclass(frozen=True, slots=True)
class CrmUser:
    """A user of the CRM account (amoCRM's users, Bitrix24's ``user.get``), matched to members by name."""

    id: str
    name: str
    email: str | None = None
    active: bool = True


@dataclass(frozen=True, slots=True)
class Stage:
    """A stage of a CRM pipeline (amoCRM's status, Bitrix24's deal stage) and what it means."""

    id: str
    pipeline_id: str
    name: str
    semantic: Semantic
    sort: int = 0


@dataclass(frozen=True, slots=True)
class Pipeline:
    """A CRM pipeline (amoCRM's pipeline, Bitrix24's deal category) with its stages in the CRM's order."""

    id: str
    name: str
    stages: tuple[Stage, ...] = ()


@dataclass(frozen=True, slots=True)
class CrmTask:
    """A CRM task (amoCRM's task; Bitrix24's activity ``a…`` or task ``t…``): what becomes a bot task."""

    id: str
    text: str
    responsible_id: str
    due: datetime
    entity: EntityRef | None
    completed: bool
    updated_at: datetime
    result: str | None = None


@dataclass(frozen=True, slots=True)
class CrmDeal:
    """A CRM deal (amoCRM's lead, Bitrix24's deal): its stage says open, won or lost; ``amount`` in the
    account's currency."""

    id: str
    name: str
    responsible_id: str
    pipeline_id: str
    stage_id: str
    amount: Decimal
    updated_at: datetime
    closed_at: datetime | None = None
    company_id: str | None = None

    @property
    def ref(self) -> EntityRef:
        return EntityRef(EntityKind.DEAL, self.id)


@dataclass(frozen=True, slots=True)
class CrmCompany:
    """A company, contact or (Bitrix24) lead, as ``ref.kind`` says: what a task bound to it needs to
    become a client."""

    ref: EntityRef
    name: str
    responsible_id: str | None = None


@dataclass(frozen=True, slots=True)
class AccountSummary:
    """What the connect's check found in the account: its name and how many users, pipelines and open
    tasks it has (kept in ``crm_connections.summary``)."""

    account_id: str
    name: str
    users: int
    pipelines: int
    open_tasks: int


class CrmError(Exception):
    """A CRM call failed for good (after the retries that made sense)."""

    def __init__(self, message: str, *, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class CrmAuthError(CrmError):
    """The secret is wrong or was revoked (401): nothing will work until the head reconnects."""


class CrmTokenExpired(CrmAuthError):
    """The access token was refused as expired (amoCRM's 401, Bitrix24's ``expired_token``): an OAuth
    connection refreshes it and tries once more; a long-lived token or a webhook has nothing to refresh."""


class CrmUnavailable(CrmError):
    """The CRM did not answer usefully (timeouts, 5xx, its limit) after every retry: try again later."""


class CrmBlocked(CrmUnavailable):
    """The CRM blocked the integration for going over its limit (amoCRM: 403 after repeated 429s, or a
    ``Retry-After`` too long to wait in line): an outage until the block lapses; nothing is sent till then."""


class CrmProvider(Protocol):
    """What the bot needs from a CRM. Reads page by page; writes are single calls that either succeed or
    raise ``CrmError`` (the outbox retries them)."""

    kind: ProviderKind

    async def summary(self) -> AccountSummary:
        """Reads the account, users, pipelines and the count of open tasks: the check made on connect."""
        ...

    async def users(self) -> list[CrmUser]: ...

    async def pipelines(self) -> list[Pipeline]: ...

    def tasks(self, updated_since: datetime | None, *, open_only: bool) -> AsyncIterator[list[CrmTask]]:
        """Tasks page by page: all open ones (first sync) or every one changed since a moment."""
        ...

    async def tasks_by_id(self, ids: Sequence[str]) -> list[CrmTask]:
        """The tasks with these ids as the CRM has them now, open or completed (the nightly reconcile
        asks for the bot's open tasks the CRM no longer lists as open); a deleted one is not returned."""
        ...

    async def open_tasks_of(self, user_id: str, first: int) -> tuple[int, bool, list[CrmTask]]:
        """One CRM user's open tasks in a bounded number of requests, whatever the account holds: how
        many (``True`` when that is a lower bound: the user has more than the bound reads), and the
        first ``first`` by due date."""
        ...

    def deals(self, updated_since: datetime | None) -> AsyncIterator[list[CrmDeal]]: ...

    async def deals_by_id(self, ids: Sequence[str]) -> list[CrmDeal]: ...

    async def companies(self, refs: Sequence[EntityRef]) -> list[CrmCompany]:
        """Names of the companies and contacts that tasks are bound to."""
        ...

    async def complete_task(self, task_id: str, result: str) -> None: ...

    async def move_task(self, task_id: str, due: datetime) -> None: ...

    async def add_note(self, entity: EntityRef, text: str) -> None: ...

    async def create_task(
        self, entity: EntityRef | None, responsible_id: str, text: str, due: datetime
    ) -> str:
        """Creates a task and returns its CRM id."""
        ...

    async def set_responsible(self, task_id: str, user_id: str) -> None: ...

    async def set_task_text(self, task_id: str, text: str) -> None:
        """The task's wording (the head reworded it in the bot)."""
        ...

    async def win_deal(self, deal_id: str, amount: Decimal) -> None: ...

    async def set_deal_price(self, deal_id: str, amount: Decimal) -> None:
        """The deal's amount, its stage unchanged (a deal corrected in the bot)."""
        ...

    async def move_deal(self, deal_id: str, pipeline_id: str, stage_id: str) -> None:
        """The deal to a stage of its pipeline (back out of won: a deal cancelled in the bot)."""
        ...

    async def close(self) -> None: ...
