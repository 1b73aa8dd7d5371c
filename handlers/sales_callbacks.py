"""Callback data of plans, reports and import: short prefixes, no object ids beyond the acting team's.
Each action is an enum member, and each has its own handler (``handlers/sales.py``,
``handlers/importing.py``)."""

from __future__ import annotations

from enum import StrEnum

from aiogram.filters.callback_data import CallbackData


class PlanAction(StrEnum):
    MONTH = "m"  # a month chosen (v = YYYY-MM)
    KEEP = "keep"  # a manager's plan as is (v = their place in the dialog)
    SUM = "sum"  # the team's plan = the sum of the managers'
    CANCEL = "x"


class PlanStep(CallbackData, prefix="spm"):
    a: PlanAction
    v: str = ""


class ReportXlsx(CallbackData, prefix="srx"):
    s: int  # the period's first day (ordinal)
    e: int  # its last day (ordinal)
    k: str  # the period kind


class ImportAction(StrEnum):
    GO = "go"  # write the good rows
    MOVE = "mv"  # write them, the overdue tasks moved to the date offered (kept in the dialog)
    CANCEL = "no"


class ImportStep(CallbackData, prefix="imp"):
    a: ImportAction
