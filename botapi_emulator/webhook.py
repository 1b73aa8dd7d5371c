"""Telegram's side of a webhook: push the emulator's pending updates to the bot over HTTP.

Once the bot has called ``setWebhook``, Telegram POSTs each update as JSON to the webhook URL with the
``X-Telegram-Bot-Api-Secret-Token`` header (when a secret was set) and keeps it pending until it gets a
2xx answer; any other answer, a refused connection or a timeout is retried later. Up to
``max_connections`` requests are open at once. An answer may carry one Bot API method (the "reply in the
webhook response"), which Telegram executes. ``WebhookPusher`` does the same for an :class:`Emulator`.

The registered URL must be HTTPS, as on Telegram. Locally the bot listens on plain HTTP behind a reverse
proxy that terminates TLS; ``targets`` plays that proxy (and load balancer): each delivery goes to the next
target base URL in turn, with the path and query of the registered URL. Without ``targets`` it posts to the
registered URL itself.

Simplified: retries come after a fixed ``retry_delay`` (Telegram backs off and eventually gives up);
updates of a type the webhook does not allow are dropped when met. Use it from the emulator's event loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import logging
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import aiohttp

from botapi_emulator.state import DEFAULT_UPDATE_TYPES, Emulator, _update_type

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


@dataclass(frozen=True)
class Delivery:
    """One POST of an update: where it went and what came back (status None: no HTTP answer)."""

    update_id: int
    url: str
    status: int | None
    error: str | None = None
    at: float = 0.0

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


class WebhookPusher:
    def __init__(
        self,
        emulator: Emulator,
        targets: Sequence[str] | None = None,
        *,
        retry_delay: float = 0.2,
        timeout: float = 60.0,
        max_connections: int | None = None,
    ) -> None:
        self.emulator = emulator
        self.targets = [t.rstrip("/") for t in targets] if targets else None
        self.retry_delay = retry_delay
        self.timeout = timeout
        self.max_connections = max_connections
        self.deliveries: list[Delivery] = []
        self._next_target = itertools.count()
        self._in_flight: dict[int, asyncio.Task[None]] = {}
        self._retry_at: dict[int, float] = {}
        self._session: aiohttp.ClientSession | None = None
        self._runner: asyncio.Task[None] | None = None

    # ------------------------------------------------------------------ life cycle

    async def __aenter__(self) -> WebhookPusher:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    async def start(self) -> None:
        self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=self.timeout))
        self._runner = asyncio.create_task(self._run(), name="webhook-pusher")

    async def stop(self) -> None:
        tasks = [t for t in (self._runner, *self._in_flight.values()) if t is not None]
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._runner = None
        if self._session is not None:
            await self._session.close()
            self._session = None

    # ------------------------------------------------------------------ inspection

    def delivered(self, update_id: int) -> list[Delivery]:
        return [d for d in self.deliveries if d.update_id == update_id]

    def in_flight(self) -> int:
        return len(self._in_flight)

    # ------------------------------------------------------------------ delivery

    def url_for(self, target: str | None = None) -> str:
        """Where a delivery goes: ``target`` (or the next of ``targets``) with the registered path."""
        webhook = self.emulator.webhook
        if webhook is None:
            raise RuntimeError("no webhook is set")
        if target is None and self.targets:
            target = self.targets[next(self._next_target) % len(self.targets)]
        if target is None:
            return webhook["url"]
        parts = urlsplit(webhook["url"])
        return target + (parts.path or "/") + (f"?{parts.query}" if parts.query else "")

    async def post(self, update: dict[str, Any], target: str | None = None) -> Delivery:
        """POST one update now, as Telegram would (a test may call it to redeliver an update)."""
        assert self._session is not None, "start() the pusher first"
        webhook = self.emulator.webhook
        if webhook is None:
            raise RuntimeError("no webhook is set")
        url = self.url_for(target)
        headers = {"Content-Type": "application/json"}
        secret = webhook["secret_token"]
        if secret:
            headers[SECRET_HEADER] = secret
        loop = asyncio.get_running_loop()
        try:
            async with self._session.post(url, data=json.dumps(update), headers=headers) as response:
                status = response.status
                if 200 <= status < 300:
                    await self._webhook_reply(response)
                else:
                    await response.read()
            delivery = Delivery(update["update_id"], url, status, at=loop.time())
        except (aiohttp.ClientError, TimeoutError, OSError) as error:
            delivery = Delivery(update["update_id"], url, None, type(error).__name__, loop.time())
        self.deliveries.append(delivery)
        return delivery

    async def _webhook_reply(self, response: aiohttp.ClientResponse) -> None:
        """Execute a Bot API method carried by the answer (JSON or multipart form with ``method``)."""
        params: dict[str, Any] = {}
        if response.content_type == "application/json":
            body = await response.json(content_type=None)
            params = body if isinstance(body, dict) else {}
        elif response.content_type.startswith("multipart/"):
            reader = aiohttp.MultipartReader.from_response(response)
            while (part := await reader.next()) is not None:
                if isinstance(part, aiohttp.BodyPartReader) and part.name:
                    params[part.name] = await part.text()
        else:
            await response.read()
        method = params.pop("method", None)
        if method:
            await self.emulator.dispatch(self.emulator.token, str(method), params)

    def _limit(self) -> int:
        webhook = self.emulator.webhook
        limit = (webhook["max_connections"] if webhook else None) or 40
        return min(limit, self.max_connections) if self.max_connections else limit

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            wait = 0.1
            if self.emulator.webhook is not None:
                now = loop.time()
                for update in self._due(now):
                    if len(self._in_flight) >= self._limit():
                        break
                    task = asyncio.create_task(self._deliver(update))
                    self._in_flight[update["update_id"]] = task
                if self._retry_at:
                    wait = max(0.005, min(wait, min(self._retry_at.values()) - now))
            await self.emulator._update_pulse.wait(wait)

    def _due(self, now: float) -> list[dict[str, Any]]:
        """Pending updates that are neither in flight nor waiting for their retry, oldest first."""
        allowed = self.emulator.webhook.get("allowed_updates") if self.emulator.webhook else None
        types = frozenset(allowed) if allowed else DEFAULT_UPDATE_TYPES
        pending = self.emulator._updates
        if any(_update_type(u) not in types for u in pending):
            self.emulator._updates = pending = deque(u for u in pending if _update_type(u) in types)
            self.emulator._activity.notify()
        return [
            u
            for u in pending
            if u["update_id"] not in self._in_flight and self._retry_at.get(u["update_id"], 0.0) <= now
        ]

    async def _deliver(self, update: dict[str, Any]) -> None:
        update_id = update["update_id"]
        try:
            delivery = await self.post(update)
            if delivery.ok:
                self._retry_at.pop(update_id, None)
                self.emulator._updates = deque(u for u in self.emulator._updates if u is not update)
            else:
                log.info("webhook delivery of update %s failed (%s); will retry", update_id, delivery)
                self._retry_at[update_id] = asyncio.get_running_loop().time() + self.retry_delay
        finally:
            self._in_flight.pop(update_id, None)
            self.emulator._activity.notify()
            self.emulator._update_pulse.notify()
