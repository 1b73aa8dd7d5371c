"""The shared limiter keeps each CRM's published rule, measured on the real clock in short windows."""

from __future__ import annotations

import asyncio
import time

import pytest

from crm.limiter import LeakyBucket, SlidingWindow, shared


async def _stamps(limiter, n: int) -> list[float]:  # type: ignore[no-untyped-def]
    stamps: list[float] = []

    async def one() -> None:
        await limiter.acquire()
        stamps.append(time.monotonic())

    await asyncio.gather(*(one() for _ in range(n)))
    return sorted(stamps)


async def test_sliding_window_never_lets_more_than_n_into_any_period() -> None:
    stamps = await _stamps(SlidingWindow(5, 0.2, guard=0.01), 16)
    assert all(stamps[i + 5] - stamps[i] >= 0.2 for i in range(len(stamps) - 5))
    assert stamps[-1] - stamps[0] < 0.2 * 3 + 0.3  # and does not wait much longer than it must


async def test_leaky_bucket_allows_its_burst_then_its_rate() -> None:
    bucket = LeakyBucket(10, 50.0, margin=0)
    stamps = await _stamps(bucket, 30)
    burst = [s for s in stamps if s - stamps[0] < 0.01]
    assert len(burst) == 10
    # 20 more at 50 a second: about 0.4 s
    assert 0.35 <= stamps[-1] - stamps[0] < 0.7


async def test_backoff_pauses_everyone() -> None:
    window = SlidingWindow(100, 1.0)
    window.backoff(0.2)
    start = time.monotonic()
    await window.acquire()
    assert time.monotonic() - start >= 0.19


def test_one_limiter_per_account_in_a_process() -> None:
    a = shared("test:acct-1", lambda: SlidingWindow(7))
    assert shared("test:acct-1", lambda: SlidingWindow(7)) is a
    assert shared("test:acct-2", lambda: SlidingWindow(7)) is not a


async def test_a_window_counts_a_request_from_its_answer() -> None:
    """A request stalled between being let through and reaching the server (a busy loop) is counted from
    its answer: the next ones may not follow it closer than the window, as the server counts."""
    now = [0.0]
    window = SlidingWindow(2, 1.0, guard=0.0, clock=lambda: now[0])
    await window.acquire()
    await window.acquire()
    now[0] = 0.5  # both reached the server only now (stalled), and were answered
    window.answered()
    window.answered()
    now[0] = 1.2  # a second after they were let through, but not after the server saw them
    with pytest.raises(TimeoutError):
        await asyncio.wait_for(window.acquire(), 0.05)
    now[0] = 1.51
    await asyncio.wait_for(window.acquire(), 1.0)

    unanswered = SlidingWindow(2, 1.0, guard=0.0, clock=lambda: now[0])
    now[0] = 0.0
    await unanswered.acquire()
    await unanswered.acquire()
    now[0] = 1.2  # without answers, the stamps of their letting through are all it has
    await asyncio.wait_for(unanswered.acquire(), 0.05)
