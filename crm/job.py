"""What a job over one team's CRM holds: the session pool, the CRM's client, the team and the clock."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from crm.base import CrmProvider


@dataclass(eq=False)
class TeamCrmJob:
    """The base of the sync (``crm/sync.py``) and the write-back (``crm/outbox.py``)."""

    pool: async_sessionmaker[AsyncSession]
    crm: CrmProvider
    team_id: int
    clock: Callable[[], datetime]

    @property
    def kind(self) -> str:
        """The provider's name as the tables store it."""
        return self.crm.kind.value
