"""The command menu per role and language, registered with ``set_my_commands``."""

from __future__ import annotations

import logging

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError
from aiogram.types import BotCommand, BotCommandScopeChat, BotCommandScopeDefault

from bot.config import LOCALES
from bot.i18n import Translator
from domain.enums import Role

log = logging.getLogger(__name__)

#: Commands shown in the menu, in menu order; each has its description under ``cmd-<name>``.
MENU: dict[Role | None, tuple[str, ...]] = {
    None: ("start", "help"),
    Role.MANAGER: (
        "today",
        "add",
        "report",
        "clients",
        "lead",
        "deal",
        "deals",
        "newclient",
        "board",
        "bonus",
        "help",
        "lang",
    ),
    Role.HEAD: (
        "team",
        "invite",
        "today",
        "add",
        "clients",
        "plans",
        "status",
        "hot",
        "review",
        "overdue",
        "frozen",
        "digest",
        "board",
        "deals",
        "plan_month",
        "bonus",
        "bonus_scheme",
        "sales_report",
        "export",
        "import",
        "settings",
        "help",
        "lang",
    ),
    Role.OWNER: (
        "team",
        "clients",
        "status",
        "overdue",
        "frozen",
        "board",
        "bonus",
        "sales_report",
        "export",
        "help",
        "lang",
    ),
}


def commands_for(translator: Translator, role: Role | None, locale: str) -> list[BotCommand]:
    t = translator.get(locale)
    return [BotCommand(command=name, description=t(f"cmd-{name}")) for name in MENU[role]]


async def set_default_commands(bot: Bot, translator: Translator, default_locale: str) -> None:
    """The menu strangers see: in the default language, and per Telegram client language."""
    await bot.set_my_commands(commands_for(translator, None, default_locale), scope=BotCommandScopeDefault())
    for locale in LOCALES:
        await bot.set_my_commands(
            commands_for(translator, None, locale), scope=BotCommandScopeDefault(), language_code=locale
        )


async def set_member_commands(
    bot: Bot, translator: Translator, chat_id: int, role: Role | None, locale: str
) -> None:
    """The menu of one member (their role, their language); a failure here never breaks the action."""
    try:
        await bot.set_my_commands(
            commands_for(translator, role, locale), scope=BotCommandScopeChat(chat_id=chat_id)
        )
    except TelegramAPIError as exc:
        log.warning("set_my_commands for chat %s failed: %s", chat_id, exc)
