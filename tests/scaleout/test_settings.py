"""Webhook settings, the command line's refusal without them, and the secret kept out of the logs."""

from __future__ import annotations

import io
import logging
from pathlib import Path

import pytest

from bot.config import ROOT, SettingsError, load_settings
from bot.logs import RedactFilter
from tests.conftest import TEST_TOKEN
from tests.e2e.webhook_harness import free_port
from tests.test_cli import run_cli

SECRET = "Abc_def-0123456789xyz"


@pytest.mark.parametrize(
    ("field", "value", "named"),
    [
        ("webhook_url", "http://bot.example.com/tg", "WEBHOOK_URL"),
        ("webhook_url", "bot.example.com", "WEBHOOK_URL"),
        ("webhook_secret", "short", "WEBHOOK_SECRET"),
        ("webhook_secret", "has spaces in it 0123456789", "WEBHOOK_SECRET"),
        ("webhook_port", "0", "WEBHOOK_PORT"),
        ("health_port", "70000", "HEALTH_PORT"),
    ],
)
def test_a_malformed_webhook_setting_is_named(field: str, value: str, named: str) -> None:
    with pytest.raises(SettingsError) as err:
        load_settings(_env_file=None, **{field: value})
    assert named in str(err.value) and "\n" not in str(err.value)


def test_env_example_documents_and_accepts_the_webhook_settings() -> None:
    example = (ROOT / ".env.example").read_text()
    for name in ("WEBHOOK_URL", "WEBHOOK_SECRET", "WEBHOOK_HOST", "WEBHOOK_PORT", "HEALTH_PORT"):
        assert f"\n{name}=" in example
    s = load_settings(_env_file=ROOT / ".env.example")
    assert s.webhook_url is None and s.webhook_secret is None and s.health_port is None


def test_secrets_are_not_in_the_settings_repr_and_are_listed_for_redaction() -> None:
    s = load_settings(_env_file=None, bot_token=TEST_TOKEN, webhook_secret=SECRET)
    assert SECRET not in repr(s) and SECRET not in str(s.model_dump())
    assert s.secrets == [TEST_TOKEN, SECRET]


def test_the_webhook_secret_is_redacted_from_every_log_record() -> None:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RedactFilter([TEST_TOKEN, SECRET]))
    logger = logging.getLogger("test.redact.webhook")
    logger.addHandler(handler)
    logger.propagate = False
    try:
        logger.warning("setWebhook secret_token=%s url=/bot%s/setWebhook", SECRET, TEST_TOKEN)
        try:
            raise ValueError(f"bad header {SECRET}")
        except ValueError:
            logger.exception("failed")
    finally:
        logger.removeHandler(handler)
    text = stream.getvalue()
    assert SECRET not in text and TEST_TOKEN.split(":")[1] not in text
    assert "secret_token=<secret>" in text and "bad header <secret>" in text


def test_webhook_command_without_its_settings_names_them(tmp_path: Path) -> None:
    env = {"BOT_TOKEN": TEST_TOKEN, "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path}/x.db"}
    result = run_cli("webhook", env=env, cwd=tmp_path)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "WEBHOOK_URL, WEBHOOK_SECRET" in result.stderr


def test_webhook_command_without_telegram_ends_with_one_line(tmp_path: Path) -> None:
    """What the bot cannot run without (Telegram answering getMe) stops it with one line, no traceback."""
    db = f"sqlite+aiosqlite:///{tmp_path}/x.db"
    assert run_cli("migrate", env={"DATABASE_URL": db}, cwd=tmp_path).returncode == 0
    env = {
        "BOT_TOKEN": TEST_TOKEN,
        "DATABASE_URL": db,
        "TELEGRAM_API_URL": "http://127.0.0.1:1",  # nothing listens there
        "WEBHOOK_URL": "https://bot.example.com/hook",
        "WEBHOOK_SECRET": SECRET,
        "WEBHOOK_PORT": str(free_port()),
        "LOG_LEVEL": "WARNING",
    }
    result = run_cli("webhook", env=env, cwd=tmp_path)
    assert result.returncode == 2, result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("Нет связи с Telegram (http://127.0.0.1:1)"), lines
