"""Callback data factories: short prefixes and ids, never hand-split strings; an action is an enum member
with its own handler. And the one rule of button labels: they are plain text (Telegram shows them as
typed), so their arguments are never HTML-escaped: ``t.plain``."""

from __future__ import annotations

from enum import StrEnum

from aiogram import Bot
from aiogram.exceptions import TelegramBadRequest
from aiogram.filters.callback_data import CallbackData
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message


class MemberStep(StrEnum):
    ASK_DEACTIVATE = "off"
    DEACTIVATE = "off!"
    KEEP = "keep"


class MemberAction(CallbackData, prefix="mb"):
    action: MemberStep
    member_id: int


class LangChoice(CallbackData, prefix="lang"):
    locale: str


async def show(query: CallbackQuery, bot: Bot, text: str, markup: InlineKeyboardMarkup | None = None) -> None:
    """``text`` in place of the pressed message. When that message can no longer be edited (Telegram
    sends an inaccessible message for one older than 48 hours or deleted; an inline message has none),
    it comes as a new message to the presser instead. Pressing a button that shows what is already shown
    changes nothing and is no error."""
    message = query.message
    if isinstance(message, Message):
        try:
            await message.edit_text(text, reply_markup=markup)
            return
        except TelegramBadRequest as exc:
            if "not modified" in str(exc):
                return
            if not any(reason in str(exc) for reason in NOT_EDITABLE):
                raise
    await bot.send_message(_chat_id(query), text, reply_markup=markup)


def pressed(query: CallbackQuery) -> Message | None:
    """The message the button sits on, when Telegram still gives it (None: inaccessible or inline)."""
    return query.message if isinstance(query.message, Message) else None


async def answer_under(query: CallbackQuery, text: str) -> None:
    """``text`` as a new message under the pressed one; nothing when Telegram no longer gives that message."""
    message = pressed(query)
    if message is not None:
        await message.answer(text)


async def reply_to(
    query: CallbackQuery, bot: Bot, text: str, markup: InlineKeyboardMarkup | None = None
) -> None:
    """``text`` as a new message in the chat of the pressed button (the presser's own chat when the
    message is inaccessible or inline)."""
    await bot.send_message(_chat_id(query), text, reply_markup=markup)


#: What Telegram answers an edit of a message it no longer lets the bot edit.
NOT_EDITABLE = ("message can't be edited", "message to edit not found")


def _chat_id(query: CallbackQuery) -> int:
    if query.message is not None:
        return query.message.chat.id
    return query.from_user.id
