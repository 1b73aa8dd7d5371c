"""Each Telegram update is handled once, however often it is delivered.

Telegram redelivers a webhook update when it got no 200 in time, and a poll redelivers an update whose
offset was not confirmed before a crash. This middleware runs right after ``DbSessionMiddleware`` and,
inside the update's own transaction, records the update id in ``processed_updates`` (``INSERT … ON
CONFLICT DO NOTHING``). A recorded id means the update's work has committed already: the handler is
skipped. Since the record commits with the handler's work or not at all, an update cut off mid-way (crash,
rollback) is handled again on redelivery, and one that committed is never handled twice. On PostgreSQL
a second process inserting the same id waits for the first one's transaction and then skips.

The claim also looks the sender up (``ProcessedUpdateRepo.claim_and_find``: on PostgreSQL one statement,
one round trip, where the claim and ``MemberMiddleware``'s lookup were two) and leaves what it found in
the update's data as ``sender`` for ``MemberMiddleware``. With the dialogs in the database, the same read
brings the sender's dialog (``dialog_key``: the key aiogram's FSM will read it by), left as
``PREFETCHED_DIALOG`` for ``bot.dialog_storage``: no statement of its own.

A handler that raised leaves no record (its transaction rolled back): a redelivery runs it again, which
changes nothing, since it changed nothing the first time.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any

from aiogram import BaseMiddleware
from aiogram.types import TelegramObject, Update, User

from bot.clock import system_clock
from bot.middlewares.base import Next
from storage.dialog_repo import DialogKey
from storage.updates_repo import ProcessedUpdateRepo

#: The update's data key of the dialog read with the claim: (its key, the dialog or None).
PREFETCHED_DIALOG = "prefetched_dialog"

log = logging.getLogger(__name__)


class DedupMiddleware(BaseMiddleware):
    """Outer middleware after ``DbSessionMiddleware``: skips an update whose id is already recorded.

    ``now`` is wall time (not the business clock): the record only has to outlive Telegram's retries."""

    def __init__(
        self,
        now: Callable[[], datetime] = system_clock,
        dialog_key: Callable[[dict[str, Any]], DialogKey | None] | None = None,
    ) -> None:
        self.now = now
        self.dialog_key = dialog_key

    async def __call__(self, handler: Next, event: TelegramObject, data: dict[str, Any]) -> Any:
        update: Update | None = data.get("event_update")
        if update is None:
            return await handler(event, data)
        repo = ProcessedUpdateRepo(data["session"])
        user: User | None = data.get("event_from_user")
        if user is None:
            claimed = await repo.claim(update.update_id, self.now())
        else:  # the sender looked up with the claim: MemberMiddleware takes it from ``sender``
            key = None if self.dialog_key is None else self.dialog_key(data)
            claim = await repo.claim_and_find(update.update_id, self.now(), user.id, key)
            claimed, data["sender"] = claim.claimed, claim.sender
            if key is not None and claimed:
                data[PREFETCHED_DIALOG] = (key, claim.dialog)
        if not claimed:
            trace = data.get("trace")
            if trace is not None:
                trace.outcome = "duplicate"
            log.info("update %s was handled already: skipped", update.update_id)
            return None
        return await handler(event, data)
