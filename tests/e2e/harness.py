"""End-to-end harness: the real ``python -m bot run`` process, long-polling the local Bot API emulator
over HTTP, and people who talk to it through the emulator's control side."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from botapi_emulator import Emulator
from botapi_emulator.models import CallbackAnswer, SentMessage
from domain.calendar import WorkCalendar
from storage.db import create_engine, create_session_pool
from tests.conftest import TEST_TOKEN

ROOT = Path(__file__).resolve().parents[2]
WAIT = 15.0


class LiveBot:
    """The bot as a child process; its whole log (DEBUG, library loggers included) goes to ``log_path``."""

    def __init__(
        self,
        emu: Emulator,
        base_url: str,
        token: str,
        db_url: str,
        workdir: Path,
        env: dict[str, str] | None = None,
    ) -> None:
        self.emu, self.base_url, self.token, self.db_url = emu, base_url, token, db_url
        self.workdir = workdir
        self.extra_env = env or {}
        self.log_path = workdir / f"bot-{id(self)}.log"
        self.proc: asyncio.subprocess.Process | None = None
        self.logs: list[Path] = []

    def environment(self) -> dict[str, str]:
        env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("BOT_", "DATABASE_", "TELEGRAM_", "REDIS_", "DEFAULT_", "LOG_"))
        }
        env.update(
            BOT_TOKEN=self.token,
            DATABASE_URL=self.db_url,
            TELEGRAM_API_URL=self.base_url,
            LOG_LEVEL="DEBUG",
            PYTHONUNBUFFERED="1",
            **self.extra_env,
        )
        return env

    async def start(self) -> None:
        polls_before = self._polls()
        log_path = self.workdir / f"bot-{len(self.logs)}.log"
        self.logs.append(log_path)
        self.log_file = log_path.open("wb")
        self.proc = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot",
            "run",
            cwd=self.workdir,
            env=self.environment(),
            stdout=self.log_file,
            stderr=asyncio.subprocess.STDOUT,
        )
        try:
            await self.emu.wait_for(lambda: self._polls() > polls_before, timeout=90)
        except TimeoutError:
            raise AssertionError(f"the bot did not start polling:\n{self.log_text()}") from None

    def _polls(self) -> int:
        return sum(1 for call in self.emu.calls if call.method.lower() == "getupdates")

    async def stop(self) -> None:
        if self.proc is None or self.proc.returncode is not None:
            return
        self.proc.send_signal(signal.SIGINT)
        try:
            await asyncio.wait_for(self.proc.wait(), 20)
        except TimeoutError:
            self.proc.kill()
            await self.proc.wait()
        self.log_file.close()

    async def kill(self) -> None:
        assert self.proc is not None
        self.proc.kill()
        await self.proc.wait()
        self.log_file.close()

    def log_text(self) -> str:
        return "".join(p.read_text(encoding="utf-8", errors="replace") for p in self.logs if p.exists())


@dataclass
class Person:
    """A Telegram user talking to the bot through the emulator."""

    emu: Emulator
    user_id: int
    first_name: str
    username: str | None = None
    language_code: str = "ru"

    def __post_init__(self) -> None:
        self.emu.add_user(
            self.user_id, first_name=self.first_name, username=self.username, language_code=self.language_code
        )

    @property
    def inbox(self) -> list[SentMessage]:
        return self.emu.sent(self.user_id)

    async def send(
        self, text: str, expect: str | Callable[[SentMessage], bool] | None = None, within: float = WAIT
    ) -> SentMessage:
        """Send a text and return the first new message that matches ``expect`` (any new one if None)."""
        before = len(self.inbox)
        self.emu.send_text(self.user_id, text)
        return await self.wait(expect, after=before, within=within)

    async def wait(
        self, expect: str | Callable[[SentMessage], bool] | None = None, after: int = 0, within: float = WAIT
    ) -> SentMessage:
        def match(m: SentMessage) -> bool:
            if expect is None:
                return True
            return m.contains(expect) if isinstance(expect, str) else expect(m)

        found: list[SentMessage] = []

        def ready() -> bool:
            found[:] = [m for m in self.inbox[after:] if match(m)]
            return bool(found)

        try:
            await self.emu.wait_for(ready, timeout=within)
        except TimeoutError:
            got = "\n---\n".join(m.text or "" for m in self.inbox[after:])
            raise AssertionError(
                f"{self.first_name} got no message matching {expect!r}; got:\n{got}"
            ) from None
        return found[0]

    async def press(self, message: SentMessage, label: str, within: float = WAIT) -> CallbackAnswer:
        """Press the button labelled ``label`` on ``message``; returns the bot's answer to the press."""
        data = message.button(label)["callback_data"]
        return await self.press_data(message.message_id, data, within)

    async def press_data(
        self, message_id: int, data: str, within: float = WAIT, *, strict: bool = True
    ) -> CallbackAnswer:
        """Press a button by its data; ``strict=False`` presses one that is gone (a double tap, a forgery)."""
        query_id = self.emu.press(self.user_id, message_id, data, strict=strict)
        answers: list[CallbackAnswer] = []

        def answered() -> bool:
            answers[:] = [a for a in self.emu.callback_answers if a.query_id == query_id]
            return bool(answers)

        try:
            await self.emu.wait_for(answered, timeout=within)
        except TimeoutError:
            raise AssertionError(f"press {data!r} by {self.first_name} was never answered") from None
        return answers[0]


@asynccontextmanager
async def opened(url: str) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    """A session pool on the test's database, from outside the bot process."""
    engine = create_engine(url)
    try:
        yield create_session_pool(engine)
    finally:
        await engine.dispose()


def next_working_day(today: date | None = None) -> str:
    """A due date the bot takes without a question on any day these tests run (they run on the real
    clock): the next working day of a Moscow team, as typed ("07.12"). «Завтра» typed on a Friday or on
    the eve of a holiday is a day off, and the bot rightly asks first."""
    today = today or datetime.now(ZoneInfo("Europe/Moscow")).date()
    day = WorkCalendar.from_db("1,2,3,4,5", "RU").next_working_day(today)
    return f"{day.day:02d}.{day.month:02d}.{day.year}"


@asynccontextmanager
async def running(
    emulator: tuple[Emulator, str],
    db_url: str,
    tmp_path: Path,
    *,
    clock: str | None = None,
    env: dict[str, str] | None = None,
) -> AsyncIterator[LiveBot]:
    """The bot running against the emulator for one test. ``clock``: the time it starts at (ISO), kept in a
    file the test may rewrite (``bot.clock_file``), with the flood limit lifted. Stopped at the end, its
    log's tail printed (pytest shows it only when the test failed)."""
    emu, base_url = emulator
    extra = dict(env or {})
    clock_file = tmp_path / "clock.txt"
    if clock is not None:
        clock_file.write_text(clock)
        extra = {
            "ROP_TEST_CLOCK_FILE": str(clock_file),
            "THROTTLE_RATE": "100",
            "THROTTLE_BURST": "100",
        } | extra
    bot = LiveBot(emu, base_url, TEST_TOKEN, db_url, tmp_path, env=extra)
    bot.clock_file = clock_file  # type: ignore[attr-defined]  # the tests that move time rewrite it
    await bot.start()
    try:
        yield bot
    finally:
        await bot.stop()
        print("---- bot log (tail) ----\n" + bot.log_text()[-20000:])
