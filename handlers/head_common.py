"""What the head's modules share (their callback data is ``handlers.head_callbacks``): the roles, the
head's today, one handler per button action, finding a manager by a part of the name, answering a long
text in parts, and telling another member something directly."""

from __future__ import annotations

import logging
from datetime import date

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError
from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardMarkup, Message

from bot.context import Ctx
from bot.i18n import Texts
from bot.keyboard import Keyboard
from domain.enums import Role
from domain.errors import UserError
from domain.planfact import PlanFact
from domain.text import split_message
from handlers.day_views import local_date
from storage.head_repo import HeadRepo
from storage.models import Member

log = logging.getLogger(__name__)

HEAD = (Role.HEAD,)
READERS = (Role.HEAD, Role.OWNER)
MAX_COMMENT = 1000
PICK_LIMIT = 12


def member_today(ctx: Ctx) -> date:
    """The member's today, in their time zone."""
    return local_date(ctx.now(), ctx.team, ctx.member)


def percent_text(value: int | None) -> str:
    """A share in whole percent; "—" when there is nothing to share (nothing was planned)."""
    return "—" if value is None else f"{value}%"


def fact_args(fact: PlanFact) -> dict[str, int | str]:
    """How far a manager (or the team) got with the day's plan, as a text's arguments."""
    return {"done": fact.done, "planned": fact.planned, "percent": percent_text(fact.percent)}


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


async def answer_split(message: Message, text: str, markup: InlineKeyboardMarkup | None = None) -> None:
    """``text`` in ``message``'s chat, split under Telegram's limit, the keyboard on the last part."""
    parts = split_message(text)
    for i, part in enumerate(parts):
        await message.answer(part, reply_markup=markup if i == len(parts) - 1 else None)
