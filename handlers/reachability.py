"""A member who unblocks the bot is reachable again.

A block is learnt from the 403 of a send (``scheduler.delivery``: the member flagged ``unreachable``, the
head told once, nothing more sent). When the user unblocks the bot (or restarts it), Telegram sends a
``my_chat_member`` update with the status "member": the flag goes off and scheduled messages resume.
"""

from __future__ import annotations

from aiogram import F, Router
from aiogram.types import ChatMemberUpdated
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.models import Member


def build_router() -> Router:
    router = Router(name="reachability")

    @router.my_chat_member(F.chat.type == "private", F.new_chat_member.status == "member")
    async def unblocked(event: ChatMemberUpdated, session_pool: async_sessionmaker[AsyncSession]) -> None:
        async with session_pool() as session, session.begin():
            await session.execute(
                update(Member)
                .where(Member.tg_id == event.from_user.id, Member.unreachable.is_(True))
                .values(unreachable=False)
            )

    return router
