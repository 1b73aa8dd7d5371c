"""Errors in one place: a user's mistake becomes a polite message in their language; anything else is
logged with its traceback and the user gets an apology, never the traceback."""

from __future__ import annotations

import logging

from aiogram import Router
from aiogram.exceptions import TelegramAPIError
from aiogram.filters import ExceptionTypeFilter
from aiogram.types import ErrorEvent

from bot.i18n import CURRENT_TEXTS, Texts, Translator
from domain.errors import UserError

log = logging.getLogger(__name__)


async def _tell(event: ErrorEvent, text: str, data: dict) -> None:
    update = event.update
    try:
        if update.callback_query is not None:
            answer = data.get("callback_answer")
            if answer is None or not answer.answered:
                await update.callback_query.answer(text[:200], show_alert=True)
                if answer is not None:
                    answer.disable()
            elif update.callback_query.message is not None:
                await update.callback_query.message.answer(text)
        elif update.message is not None:
            await update.message.answer(text)
    except TelegramAPIError as exc:
        log.warning("could not tell the user about an error: %s", exc)


def _texts(event: ErrorEvent, translator: Translator, data: dict) -> Texts:
    """The sender's language: set by the member middleware for this very sender, else the default."""
    if isinstance(data.get("t"), Texts):
        return data["t"]
    update = event.update
    sender = (update.message or update.callback_query or update.edited_message) if update else None
    current = CURRENT_TEXTS.get()
    if sender is not None and sender.from_user is not None and current and current[0] == sender.from_user.id:
        return current[1]
    return translator.get(None)


def build_router() -> Router:
    router = Router(name="errors")

    @router.error(ExceptionTypeFilter(UserError))
    async def user_error(event: ErrorEvent, translator: Translator, **data: object) -> None:
        t = _texts(event, translator, data)
        error: UserError = event.exception  # type: ignore[assignment]
        await _tell(event, t(error.key, **error.args_), data)

    @router.error()
    async def unexpected(event: ErrorEvent, translator: Translator, **data: object) -> None:
        log.error("update %s failed", event.update.update_id, exc_info=event.exception)
        t = _texts(event, translator, data)
        await _tell(event, t("error-unexpected"), data)

    return router
