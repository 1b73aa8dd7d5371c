"""The one place the bot reads the time. Tests and the demo pass their own clock."""

from __future__ import annotations

import os
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

Clock = Callable[[], datetime]


def system_clock() -> datetime:
    return datetime.now(UTC)


class ManualClock:
    """A clock that stands still until moved; for the demo and in-process tests."""

    def __init__(self, now: datetime) -> None:
        if now.tzinfo is None:
            raise ValueError("ManualClock needs an aware datetime")
        self.now = now.astimezone(UTC)

    def __call__(self) -> datetime:
        return self.now

    def set(self, now: datetime) -> None:
        self.now = now.astimezone(UTC)

    def advance(self, delta: timedelta) -> None:
        self.now += delta


class FileClock:
    """Reads an ISO instant from a file on every call: lets an end-to-end test move the clock of a bot
    running in another process. Enabled only by the ``ROP_TEST_CLOCK_FILE`` environment variable."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def __call__(self) -> datetime:
        try:
            text = self.path.read_text().strip()
        except FileNotFoundError:
            return system_clock()
        return datetime.fromisoformat(text).astimezone(UTC) if text else system_clock()


def clock_from_env() -> Clock:
    path = os.environ.get("ROP_TEST_CLOCK_FILE")
    return FileClock(Path(path)) if path else system_clock
