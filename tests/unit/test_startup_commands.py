"""``bot/commands.py`` at start-up: a refused menu warns once, is retried in the background (at least
Telegram's flood wait apart) until set, and the retrying stops with the dispatcher; a refused token is
``CannotStart`` with the line the command line prints."""

from __future__ import annotations

import logging

import pytest
from aiogram import Bot, Dispatcher

from bot.commands import CannotStart, check_token, publish_default_commands
from bot.i18n import default_translator
from botapi_emulator import Emulator, EmulatorSession
from tests.conftest import TEST_TOKEN

MENU_LOG = "bot.commands"


@pytest.fixture
def emu() -> Emulator:
    return Emulator(TEST_TOKEN, bot_username="rop_test_bot")


async def test_a_refused_menu_warns_once_and_is_set_by_a_later_attempt(
    emu: Emulator, caplog: pytest.LogCaptureFixture
) -> None:
    emu.refuse("setMyCommands", 500, "Internal Server Error", times=3)
    bot = Bot(TEST_TOKEN, session=EmulatorSession(emu))
    caplog.set_level(logging.DEBUG, MENU_LOG)
    task = await publish_default_commands(bot, default_translator(), "ru", Dispatcher(), delays=(0.01,))
    assert task is not None
    await task
    warnings = [r for r in caplog.records if r.name == MENU_LOG and r.levelno == logging.WARNING]
    assert len(warnings) == 1 and "Internal Server Error" in warnings[0].getMessage()
    assert [c.status for c in emu.calls_of("setMyCommands")][:4] == [500, 500, 500, 200]
    assert any("start" in str(commands) for commands in emu.commands.values())  # the menu is there
    assert "the command menu is set (attempt 4)" in caplog.text
    await bot.session.close()


async def test_a_flood_wait_is_honoured(emu: Emulator) -> None:
    emu.refuse("setMyCommands", 429, "Too Many Requests: retry after 1", times=1, retry_after=1)
    bot = Bot(TEST_TOKEN, session=EmulatorSession(emu))
    task = await publish_default_commands(bot, default_translator(), "ru", Dispatcher(), delays=(0.01,))
    assert task is not None
    await task
    first, second = emu.calls_of("setMyCommands")[:2]
    assert second.timestamp - first.timestamp >= 1  # Telegram's retry_after, not the planned 0.01 s
    await bot.session.close()


async def test_the_retrying_stops_with_the_dispatcher(emu: Emulator) -> None:
    emu.refuse("setMyCommands")  # for good
    bot = Bot(TEST_TOKEN, session=EmulatorSession(emu))
    dp = Dispatcher()
    task = await publish_default_commands(bot, default_translator(), "ru", dp, delays=(0.01,))
    assert task is not None
    await emu.wait_for(lambda: len(emu.calls_of("setMyCommands")) >= 3, timeout=10)  # it keeps trying
    await dp.emit_shutdown()
    assert task.cancelled()
    await bot.session.close()


async def test_a_menu_set_at_once_needs_no_retrying(emu: Emulator) -> None:
    bot = Bot(TEST_TOKEN, session=EmulatorSession(emu))
    assert await publish_default_commands(bot, default_translator(), "ru", Dispatcher()) is None
    assert len(emu.calls_of("setMyCommands")) == 3  # the default menu, then one per language
    await bot.session.close()


async def test_a_refused_token_cannot_start(emu: Emulator) -> None:
    wrong = TEST_TOKEN.split(":")[0] + ":WRONG-token-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
    bot = Bot(wrong, session=EmulatorSession(emu))
    with pytest.raises(CannotStart) as refused:
        await check_token(bot)
    assert refused.value.key == "cli-token-refused"
    assert "BOT_TOKEN" in default_translator().get("en", html=False)(refused.value.key)
    await bot.session.close()
    right = Bot(TEST_TOKEN, session=EmulatorSession(emu))
    assert (await check_token(right)).username == "rop_test_bot"
    await right.session.close()
