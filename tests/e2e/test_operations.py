"""What an operator sees of a running bot: ``/metrics`` after a morning fan-out, from the real process."""

from __future__ import annotations

import asyncio
import re
from datetime import time as dtime
from pathlib import Path

import aiohttp
import pytest

from botapi_emulator import Emulator
from domain.enums import Role
from storage.models import Member, Team
from tests.conftest import TEST_TOKEN
from tests.e2e.harness import LiveBot, opened
from tests.e2e.webhook_harness import free_port

pytestmark = pytest.mark.e2e

MANAGERS = 3


def sample(body: str, name: str, **labels: str) -> float | None:
    """The value of one sample of the Prometheus text ``body`` (None: absent)."""
    want = ",".join(f'{k}="{v}"' for k, v in sorted(labels.items()))
    for line in body.splitlines():
        match = re.fullmatch(r"([a-z_]+)(?:\{(.*)\})? (\S+)", line)
        if match is None or match[1] != name:
            continue
        got = ",".join(sorted((match[2] or "").split(","))) if match[2] else ""
        if got == want:
            return float(match[3])
    return None


async def scrape(port: int) -> str:
    async with aiohttp.ClientSession() as http, http.get(f"http://127.0.0.1:{port}/metrics") as response:
        assert response.status == 200
        assert response.headers["Content-Type"].startswith("text/plain")
        return await response.text()


async def test_metrics_after_a_morning_fan_out(
    emulator: tuple[Emulator, str], sqlite_url: str, tmp_path: Path
) -> None:
    emu, base_url = emulator
    async with opened(sqlite_url) as pool, pool() as session, session.begin():
        team = Team(name="Продажи", timezone="Europe/Moscow", morning_at=dtime(9))
        session.add(team)
        await session.flush()
        session.add_all(
            Member(team_id=team.id, tg_id=700 + i, name=f"Менеджер {i}", role=Role.MANAGER)
            for i in range(MANAGERS)
        )
    for i in range(MANAGERS):
        emu.add_user(700 + i, started=True)
    clock = tmp_path / "clock.txt"
    clock.write_text("2025-10-27T09:00:30+03:00")  # a Monday, the morning just due
    port = free_port()
    bot = LiveBot(
        emu,
        base_url,
        TEST_TOKEN,
        sqlite_url,
        tmp_path,
        env={"HEALTH_PORT": str(port), "ROP_TEST_CLOCK_FILE": str(clock), "SCHEDULER_TICK_SECONDS": "0.5"},
    )
    await bot.start()
    try:
        await emu.wait_for(lambda: {m.chat_id for m in emu.sent()} >= {700, 701, 702}, timeout=60)
        emu.add_user(799)
        emu.send_text(799, "/help")  # an update: a stranger gets the polite refusal
        await emu.wait_for(lambda: any(m.chat_id == 799 for m in emu.sent()), timeout=30)

        body = await scrape(port)
        for _ in range(100):  # a bounded poll: the rows are marked sent just after the sends answer
            if sample(body, "rop_outbox_backlog") == 0:
                break
            await asyncio.sleep(0.1)
            body = await scrape(port)
        assert sample(body, "rop_outbox_backlog") == 0, body
        assert sample(body, "rop_outbox_oldest_due_seconds") == 0
        sent_ok = sample(body, "rop_telegram_requests_total", method="SendMessage", result="ok")
        assert sent_ok is not None and sent_ok >= MANAGERS + 1, body
        assert sample(body, "rop_telegram_requests_total", method="SendMessage", result="429") is None
        # the stranger's message was stopped (politely refused) before any handler: "dropped"
        assert sample(body, "rop_updates_total", kind="message", outcome="dropped") == 1, body
        assert (sample(body, "rop_update_duration_seconds_count", kind="message") or 0) >= 1
        tick_age = sample(body, "rop_scheduler_tick_age_seconds")
        assert tick_age is not None and 0 <= tick_age < 60, body
        assert sample(body, "rop_database_up") == 1
    finally:
        await bot.stop()
