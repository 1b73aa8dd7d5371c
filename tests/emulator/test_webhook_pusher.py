"""The emulator's webhook delivery (``botapi_emulator.webhook``): what Telegram does once a webhook is set.
Each update is POSTed with the secret header and stays pending until a 2xx; failures are retried; the
proxy's targets take turns; a method in the answer is executed; getUpdates is refused meanwhile."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from botapi_emulator import Emulator
from botapi_emulator.webhook import SECRET_HEADER, WebhookPusher

TOKEN = "123456789:TEST-secret-token-AAAAAAAAAAAAAAAAAAAAAAA"
HOOK = "https://bot.example.test/path/hook?x=1"


@dataclass
class Receiver:
    """A webhook endpoint that records what it gets and answers with the queued statuses (then 200)."""

    statuses: list[int] = field(default_factory=list)
    got: list[tuple[str, str | None, dict[str, Any]]] = field(default_factory=list)
    reply: dict[str, Any] | None = None

    async def handle(self, request: web.Request) -> web.Response:
        self.got.append((request.path_qs, request.headers.get(SECRET_HEADER), await request.json()))
        status = self.statuses.pop(0) if self.statuses else 200
        if status == 200 and self.reply is not None:
            return web.json_response(self.reply)
        return web.json_response({}, status=status)

    def ids(self) -> list[int]:
        return [body["update_id"] for _, _, body in self.got]


async def serve(receiver: Receiver) -> TestServer:
    app = web.Application()
    app.router.add_post("/path/hook", receiver.handle)
    server = TestServer(app)
    await server.start_server()
    return server


@pytest.fixture
async def receiver() -> AsyncIterator[tuple[Receiver, str]]:
    rec = Receiver()
    server = await serve(rec)
    try:
        yield rec, str(server.make_url("")).rstrip("/")
    finally:
        await server.close()


BUTTON = {"inline_keyboard": [[{"text": "x", "callback_data": "x"}]]}


async def set_webhook(emu: Emulator, **params: Any) -> tuple[int, dict[str, Any]]:
    return await emu.call(TOKEN, "setWebhook", {"url": HOOK, **params})


async def test_updates_are_pushed_with_the_secret_and_leave_the_queue(receiver) -> None:
    rec, base = receiver
    emu = Emulator(TOKEN)
    emu.add_user(7, "Anna")
    emu.send_text(7, "/start")  # queued before the webhook: delivered once it is set
    async with WebhookPusher(emu, [base]) as pusher:
        assert (await set_webhook(emu, secret_token="abc_DEF-123"))[0] == 200
        emu.send_text(7, "hello")
        await emu.wait_for(lambda: len(rec.got) == 2 and emu.pending_updates() == 0, timeout=5)
        assert [body.get("message", {}).get("text") for _, _, body in rec.got] == ["/start", "hello"]
        assert {(path, secret) for path, secret, _ in rec.got} == {("/path/hook?x=1", "abc_DEF-123")}
        assert all(d.ok for d in pusher.deliveries)
        status, body = await emu.call(TOKEN, "getUpdates", {})
        assert status == 409 and "webhook is active" in body["description"]
        info = (await emu.call(TOKEN, "getWebhookInfo", {}))[1]["result"]
        assert info["url"] == HOOK and info["pending_update_count"] == 0


async def test_no_secret_header_without_a_secret(receiver) -> None:
    rec, base = receiver
    emu = Emulator(TOKEN)
    emu.add_user(7, "Anna")
    async with WebhookPusher(emu, [base]):
        await set_webhook(emu)
        emu.send_text(7, "hi")
        await emu.wait_for(lambda: rec.got, timeout=5)
    assert rec.got[0][1] is None


async def test_a_failed_delivery_stays_pending_and_is_retried(receiver) -> None:
    rec, base = receiver
    rec.statuses = [500, 401, 502]
    emu = Emulator(TOKEN)
    emu.add_user(7, "Anna")
    async with WebhookPusher(emu, [base], retry_delay=0.05) as pusher:
        await set_webhook(emu)
        update = emu.send_text(7, "hi")
        await emu.wait_for(lambda: len(rec.got) == 1, timeout=5)
        assert emu.pending_updates() == 1
        await emu.wait_for(lambda: emu.pending_updates() == 0, timeout=5)
    assert rec.ids() == [update["update_id"]] * 4
    assert [d.status for d in pusher.delivered(update["update_id"])] == [500, 401, 502, 200]


async def test_targets_take_turns_and_a_dead_one_is_passed_over(receiver) -> None:
    rec, base = receiver
    other = Receiver()
    other_server = await serve(other)
    dead = "http://127.0.0.1:1"
    emu = Emulator(TOKEN)
    emu.add_user(7, "Anna")
    try:
        async with WebhookPusher(
            emu, [base, str(other_server.make_url("")).rstrip("/"), dead], retry_delay=0.02, max_connections=1
        ) as pusher:
            await set_webhook(emu)
            for i in range(6):
                emu.send_text(7, f"m{i}")
            await emu.wait_for(lambda: emu.pending_updates() == 0, timeout=10)
    finally:
        await other_server.close()
    assert rec.got and other.got
    assert sorted(rec.ids() + other.ids()) == list(range(1, 7)), "each delivered once, none lost"
    assert any(d.status is None and d.url.startswith(dead) for d in pusher.deliveries)


async def test_concurrent_deliveries_respect_max_connections() -> None:
    emu = Emulator(TOKEN)
    emu.add_user(7, "Anna")
    open_now = peak = 0
    release, three_open = asyncio.Event(), asyncio.Event()

    async def slow(request: web.Request) -> web.Response:
        nonlocal open_now, peak
        open_now += 1
        peak = max(peak, open_now)
        if open_now >= 3:
            three_open.set()
        await release.wait()
        open_now -= 1
        return web.json_response({})

    app = web.Application()
    app.router.add_post("/path/hook", slow)
    server = TestServer(app)
    await server.start_server()
    try:
        async with WebhookPusher(emu, [str(server.make_url("")).rstrip("/")]):
            await set_webhook(emu, max_connections=3)
            for i in range(8):
                emu.send_text(7, f"m{i}")
            await asyncio.wait_for(three_open.wait(), 5)
            release.set()
            await emu.wait_for(lambda: emu.pending_updates() == 0, timeout=5)
            assert peak == 3  # the most ever open at once, over the whole delivery of the eight
    finally:
        await server.close()


async def test_a_method_in_the_answer_is_executed(receiver) -> None:
    rec, base = receiver
    rec.reply = {"method": "sendMessage", "chat_id": 7, "text": "echo"}
    emu = Emulator(TOKEN)
    emu.add_user(7, "Anna")
    async with WebhookPusher(emu, [base]):
        await set_webhook(emu)
        emu.send_text(7, "hi")
        await emu.wait_for(lambda: emu.sent(7), timeout=5)
    assert emu.sent(7)[0].text == "echo"


async def test_updates_of_types_not_allowed_are_dropped(receiver) -> None:
    rec, base = receiver
    emu = Emulator(TOKEN)
    emu.add_user(7, "Anna", started=True)
    status, sent = await emu.call(
        TOKEN, "sendMessage", {"chat_id": 7, "text": "k", "reply_markup": json.dumps(BUTTON)}
    )
    assert status == 200
    async with WebhookPusher(emu, [base]):
        # one connection: updates are pushed one by one in order, so once the press (sent after the
        # message) has arrived, the message has been dropped or pushed before it
        await set_webhook(emu, allowed_updates=json.dumps(["callback_query"]), max_connections=1)
        emu.send_text(7, "not wanted")
        emu.press(7, sent["result"]["message_id"], "x")
        await emu.wait_for(lambda: rec.got, timeout=5)
    assert [list(body)[1] for _, _, body in rec.got] == ["callback_query"]


async def test_post_redelivers_on_demand(receiver) -> None:
    rec, base = receiver
    emu = Emulator(TOKEN)
    emu.add_user(7, "Anna")
    async with WebhookPusher(emu, [base]) as pusher:
        await set_webhook(emu)
        update = emu.send_text(7, "hi")
        await emu.wait_for(lambda: emu.pending_updates() == 0, timeout=5)
        again = await pusher.post(update)
    assert again.ok and rec.ids() == [update["update_id"]] * 2
