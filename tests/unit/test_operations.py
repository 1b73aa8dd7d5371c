"""Operators' tools without a process: JSON log lines, and how Bot API results are labelled in /metrics."""

from __future__ import annotations

import io
import json
import logging

import pytest
from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
)
from aiogram.methods import SendMessage

from bot.logs import JsonFormatter, RedactFilter
from bot.metrics import Metrics, request_result
from tests.conftest import TEST_TOKEN

SECRET = "whsec-abcdefghijklmnop"


def test_json_log_lines_carry_the_fields_and_no_secret() -> None:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(RedactFilter([TEST_TOKEN, SECRET]))
    logger = logging.getLogger("test.json")
    logger.addHandler(handler)
    logger.propagate = False
    logger.setLevel(logging.INFO)
    try:
        fields = {"update_id": 7, "outcome": "handled", "ms": 3.2}
        logger.info("update=%s outcome=%s", 7, "handled", extra=fields)
        try:
            raise ValueError(f"refused {TEST_TOKEN} {SECRET}")
        except ValueError:
            logger.exception("send failed for /bot%s/sendMessage", TEST_TOKEN)
    finally:
        logger.removeHandler(handler)
    first, second = (json.loads(line) for line in stream.getvalue().splitlines())
    assert first["level"] == "INFO" and first["logger"] == "test.json"
    assert first["msg"] == "update=7 outcome=handled"
    assert (first["update_id"], first["outcome"], first["ms"]) == (7, "handled", 3.2)
    assert first["ts"].endswith("+00:00")
    assert second["level"] == "ERROR" and "ValueError: refused <token> <secret>" in second["exc"]
    assert "/bot<token>/sendMessage" in second["msg"]
    assert SECRET not in stream.getvalue() and TEST_TOKEN.split(":")[1] not in stream.getvalue()


METHOD = SendMessage(chat_id=1, text="x")


@pytest.mark.parametrize(
    ("exc", "label"),
    [
        (None, "ok"),
        (TelegramRetryAfter(METHOD, "Too Many Requests", retry_after=3), "429"),
        (TelegramForbiddenError(METHOD, "Forbidden: bot was blocked by the user"), "403"),
        (TelegramBadRequest(METHOD, "Bad Request: chat not found"), "400"),
        (TelegramServerError(METHOD, "Internal Server Error"), "5xx"),
        (TelegramNetworkError(METHOD, "Request timeout error"), "timeout"),
        (TelegramNetworkError(METHOD, "Connection refused"), "network"),
        (TimeoutError(), "timeout"),
    ],
)
def test_each_bot_api_result_has_its_label(exc: BaseException | None, label: str) -> None:
    assert request_result(exc) == label


def test_metrics_of_two_dispatchers_do_not_mix() -> None:
    one, two = Metrics(), Metrics()
    one.observe_update("message", "handled", 0.01)
    one.observe_request("SendMessage", None)
    assert b'rop_updates_total{kind="message",outcome="handled"} 1.0' in one.render()
    assert b"rop_updates_total{" not in two.render()
    assert b'rop_telegram_requests_total{method="SendMessage",result="ok"} 1.0' in one.render()
