"""What a member's update carries to its handler, as one argument: ``ctx: Ctx``.

``MemberMiddleware`` builds it once the sender is found among the active members, from what the other
middlewares put in the update's data (the repository facade over the update's transaction, the clock,
the texts in the member's language). A handler names the few things that are its own (the message or
press, its ``callback_data``, the dialog ``state``) and takes the rest from ``ctx``; so the dozens of
handlers do not each spell out the same eight parameters."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from aiogram import Bot

    from bot.clock import Clock
    from bot.i18n import Texts, Translator
    from storage.models import Member, Team
    from storage.repo import Repo


@dataclass(frozen=True, slots=True)
class Ctx:
    """The member, their team and what a handler needs to act for them within this update."""

    repo: Repo
    team: Team
    member: Member
    t: Texts
    clock: Clock
    bot: Bot
    translator: Translator

    @classmethod
    def of(cls, data: dict[str, Any]) -> Ctx:
        """Built from an update's data once ``member`` and ``team`` are set."""
        repo, team, member, t = data["repo"], data["team"], data["member"], data["t"]
        return cls(repo, team, member, t, data["clock"], data["bot"], data["translator"])

    def now(self) -> datetime:
        return self.clock()
