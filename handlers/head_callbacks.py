"""Callback data of the head's hot list, digests and status (ids only, short prefixes, within Telegram's
64 bytes). An action is an enum member; each has its own handler, selected by ``Cb.filter(F.action ==
...)``. The values are those the buttons already in chats carry, so old buttons still work."""

from __future__ import annotations

from enum import StrEnum

from aiogram.filters.callback_data import CallbackData


class HotAction(StrEnum):
    LIST = "list"  # the list, in place
    ADD = "add"  # ask which client to add
    OPEN = "open"  # one entry with its menu
    STEP = "step"  # type a new next step
    DATE = "date"  # pick a new date
    WHY = "why"  # type a new reason
    REMOVE = "off"  # ask to take the entry off the list
    REMOVE_CONFIRMED = "off!"  # take it off


class HotAct(CallbackData, prefix="ha"):
    action: HotAction
    entry_id: int = 0


class HotPick(CallbackData, prefix="hp"):
    """A client picked among several that matched what the head typed."""

    client_id: int


#: ``HotDate.to`` of the button that asks to type a date instead.
TYPE_DATE = "x"


class HotDate(CallbackData, prefix="hd"):
    to: str  # YYYYMMDD, or TYPE_DATE


class Nudge(CallbackData, prefix="nu"):
    """🔔 under the evening digest: remind this manager of their evening report."""

    member_id: int


class StatusOpen(CallbackData, prefix="so"):
    """A manager's day, from /status."""

    member_id: int
