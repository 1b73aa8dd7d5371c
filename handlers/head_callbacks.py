"""Callback data of the head's screens: plan approval, the review, the hot list, digests and status (ids
only, short prefixes, within Telegram's 64 bytes). An action is an enum member; each has its own handler,
selected by ``Cb.filter(F.action == ...)``. The values are those the buttons already in chats carry, so
old buttons still work."""

from __future__ import annotations

from enum import StrEnum

from aiogram.filters.callback_data import CallbackData


class PlanAction(StrEnum):
    APPROVE = "ok"  # approve all
    RETURN = "ret"  # return with a comment (typed next)
    PAGE = "pg"  # show a page of the card in place
    OPEN = "new"  # the card as a new message


class PlanAct(CallbackData, prefix="pa"):
    action: PlanAction
    plan_id: int
    p: int = 0


class PlanTaskAction(StrEnum):
    MENU = "m"  # the task's menu
    EDIT = "e"  # edit the wording (typed next)
    CANCEL = "x"  # cancel the task
    GIVE = "r"  # pick a manager to give it to


class PlanTaskAct(CallbackData, prefix="pt"):
    action: PlanTaskAction
    plan_id: int
    task_id: int
    p: int = 0


class PlanGive(CallbackData, prefix="pg"):
    plan_id: int
    task_id: int
    to: int  # the manager's member id
    p: int = 0


class PlanDrop(CallbackData, prefix="px"):
    """The manager takes a task off a returned plan."""

    task_id: int


class ReviewPick(CallbackData, prefix="rm"):
    member_id: int


class ReviewAction(StrEnum):
    TASK = "task"  # an agreed action for a client
    OTHER = "other"  # for another client, named next
    END = "end"  # finish the review


class ReviewAct(CallbackData, prefix="ra"):
    action: ReviewAction
    review_id: int
    client_id: int = 0


#: ReviewDue's ``to`` asking to type the date
OTHER_DATE = "x"


class ReviewDue(CallbackData, prefix="rd"):
    review_id: int
    to: str  # YYYYMMDD, or OTHER_DATE to type a date


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
