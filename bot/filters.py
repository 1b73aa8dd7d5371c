from __future__ import annotations

from typing import Any

from aiogram.filters import BaseFilter
from aiogram.types import TelegramObject
from magic_filter import MagicFilter

from domain.enums import Role
from storage.models import Member


class RoleFilter(BaseFilter):
    """Passes when the sender is an active member with one of the given roles."""

    def __init__(self, *roles: Role) -> None:
        self.roles = frozenset(roles)

    async def __call__(self, event: TelegramObject, member: Member | None = None, **_: Any) -> bool:
        return member is not None and member.role in self.roles


class Magic(BaseFilter):
    """Magic filters (``F.text``, ``F.chat.type == "private"``) checked on the event loop, all of them in
    turn. aiogram runs a filter that is not a coroutine function, as a bare ``F`` is, in a worker thread
    (``asyncio.to_thread`` in ``CallableObject.call``, aiogram 3.31): a thread hop of about 0.1 ms at every
    check, on every update that walks past it. ``tests/handlers/test_wiring.py`` keeps every filter and
    handler of the routers a coroutine."""

    def __init__(self, *checks: MagicFilter) -> None:
        self.checks = checks

    async def __call__(self, event: TelegramObject) -> bool | dict[str, Any]:
        found: dict[str, Any] = {}
        for check in self.checks:
            result = check.resolve(event)
            if not result:
                return False
            if isinstance(result, dict):  # ``F....as_(name)``: the value goes to the handler as ``name``
                found.update(result)
        return found or True
