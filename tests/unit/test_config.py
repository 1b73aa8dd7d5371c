from __future__ import annotations

import pytest

from bot.config import SettingsError, load_settings
from tests.conftest import TEST_TOKEN


def test_defaults_need_no_configuration() -> None:
    s = load_settings(_env_file=None)
    assert s.database_url.startswith("sqlite+aiosqlite:///") and s.database_url.endswith("data/rop.sqlite3")
    assert (s.default_locale, s.default_timezone, s.bot_token) == ("ru", "Europe/Moscow", None)


@pytest.mark.parametrize(
    ("field", "value", "named"),
    [
        ("bot_token", "not-a-token", "BOT_TOKEN"),
        ("database_url", "mysql://x", "DATABASE_URL"),
        ("default_locale", "de", "DEFAULT_LOCALE"),
        ("default_timezone", "Mars/Olympus", "DEFAULT_TIMEZONE"),
        ("telegram_api_url", "127.0.0.1:8081", "TELEGRAM_API_URL"),
        ("log_level", "LOUD", "LOG_LEVEL"),
        ("invite_ttl_hours", "-1", "INVITE_TTL_HOURS"),
    ],
)
def test_a_malformed_setting_is_named_in_one_line(field: str, value: str, named: str) -> None:
    with pytest.raises(SettingsError) as err:
        load_settings(_env_file=None, **{field: value})
    message = str(err.value)
    assert named in message and "\n" not in message


def test_token_is_secret_in_repr() -> None:
    s = load_settings(_env_file=None, bot_token=TEST_TOKEN)
    assert TEST_TOKEN.split(":")[1] not in repr(s) and TEST_TOKEN.split(":")[1] not in str(s.model_dump())
    assert s.token == TEST_TOKEN and s.bot_id == 123456789


def test_environment_is_read(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TELEGRAM_API_URL", "http://127.0.0.1:9/")
    monkeypatch.setenv("DEFAULT_LOCALE", "en")
    s = load_settings(_env_file=None)
    assert s.telegram_api_url == "http://127.0.0.1:9" and s.default_locale == "en"
