from __future__ import annotations

from typing import Any

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
