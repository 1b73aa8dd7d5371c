"""The webhook application in this process: the real dispatcher and aiohttp app (``bot.webhook``), served
by aiohttp's test server, with the Bot API emulator in process behind the bot's session."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import pytest
from aiogram import Bot, Dispatcher
from aiohttp import ClientResponse
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.clock import ManualClock
from bot.config import Settings, load_settings
from bot.factory import create_bot
from bot.i18n import default_translator
from bot.webhook import build_app, create_webhook_dispatcher, register_webhook
from botapi_emulator import Emulator, EmulatorSession
from botapi_emulator.webhook import SECRET_HEADER
from storage.models import Member, ProcessedUpdate, Team
from tests.conftest import TEST_TOKEN
from tests.handlers.conftest import MORNING_UTC, make_team

WEBHOOK_URL = "https://bot.example.test/tg/hook"
WEBHOOK_PATH = "/tg/hook"
SECRET = "s3cret-Webhook_token-0123456789abcdef"


def webhook_settings(db_url: str, **overrides: Any) -> Settings:
    return load_settings(
        bot_token=TEST_TOKEN,
        database_url=db_url,
        webhook_url=WEBHOOK_URL,
        webhook_secret=SECRET,
        _env_file=None,
        **overrides,
    )


@dataclass
class WebhookWorld:
    settings: Settings
    emu: Emulator
    bot: Bot
    dp: Dispatcher
    client: TestClient
    pool: async_sessionmaker[AsyncSession]
    team: Team
    head: Member
    managers: list[Member]

    async def post(self, update: dict[str, Any], secret: str | None = SECRET) -> ClientResponse:
        headers = {SECRET_HEADER: secret} if secret is not None else {}
        response = await self.client.post(WEBHOOK_PATH, json=update, headers=headers)
        await response.read()
        return response

    def says(self, user_id: int, text: str) -> dict[str, Any]:
        """The user sends ``text``; returns the update Telegram would post (taken off the queue)."""
        self.emu.send_text(user_id, text)
        (update,) = self.emu.take_updates()
        return update

    async def count(self, model: type, *where: Any) -> int:
        async with self.pool() as session:
            return await session.scalar(select(func.count()).select_from(model).where(*where)) or 0

    async def processed(self) -> int:
        return await self.count(ProcessedUpdate)


@pytest.fixture
async def webhook_world(
    db_url: str, session_pool: async_sessionmaker[AsyncSession]
) -> AsyncIterator[WebhookWorld]:
    settings = webhook_settings(db_url, scheduler_enabled=False)  # no morning messages in these tests
    emu = Emulator(TEST_TOKEN, bot_username="rop_test_bot")
    bot = create_bot(settings, session=EmulatorSession(emu))
    dp = create_webhook_dispatcher(
        settings, session_pool, clock=ManualClock(MORNING_UTC), translator=default_translator()
    )
    team, head, managers = await make_team(session_pool, "Отдел продаж", 1000)
    for member in (head, *managers):
        emu.add_user(member.tg_id, member.name)
    async with TestServer(build_app(dp, bot, settings)) as server, TestClient(server) as client:
        await register_webhook(bot, dp, settings)  # as run_webhook does once it listens
        yield WebhookWorld(settings, emu, bot, dp, client, session_pool, team, head, managers)
