"""Webhook mode: ``python -m bot webhook``. Telegram POSTs updates to ``WEBHOOK_URL``; a reverse proxy
terminates TLS and forwards to this process on ``WEBHOOK_HOST:WEBHOOK_PORT``, keeping the path. Several
processes may serve one bot behind one address (PostgreSQL, and ``REDIS_URL`` for dialog state).

What a request gets:
- a wrong or missing ``X-Telegram-Bot-Api-Secret-Token`` header: 401, nothing handled;
- otherwise the update is handled *before* the answer (aiogram's ``handle_in_background=False``): 200
  only once the handler's transaction has committed. A process killed mid-update never answered, so
  Telegram redelivers the update, and ``DedupMiddleware`` (the update id recorded in the same transaction)
  makes a redelivery of a committed update a no-op. Every update the bot handles changes data or answers
  a person, so none is "harmless to lose" and none is handled in the background. The one exception is
  aiogram's own: a handler still running after 55 s is left to finish in the background and the answer
  is sent, so Telegram does not time out and retry it while it runs.
- an error the error handlers did not absorb: 500, the transaction rolled back, Telegram retries.

One person's updates stay in order: Telegram sends a chat's next update only once the request carrying
the one before is answered (updates of different chats come concurrently; grammY's guide, "Deployment
types", describes it), and this process answers only after the update's transaction committed. Across
processes, ``DbSessionMiddleware``'s advisory lock on the person makes their updates one at a time as
well. aiogram's 55-second fallback could break that order, but no handler runs that long any more: heavy
work is a job (``bot/heavy.py``).

Once it listens, the process registers the webhook (same URL and secret in every process, so registering
again is harmless). On stop it does not delete it: the other processes keep serving, and Telegram keeps
updates queued while none does.

``GET /healthz`` on the same port reports the database, the scheduler and the outbox (``bot/health.py``).
"""

from __future__ import annotations

import asyncio
import logging
import signal
import sys
from urllib.parse import urlsplit

from aiogram import Bot, Dispatcher
from aiogram.webhook.aiohttp_server import SimpleRequestHandler
from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.app import migrated_engine, run_bot
from bot.clock import Clock, clock_from_env
from bot.commands import check_token, publish_default_commands
from bot.config import Settings
from bot.factory import create_bot, create_dispatcher, create_storage
from bot.health import add_health_route
from bot.heavy import HeavyJobs
from bot.housekeeping import install as install_housekeeping
from bot.i18n import Texts, Translator, default_translator
from bot.perf import freeze_startup_objects
from storage.db import create_session_pool

log = logging.getLogger(__name__)

SHUTDOWN_TIMEOUT_S = 20.0
"""On SIGTERM, requests in flight get this long to finish (and commit) before the process exits."""


def webhook_path(settings: Settings) -> str:
    return urlsplit(settings.webhook_url or "").path or "/"


def build_app(dp: Dispatcher, bot: Bot, settings: Settings) -> web.Application:
    """The aiohttp application: the webhook route (secret checked) and ``/healthz``."""
    if settings.webhook_secret is None:
        raise ValueError("WEBHOOK_SECRET is required in webhook mode")
    app = web.Application()
    handler = SimpleRequestHandler(
        dispatcher=dp,
        bot=bot,
        handle_in_background=False,
        secret_token=settings.webhook_secret.get_secret_value(),
    )
    # Not handler.register()/setup_application(): they stop the dispatcher and close the bot's session in
    # on_shutdown, which aiohttp runs *before* it waits for the requests in flight, so those would lose
    # their session mid-reply. Here the stop comes in on_cleanup, after the requests in flight finished.
    app.router.add_post(webhook_path(settings), handler.handle)
    add_health_route(app, dp["session_pool"], dp.workflow_data)
    data = {"app": app, "dispatcher": dp, **dp.workflow_data, "bot": bot}

    async def start(_: web.Application) -> None:
        await dp.emit_startup(**data)

    async def stop(_: web.Application) -> None:
        try:
            await dp.emit_shutdown(**data)
        finally:
            await bot.session.close()

    app.on_startup.append(start)
    app.on_cleanup.append(stop)
    return app


async def register_webhook(bot: Bot, dispatcher: Dispatcher, settings: Settings) -> None:
    assert settings.webhook_url and settings.webhook_secret
    await bot.set_webhook(
        settings.webhook_url,
        secret_token=settings.webhook_secret.get_secret_value(),
        allowed_updates=dispatcher.resolve_used_update_types(),
        max_connections=settings.webhook_max_connections,
        drop_pending_updates=False,
    )


async def _on_startup(bot: Bot, dispatcher: Dispatcher, translator: Translator, settings: Settings) -> None:
    me = await check_token(bot, settings.telegram_api_url)  # a refused token stops here, in one line
    await publish_default_commands(bot, translator, settings.default_locale, dispatcher)  # never stops it
    log.info("bot @%s starting in webhook mode", me.username)
    freeze_startup_objects()  # full garbage collections stop pausing the bot (bot/perf.py)


def create_webhook_dispatcher(
    settings: Settings,
    session_pool: async_sessionmaker[AsyncSession],
    *,
    clock: Clock,
    translator: Translator,
) -> Dispatcher:
    heavy = HeavyJobs(settings.database_url, processes=True)  # worker processes (bot/heavy.py)
    dp = create_dispatcher(
        settings,
        session_pool,
        clock=clock,
        translator=translator,
        storage=create_storage(settings, session_pool),  # without Redis, dialogs live in the database
        heavy=heavy,
    )
    dp.startup.register(_on_startup)
    install_housekeeping(dp, settings, health=False)
    if settings.scheduler_enabled:
        from scheduler.runner import install_scheduler

        # several webhook processes may send from one database: rows another process has in flight are
        # taken over only after their lease (scheduler/runner.py), never reset at start-up
        install_scheduler(dp, recover=False)
    return dp


async def run_webhook(settings: Settings, clock: Clock | None = None) -> None:
    async with migrated_engine(settings) as engine:
        translator = default_translator()
        bot = create_bot(settings)
        dp = create_webhook_dispatcher(
            settings, create_session_pool(engine), clock=clock or clock_from_env(), translator=translator
        )
        app = build_app(dp, bot, settings)
        runner = web.AppRunner(app, access_log=None, shutdown_timeout=SHUTDOWN_TIMEOUT_S)
        try:
            await runner.setup()  # runs the dispatcher's startup (token, commands, scheduler, housekeeping)
        except BaseException:  # a refused token, no Telegram: the one line is printed by the caller
            await bot.session.close()
            raise
        try:
            await web.TCPSite(runner, settings.webhook_host, settings.webhook_port).start()
            host, port = runner.addresses[0][:2]
            # registered once we listen, so that Telegram's first delivery finds us
            await register_webhook(bot, dp, settings)
            log.info("webhook mode: listening on http://%s:%s%s", host, port, webhook_path(settings))
            await _until_signalled()
        finally:
            await runner.cleanup()  # stops accepting, lets requests in flight finish, then shutdown


async def _until_signalled() -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    try:
        await stop.wait()
    finally:
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(sig)
    log.info("stopping: finishing requests in flight")


def run_webhook_command(settings: Settings, t: Texts) -> int:
    """``python -m bot webhook``: checks the settings it needs, each missing one named on one line."""
    if settings.bot_token is None:
        print(t("cli-no-token"), file=sys.stderr)
        return 2
    missing = [name for name in ("webhook_url", "webhook_secret") if getattr(settings, name) is None]
    if missing:
        print(t("cli-webhook-missing", names=", ".join(m.upper() for m in missing)), file=sys.stderr)
        return 2
    return run_bot(run_webhook(settings), t)
