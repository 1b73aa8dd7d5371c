"""Dialog state rows (``dialog_states``): aiogram's FSM state and data of people in the middle of a dialog.

One row per open dialog and none otherwise: ``save`` with no state and no data deletes the row, so the
table holds only the dialogs open right now, and the read on every update is one primary-key lookup.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, bindparam, delete, func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from storage.models import DialogState
from storage.session_repo import SessionRepo

NO_THREAD = 0  # key columns cannot be NULL: Telegram's thread ids are positive
NO_BUSINESS = ""


@dataclass(frozen=True)
class DialogKey:
    bot_id: int
    chat_id: int
    user_id: int
    thread_id: int | None = None
    business_id: str | None = None
    destiny: str = "default"

    def columns(self) -> dict[str, Any]:
        return {
            "bot_id": self.bot_id,
            "chat_id": self.chat_id,
            "user_id": self.user_id,
            "thread_id": self.thread_id or NO_THREAD,
            "business_id": self.business_id or NO_BUSINESS,
            "destiny": self.destiny,
        }


@dataclass(frozen=True)
class Dialog:
    state: str | None
    data: dict[str, Any]


_KEY_NAMES = tuple(DialogKey.__dataclass_fields__)
#: The row under a dialog key, the key columns bound by name (``DialogKey.columns()`` gives their values).
KEY_MATCH = and_(*(getattr(DialogState, name) == bindparam(name) for name in _KEY_NAMES))
# Built once: read on every member's message and press, and building the select of six key columns cost
# more than the database finding the row.
_GET = select(DialogState.state, DialogState.data).where(KEY_MATCH)
_DELETE = delete(DialogState).where(KEY_MATCH)


def _upsert(insert: Callable[[type[DialogState]], Any]) -> Any:
    """Write the dialog under a key (its columns bound by name, with ``state`` and ``data``), replacing the
    one there: ``INSERT … ON CONFLICT DO UPDATE`` in the dialect's form."""
    table = DialogState.__table__.c
    values = {name: bindparam(name, type_=table[name].type) for name in (*_KEY_NAMES, "state", "data")}
    statement = insert(DialogState).values(**values, updated_at=func.now())
    excluded = statement.excluded
    return statement.on_conflict_do_update(
        index_elements=list(_KEY_NAMES),
        set_={"state": excluded.state, "data": excluded.data, "updated_at": func.now()},
    )


# Built once, each: a dialog step writes one (building the upsert cost more than running it).
_UPSERT = {"postgresql": _upsert(pg_insert), "sqlite": _upsert(sqlite_insert)}


def dialog_of(found: bool, state: str | None, data: dict[str, Any] | None) -> Dialog | None:
    """The dialog of a row read (``found``: there was one), None when there is no open dialog."""
    return Dialog(state, dict(data or {})) if found else None


class DialogRepo(SessionRepo):
    async def get(self, key: DialogKey) -> Dialog | None:
        """The open dialog under ``key``; None when there is none (one primary-key read, on the session's
        connection: it loads no object, and the ORM's execute path cost as much as the read)."""
        row = (await (await self.session.connection()).execute(_GET, key.columns())).first()
        return None if row is None else dialog_of(True, row.state, row.data)

    async def save(self, key: DialogKey, state: str | None, data: dict[str, Any]) -> None:
        """Write the dialog under ``key``; with no state and no data, forget it (delete the row). On the
        session's connection, as ``get`` reads it."""
        connection = await self.session.connection()
        if state is None and not data:
            await connection.execute(_DELETE, key.columns())
            return
        upsert = _UPSERT["postgresql" if connection.dialect.name == "postgresql" else "sqlite"]
        await connection.execute(upsert, {**key.columns(), "state": state, "data": data})
