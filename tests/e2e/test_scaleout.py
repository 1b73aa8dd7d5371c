"""No reply lost, none recorded twice: the real bot process is killed with SIGKILL in the middle of a
burst of ``/add`` commands, restarted, and every task the burst asked for exists exactly once; every
update id is recorded as processed; a second reply can only come from an update in flight at the kill.
Once in long polling (the offset is confirmed only up to the lowest unfinished update, so the restart
gets the unconfirmed ones again and the processed ids make the committed ones a no-op), once in webhook
mode (the dead process never answered 200, so the delivery is retried). Also: the secret is refused
when wrong, the logs hold neither the token nor the webhook secret, /healthz answers in both modes."""

from __future__ import annotations

import asyncio
import signal
from collections import Counter
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.polling import MAX_IN_FLIGHT
from botapi_emulator import Emulator, Fault, run_emulator
from botapi_emulator.webhook import SECRET_HEADER, WebhookPusher
from domain.enums import Stage
from storage.models import Client, ProcessedUpdate, Task
from tests.conftest import TEST_TOKEN
from tests.e2e.harness import LiveBot, next_working_day, opened
from tests.e2e.webhook_harness import WEBHOOK_SECRET, LiveWebhookBot, free_port
from tests.handlers.conftest import make_team

pytestmark = pytest.mark.e2e

MANAGERS = 20
PER_MANAGER = 5  # 100 commands; under the flood limit of each person (burst 8)
DONE = "Задача добавлена"


@pytest.fixture
async def emulator() -> AsyncIterator[tuple[Emulator, str]]:
    emu = Emulator(TEST_TOKEN, bot_username="rop_test_bot")
    async with run_emulator(emu) as base_url:
        yield emu, base_url


async def seed(pool: async_sessionmaker[AsyncSession], emu: Emulator) -> list[int]:
    """A team of managers, each with a client «Альфа»; returns the managers' Telegram ids."""
    team, _head, managers = await make_team(pool, "Отдел продаж", 5000, managers=MANAGERS)
    async with pool() as s, s.begin():
        for m in managers:
            s.add(Client(team_id=team.id, owner_id=m.id, name="Альфа", name_key="альфа", stage=Stage.NEW))
    for m in managers:
        emu.add_user(m.tg_id, m.name)
    return [m.tg_id for m in managers]


def burst(emu: Emulator, users: list[int]) -> dict[int, str]:
    """Each manager adds PER_MANAGER distinct tasks, interleaved; returns update id → action."""
    sent = {}
    for n in range(PER_MANAGER):
        for tg in users:
            action = f"отправить договор номер {tg}-{n}"
            sent[emu.send_text(tg, f"/add Альфа: {action} {next_working_day()}")["update_id"]] = action
    return sent


def replies(emu: Emulator, users: list[int]) -> int:
    return sum(1 for tg in users for m in emu.sent(tg) if DONE in m.plain_text)


async def wait_all_recorded(pool: async_sessionmaker[AsyncSession], count: int, bot: LiveBot) -> None:
    try:
        async with asyncio.timeout(90):
            while True:
                async with pool() as s:
                    if await s.scalar(select(func.count()).select_from(ProcessedUpdate)) >= count:
                        return
                await asyncio.sleep(0.2)
    except TimeoutError:
        raise AssertionError(f"not every update was handled:\n{bot.log_text()[-5000:]}") from None


async def check_each_once(
    pool: async_sessionmaker[AsyncSession],
    emu: Emulator,
    users: list[int],
    sent: dict[int, str],
    in_flight: int,
) -> None:
    async with pool() as s:
        actions = Counter((await s.scalars(select(Task.action))).all())
        processed = set((await s.scalars(select(ProcessedUpdate.update_id))).all())
    assert set(actions) == set(sent.values()), "every command made its task"
    assert set(actions.values()) == {1}, f"recorded twice: {[a for a, n in actions.items() if n > 1]}"
    assert set(sent) <= processed
    got = replies(emu, users)
    assert len(sent) <= got <= len(sent) + in_flight, (got, in_flight)


async def test_polling_bot_killed_mid_burst_loses_nothing_and_repeats_nothing(
    emulator: tuple[Emulator, str], sqlite_url: str, tmp_path: Path
) -> None:
    """Polling runs on SQLite here (the one-process set-up), webhook mode on PostgreSQL (the scaled-out
    one): each bot start costs seconds, so each mode runs on the database it is meant for."""
    async with opened(sqlite_url) as pool:
        await polling_kill(emulator, sqlite_url, pool, tmp_path)


async def polling_kill(
    emulator: tuple[Emulator, str], db_url: str, pool: async_sessionmaker[AsyncSession], tmp_path: Path
) -> None:
    emu, base_url = emulator
    users = await seed(pool, emu)
    health_port = free_port()
    bot = LiveBot(emu, base_url, TEST_TOKEN, db_url, tmp_path, env={"HEALTH_PORT": str(health_port)})
    await bot.start()
    try:
        async with (
            aiohttp.ClientSession() as http,
            http.get(f"http://127.0.0.1:{health_port}/healthz") as response,
        ):
            body = await response.json()
            assert response.status == 200 and body["database"]["ok"], body

        sent = burst(emu, users)
        await emu.wait_for(lambda: replies(emu, users) >= len(sent) * 2 // 5, timeout=60)
        await bot.kill()
        handled_before = replies(emu, users)
        assert handled_before < len(sent), "the kill came too late to prove anything"

        await bot.start()
        await wait_all_recorded(pool, len(sent), bot)
        # different people's updates at once (bot/polling.py): at most MAX_IN_FLIGHT were cut off
        # between their reply and their commit
        await check_each_once(pool, emu, users, sent, in_flight=MAX_IN_FLIGHT)
        # the first process had taken the whole burst (one poll); the restarted one got again those it
        # had not confirmed. Committed ones among them are skipped (outcome=duplicate), but with the
        # offset confirmed at the lowest unfinished update right after each commit there may be none.
        restarted = bot.logs[-1].read_text(encoding="utf-8", errors="replace")
        assert any(f"update={uid} " in restarted for uid in sent), "the restart got the unconfirmed again"
    finally:
        await bot.stop()


@pytest.mark.postgres
async def test_webhook_bot_killed_mid_burst_loses_nothing_and_repeats_nothing(
    emulator: tuple[Emulator, str], postgres_url: str, tmp_path: Path
) -> None:
    async with opened(postgres_url) as pool:
        await webhook_kill(emulator, postgres_url, pool, tmp_path)


async def webhook_kill(
    emulator: tuple[Emulator, str], db_url: str, pool: async_sessionmaker[AsyncSession], tmp_path: Path
) -> None:
    emu, base_url = emulator
    users = await seed(pool, emu)
    bot = LiveWebhookBot(emu, base_url, TEST_TOKEN, db_url, tmp_path)
    connections = 4
    async with WebhookPusher(emu, [bot.base], retry_delay=0.1, max_connections=connections) as pusher:
        await bot.start()
        try:
            # the secret is checked by the real process
            async with aiohttp.ClientSession() as http:
                for headers in ({}, {SECRET_HEADER: "wrong-wrong-wrong-wrong"}):
                    async with http.post(f"{bot.base}/tg/hook", json={"update_id": 1}, headers=headers) as r:
                        assert r.status == 401
            status, body = await bot.health()
            assert status == 200 and body["database"]["ok"], body
            assert body["scheduler"]["ok"] and body["scheduler"]["state"] in ("beating", "running"), body
            assert isinstance(body["outbox"]["backlog"], int)

            sent = burst(emu, users)
            await emu.wait_for(lambda: replies(emu, users) >= len(sent) * 2 // 5, timeout=60)
            await bot.kill()
            assert replies(emu, users) < len(sent), "the kill came too late to prove anything"
            await emu.wait_for(lambda: any(d.status is None for d in pusher.deliveries), timeout=10)

            await bot.start()
            await wait_all_recorded(pool, len(sent), bot)
            await emu.wait_for(lambda: emu.pending_updates() == 0, timeout=30)
            await check_each_once(pool, emu, users, sent, in_flight=connections)
            await graceful_stop_finishes_the_request_in_flight(bot, pusher, pool, emu, users[0])
        finally:
            await bot.stop()

    logs = bot.log_text()
    assert "type=message user=" in logs and "handler=handlers.add.start_add outcome=handled" in logs
    for secret in (TEST_TOKEN.split(":", 1)[1], WEBHOOK_SECRET):
        assert secret not in logs, "a secret leaked into the log"


async def graceful_stop_finishes_the_request_in_flight(
    bot: LiveWebhookBot,
    pusher: WebhookPusher,
    pool: async_sessionmaker[AsyncSession],
    emu: Emulator,
    user: int,
) -> None:
    """SIGTERM (a deploy) while a reply is on its way: the process waits for the request, which commits
    and answers 200, and only then closes the bot's session and exits."""
    emu.inject(user, Fault.timeout(1.5))  # the reply is delivered; its answer comes 1.5 s later
    update = emu.send_text(user, f"/add Альфа: отправить договор номер последний {next_working_day()}")
    await emu.wait_for(lambda: any("номер последний" in m.plain_text for m in emu.sent(user)), timeout=30)
    assert bot.proc is not None
    bot.proc.send_signal(signal.SIGTERM)
    assert await asyncio.wait_for(bot.proc.wait(), 30) == 0, bot.log_text()[-3000:]
    assert [d.status for d in pusher.delivered(update["update_id"])] == [200]
    async with pool() as s:
        assert await s.get(ProcessedUpdate, update["update_id"]) is not None
        assert (
            await s.scalar(select(func.count()).select_from(Task).where(Task.action.contains("последний")))
            == 1
        )
