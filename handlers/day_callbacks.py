"""Callback data of the manager's day. Ids only (checked against the presser's team on every press),
short prefixes, so every button fits Telegram's 64 bytes."""

from __future__ import annotations

from aiogram.filters.callback_data import CallbackData

# the view a task button sits on, re-rendered after the press
VIEW_TODAY = "t"
VIEW_REPORT = "r"
VIEW_CLIENT = "c"


class TaskAct(CallbackData, prefix="tk"):
    a: str  # d done, n not done (reasons), m move (dates), c cancel (asks), y cancel confirmed, b back
    task_id: int
    v: str = VIEW_TODAY
    p: int = 0  # the page of the view


class TaskReason(CallbackData, prefix="tr"):
    task_id: int
    code: int  # index into the quick reasons; OTHER_REASON asks for a line of text
    v: str = VIEW_TODAY
    p: int = 0


class TaskMove(CallbackData, prefix="tm"):
    task_id: int
    to: str  # YYYYMMDD, or "x" to type a date
    v: str = VIEW_TODAY
    p: int = 0


class ClientOpen(CallbackData, prefix="cl"):
    client_id: int


class ClientStage(CallbackData, prefix="cs"):
    client_id: int
    stage: str


class ClientAddTask(CallbackData, prefix="ct"):
    client_id: int
    due: str = ""  # YYYYMMDD when the task is for a fixed day (a lead: today; the plan: tomorrow)


class NewClient(CallbackData, prefix="nc"):
    a: str  # "ask" asks for a name, "yes" creates the pending one, "no" drops it


class PickClient(CallbackData, prefix="pc"):
    client_id: int


class PickDue(CallbackData, prefix="pd"):
    to: str  # YYYYMMDD


class ReportAct(CallbackData, prefix="rp"):
    a: str  # "add" a task to tomorrow's plan, "send" submits, "show" re-renders


class Mood(CallbackData, prefix="md"):
    value: int
