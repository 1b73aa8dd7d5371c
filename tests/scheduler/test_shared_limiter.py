"""The send limiter shared through Redis: two limiters with their own Redis clients stand for two bot
processes. Real time and the real server; small rates keep it short. Sends are timestamped when
``acquire`` returns and checked against Telegram's limits as the emulator models them."""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable

import pytest
from redis.asyncio import Redis

from bot.config import load_settings
from botapi_emulator.limits import RateLimiter, RateLimits
from scheduler.limiter import SendLimiter
from scheduler.runner import limiter_from_settings
from scheduler.shared_limiter import RedisSendLimiter
from tests.conftest import REDIS_URL, TEST_TOKEN, need_service

#: A dispatcher here limits under the one test token's Redis keys: one Redis test at a time (xdist).
pytestmark = [pytest.mark.redis, pytest.mark.xdist_group("redis")]

LIMIT = 50  # the "Telegram" of these tests: at most this many sends in any second
RATE = 45.0  # the limiter's rate, a little under the limit as in production (28 under 30): the margin
# absorbs the timer jitter between the reserved slot and the instant ``acquire`` returns
Factory = Callable[..., RedisSendLimiter]


@pytest.fixture
async def shared() -> AsyncIterator[Factory]:
    """Builds limiters of one bot under a key prefix of this test only; removes the keys afterwards."""
    need_service("Redis", "127.0.0.1", 6379)
    prefix = f"test:limit:{uuid.uuid4().hex[:12]}"
    made: list[RedisSendLimiter] = []

    def make(**knobs: object) -> RedisSendLimiter:
        lim = RedisSendLimiter(Redis.from_url(REDIS_URL), 4242, prefix=prefix, **knobs)  # type: ignore[arg-type]
        made.append(lim)
        return lim

    yield make
    admin = Redis.from_url(REDIS_URL)
    keys = [k async for k in admin.scan_iter(match=f"{prefix}:*")]
    if keys:
        await admin.delete(*keys)
    await admin.aclose()
    for lim in made:
        await lim.aclose()


Acquire = Callable[[int, bool], Awaitable[None]]


async def fan_out(limiters: list[Acquire], chats: list[int], workers: int = 4) -> list[tuple[float, int]]:
    """Each limiter (a process) sends with ``workers`` concurrent tasks, as the deliverer does, taking
    chats in turn from one queue; returns (instant, chat) of each send, in order."""
    queue = list(reversed(chats))
    sent: list[tuple[float, int]] = []

    async def worker(acquire: Acquire) -> None:
        while queue:
            chat = queue.pop()
            await acquire(chat, False)
            sent.append((time.monotonic(), chat))

    await asyncio.gather(*(worker(a) for a in limiters for _ in range(workers)))
    return sorted(sent)


def busiest_second(times: list[float]) -> int:
    """The most sends in any half-open window of one second."""
    best, start = 0, 0
    for end, t in enumerate(times):
        while times[start] <= t - 1.0:
            start += 1
        best = max(best, end - start + 1)
    return best


def refused(sent: list[tuple[float, int]], **limits: object) -> int:
    model = RateLimiter(RateLimits(**limits))  # type: ignore[arg-type]
    return sum(model.check(chat, t) is not None for t, chat in sent)


async def test_two_processes_together_keep_one_rate(shared: Factory) -> None:
    a, b = shared(rate=RATE), shared(rate=RATE)
    sent = await fan_out([a.acquire, b.acquire], list(range(1, 101)))
    times = [t for t, _ in sent]
    peak = busiest_second(times)
    achieved = (len(times) - 1) / (times[-1] - times[0])
    print(f"two shared limiters at {RATE:g}/s: busiest second {peak} sends, {achieved:.1f} sends/s overall")
    assert a.shared and b.shared and a.fallbacks == b.fallbacks == 0
    assert a.reserved > 20 and b.reserved > 20  # both processes really sent
    assert peak <= LIMIT
    assert refused(sent, per_second=LIMIT) == 0
    assert achieved >= 0.85 * RATE  # and the rate is used, not wasted
    # nothing is left in Redis without an expiry
    redis = a.redis
    keys = [k async for k in redis.scan_iter(match=a._state.rsplit(":", 1)[0] + ":*")]
    ttls = {k.decode(): await redis.pttl(k) for k in keys}  # -2: expired meanwhile; -1: no expiry
    assert {a._state, a._window} <= set(ttls)
    assert all(ttl == -2 or 0 <= ttl <= 5000 for ttl in ttls.values()), ttls


async def test_control_two_in_process_limiters_send_twice_the_rate() -> None:
    """What the shared limiter prevents: each process with its own limiter at the rate."""
    a, b = SendLimiter(RATE), SendLimiter(RATE)
    sent = await fan_out([a.acquire, b.acquire], list(range(1, 71)))
    assert busiest_second([t for t, _ in sent]) > LIMIT
    assert refused(sent, per_second=LIMIT) > 0


async def test_one_chat_gets_its_burst_then_its_pace_across_processes(shared: Factory) -> None:
    a, b = shared(rate=RATE, chat_rate=5.0, chat_burst=3), shared(rate=RATE, chat_rate=5.0, chat_burst=3)
    sent = await fan_out([a.acquire, b.acquire], [77] * 8, workers=2)
    times = [t for t, _ in sent]
    assert a.reserved and b.reserved
    # never early: after the burst of three, the k-th next send at least k intervals (1 / chat_rate, 0.2 s)
    # after the first, whatever the timers' jitter (a late wake-up may shorten one gap, never the total)
    for k, t in enumerate(times[3:], 1):
        assert t - times[0] >= 0.2 * k - 0.005, (k, t - times[0])
    assert refused(sent, per_second=LIMIT, per_chat_per_second=5.0, burst=3) == 0
    # and the pace is kept, not wasted: five intervals (1 s) and a generous allowance for a loaded machine
    assert times[-1] - times[0] < 3.0


async def test_pauses_from_one_process_hold_the_other(shared: Factory) -> None:
    a, b = shared(rate=RATE), shared(rate=RATE)
    start = time.monotonic()
    a.pause_chat(42, 0.4)
    await a.flush()
    await b.acquire(43)
    other = time.monotonic() - start
    await b.acquire(42)
    paused_chat = time.monotonic() - start
    assert paused_chat >= 0.4
    assert other < paused_chat - 0.3  # another chat went at once, long before the paused one

    start = time.monotonic()
    a.pause_all(0.5)
    await a.flush()
    await b.acquire(44)
    assert time.monotonic() - start >= 0.5


async def test_a_group_gets_one_message_in_three_seconds_across_processes(shared: Factory) -> None:
    a, b = shared(rate=RATE), shared(rate=RATE)
    done: dict[str, float] = {}
    start = time.monotonic()

    async def send(name: str, lim: RedisSendLimiter, chat: int) -> None:
        await lim.acquire(chat)
        done[name] = time.monotonic() - start

    await asyncio.gather(send("a", a, -100), send("b", b, -100), send("private", b, 5))
    first, second = sorted((done["a"], done["b"]))
    assert second - first >= 3.0
    assert done["private"] < second - 2.0  # the waiting group holds up nobody


async def test_after_a_paid_burst_an_ordinary_send_waits_for_the_window(shared: Factory) -> None:
    a, b = shared(rate=RATE, paid_rate=200.0), shared(rate=RATE, paid_rate=200.0)
    paid: list[float] = []
    for _ in range(60):
        await a.acquire(1000 + len(paid), True)
        paid.append(time.monotonic())
    achieved = (len(paid) - 1) / (paid[-1] - paid[0])
    await b.acquire(9999)
    after = time.monotonic()
    assert achieved <= 205  # never faster than the paid rate (a loaded machine can only slow it)
    assert achieved > 1.5 * RATE  # the paid spacing, not the ordinary one
    assert after >= paid[-int(RATE)] + 1.0 - 0.01  # the last second holds fewer than RATE sends


async def test_without_redis_the_process_paces_alone_and_warns_once(caplog: pytest.LogCaptureFixture) -> None:
    lim = RedisSendLimiter(
        Redis.from_url("redis://127.0.0.1:1/0", socket_connect_timeout=1), 1, rate=RATE, chat_burst=1
    )
    caplog.set_level(logging.WARNING, "scheduler.shared_limiter")
    try:
        start = time.monotonic()
        lim.pause_chat(7, 0.3)
        for chat in (1, 2, 3):
            await lim.acquire(chat)
        await lim.acquire(7)
        elapsed = time.monotonic() - start
    finally:
        await lim.aclose()
    assert not lim.shared and lim.fallbacks == 4
    assert elapsed >= 0.3  # the pause still counts, in this process
    assert len([r for r in caplog.records if "Redis unreachable" in r.getMessage()]) == 1


async def test_the_runner_shares_the_limiter_only_with_redis() -> None:
    alone = limiter_from_settings(load_settings(bot_token=TEST_TOKEN, _env_file=None, send_rate=20))
    assert type(alone) is SendLimiter and alone.rate == 20
    settings = load_settings(bot_token=TEST_TOKEN, redis_url=REDIS_URL, _env_file=None, send_chat_burst=2)
    lim = limiter_from_settings(settings)  # no connection is made until the first send
    try:
        assert isinstance(lim, RedisSendLimiter)
        assert lim.chat_burst == 2 and lim._state.startswith(f"rop:limit:{{{settings.bot_id}}}:")
    finally:
        await lim.aclose()  # type: ignore[attr-defined]
