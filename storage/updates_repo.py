"""Processed Telegram updates: the record that makes a redelivered update (a webhook retry, a poll whose
offset was not confirmed before a crash) a no-op. The claim is written in the same transaction as the
handling, so it commits with the handler's work or not at all."""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

from sqlalchemy import CursorResult, delete
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import ProcessedUpdate

# Built once: building an insert costs more than the database running it, and every update makes one.
_CLAIM = {
    dialect: insert(ProcessedUpdate)
    .on_conflict_do_nothing(index_elements=[ProcessedUpdate.update_id])
    .returning(ProcessedUpdate.update_id)
    for dialect, insert in (("postgresql", pg_insert), ("sqlite", sqlite_insert))
}


class ProcessedUpdateRepo:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def claim(self, update_id: int, now: datetime) -> bool:
        """Record ``update_id``; False when it was already recorded (by a committed transaction, or by one
        in flight: PostgreSQL makes this insert wait for that one's outcome).

        It runs on the session's connection (Core), not through the ORM: no object is loaded or stored, and
        the ORM's execute path cost as much again as the insert (``bench/updates.py``)."""
        connection = await self.session.connection()
        statement = _CLAIM["postgresql" if connection.dialect.name == "postgresql" else "sqlite"]
        result = await connection.execute(statement, {"update_id": update_id, "handled_at": now})
        return result.scalar_one_or_none() is not None

    async def prune(self, before: datetime) -> int:
        """Forget updates handled before ``before``; Telegram stops retrying long before that."""
        statement = delete(ProcessedUpdate).where(ProcessedUpdate.handled_at < before)
        result = await self.session.execute(statement)
        return cast(CursorResult[Any], result).rowcount or 0  # a DELETE's result is a CursorResult
