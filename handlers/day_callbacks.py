"""Callback data of the manager's day. Ids only (checked against the presser's team on every press),
short prefixes and one-letter enum values, so every button fits Telegram's 64 bytes.

A button that acts on a task carries the task's version (``ver``: how many times it was moved, see
``task_version``). A press whose version is not the task's any more comes from a superseded screen (a
picker left behind after a typed date, the morning list after /today moved the task) and changes nothing.
"""

from __future__ import annotations

from enum import StrEnum

from aiogram.filters.callback_data import CallbackData


class View(StrEnum):
    """The view a task button sits on, re-rendered after the press."""

    TODAY = "t"
    REPORT = "r"
    CLIENT = "c"


# kept for callers that name the views by constant
VIEW_TODAY = View.TODAY
VIEW_REPORT = View.REPORT
VIEW_CLIENT = View.CLIENT


class TaskAction(StrEnum):
    DONE = "d"
    NOT_DONE = "n"  # shows the reasons
    MOVE = "m"  # shows the dates
    CANCEL = "c"  # asks to confirm
    CANCEL_CONFIRMED = "y"
    BACK = "b"  # back from a picker to the list
    TYPE_REASON = "r"  # "Другая причина…": a line of text follows
    TYPE_DATE = "x"  # "Другая дата…": a date as text follows


class TaskAct(CallbackData, prefix="tk"):
    action: TaskAction
    task_id: int
    v: View = View.TODAY
    p: int = 0  # the page of the view
    ver: int = 0  # the task's version when the button was drawn


def pack_task_act(action: TaskAction, task_id: int, v: View, p: int, ver: int) -> str:
    """``TaskAct(action=…, task_id=…, v=…, p=…, ver=…).pack()``, the same string without building and
    dumping a model: a day list draws four of these per task (``tests/unit/test_keyboard.py`` compares)."""
    packed = f"tk:{action.value}:{int(task_id)}:{v.value}:{int(p)}:{int(ver)}"
    if len(packed) > 64:  # as aiogram would: refuse, with its error
        return TaskAct(action=action, task_id=task_id, v=v, p=p, ver=ver).pack()
    return packed


class TaskReason(CallbackData, prefix="tr"):
    task_id: int
    code: int  # index into the quick reasons (reason-1 … reason-N)
    v: View = View.TODAY
    p: int = 0
    ver: int = 0


class TaskMove(CallbackData, prefix="tm"):
    task_id: int
    to: str  # YYYYMMDD
    v: View = View.TODAY
    p: int = 0
    ver: int = 0


class ListPage(CallbackData, prefix="lp"):
    """◀ / ▶ under a long list: shows page ``p`` of the view in the same message."""

    v: View
    p: int


class ClientOpen(CallbackData, prefix="cl"):
    client_id: int


class ClientStage(CallbackData, prefix="cs"):
    client_id: int
    stage: str


class ClientAddTask(CallbackData, prefix="ct"):
    client_id: int
    due: str = ""  # YYYYMMDD when the task is for a fixed day (a lead: today; the plan: tomorrow)


class NewClientAction(StrEnum):
    ASK = "a"  # asks for a name
    CREATE = "y"  # creates the pending one
    DROP = "n"  # drops it


class NewClient(CallbackData, prefix="nc"):
    action: NewClientAction


class PickClient(CallbackData, prefix="pc"):
    client_id: int


class PickDue(CallbackData, prefix="pd"):
    to: str  # YYYYMMDD


class ReportAction(StrEnum):
    ADD = "add"  # a task to tomorrow's plan
    SEND = "send"  # submits the plan
    SHOW = "show"  # re-renders


class ReportAct(CallbackData, prefix="rp"):
    a: ReportAction  # the field keeps its name: handlers/report.py reads ``callback_data.a``


class Mood(CallbackData, prefix="md"):
    value: int


def task_version(moves: int) -> int:
    """A task's version for its buttons: an open task changes only by being moved (marking closes it,
    and a closed task refuses every mark anyway)."""
    return moves
