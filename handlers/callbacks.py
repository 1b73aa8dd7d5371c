"""Callback data factories: short prefixes and ids, never hand-split strings."""

from __future__ import annotations

from aiogram.filters.callback_data import CallbackData


class MemberAction(CallbackData, prefix="mb"):
    action: str  # "off" asks, "off!" confirms, "keep" cancels
    member_id: int


class LangChoice(CallbackData, prefix="lang"):
    locale: str
