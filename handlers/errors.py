"""Errors in one place: a user's mistake becomes a polite message in their language; anything else is
logged with its traceback and the user gets an apology, never the traceback."""

from __future__ import annotations

import logging
from typing import Any

from aiogram import Router
from aiogram.exceptions import TelegramAPIError
from aiogram.filters import ExceptionTypeFilter
from aiogram.types import ErrorEvent

from bot.i18n import CURRENT_TEXTS, Texts, Translator
from domain.errors import UserError

log = logging.getLogger(__name__)


async def _tell(event: ErrorEvent, t: Texts, key: str, args: dict[str, Any], data: dict[str, Any]) -> None:
    """The message ``key`` to the sender: a pop-up for a button press (plain text, so a name shows as
    typed), else a message (HTML, its arguments escaped once)."""
    update = event.update
    try:
        query = update.callback_query
        if query is not None:
            answer = data.get("callback_answer")
            if answer is None or not answer.answered:
                await query.answer(t.plain(key, **args)[:200], show_alert=True)
                if answer is not None:
                    answer.disable()
            elif query.message is not None and query.bot is not None:
                await query.bot.send_message(query.message.chat.id, t(key, **args))
        elif update.message is not None:
            await update.message.answer(t(key, **args))
    except TelegramAPIError as exc:
        log.warning("could not tell the user about an error: %s", exc)


def _texts(event: ErrorEvent, translator: Translator, data: dict[str, Any]) -> Texts:
    """The sender's language: set by the member middleware for this very sender, else the default."""
    texts = data.get("t")
    if isinstance(texts, Texts):
        return texts
    update = event.update
    sender = (update.message or update.callback_query or update.edited_message) if update else None
    current = CURRENT_TEXTS.get()
    if sender is not None and sender.from_user is not None and current and current[0] == sender.from_user.id:
        return current[1]
    return translator.get(None)


async def user_error(event: ErrorEvent, translator: Translator, **data: Any) -> None:
    """A user's mistake (``UserError``): its polite text."""
    t = _texts(event, translator, data)
    error = event.exception
    assert isinstance(error, UserError)
    await _tell(event, t, error.key, dict(error.args_), data)


async def unexpected(event: ErrorEvent, translator: Translator, **data: Any) -> None:
    """Anything else: logged with its traceback; the user gets an apology."""
    log.error("update %s failed", event.update.update_id, exc_info=event.exception)
    t = _texts(event, translator, data)
    await _tell(event, t, "error-unexpected", {}, data)


def build_router() -> Router:
    router = Router(name="errors")
    router.error.register(user_error, ExceptionTypeFilter(UserError))
    router.error.register(unexpected)
    return router
