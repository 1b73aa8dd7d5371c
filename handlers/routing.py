"""What every feature router repeats when it is built: the role filter on both messages and button
presses, and the typed answers of its dialog (text in an FSM state, a command ends the dialog elsewhere)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from aiogram import F, Router
from aiogram.filters import StateFilter
from aiogram.fsm.state import State

from bot.filters import RoleFilter
from domain.enums import Role

#: A typed answer in a dialog: text that is not a command.
TYPED = (F.text, ~F.text.startswith("/"))


def role_router(name: str, *roles: Role) -> Router:
    """A router whose messages and button presses are only for members with one of ``roles`` (a filter
    each, so the isolation self-test can take either away)."""
    router = Router(name=name)
    router.message.filter(RoleFilter(*roles))
    router.callback_query.filter(RoleFilter(*roles))
    return router


def on_typed(router: Router, answers: dict[State, Callable[..., Any]]) -> None:
    """Each handler takes the text typed while the dialog waits in its state."""
    for state, handler in answers.items():
        router.message.register(handler, StateFilter(state), *TYPED)
