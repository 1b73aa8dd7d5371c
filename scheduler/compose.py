"""What a scheduled message says: the contract between the delivery machinery and the features.

Delivery (outbox, limiter, retries) knows nothing of what a morning list or a digest holds; each kind
names its composer (``scheduler.kinds`` lists them all), and delivery calls it right before sending,
inside the sending transaction, so the text reflects the database at that moment. A composer returns
the messages to send (long texts already split in order), or an empty list when there is nothing to say
(the outbox row is then marked skipped).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import date

from aiogram.types import InlineKeyboardMarkup

from bot.clock import Clock
from bot.i18n import Texts
from storage.models import Member, Team
from storage.repo import Repo


@dataclass(frozen=True)
class Outgoing:
    """One message: HTML text and an optional inline keyboard; with ``photo`` (PNG bytes), a picture whose
    caption is ``text`` (keep it under Telegram's 1,024 characters: it is not split)."""

    text: str
    reply_markup: InlineKeyboardMarkup | None = None
    photo: bytes | None = None


@dataclass
class ComposeContext:
    repo: Repo
    team: Team
    member: Member
    local_date: date
    t: Texts
    clock: Clock


Composer = Callable[[ComposeContext], Awaitable[list[Outgoing]]]


@dataclass(frozen=True)
class Kind:
    """A kind of scheduled message: who gets it, at which team time, on which days, and what it says."""

    name: str
    composer: Composer
    roles: frozenset[str] = field(default_factory=frozenset)
    at: str = "morning_at"  # the Team attribute holding the local time it is due
    working_days_only: bool = True
    #: the Team time attribute after which a missed send of the day is dropped (``domain.due``)
    deadline: str | None = None
