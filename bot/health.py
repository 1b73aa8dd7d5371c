"""``GET /healthz``: is this process fit to serve? JSON, 200 when healthy, 503 when not.

- ``database``: a ``SELECT 1`` answers within a few seconds.
- ``scheduler``: the scheduler runner, found in the dispatcher's data under ``"scheduler"`` (see
  ``SCHEDULER_KEYS``), is alive: its ``heartbeat`` (an aware datetime, or Unix seconds, of its last tick)
  is recent, or, without a heartbeat, its ``running`` flag is true. A process without a scheduler reports
  ``"absent"`` and is not failed for it.
- ``outbox``: scheduled messages not yet sent (pending or in flight) and the age of the oldest one due:
  informational, a growing backlog is for the operator's alerting, not a reason to restart the process.

Webhook mode serves it beside the webhook; polling mode serves it when ``HEALTH_PORT`` is set.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.clock import Clock, system_clock
from domain.enums import OutboxStatus
from storage.db import ping
from storage.outbox_repo import OutboxRepo

log = logging.getLogger(__name__)

SCHEDULER_KEYS = ("scheduler", "scheduler_runner")
"""Where the scheduler runner is looked up in the dispatcher's data, in this order."""
HEARTBEAT_STALE_S = 180.0
DB_TIMEOUT_S = 3.0
BACKLOG = (OutboxStatus.PENDING, OutboxStatus.SENDING)


def find_scheduler(data: Mapping[str, Any]) -> Any | None:
    return next((data[key] for key in SCHEDULER_KEYS if data.get(key) is not None), None)


def scheduler_status(
    runner: Any | None, now: datetime, stale_after: float = HEARTBEAT_STALE_S
) -> dict[str, Any]:
    if runner is None:
        return {"ok": True, "state": "absent"}
    beat = getattr(runner, "heartbeat", None)
    if callable(beat):
        beat = beat()
    if isinstance(beat, int | float):
        beat = datetime.fromtimestamp(beat, UTC)
    if isinstance(beat, datetime):
        age = (now - beat).total_seconds()
        return {"ok": age <= stale_after, "state": "beating", "heartbeat_age_s": round(age, 1)}
    running = getattr(runner, "running", None)
    if callable(running):
        running = running()
    if running is None:
        return {"ok": True, "state": "unknown"}
    return {"ok": bool(running), "state": "running" if running else "stopped"}


async def database_status(session: AsyncSession) -> dict[str, Any]:
    start = time.perf_counter()
    async with asyncio.timeout(DB_TIMEOUT_S):
        await ping(session)
    return {"ok": True, "ms": round((time.perf_counter() - start) * 1000, 1)}


async def outbox_status(session: AsyncSession, now: datetime) -> dict[str, Any]:
    async with asyncio.timeout(DB_TIMEOUT_S):
        count, oldest = await OutboxRepo(session).backlog(BACKLOG)
    status: dict[str, Any] = {"backlog": count}
    if oldest is not None:
        status["oldest_due_s"] = max(0.0, round((now - oldest).total_seconds(), 1))
    return status


async def health_report(
    session_pool: async_sessionmaker[AsyncSession], scheduler: Any | None, now: datetime
) -> tuple[bool, dict[str, Any]]:
    report: dict[str, Any] = {}
    try:
        async with session_pool() as session:
            report["database"] = await database_status(session)
            report["outbox"] = await outbox_status(session, now)
    except Exception as exc:  # whatever the driver raises, the answer is "unhealthy", with its kind
        log.warning("health: database check failed: %s", type(exc).__name__)
        report["database"] = {"ok": False, "error": type(exc).__name__}
    report["scheduler"] = scheduler_status(scheduler, now)
    healthy = report["database"]["ok"] and report["scheduler"]["ok"]
    report["status"] = "ok" if healthy else "fail"
    return healthy, report


def health_handler(
    session_pool: async_sessionmaker[AsyncSession],
    data: Mapping[str, Any],
    clock: Clock = system_clock,
) -> Callable[[web.Request], Any]:
    """An aiohttp handler; ``data`` (the dispatcher's data) is read per request, so a scheduler stored
    there by a startup hook is found."""

    async def healthz(request: web.Request) -> web.Response:
        healthy, report = await health_report(session_pool, find_scheduler(data), clock())
        return web.json_response(report, status=200 if healthy else 503, dumps=json.dumps)

    return healthz


def add_health_route(
    app: web.Application, session_pool: async_sessionmaker[AsyncSession], data: Mapping[str, Any]
) -> None:
    from bot.metrics import metrics_handler

    app.router.add_get("/healthz", health_handler(session_pool, data))
    app.router.add_get("/metrics", metrics_handler(session_pool, data))
    from crm.web import add_crm_route

    add_crm_route(app, session_pool, data)


@asynccontextmanager
async def serve_health(
    session_pool: async_sessionmaker[AsyncSession], data: Mapping[str, Any], host: str, port: int
) -> AsyncIterator[str]:
    """A small server with only ``/healthz`` (polling mode); yields its base URL."""
    app = web.Application()
    add_health_route(app, session_pool, data)
    runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
    await runner.setup()
    try:
        await web.TCPSite(runner, host, port).start()
        bound = runner.addresses[0][:2]
        log.info("health endpoint on http://%s:%s/healthz", *bound)
        yield f"http://{bound[0]}:{bound[1]}"
    finally:
        await runner.cleanup()
