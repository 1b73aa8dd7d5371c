"""``GET /metrics``: what an operator graphs and alerts on, in Prometheus's text format.

One ``Metrics`` per dispatcher (a registry of its own, no module globals), found in the dispatcher's data
under ``"metrics"`` and served beside ``/healthz`` (the webhook port, or ``HEALTH_PORT`` when polling):

- ``rop_updates_total{kind, outcome}`` and ``rop_update_duration_seconds{kind}``: every update, counted
  by ``UpdateLogMiddleware`` with the same outcome as its log line (handled, duplicate, dropped,
  unhandled, error);
- ``rop_telegram_requests_total{method, result}``: every Bot API call the process makes (replies and
  scheduled sends alike), by result: ``ok``, ``429``, ``403``, ``400``, ``5xx``, ``timeout`` (its fate
  unknown), ``network``;
- ``rop_outbox_backlog`` and ``rop_outbox_oldest_due_seconds``: scheduled messages waiting or in flight,
  read from the database at each scrape (the same figures as ``/healthz``);
- ``rop_scheduler_tick_age_seconds``: seconds since the scheduler's last sign of life (absent without a
  scheduler in this process);
- once a team has connected a CRM, per connection (``team``, ``provider``; absent otherwise), read at each
  scrape: ``rop_crm_sync_lag_seconds`` (since the last successful sync; -1 never synced),
  ``rop_crm_error`` (1 when the last sync or write failed), ``rop_crm_outbox_waiting`` and
  ``rop_crm_outbox_oldest_seconds`` (the bot's marks not in the CRM yet, and the age of the oldest: a
  CRM down shows here), ``rop_crm_outbox_failed`` (writes the CRM refused for good).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from aiogram.client.session.middlewares.base import BaseRequestMiddleware, NextRequestMiddlewareType
from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
)
from aiogram.methods.base import TelegramType
from aiohttp import web
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.health import BACKLOG, DB_TIMEOUT_S, find_scheduler, scheduler_status
from storage.crm_repo import CrmHealth
from storage.outbox_repo import OutboxRepo
from storage.repo import Repo

if TYPE_CHECKING:
    from aiogram import Bot
    from aiogram.methods import Response, TelegramMethod

log = logging.getLogger(__name__)

#: Update handling takes milliseconds; a heavy command or a slow database shows in the upper buckets.
UPDATE_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


def request_result(exc: BaseException | None) -> str:
    """The ``result`` label of one Bot API call."""
    if exc is None:
        return "ok"
    if isinstance(exc, TelegramRetryAfter):
        return "429"
    if isinstance(exc, TelegramForbiddenError):
        return "403"
    if isinstance(exc, TelegramServerError):
        return "5xx"
    if isinstance(exc, TelegramBadRequest):
        return "400"
    if isinstance(exc, TimeoutError | asyncio.TimeoutError):
        return "timeout"
    if isinstance(exc, TelegramNetworkError):
        return "timeout" if "timeout" in str(exc).lower() else "network"
    return "error"


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.updates = Counter(
            "rop_updates", "Updates handled, by kind and outcome", ["kind", "outcome"], registry=self.registry
        )
        self.update_seconds = Histogram(
            "rop_update_duration_seconds",
            "Time to handle one update, transaction included",
            ["kind"],
            buckets=UPDATE_BUCKETS,
            registry=self.registry,
        )
        self.requests = Counter(
            "rop_telegram_requests",
            "Bot API calls, by method and result",
            ["method", "result"],
            registry=self.registry,
        )
        self.backlog = self._gauge("rop_outbox_backlog", "Scheduled messages waiting or in flight")
        self.oldest_due = self._gauge(
            "rop_outbox_oldest_due_seconds",
            "Seconds since the oldest waiting scheduled message fell due (0: none waits)",
        )
        self.tick_age = self._gauge(
            "rop_scheduler_tick_age_seconds",
            "Seconds since the scheduler's last sign of life (-1: no scheduler in this process)",
        )
        crm = ("team", "provider")
        self.crm_lag = self._gauge(
            "rop_crm_sync_lag_seconds",
            "Seconds since the team's last successful CRM sync (-1: never synced)",
            crm,
        )
        self.crm_error = self._gauge("rop_crm_error", "1 when the team's last CRM sync or write failed", crm)
        self.crm_waiting = self._gauge("rop_crm_outbox_waiting", "Writes to the CRM not sent yet", crm)
        self.crm_oldest = self._gauge(
            "rop_crm_outbox_oldest_seconds",
            "Age of the oldest write to the CRM not sent yet (0: none waits)",
            crm,
        )
        self.crm_failed = self._gauge("rop_crm_outbox_failed", "Writes the CRM refused for good", crm)
        self.database_up = self._gauge("rop_database_up", "1 when the database answered the last scrape")

    def _gauge(self, name: str, documentation: str, labels: tuple[str, ...] = ()) -> Gauge:
        return Gauge(name, documentation, labels, registry=self.registry)

    def observe_update(self, kind: str, outcome: str, seconds: float) -> None:
        self.updates.labels(kind, outcome).inc()
        self.update_seconds.labels(kind).observe(seconds)

    def observe_request(self, method: str, exc: BaseException | None) -> None:
        self.requests.labels(method, request_result(exc)).inc()

    async def refresh(
        self, session_pool: async_sessionmaker[AsyncSession], scheduler: Any | None, now: datetime
    ) -> None:
        """The figures read at scrape time: the outbox backlog and the scheduler's heartbeat."""
        try:
            async with session_pool() as session, asyncio.timeout(DB_TIMEOUT_S):
                count, oldest = await OutboxRepo(session).backlog(BACKLOG)
            self.backlog.set(count)
            self.oldest_due.set(max(0.0, (now - oldest).total_seconds()) if oldest is not None else 0.0)
            async with session_pool() as session, asyncio.timeout(DB_TIMEOUT_S):
                crms = await Repo(session).crm.health()
            self.set_crm(crms, now)
            self.database_up.set(1)
        except Exception as exc:  # whatever the driver raises, the scrape still answers
            log.warning("metrics: database read failed: %s", type(exc).__name__)
            self.database_up.set(0)
        status = scheduler_status(scheduler, now)
        age = status.get("heartbeat_age_s", -1.0 if status["state"] == "absent" else 0.0)
        self.tick_age.set(age if age < 0 else max(0.0, age))

    def set_crm(self, crms: list[CrmHealth], now: datetime) -> None:
        """The CRM gauges anew: a connection that went away leaves no stale series."""
        gauges = (self.crm_lag, self.crm_error, self.crm_waiting, self.crm_oldest, self.crm_failed)
        for gauge in gauges:
            gauge.clear()
        for c in crms:
            labels = (str(c.team_id), c.provider)
            lag = -1.0 if c.last_sync_at is None else max(0.0, (now - c.last_sync_at).total_seconds())
            self.crm_lag.labels(*labels).set(lag)
            self.crm_error.labels(*labels).set(1 if c.error else 0)
            self.crm_waiting.labels(*labels).set(c.waiting)
            oldest = c.oldest_waiting
            self.crm_oldest.labels(*labels).set(max(0.0, (now - oldest).total_seconds()) if oldest else 0.0)
            self.crm_failed.labels(*labels).set(c.failed)

    def render(self) -> bytes:
        return generate_latest(self.registry)


class RequestMetricsMiddleware(BaseRequestMiddleware):
    """Counts every Bot API call by method and result (a session middleware of the bot)."""

    def __init__(self, metrics: Metrics) -> None:
        self.metrics = metrics

    async def __call__(
        self,
        make_request: NextRequestMiddlewareType[TelegramType],
        bot: Bot,
        method: TelegramMethod[TelegramType],
    ) -> Response[TelegramType]:
        name = type(method).__name__
        try:
            response = await make_request(bot, method)
        except BaseException as exc:
            self.metrics.observe_request(name, exc)
            raise
        self.metrics.observe_request(name, None)
        return response


def instrument_bot(bot: Bot, metrics: Metrics) -> None:
    """Counts the bot's API calls into ``metrics``, once however often it is called."""
    mine = (m for m in bot.session.middleware if isinstance(m, RequestMetricsMiddleware))
    if not any(m.metrics is metrics for m in mine):
        bot.session.middleware(RequestMetricsMiddleware(metrics))


def metrics_handler(
    session_pool: async_sessionmaker[AsyncSession],
    data: Mapping[str, Any],
    clock: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> Callable[[web.Request], Any]:
    async def metrics(request: web.Request) -> web.Response:
        found: Metrics | None = data.get("metrics")
        if found is None:
            raise web.HTTPNotFound()
        await found.refresh(session_pool, find_scheduler(data), clock())  # real time, as the heartbeat
        return web.Response(body=found.render(), headers={"Content-Type": CONTENT_TYPE_LATEST})

    return metrics
