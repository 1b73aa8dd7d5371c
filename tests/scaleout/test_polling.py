"""The polling loop (``bot/polling.py``) against the Bot API emulator: one person's slow update does not
hold another person's, one person's updates stay in order, the offset never passes an unfinished update,
and a redelivered update (sent again while it is unconfirmed) is handled once."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from aiogram import Bot, Dispatcher, Router
from aiogram.types import Message

from bot.polling import ConcurrentPolling
from botapi_emulator import Emulator, EmulatorSession
from tests.conftest import TEST_TOKEN

ANNA, BORIS = 501, 502


class Recorder:
    def __init__(self) -> None:
        self.started: list[tuple[int, str]] = []
        self.finished: list[tuple[int, str]] = []
        self.gate = asyncio.Event()

    def router(self) -> Router:
        router = Router()

        @router.message()
        async def handle(message: Message) -> None:
            assert message.from_user is not None and message.text is not None
            who = (message.from_user.id, message.text)
            self.started.append(who)
            if message.text == "slow":
                await self.gate.wait()
            self.finished.append(who)

        return router


@pytest.fixture
async def polled() -> AsyncIterator[tuple[Emulator, Recorder, ConcurrentPolling, asyncio.Task[None]]]:
    emu = Emulator(TEST_TOKEN, bot_username="rop_test_bot")
    emu.add_user(ANNA, "Анна")
    emu.add_user(BORIS, "Борис")
    recorder = Recorder()
    dp = Dispatcher()
    dp.include_router(recorder.router())
    bot = Bot(TEST_TOKEN, session=EmulatorSession(emu))
    polling = ConcurrentPolling(dp, bot, polling_timeout=1)
    task = asyncio.create_task(polling.run())
    try:
        yield emu, recorder, polling, task
    finally:
        recorder.gate.set()
        polling.stop()
        await asyncio.wait_for(task, 10)
        await bot.session.close()


async def test_a_slow_update_holds_neither_other_people_nor_the_order_nor_the_offset(polled) -> None:
    emu, recorder, polling, _ = polled
    slow = emu.send_text(ANNA, "slow")["update_id"]
    emu.send_text(ANNA, "after")
    emu.send_text(BORIS, "fast")

    # Boris is answered while Anna's first update still runs
    await emu.wait_for(lambda: (BORIS, "fast") in recorder.finished, timeout=10)
    assert (ANNA, "slow") in recorder.started and (ANNA, "slow") not in recorder.finished
    # Anna's second update waits for her first
    assert (ANNA, "after") not in recorder.started
    # the offset stays at Anna's unfinished update: Telegram would resend it after a crash
    await emu.wait_for(lambda: len(emu.calls_of("getUpdates")) >= 3, timeout=10)
    assert polling.confirm_point() == slow
    assert emu.pending_updates() == 3

    recorder.gate.set()
    await emu.wait_for(lambda: emu.pending_updates() == 0, timeout=10)
    assert [w for w in recorder.finished if w[0] == ANNA] == [(ANNA, "slow"), (ANNA, "after")]
    # the updates sent again while unconfirmed were not handled again
    assert sorted(recorder.started) == sorted([(ANNA, "slow"), (ANNA, "after"), (BORIS, "fast")])


async def test_sequential_mode_is_the_old_one_queue(polled) -> None:
    emu, recorder, polling, task = polled
    polling.stop()
    await asyncio.wait_for(task, 10)
    bot = polling.bot
    old = ConcurrentPolling(polling.dp, bot, polling_timeout=1, sequential=True)
    running = asyncio.create_task(old.run())
    try:
        emu.send_text(ANNA, "slow")
        emu.send_text(BORIS, "fast")
        await emu.wait_for(lambda: (ANNA, "slow") in recorder.started, timeout=10)
        await emu.wait_for(lambda: len(emu.calls_of("getUpdates")) >= 4, timeout=10)
        assert (BORIS, "fast") not in recorder.started  # behind Anna's, as before
        recorder.gate.set()
        await emu.wait_for(lambda: (BORIS, "fast") in recorder.finished, timeout=10)
    finally:
        old.stop()
        await asyncio.wait_for(running, 10)
