"""The catch-all, last: unknown commands and texts, stale buttons."""

from __future__ import annotations

from aiogram import Router
from aiogram.types import CallbackQuery, Message
from aiogram.utils.callback_answer import CallbackAnswer

from bot.commands import MENU
from bot.i18n import Texts
from storage.models import Member


async def unknown(message: Message, member: Member, t: Texts) -> None:
    """A command of another role, an unknown command, or a text nothing waited for."""
    text = message.text or ""
    if text.startswith("/"):
        command = text[1:].split(maxsplit=1)[0].split("@", 1)[0] if len(text) > 1 else ""
        other_roles = [r for r, names in MENU.items() if r is not None and command in names]
        if other_roles and member.role not in other_roles:
            await message.answer(t("command-not-for-role"))
            return
        await message.answer(t("command-unknown"))
        return
    await message.answer(t("text-not-understood"))


async def stale(query: CallbackQuery, t: Texts, callback_answer: CallbackAnswer) -> None:
    """A button no handler took: out of date, or not for this member."""
    callback_answer.text = t.plain("button-stale")
    callback_answer.show_alert = True


def build_router() -> Router:
    router = Router(name="fallback")
    router.message.register(unknown)
    router.callback_query.register(stale)
    return router
