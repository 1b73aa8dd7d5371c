from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from botapi_emulator import Emulator, run_emulator
from tests.conftest import TEST_TOKEN
from tests.e2e.harness import LiveBot, running

pytestmark = pytest.mark.e2e


@pytest.fixture
async def emulator() -> AsyncIterator[tuple[Emulator, str]]:
    emu = Emulator(TEST_TOKEN, bot_username="rop_test_bot")
    async with run_emulator(emu) as base_url:
        yield emu, base_url


@pytest.fixture
async def live_bot(emulator: tuple[Emulator, str], sqlite_url: str, tmp_path: Path) -> AsyncIterator[LiveBot]:
    async with running(emulator, sqlite_url, tmp_path) as bot:
        yield bot
