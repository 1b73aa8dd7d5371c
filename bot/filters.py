from __future__ import annotations

from typing import Any

from aiogram import F, Router
from aiogram.filters import BaseFilter
from aiogram.types import TelegramObject

from domain.enums import Role
from storage.models import Member


class RoleFilter(BaseFilter):
    """Passes when the sender is an active member with one of the given roles."""

    def __init__(self, *roles: Role) -> None:
        self.roles = frozenset(roles)

    async def __call__(self, event: TelegramObject, member: Member | None = None, **_: Any) -> bool:
        return member is not None and member.role in self.roles


#: a typed answer in a dialog: text, not a command
TYPED = (F.text, ~F.text.startswith("/"))


def role_router(name: str, *roles: Role) -> Router:
    """A feature's router whose messages and button presses pass for these roles only."""
    router = Router(name=name)
    router.message.filter(RoleFilter(*roles))
    router.callback_query.filter(RoleFilter(*roles))
    return router
