"""The catch-all, last: unknown commands and texts, stale buttons."""

from __future__ import annotations

from aiogram import Router
from aiogram.types import CallbackQuery, Message
from aiogram.utils.callback_answer import CallbackAnswer

from bot.commands import MENU
from bot.i18n import Texts
from storage.models import Member


def build_router() -> Router:
    router = Router(name="fallback")

    @router.message()
    async def unknown(message: Message, member: Member, t: Texts) -> None:
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

    @router.callback_query()
    async def stale(query: CallbackQuery, t: Texts, callback_answer: CallbackAnswer) -> None:
        callback_answer.text = t("button-stale")
        callback_answer.show_alert = True

    return router
