from __future__ import annotations

from typing import Any

from aiogram import BaseMiddleware
from aiogram.types import CallbackQuery, Message, TelegramObject, User

from bot.context import Ctx
from bot.i18n import CURRENT_TEXTS
from bot.middlewares.base import Next
from storage.repo import Repo

OPEN_COMMANDS = ("/start",)


class MemberMiddleware(BaseMiddleware):
    """Finds the sender among the active members and sets ``member``, ``team``, ``t`` (texts in the
    member's language) and ``ctx`` (all a handler acts with, ``bot/context.py``). Anyone else may only
    redeem an invite (``/start <code>``); every other message or press gets a polite refusal and nothing
    more."""

    async def __call__(self, handler: Next, event: TelegramObject, data: dict[str, Any]) -> Any:
        user: User | None = data.get("event_from_user")
        if user is None or user.is_bot:
            return None
        repo: Repo = data["repo"]
        settings = data["settings"]
        # looked up already with the update's claim (DedupMiddleware), else now
        found = data["sender"] if "sender" in data else await repo.members.active_with_team(user.id)
        member, data["team"] = found or (None, None)
        data["member"] = member
        data["t"] = data["translator"].get(member.locale if member else settings.default_locale)
        CURRENT_TEXTS.set((user.id, data["t"]))
        if member is not None:
            data["ctx"] = Ctx.of(data)
            return await handler(event, data)
        if _is_open(event):
            return await handler(event, data)
        t = data["t"]
        if isinstance(event, CallbackQuery):
            await event.answer(t("not-a-member"), show_alert=True)
        elif isinstance(event, Message) and event.chat.type == "private":
            await event.answer(t("not-a-member"))
        return None


def _is_open(event: TelegramObject) -> bool:
    if not isinstance(event, Message) or not event.text or event.chat.type != "private":
        return False
    command = event.text.split(maxsplit=1)[0].split("@", 1)[0]
    return command in OPEN_COMMANDS
