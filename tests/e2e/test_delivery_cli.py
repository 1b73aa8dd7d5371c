"""``python -m bot job <kind> --team --date`` enqueues and delivers now, once however often it runs, and
honours the calendar; ``python -m bot outbox`` shows the team's outbox."""

from __future__ import annotations

import asyncio
import sys
from datetime import time as dtime
from pathlib import Path

import pytest

from bot.config import load_settings
from bot.i18n import default_translator
from botapi_emulator import Emulator
from domain.enums import Role
from scheduler.cli import run_job_command
from storage.db import create_engine, create_session_pool
from storage.models import Member, Team
from tests.conftest import TEST_TOKEN
from tests.e2e.harness import ROOT, LiveBot

pytestmark = pytest.mark.e2e


async def run_cli(bot: LiveBot, *args: str) -> tuple[int, str, str]:
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        *args,
        cwd=ROOT,
        env=bot.environment(),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await proc.communicate()
    return proc.returncode or 0, out.decode(), err.decode()


async def test_job_and_outbox_commands(
    emulator: tuple[Emulator, str],
    sqlite_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    emu, base_url = emulator
    engine = create_engine(sqlite_url)
    async with create_session_pool(engine)() as session, session.begin():
        team = Team(name="Продажи", timezone="Europe/Moscow", morning_at=dtime(9))
        session.add(team)
        await session.flush()
        session.add_all(
            Member(team_id=team.id, tg_id=900 + i, name=f"Менеджер {i}", role=Role.MANAGER) for i in range(3)
        )
    await engine.dispose()
    for i in range(3):
        emu.add_user(900 + i, started=True)
    clock = tmp_path / "clock.txt"
    clock.write_text("2025-10-27T07:00:00+03:00")  # Monday, before the morning's time: the job runs it now
    bot = LiveBot(emu, base_url, TEST_TOKEN, sqlite_url, tmp_path, env={"ROP_TEST_CLOCK_FILE": str(clock)})

    code, out, err = await run_cli(bot, "job", "morning", "--team", "Продажи", "--date", "2025-10-27")
    assert code == 0, err
    assert "отправлено 3" in out, out
    assert {m.chat_id for m in emu.sent()} == {900, 901, 902}
    code, out, _ = await run_cli(bot, "outbox", "--team", "Продажи")
    assert code == 0
    assert "Команда «Продажи» (Europe/Moscow), сегодня 2025-10-27" in out
    assert "отправлены 3" in out and "отправлено за сегодня: 3" in out

    # the rest in this process (the same functions the command line calls; starting Python is slow)
    monkeypatch.setenv("ROP_TEST_CLOCK_FILE", str(clock))
    settings = load_settings(
        bot_token=TEST_TOKEN, database_url=sqlite_url, telegram_api_url=base_url, _env_file=None
    )
    t = default_translator().get("ru", html=False)
    assert await run_job_command(settings, t, None, None, None) == 0
    listed = capsys.readouterr().out
    assert all(name in listed for name in ("morning", "evening", "tick"))
    sent = len(emu.sent())
    assert await run_job_command(settings, t, "morning", "Продажи", "2025-10-27") == 0
    assert "новых в очереди 0" in capsys.readouterr().out and len(emu.sent()) == sent  # once
    assert await run_job_command(settings, t, "morning", "Продажи", "2025-11-02") == 0
    assert "получателей 0" in capsys.readouterr().out  # a Sunday: nobody works
    assert await run_job_command(settings, t, "morning", None, "27.10.2025") == 2
    assert "ГГГГ-ММ-ДД" in capsys.readouterr().err
