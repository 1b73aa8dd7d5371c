"""The bot in this process, talking to the in-process Bot API emulator: what the demo plays and what the
handler tests drive. The same factories, middlewares, handlers and jobs as production; only the
transport differs (``EmulatorSession`` instead of HTTP), and every update is fed and fully handled before
``send``/``press`` return, so a script reads top to bottom."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from aiogram import Bot, Dispatcher
from aiogram.fsm.storage.base import BaseStorage
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.clock import Clock
from bot.config import Settings
from bot.factory import create_bot, create_dispatcher
from bot.heavy import HeavyJobs
from botapi_emulator import Emulator, EmulatorSession
from botapi_emulator.models import CallbackAnswer, SentMessage


@dataclass
class Reply:
    """What one action of a user brought: the bot's new messages to anyone, and the press's answer."""

    messages: list[SentMessage]
    answer: CallbackAnswer | None = None

    def to(self, chat_id: int) -> list[SentMessage]:
        return [m for m in self.messages if m.chat_id == chat_id]

    @property
    def text(self) -> str:
        return "\n\n".join(m.text or "" for m in self.messages)


@dataclass
class InProcessBot:
    settings: Settings
    session_pool: async_sessionmaker[AsyncSession]
    clock: Clock
    storage: BaseStorage | None = None  # dialogs: in memory unless given (``DatabaseStorage`` as deployed)
    emulator: Emulator = field(init=False)
    bot: Bot = field(init=False)
    dp: Dispatcher = field(init=False)

    def __post_init__(self) -> None:
        self.emulator = Emulator(
            self.settings.token, bot_username=self.settings.bot_username or "rop_demo_bot"
        )
        self.bot = create_bot(self.settings, session=EmulatorSession(self.emulator))
        self.dp = create_dispatcher(self.settings, self.session_pool, clock=self.clock, storage=self.storage)

    async def start(self) -> None:
        await self.dp.emit_startup(bot=self.bot, **self.dp.workflow_data)

    async def close(self) -> None:
        await self.dp.emit_shutdown(bot=self.bot, **self.dp.workflow_data)
        await self.bot.session.close()

    def user(
        self, user_id: int, first_name: str, username: str | None = None, language_code: str = "ru"
    ) -> Speaker:
        self.emulator.add_user(user_id, first_name=first_name, username=username, language_code=language_code)
        return Speaker(self, user_id, first_name)

    def all_sent(self) -> list[SentMessage]:
        return self.emulator.sent()

    async def drain(self) -> None:
        """Feed every pending update to the dispatcher, in order, each fully handled before the next, and
        wait for the heavy jobs they started (``bot/heavy.py``) to deliver."""
        await self.feed()
        await self.heavy.wait_idle()

    async def feed(self) -> None:
        """Feed every pending update, in order, without waiting for the heavy jobs they start."""
        for update in self.emulator.take_updates():
            await self.dp.feed_raw_update(self.bot, update, **self.dp.workflow_data)

    @property
    def heavy(self) -> HeavyJobs:
        heavy: HeavyJobs = self.dp["heavy"]
        return heavy

    async def collect(self, action: Callable[[], Awaitable[CallbackAnswer | None]]) -> Reply:
        before = {id(m) for m in self.emulator.sent()}
        answer = await action()
        return Reply([m for m in self.emulator.sent() if id(m) not in before], answer)


@dataclass
class Speaker:
    app: InProcessBot
    user_id: int
    name: str

    @property
    def inbox(self) -> list[SentMessage]:
        return self.app.emulator.sent(self.user_id)

    async def send(self, text: str) -> Reply:
        async def act() -> None:
            self.app.emulator.send_text(self.user_id, text)
            await self.app.drain()

        return await self.app.collect(act)

    async def press(self, message: SentMessage, label: str) -> Reply:
        return await self.press_data(message.message_id, message.button(label)["callback_data"])

    async def press_data(self, message_id: int, data: str, *, strict: bool = True) -> Reply:
        """Press ``data`` on a message; ``strict=False`` presses data no button carries (forged)."""

        async def act() -> CallbackAnswer | None:
            query_id = self.app.emulator.press(self.user_id, message_id, data, strict=strict)
            await self.app.drain()
            return self.app.emulator.answer_for(query_id)

        return await self.app.collect(act)
