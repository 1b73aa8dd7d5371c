"""What every feature router repeats when it is built: the role filter on both messages and button
presses, one handler per button action, the typed answers of its dialog (text in an FSM state, a command
ends the dialog elsewhere), and one more argument its handlers get (the member's ``day``, the add dialog's
``flow``)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from enum import StrEnum
from typing import Any

from aiogram import F, Router
from aiogram.filters import StateFilter
from aiogram.filters.callback_data import CallbackData
from aiogram.fsm.state import State
from aiogram.types import TelegramObject

from bot.filters import Magic, RoleFilter
from bot.middlewares.base import Next
from domain.enums import Role

#: A typed answer in a dialog: text that is not a command.
TYPED = Magic(F.text, ~F.text.startswith("/"))
#: A private chat (the bot answers people one to one; a group's messages are left alone).
PRIVATE = Magic(F.chat.type == "private")


def role_router(name: str, *roles: Role) -> Router:
    """A router whose messages and button presses are only for members with one of ``roles`` (a filter
    each, so the isolation self-test can take either away)."""
    router = Router(name=name)
    router.message.filter(RoleFilter(*roles))
    router.callback_query.filter(RoleFilter(*roles))
    return router


def on_actions(
    router: Router, data: type[CallbackData], handlers: Mapping[StrEnum, Callable[..., Any]]
) -> None:
    """One handler per action: a press of a ``data`` button whose ``action`` is a key of ``handlers`` goes
    to that handler (``data.filter(F.action == action)``), registered in the table's order."""
    for action, handler in handlers.items():
        router.callback_query.register(handler, data.filter(F.action == action))


def on_typed(router: Router, answers: dict[State, Callable[..., Any]]) -> None:
    """Each handler takes the text typed while the dialog waits in its state."""
    for state, handler in answers.items():
        router.message.register(handler, StateFilter(state), TYPED)


def provide(router: Router, name: str, build: Callable[[dict[str, Any]], Any]) -> None:
    """The handlers of ``router`` (messages and presses) get ``name``, built from the update's data by an
    inner middleware: it runs only once a handler's filters have matched, so only for a member's own
    updates."""

    async def middleware(handler: Next, event: TelegramObject, data: dict[str, Any]) -> Any:
        if data.get("member") is not None:
            data[name] = build(data)
        return await handler(event, data)

    router.message.middleware(middleware)
    router.callback_query.middleware(middleware)
