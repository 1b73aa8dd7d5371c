"""What the head's modules share: callback data (ids only, short prefixes, within Telegram's 64 bytes),
the roles, finding a manager by a part of the name, and telling another member something directly."""

from __future__ import annotations

import logging

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError
from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardMarkup

from bot.i18n import Texts
from bot.keyboard import Keyboard
from domain.enums import Role
from domain.errors import UserError
from domain.text import split_message
from storage.head_repo import HeadRepo
from storage.models import Member

log = logging.getLogger(__name__)

HEAD = (Role.HEAD,)
READERS = (Role.HEAD, Role.OWNER)
MAX_COMMENT = 1000
PICK_LIMIT = 12


class PlanAct(CallbackData, prefix="pa"):
    a: str  # "ok" approve all, "ret" return with a comment, "pg" show a page in place, "new" as a new message
    plan_id: int
    p: int = 0


class PlanTaskAct(CallbackData, prefix="pt"):
    a: str  # "m" the task's menu, "e" edit the text, "x" cancel, "r" pick a manager to give it to
    plan_id: int
    task_id: int
    p: int = 0


class PlanGive(CallbackData, prefix="pg"):
    plan_id: int
    task_id: int
    to: int  # the manager's member id
    p: int = 0


class PlanDrop(CallbackData, prefix="px"):
    """The manager takes a task off a returned plan."""

    task_id: int


class ReviewPick(CallbackData, prefix="rm"):
    member_id: int


class ReviewAct(CallbackData, prefix="ra"):
    a: str  # "task" an agreed action for a client, "other" for another client, "end" finish
    review_id: int
    client_id: int = 0


class ReviewDue(CallbackData, prefix="rd"):
    review_id: int
    to: str  # YYYYMMDD, or "x" to type a date


def one_text(text: str | None, limit: int = MAX_COMMENT) -> str:
    """A free text reply (a comment, a reason): trimmed, not empty, not too long."""
    value = "\n".join(line.strip() for line in (text or "").strip().splitlines()).strip()
    if not value:
        raise UserError("line-empty")
    if len(value) > limit:
        raise UserError("line-too-long", limit=limit)
    return value


async def pick_manager(
    heads: HeadRepo, team_id: int, query: str, t: Texts, make: type[CallbackData], field: str = "member_id"
) -> tuple[Member | None, InlineKeyboardMarkup | None]:
    """The one manager ``query`` names, or a keyboard to pick among several; none: a polite error."""
    query = " ".join(query.split())
    if not query:
        found = await heads.members(team_id, Role.MANAGER)
    else:
        found = await heads.find_managers(team_id, query)
    if not found:
        raise UserError("no-such-manager", query=query or "—")
    if len(found) == 1 and query:
        return found[0], None
    kb = Keyboard()
    for m in found[:PICK_LIMIT]:
        kb.button(text=m.name[:60], callback_data=make(**{field: m.id}))
    kb.adjust(2)
    return None, kb.as_markup()


async def tell(bot: Bot, member: Member, text: str, markup: InlineKeyboardMarkup | None = None) -> bool:
    """Send ``member`` a message now (split under Telegram's limit, the keyboard on the last part);
    False when Telegram refused (the member blocked the bot, …): the caller says so, nothing breaks."""
    parts = split_message(text)
    try:
        for i, part in enumerate(parts):
            await bot.send_message(member.tg_id, part, reply_markup=markup if i == len(parts) - 1 else None)
    except TelegramAPIError as exc:
        log.warning("could not tell member %s: %s", member.id, exc)
        return False
    return True
