"""Factories: everything is built from settings, nothing lives in module globals."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from aiogram import Bot, Dispatcher, Router
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.session.base import BaseSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.enums import ParseMode
from aiogram.fsm.storage.base import BaseStorage, StateType, StorageKey
from aiogram.fsm.storage.memory import MemoryStorage
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.clock import Clock, system_clock
from bot.config import Settings
from bot.dialog_storage import DatabaseStorage, bind_dialog_sessions, dialog_key_of
from bot.heavy import HeavyJobs
from bot.i18n import Translator, default_translator
from bot.metrics import Metrics, instrument_bot
from bot.middlewares import (
    AnswerCallbackMiddleware,
    DbSessionMiddleware,
    MemberMiddleware,
    ThrottlingMiddleware,
)
from bot.middlewares.dedup import DedupMiddleware
from bot.middlewares.updatelog import HandlerNameMiddleware, UpdateLogMiddleware
from bot.perf import flatten_post_init, lean_session, pin_response_models
from handlers import build_routers


def create_bot(settings: Settings, session: BaseSession | None = None) -> Bot:
    pin_response_models()  # answers are validated without rebuilding pydantic models now and then
    flatten_post_init()  # each aiogram model made runs one post-init step, not four (bot/perf.py)
    if session is None and settings.telegram_api_url:
        session = AiohttpSession(api=TelegramAPIServer.from_base(settings.telegram_api_url))
    elif session is None:
        session = AiohttpSession()
    lean_session(session)  # requests walked faster, echoed keyboards and entities not validated (bot/perf.py)
    return Bot(settings.token, session=session, default=DefaultBotProperties(parse_mode=ParseMode.HTML))


def create_storage(
    settings: Settings, session_pool: async_sessionmaker[AsyncSession] | None = None
) -> BaseStorage:
    """Where dialogs live: Redis with ``REDIS_URL``; else the database when given its session pool (the
    bot processes: a dialog survives a restart, ``bot/dialog_storage.py``); else memory (tests, the demo)."""
    if settings.redis_url:
        from aiogram.fsm.storage.redis import RedisStorage

        return RedisStorage.from_url(settings.redis_url)
    if session_pool is not None:
        return DatabaseStorage(session_pool)
    return DialogMemoryStorage()


class DialogMemoryStorage(MemoryStorage):
    """aiogram's MemoryStorage with a record only for users in the middle of a dialog. aiogram's own
    reads a ``defaultdict`` on every update, so it keeps a record for every user who ever wrote, members
    or strangers, for the life of the process."""

    async def get_state(self, key: StorageKey) -> str | None:
        record = self.storage.get(key)
        return None if record is None else record.state

    async def get_data(self, key: StorageKey) -> dict[str, Any]:
        record = self.storage.get(key)
        return {} if record is None else record.data.copy()

    async def get_value(self, storage_key: StorageKey, dict_key: str, default: Any | None = None) -> Any:
        record = self.storage.get(storage_key)
        return default if record is None else await super().get_value(storage_key, dict_key, default)

    async def set_state(self, key: StorageKey, state: StateType = None) -> None:
        await super().set_state(key, state)
        self._forget_if_empty(key)

    async def set_data(self, key: StorageKey, data: Mapping[str, Any]) -> None:
        await super().set_data(key, data)
        self._forget_if_empty(key)

    def _forget_if_empty(self, key: StorageKey) -> None:
        record = self.storage.get(key)
        if record is not None and record.state is None and not record.data:
            del self.storage[key]


async def _count_api_calls(bot: Bot, metrics: Metrics) -> None:
    instrument_bot(bot, metrics)


def create_dispatcher(
    settings: Settings,
    session_pool: async_sessionmaker[AsyncSession],
    *,
    clock: Clock = system_clock,
    translator: Translator | None = None,
    storage: BaseStorage | None = None,
    heavy: HeavyJobs | None = None,
    routers: Router | None = None,
) -> Dispatcher:
    """The bot's dispatcher: its middlewares in their order, then ``routers`` (the bot's handlers,
    ``handlers.build_routers()``, unless a benchmark gives others to run behind the same middlewares)."""
    metrics = Metrics()  # served at /metrics beside /healthz (bot/metrics.py)
    heavy = heavy or HeavyJobs(settings.database_url)
    dp = Dispatcher(
        storage=storage or create_storage(settings),
        disable_fsm=True,  # the dialog state is read inside the update's transaction: see below
        settings=settings,
        session_pool=session_pool,
        clock=clock,
        translator=translator or default_translator(),
        metrics=metrics,
        heavy=heavy,  # heavy work as jobs off the event loop (bot/heavy.py)
    )
    dp.startup.register(_count_api_calls)
    dp.shutdown.register(heavy.close)  # jobs in flight finish (and send) before the bot's session closes
    dp.update.outer_middleware(UpdateLogMiddleware(metrics=metrics))  # a log line and metrics per update
    throttling = ThrottlingMiddleware(settings.throttle_rate, settings.throttle_burst)
    dp.message.outer_middleware(throttling)
    dp.callback_query.outer_middleware(throttling)
    db = DbSessionMiddleware(session_pool, turns=heavy.turns)  # jobs' writes take the same turns
    member = MemberMiddleware()
    # in the update's transaction: a redelivered update is handled once; the sender's dialog read with it
    dialogs_in_db = isinstance(dp.storage, DatabaseStorage)
    dedup = DedupMiddleware(dialog_key=dialog_key_of(dp.fsm) if dialogs_in_db else None)
    for observer in (dp.message, dp.callback_query):
        observer.outer_middleware(db)
        observer.outer_middleware(dedup)
        observer.outer_middleware(member)
        observer.middleware(HandlerNameMiddleware())
    dp.callback_query.middleware(AnswerCallbackMiddleware())
    bind_dialog_sessions(dp)  # with the database storage, dialog writes join the update's transaction
    for observer in (dp.message, dp.callback_query):
        # aiogram's own FSM middleware (``state``, ``raw_state``), not on every update before anything
        # else but here: after PostgreSQL's per-person lock (so the state it reads is the one the
        # person's previous update committed, no second read) and, with the database storage, inside
        # the update's transaction (no transaction of its own); a duplicate, a throttled update or a
        # stranger's reads nothing.
        observer.outer_middleware(dp.fsm)
    dp.include_router(routers or build_routers())
    return dp
