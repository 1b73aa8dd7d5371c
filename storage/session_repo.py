"""The base of the repositories: each works inside the one session (and transaction) of its caller."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession


class SessionRepo:
    """A repository over its caller's session; it never commits (the per-update middleware or a job does)."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session
