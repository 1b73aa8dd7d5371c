"""A member who unblocks the bot is reachable again.

A block is learnt from the 403 of a send (``scheduler.delivery``: the member flagged ``unreachable``, the
head told once, nothing more sent). When the user unblocks the bot (or restarts it), Telegram sends a
``my_chat_member`` update with the status "member": the flag goes off and scheduled messages resume.
The update comes from anyone, member or not, outside the per-update session of messages and buttons, so
the handler opens its own transaction.
"""

from __future__ import annotations

from aiogram import F, Router
from aiogram.types import ChatMemberUpdated
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.filters import Magic
from handlers.routing import PRIVATE
from storage.repo import Repo


async def unblocked(event: ChatMemberUpdated, session_pool: async_sessionmaker[AsyncSession]) -> None:
    async with session_pool() as session, session.begin():
        await Repo(session).reachability.mark_reachable(event.from_user.id)


def build_router() -> Router:
    router = Router(name="reachability")
    router.my_chat_member.register(unblocked, PRIVATE, Magic(F.new_chat_member.status == "member"))
    return router
