"""Processed Telegram updates: the record that makes a redelivered update (a webhook retry, a poll whose
offset was not confirmed before a crash) a no-op. The claim is written in the same transaction as the
handling, so it commits with the handler's work or not at all."""

from __future__ import annotations

from datetime import datetime
from typing import Any, NamedTuple, cast

from sqlalchemy import CursorResult, and_, bindparam, delete, exists, literal, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from storage.dialog_repo import KEY_MATCH, Dialog, DialogKey, dialog_of
from storage.models import DialogState, Member, ProcessedUpdate, Team
from storage.session_repo import SessionRepo

Sender = tuple[Member, Team] | None
"""The active member an update comes from and their team; None for anyone else."""


class Claim(NamedTuple):
    """What ``claim_and_find`` found: whether the update is new, its sender, and (when asked for, by its
    key) the sender's open dialog, None when there is none."""

    claimed: bool
    sender: Sender
    dialog: Dialog | None = None


# Built once: building an insert costs more than the database running it, and every update makes one.
_CLAIM = {
    dialect: insert(ProcessedUpdate)
    .on_conflict_do_nothing(index_elements=[ProcessedUpdate.update_id])
    .returning(ProcessedUpdate.update_id)
    for dialect, insert in (("postgresql", pg_insert), ("sqlite", sqlite_insert))
}

# PostgreSQL: the claim and the sender's lookup in one statement, one round trip. The insert runs in a WITH
# (PostgreSQL runs a data-modifying WITH exactly once, whether or not the query reads it), the one-row
# select outer-joins the member, so it answers whether or not the sender is one.
_CLAIMED = (
    pg_insert(ProcessedUpdate)
    .values(
        update_id=bindparam("update_id", type_=ProcessedUpdate.__table__.c.update_id.type),
        handled_at=bindparam("handled_at", type_=ProcessedUpdate.__table__.c.handled_at.type),
    )
    .on_conflict_do_nothing(index_elements=[ProcessedUpdate.update_id])
    .returning(ProcessedUpdate.update_id)
    .cte("claimed")
)
_ONE_ROW = select(literal(1).label("one")).subquery("one_row")
#: The active member with a Telegram id (``tg_id``) and their team: always one row, Member None for anyone
#: else (``MemberRepo.active_with_team`` reads it alone; the claim reads it with more).
SENDER = (
    select(Member, Team)
    .select_from(_ONE_ROW)
    .outerjoin(Member, and_(Member.tg_id == bindparam("tg_id"), Member.active.is_(True)))
    .outerjoin(Team, Team.id == Member.team_id)
)
# The sender's dialog under the key aiogram will read it by (``bot/dialog_storage.py``) in the same read:
# every member's update reads it, and a statement of its own cost as much as the join.
_FIND_WITH_DIALOG = SENDER.add_columns(
    DialogState.user_id.is_not(None).label("dialog_found"),
    DialogState.state.label("dialog_state"),
    DialogState.data.label("dialog_data"),
).outerjoin(DialogState, KEY_MATCH)
_CLAIMED_COLUMN = exists(select(_CLAIMED.c.update_id)).label("claimed")
_CLAIM_AND_FIND = SENDER.add_columns(_CLAIMED_COLUMN)
_CLAIM_AND_FIND_WITH_DIALOG = _FIND_WITH_DIALOG.add_columns(_CLAIMED_COLUMN)


class ProcessedUpdateRepo(SessionRepo):
    async def claim(self, update_id: int, now: datetime) -> bool:
        """Record ``update_id``; False when it was already recorded (by a committed transaction, or by one
        in flight: PostgreSQL makes this insert wait for that one's outcome).

        It runs on the session's connection (Core), not through the ORM: no object is loaded or stored, and
        the ORM's execute path cost as much again as the insert (``bench/updates.py``)."""
        connection = await self.session.connection()
        statement = _CLAIM["postgresql" if connection.dialect.name == "postgresql" else "sqlite"]
        result = await connection.execute(statement, {"update_id": update_id, "handled_at": now})
        return result.scalar_one_or_none() is not None

    async def claim_and_find(
        self, update_id: int, now: datetime, tg_id: int, dialog: DialogKey | None = None
    ) -> Claim:
        """``claim``, the active member with this Telegram id and their team, and, given its key, the
        sender's open dialog: every update from a person needs all three. On PostgreSQL one statement
        (one round trip); on SQLite the claim, then one read for the rest (a duplicate's sender is not
        looked up: it is skipped anyway)."""
        connection = await self.session.connection()
        params: dict[str, Any] = {"update_id": update_id, "handled_at": now, "tg_id": tg_id}
        if dialog is not None:
            params.update(dialog.columns())
        if connection.dialect.name == "postgresql":
            statement = _CLAIM_AND_FIND if dialog is None else _CLAIM_AND_FIND_WITH_DIALOG
            row = (await self.session.execute(statement, params)).one()
            claimed = bool(row.claimed)
        else:
            if not await self.claim(update_id, now):
                return Claim(False, None)
            statement = SENDER if dialog is None else _FIND_WITH_DIALOG
            row = (await self.session.execute(statement, params)).one()
            claimed = True
        sender = None if row.Member is None else (row.Member, row.Team)
        if dialog is None:
            return Claim(claimed, sender)
        return Claim(claimed, sender, dialog_of(bool(row.dialog_found), row.dialog_state, row.dialog_data))

    async def prune(self, before: datetime) -> int:
        """Forget updates handled before ``before``; Telegram stops retrying long before that."""
        statement = delete(ProcessedUpdate).where(ProcessedUpdate.handled_at < before)
        result = await self.session.execute(statement)
        return cast(CursorResult[Any], result).rowcount or 0  # a DELETE's result is a CursorResult
