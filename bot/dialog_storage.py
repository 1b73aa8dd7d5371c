"""Dialog state in the bot's own database: a dialog survives a restart without Redis.

aiogram keeps a person's dialog (the FSM state, like "waiting for the client's name", and its data) in a
storage. In memory it dies with the process, so after a restart the answer to "Для какого клиента?" met
«Не понял сообщение». ``DatabaseStorage`` keeps it in ``dialog_states`` (``storage/dialog_repo.py``), used
by the bot processes when ``REDIS_URL`` is not set (``bot.factory.create_storage``).

Cost: aiogram reads the state on every member's message and press, inside the update's own transaction
(its FSM middleware runs after ``DialogSessionMiddleware``, ``bot/factory.py``). The row comes with the
update's claim and the sender's lookup (``DedupMiddleware``, ``dialog_key_of``: an outer join in the same
statement), so the read costs no statement of its own; it finds no row for anyone not in a dialog (a
row exists only while a dialog is open).

Transactions, and what a kill does. Writes made by a handler (``state.set_state``, ``update_data``,
``clear``) join the update's own transaction: ``DialogSessionMiddleware`` keeps the update's dialogs
(``UpdateDialogs``: read once, written back once when the handler returns, in the update's session), so
the dialog's step and the work of that step commit together or not at all:

* killed before the commit: neither the work nor the new step is stored, the poll's offset was not
  confirmed, Telegram sends the update again and it is handled from the start;
* killed after the commit: both are stored; the redelivered update is skipped (``processed_updates``),
  and the next message continues the dialog.

There is no moment where one is stored without the other. Separate transactions would have one (a task
created but the dialog still asking for it, or the reverse), and on SQLite they cannot even work: the
update's transaction holds the write lock (``BEGIN IMMEDIATE``) until the handler returns, so a second
writer from inside the handler would wait for it until the busy timeout. A write outside an update
(an error handler, a test) runs in its own short transaction. A handler that raises rolls its dialog
change back with the rest, as "a refused action changes nothing" asks.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping
from contextvars import ContextVar
from typing import Any

from aiogram import BaseMiddleware, Dispatcher
from aiogram.fsm.middleware import FSMContextMiddleware
from aiogram.fsm.state import State
from aiogram.fsm.storage.base import BaseStorage, StateType, StorageKey
from aiogram.types import TelegramObject
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.middlewares.base import Next
from bot.middlewares.dedup import PREFETCHED_DIALOG
from storage.dialog_repo import Dialog, DialogKey, DialogRepo


class UpdateDialogs:
    """The dialogs of one update, kept while its handler runs: each read once from the update's
    transaction, changed here (a handler's dialog step is often several: ``update_data``, ``set_state``,
    ``clear``, each a read and a write), and written back once, when the handler has returned, in that
    same transaction (``write_back``); only a dialog whose end differs from its start is written. Nobody
    else can change the person's dialog meanwhile: their updates take turns (PostgreSQL's per-person lock,
    SQLite's one writer), and this copy lives no longer than the update."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self.started: dict[DialogKey, Dialog | None] = {}  # as stored (a deep copy: never changed)
        self.now: dict[DialogKey, Dialog | None] = {}
        # set when the update ends: a task it started (a heavy job's reply, ``bot/heavy.py``) inherits
        # this copy with its context, and from then on must read and write in a transaction of its own
        self.ended = False

    def seed(self, key: DialogKey, stored: Dialog | None) -> None:
        """The dialog under ``key`` as read with the update's claim (``bot.middlewares.dedup``), in the same
        transaction: ``get`` reads it no more."""
        self.started[key], self.now[key] = copy.deepcopy(stored), stored

    async def get(self, key: DialogKey) -> Dialog | None:
        if key not in self.now:
            self.seed(key, await DialogRepo(self.session).get(key))
        return self.now[key]

    async def change(self, key: DialogKey, change: Callable[[Dialog | None], Dialog]) -> None:
        self.now[key] = change(await self.get(key))

    async def write_back(self) -> None:
        repo = DialogRepo(self.session)
        for key, dialog in self.now.items():
            if _open(dialog) != _open(self.started[key]):
                await repo.save(key, *((dialog.state, dialog.data) if dialog else (None, {})))


def _open(dialog: Dialog | None) -> Dialog | None:
    """The dialog, None when there is none to store (no state, no data)."""
    return None if dialog is None or (dialog.state is None and not dialog.data) else dialog


_update_dialogs: ContextVar[UpdateDialogs | None] = ContextVar("update_dialogs", default=None)


def dialog_key_of(fsm: FSMContextMiddleware) -> Callable[[dict[str, Any]], DialogKey | None]:
    """The key of the update's dialog as aiogram's FSM middleware ``fsm`` will resolve it (its strategy,
    the chat, the user, the thread), for reading the dialog with the update's claim; None when the update
    has no dialog (no chat or user)."""

    def key_of(data: dict[str, Any]) -> DialogKey | None:
        context = fsm.resolve_event_context(data["bot"], data)
        return None if context is None else _key(context.key)

    return key_of


def _key(key: StorageKey) -> DialogKey:
    return DialogKey(
        bot_id=key.bot_id,
        chat_id=key.chat_id,
        user_id=key.user_id,
        thread_id=key.thread_id,
        business_id=key.business_connection_id,
        destiny=key.destiny,
    )


class DatabaseStorage(BaseStorage):
    """aiogram's FSM storage on the ``dialog_states`` table (SQLite and PostgreSQL)."""

    def __init__(self, session_pool: async_sessionmaker[AsyncSession]) -> None:
        self.session_pool = session_pool

    async def _load(self, key: StorageKey) -> Dialog | None:
        dialogs = _update_dialogs.get()
        if dialogs is not None and not dialogs.ended:
            return await dialogs.get(_key(key))
        async with self.session_pool() as own, own.begin():
            return await DialogRepo(own).get(_key(key))

    async def _save(self, key: StorageKey, change: Callable[[Dialog | None], Dialog]) -> None:
        dialogs = _update_dialogs.get()
        if dialogs is not None and not dialogs.ended:
            await dialogs.change(_key(key), change)
            return
        async with self.session_pool() as own, own.begin():
            await self._change(DialogRepo(own), key, change)

    @staticmethod
    async def _change(repo: DialogRepo, key: StorageKey, change: Callable[[Dialog | None], Dialog]) -> None:
        dialog = change(await repo.get(_key(key)))
        await repo.save(_key(key), dialog.state, dialog.data)

    async def get_state(self, key: StorageKey) -> str | None:
        dialog = await self._load(key)
        return None if dialog is None else dialog.state

    async def set_state(self, key: StorageKey, state: StateType = None) -> None:
        name = state.state if isinstance(state, State) else state
        await self._save(key, lambda old: Dialog(name, {} if old is None else old.data))

    async def get_data(self, key: StorageKey) -> dict[str, Any]:
        dialog = await self._load(key)
        return {} if dialog is None else dict(dialog.data)  # a copy: the caller may change it

    async def set_data(self, key: StorageKey, data: Mapping[str, Any]) -> None:
        new = dict(data)
        await self._save(key, lambda old: Dialog(None if old is None else old.state, new))

    async def close(self) -> None:
        """Nothing to close: the engine belongs to the process that made the session pool."""


class DialogSessionMiddleware(BaseMiddleware):
    """Outer middleware after ``DbSessionMiddleware``: the update's dialogs are read from its session and
    written back in it when the handler returns (``UpdateDialogs``); a handler that raises writes none."""

    async def __call__(self, handler: Next, event: TelegramObject, data: dict[str, Any]) -> Any:
        session: AsyncSession | None = data.get("session")
        if session is None:
            return await handler(event, data)
        dialogs = UpdateDialogs(session)
        prefetched: tuple[DialogKey, Dialog | None] | None = data.get(PREFETCHED_DIALOG)
        if prefetched is not None:
            dialogs.seed(*prefetched)
        token = _update_dialogs.set(dialogs)
        try:
            result = await handler(event, data)
            await dialogs.write_back()
            return result
        finally:
            dialogs.ended = True
            _update_dialogs.reset(token)


def bind_dialog_sessions(dp: Dispatcher) -> None:
    """When ``dp`` keeps dialogs in the database, make the handlers' dialog writes join the update's
    transaction (a no-op for the in-memory and Redis storages)."""
    if isinstance(dp.storage, DatabaseStorage):
        middleware = DialogSessionMiddleware()
        for observer in (dp.message, dp.callback_query):
            observer.outer_middleware(middleware)
