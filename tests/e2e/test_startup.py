"""Start-up survives what is not essential and stops, in one line, on what is: against a Bot API server
that refuses ``setMyCommands`` the real process starts, warns once and serves /start → /today → a button
press; with a token the server refuses it ends with one line and no traceback."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

import pytest

from botapi_emulator import Emulator
from tests.conftest import TEST_TOKEN
from tests.e2e.harness import ROOT, LiveBot, Person
from tests.e2e.test_onboarding import cli, invite_code

pytestmark = pytest.mark.e2e

REFUSAL = "Bad Request: BOT_COMMAND_DESCRIPTION_INVALID"
WEDNESDAY_MORNING = "2026-12-02T10:00:00+03:00"


async def test_a_refused_menu_warns_once_and_the_bot_serves(
    emulator: tuple[Emulator, str], sqlite_url: str, tmp_path: Path
) -> None:
    emu, base_url = emulator
    emu.refuse("setMyCommands", 400, REFUSAL)  # every call, for the whole test
    clock = tmp_path / "clock.txt"  # a working day: «сегодня» typed on a weekend is rightly questioned
    clock.write_text(WEDNESDAY_MORNING)
    bot = LiveBot(emu, base_url, TEST_TOKEN, sqlite_url, tmp_path, env={"ROP_TEST_CLOCK_FILE": str(clock)})
    await bot.start()
    try:
        head = Person(emu, 101, "Ирина")
        code = invite_code(await cli(bot, "team", "create", "Продажи"))
        await head.send(f"/start {code}", expect="Добро пожаловать")
        await head.send("/newclient Альфа", expect="создан")
        await head.send("/add Альфа: позвонить ЛПР и согласовать встречу сегодня", expect="Задача добавлена")
        listing = await head.send("/today", expect="План на")
        answer = await head.press(listing, "✅ 1")
        assert "Сделано!" in (answer.text or ""), answer
        await head.send("/help", expect="/today")  # handled one at a time: the press is finished too
        assert bot.proc is not None and bot.proc.returncode is None  # still running
    finally:
        await bot.stop()
    log = bot.log_text()
    assert log.count("Telegram refused the command menu") == 1, log[-5000:]
    assert REFUSAL in log and "Traceback" not in log, log[-5000:]
    assert emu.calls_of("setMyCommands") and not emu.commands  # it was asked, and no menu was set


async def test_a_refused_token_ends_with_one_line(emulator: tuple[Emulator, str], sqlite_url: str) -> None:
    emu, base_url = emulator
    wrong = TEST_TOKEN.split(":")[0] + ":WRONG-token-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
    env = LiveBot(emu, base_url, wrong, sqlite_url, ROOT).environment()
    env.pop("LOG_LEVEL")  # as a person runs it
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "run", cwd=ROOT, env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
    )  # fmt: skip
    out, _ = await asyncio.wait_for(proc.communicate(), 90)
    lines = out.decode().strip().splitlines()
    assert proc.returncode == 2
    assert lines == [
        "Telegram не принял токен: проверьте BOT_TOKEN (его выдаёт @BotFather, команда /mybots → API Token)."
    ], out.decode()
    assert [c.status for c in emu.calls] == [401]  # it asked once and stopped
