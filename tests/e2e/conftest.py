from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from botapi_emulator import Emulator, run_emulator
from tests.conftest import TEST_TOKEN
from tests.e2e.harness import LiveBot

pytestmark = pytest.mark.e2e


@pytest.fixture
async def emulator() -> AsyncIterator[tuple[Emulator, str]]:
    emu = Emulator(TEST_TOKEN, bot_username="rop_test_bot")
    async with run_emulator(emu) as base_url:
        yield emu, base_url


@pytest.fixture
async def live_bot(emulator: tuple[Emulator, str], sqlite_url: str, tmp_path: Path) -> AsyncIterator[LiveBot]:
    emu, base_url = emulator
    bot = LiveBot(emu, base_url, TEST_TOKEN, sqlite_url, tmp_path)
    await bot.start()
    try:
        yield bot
    finally:
        await bot.stop()
        # shown by pytest only when the test failed: the bot's own account of what happened
        print("---- bot log (tail) ----\n" + bot.log_text()[-20000:])
