"""Callback data of plans, reports and import: short prefixes, no object ids beyond the acting team's."""

from __future__ import annotations

from aiogram.filters.callback_data import CallbackData


class PlanStep(CallbackData, prefix="spm"):
    a: str  # "m" a month chosen (v = YYYY-MM), "keep" a manager's plan as is (v = their place in the
    # dialog), "sum" team = sum, "x" cancel
    v: str = ""


class ReportXlsx(CallbackData, prefix="srx"):
    s: int  # the period's first day (ordinal)
    e: int  # its last day (ordinal)
    k: str  # the period kind


class ImportStep(CallbackData, prefix="imp"):
    a: str  # "go" writes, "no" cancels
