"""One log line per update: update id, type, user, handler, outcome and duration, as ``key=value`` pairs
(logfmt) that a log collector can parse. Never the message text, never a secret.

``UpdateLogMiddleware`` wraps the whole handling as an outer middleware of ``dp.update``; the handler's
name is filled in by ``HandlerNameMiddleware``, an inner middleware that sees which handler matched. Both
share an ``UpdateTrace`` that travels in the handler data as ``trace``.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from aiogram import BaseMiddleware
from aiogram.dispatcher.event.bases import UNHANDLED
from aiogram.dispatcher.event.handler import HandlerObject
from aiogram.types import TelegramObject, Update, User

from bot.metrics import Metrics
from bot.middlewares.base import Next

log = logging.getLogger("bot.updates")


@dataclass
class UpdateTrace:
    handler: str | None = None
    outcome: str | None = None  # handled, duplicate, dropped (a middleware stopped it), unhandled, error
    error: str | None = None


def handler_name(handler: HandlerObject) -> str:
    callback = handler.callback
    module = getattr(callback, "__module__", None) or "?"
    name = getattr(callback, "__name__", None) or type(callback).__name__
    return f"{module}.{name}"


class HandlerNameMiddleware(BaseMiddleware):
    """Inner middleware: notes which handler matched the update."""

    async def __call__(self, handler: Next, event: TelegramObject, data: dict[str, Any]) -> Any:
        trace: UpdateTrace | None = data.get("trace")
        found: HandlerObject | None = data.get("handler")
        if trace is not None and found is not None:
            trace.handler = handler_name(found)
        return await handler(event, data)


class UpdateLogMiddleware(BaseMiddleware):
    """Outer middleware of ``dp.update``: times the handling and writes the update's one line."""

    def __init__(
        self,
        logger: logging.Logger = log,
        perf: Callable[[], float] = time.perf_counter,
        metrics: Metrics | None = None,
    ) -> None:
        self.log = logger
        self.perf = perf
        self.metrics = metrics

    async def __call__(self, handler: Next, event: TelegramObject, data: dict[str, Any]) -> Any:
        trace = data["trace"] = UpdateTrace()
        start = self.perf()
        try:
            result = await handler(event, data)
            if result is UNHANDLED and trace.outcome is None and trace.handler is None:
                trace.outcome = "unhandled"
        except BaseException as exc:
            trace.outcome, trace.error = "error", type(exc).__name__
            raise
        finally:
            seconds = self.perf() - start
            update_type = event.event_type if isinstance(event, Update) else type(event).__name__
            if trace.outcome is None:
                trace.outcome = "handled" if trace.handler else "dropped"
            if self.metrics is not None:
                self.metrics.observe_update(update_type, trace.outcome, seconds)
            if self.log.isEnabledFor(logging.INFO):
                self._write(event, data, trace, update_type, seconds * 1000)
        return result

    def _write(
        self, event: TelegramObject, data: dict[str, Any], trace: UpdateTrace, update_type: str, ms: float
    ) -> None:
        user: User | None = data.get("event_from_user")
        update_id = getattr(event, "update_id", None)
        self.log.info(
            "update=%s type=%s user=%s handler=%s outcome=%s%s ms=%.1f",
            update_id if update_id is not None else "-",
            update_type,
            user.id if user else "-",
            trace.handler or "-",
            trace.outcome,
            f" error={trace.error}" if trace.error else "",
            ms,
            extra={  # the same as fields, for LOG_FORMAT=json (bot/logs.py)
                "update_id": update_id,
                "update_type": update_type,
                "user_id": user.id if user else None,
                "handler": trace.handler,
                "outcome": trace.outcome,
                "error": trace.error,
                "ms": round(ms, 1),
            },
        )
