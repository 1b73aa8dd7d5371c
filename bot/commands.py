"""The command menu per role and language, registered with ``set_my_commands``; and what start-up asks of
Telegram, split into what the bot cannot run without (a token Telegram accepts) and what it can (the menu).

Start-up: ``check_token`` turns a refused token or an unreachable Telegram into ``CannotStart``, which
the command line prints as one line. ``publish_default_commands`` sets the menu strangers see; Telegram
can refuse it (a bad description, a flood wait, a network blip), and then the bot runs without it: one
warning, and retries in the background until it is set or the bot stops.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Sequence

from aiogram import Bot, Dispatcher
from aiogram.exceptions import (
    TelegramAPIError,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramUnauthorizedError,
)
from aiogram.types import BotCommand, BotCommandScopeChat, BotCommandScopeDefault, User

from bot.config import LOCALES
from bot.i18n import Translator
from domain.enums import Role

log = logging.getLogger(__name__)

#: seconds before each new attempt to set a refused menu; the last one repeats
MENU_RETRY_DELAYS: tuple[float, ...] = (30.0, 120.0, 600.0, 3600.0)

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
        "report",
        "clients",
        "newclient",
        "lead",
        "deal",
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
        "crm",
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


class CannotStart(Exception):
    """What the bot cannot run without is missing; ``key`` names the one line the command line prints."""

    def __init__(self, key: str, **args: object) -> None:
        super().__init__(key)
        self.key, self.args_ = key, args


async def check_token(bot: Bot, api_url: str | None = None) -> User:
    """The bot's own account (``getMe``); a token Telegram refuses, or no Telegram at all, stops start-up."""
    try:
        return await bot.me()
    except TelegramUnauthorizedError:
        raise CannotStart("cli-token-refused") from None
    except TelegramNetworkError as exc:
        url = api_url or "https://api.telegram.org"
        raise CannotStart("cli-telegram-unreachable", url=url, error=str(exc)) from None


async def publish_default_commands(
    bot: Bot,
    translator: Translator,
    default_locale: str,
    dispatcher: Dispatcher,
    delays: Sequence[float] = MENU_RETRY_DELAYS,
) -> asyncio.Task[None] | None:
    """Set the strangers' menu; never stops start-up. Refused, it logs one warning and retries in the
    background (a task the dispatcher's shutdown cancels); returns that task, or None when set now."""
    try:
        await set_default_commands(bot, translator, default_locale)
        return None
    except TelegramAPIError as exc:
        first = _delay(exc, delays[0])
        log.warning(
            "Telegram refused the command menu (%s): the bot runs without it, retrying in %.0f s", exc, first
        )
    task = asyncio.create_task(_keep_trying(bot, translator, default_locale, first, delays), name="menu")

    async def stop_trying() -> None:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task

    dispatcher.shutdown.register(stop_trying)
    return task


async def _keep_trying(
    bot: Bot, translator: Translator, default_locale: str, first: float, delays: Sequence[float]
) -> None:
    delay, attempt = first, 1
    while True:
        await asyncio.sleep(delay)
        attempt += 1
        try:
            await set_default_commands(bot, translator, default_locale)
        except TelegramAPIError as exc:  # warned once already: the rest at debug level
            delay = _delay(exc, delays[min(attempt - 1, len(delays) - 1)])
            log.debug("the command menu was refused again (attempt %d): %s", attempt, exc)
        else:
            log.info("the command menu is set (attempt %d)", attempt)
            return


def _delay(exc: TelegramAPIError, planned: float) -> float:
    """The planned delay, or Telegram's flood wait when it names a longer one."""
    return max(float(exc.retry_after), planned) if isinstance(exc, TelegramRetryAfter) else planned
