"""The shared send limiter keeps inside Telegram's limits, checked against the emulator's own model of
them (a sliding second per bot, a token bucket per chat), and gets close to them."""

from __future__ import annotations

import asyncio
import itertools
import time

import pytest

from botapi_emulator.limits import RateLimiter, RateLimits
from scheduler.limiter import SendLimiter


class FakeTime:
    def __init__(self) -> None:
        self.now = 1000.0

    def monotonic(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += seconds


def limiter(clock: FakeTime, **kwargs: object) -> SendLimiter:
    return SendLimiter(monotonic=clock.monotonic, sleep=clock.sleep, **kwargs)  # type: ignore[arg-type]


async def sends(lim: SendLimiter, clock: FakeTime, chats: list[int], paid: bool = False) -> list[float]:
    times = []
    for chat in chats:
        await lim.acquire(chat, paid)
        times.append(clock.now)
    return times


def telegram_accepts(times: list[float], chats: list[int], paid: bool = False, **limits: object) -> int:
    """How many of the sends Telegram's limits (as the emulator models them) would refuse."""
    model = RateLimiter(RateLimits(**limits))  # type: ignore[arg-type]
    return sum(model.check(chat, t, paid=paid) is not None for t, chat in zip(times, chats, strict=True))


async def test_a_thousand_chats_at_just_under_thirty_a_second() -> None:
    clock = FakeTime()
    chats = list(range(1, 1001))
    times = await sends(limiter(clock), clock, chats)
    assert telegram_accepts(times, chats) == 0
    rate = (len(times) - 1) / (times[-1] - times[0])
    assert 27.5 <= rate <= 28.0


@pytest.mark.parametrize("rate", [29.0, 30.0])
async def test_even_at_the_limit_no_second_holds_more_than_allowed(rate: float) -> None:
    clock = FakeTime()
    chats = list(range(1, 301))
    times = await sends(limiter(clock, rate=rate), clock, chats)
    assert telegram_accepts(times, chats) == 0


async def test_one_chat_gets_a_short_burst_then_about_one_a_second() -> None:
    clock = FakeTime()
    chats = [7] * 8
    times = await sends(limiter(clock), clock, chats)
    assert times[2] - times[0] < 0.2  # the burst of three
    gaps = [b - a for a, b in itertools.pairwise(times[2:])]
    assert all(1.0 < g <= 1.2 for g in gaps)
    assert telegram_accepts(times, chats) == 0


async def test_groups_get_twenty_a_minute() -> None:
    clock = FakeTime()
    chats = [-100] * 21
    times = await sends(limiter(clock), clock, chats)
    assert times[20] - times[0] >= 60.0


async def test_paid_broadcast_goes_much_faster_within_its_limit() -> None:
    clock = FakeTime()
    chats = list(range(1, 2001))
    times = await sends(limiter(clock, paid_rate=900.0), clock, chats, paid=True)
    assert telegram_accepts(times, chats, paid=True) == 0
    assert (len(times) - 1) / (times[-1] - times[0]) > 850
    # an ordinary send right after waits until the last second holds fewer than the free limit
    await sends(limiter(clock), clock, [5000])
    lim = limiter(clock, paid_rate=900.0)
    paid_times = await sends(lim, clock, list(range(1, 101)), paid=True)
    (after,) = await sends(lim, clock, [9999])
    assert after >= paid_times[-28] + 1.0


async def test_retry_after_pauses_that_chat_only() -> None:
    clock = FakeTime()
    lim = limiter(clock)
    lim.pause_chat(42, 5)
    start = clock.now
    (other,) = await sends(lim, clock, [43])
    assert other - start < 0.1
    (paused,) = await sends(lim, clock, [42])
    assert paused - start >= 5.0


async def test_a_busy_chat_does_not_hold_up_the_others() -> None:
    """Real time, small numbers: five messages to one chat at 20 a second, one to another chat."""
    lim = SendLimiter(1000.0, chat_rate=20.0, chat_burst=1)
    done: dict[str, float] = {}
    start = time.monotonic()

    async def busy() -> None:
        for _ in range(5):
            await lim.acquire(1)
        done["busy"] = time.monotonic() - start

    async def other() -> None:
        await asyncio.sleep(0.01)
        await lim.acquire(2)
        done["other"] = time.monotonic() - start

    await asyncio.gather(busy(), other())
    assert done["busy"] >= 0.2
    assert done["other"] < done["busy"] - 0.1  # the other chat was not held behind the busy one


class StallingTime(FakeTime):
    """Time that moves in steps of 10 ms, driven from outside, with one stall: the event loop was busy
    for ``stall`` seconds (composing a batch), so every sender due meanwhile wakes at its end."""

    async def sleep(self, seconds: float) -> None:
        target = self.now + seconds
        while self.now < target:  # noqa: ASYNC110 (a fake clock: the driver moves time between yields)
            await asyncio.sleep(0)

    async def run(self, until: asyncio.Future[None], stall_at: float, stall: float) -> None:
        start = self.now
        while not until.done():
            stalled = stall_at <= self.now - start < stall_at + 0.01
            self.now += stall if stalled else 0.01
            for _ in range(20):
                await asyncio.sleep(0)


async def test_senders_waking_late_after_a_stall_do_not_burst_over_the_limit() -> None:
    clock = StallingTime()
    lim = limiter(clock)
    chats = iter(range(1, 201))
    sent: list[tuple[float, int]] = []

    async def sender() -> None:
        for chat in chats:
            await lim.acquire(chat)
            sent.append((clock.now, chat))

    workers = asyncio.gather(*(sender() for _ in range(8)))
    await clock.run(workers, stall_at=2.0, stall=0.6)
    await workers
    times, order = zip(*sorted(sent), strict=True)
    assert len(times) == 200
    assert telegram_accepts(list(times), list(order)) == 0
