"""Settings, read from the environment or ``.env`` by pydantic-settings.

A missing or malformed setting stops start-up with one line naming it (see ``load_settings``).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATABASE_URL = f"sqlite+aiosqlite:///{ROOT / 'data' / 'rop.sqlite3'}"
LOCALES = ("ru", "en")
WEBHOOK_SECRET_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-")


class SettingsError(Exception):
    """A setting is missing or malformed; the message names it in one line."""


def _secret(value: SecretStr | None, valid: Callable[[str], bool], expected: str) -> SecretStr | None:
    """A secret setting without surrounding blanks; ``None`` when unset or blank; ``ValueError(expected)``
    when ``valid`` refuses it."""
    secret = value.get_secret_value().strip() if value is not None else ""
    if not secret:
        return None
    if not valid(secret):
        raise ValueError(expected)
    return SecretStr(secret)


def _token_shaped(token: str) -> bool:
    """``123456789:ABC…``: the bot's id, a colon and a secret of at least ten characters."""
    bot_id, sep, secret = token.partition(":")
    return bool(sep) and bot_id.isdigit() and len(secret) >= 10


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    bot_token: SecretStr | None = None
    database_url: str = DEFAULT_DATABASE_URL
    telegram_api_url: str | None = None
    default_locale: str = "ru"
    default_timezone: str = "Europe/Moscow"
    log_level: str = "INFO"
    log_format: Literal["text", "json"] = "text"
    redis_url: str | None = None
    bot_username: str | None = None
    invite_ttl_hours: int = Field(default=72, ge=1, le=24 * 90)
    throttle_rate: float = Field(default=2.0, gt=0, description="messages a second a user may send")
    throttle_burst: int = Field(default=8, ge=1)
    # scheduled messages (scheduler/): the schedule lives in the database, APScheduler only wakes us
    scheduler_enabled: bool = True
    scheduler_tick_seconds: float = Field(default=30.0, ge=0.1, le=3600)
    send_rate: float = Field(default=28.0, gt=0, le=1000, description="messages a second, all chats")
    send_paid_rate: float = Field(default=900.0, gt=0, le=1000, description="with allow_paid_broadcast")
    send_chat_rate: float = Field(default=1.0, gt=0, le=30, description="messages a second to one chat")
    send_chat_burst: int = Field(default=3, ge=1, le=30)
    send_concurrency: int = Field(default=8, ge=1, le=256)
    send_timeout: int = Field(default=10, ge=1, le=300, description="seconds to wait for one send")
    # webhook mode (python -m bot webhook) and health
    webhook_url: str | None = None
    webhook_secret: SecretStr | None = None
    webhook_host: str = "127.0.0.1"
    webhook_port: int = Field(default=8080, ge=1, le=65535)
    webhook_max_connections: int = Field(default=40, ge=1, le=100)
    health_port: int | None = Field(default=None, ge=1, le=65535)
    health_host: str = "127.0.0.1"
    # CRM connections (crm/): the Fernet key that encrypts each team's CRM secret at rest
    crm_secret_key: SecretStr | None = None
    #: how often each connected team's CRM is synced (webhooks apply changes at once; this catches up)
    crm_sync_minutes: int = Field(default=5, ge=1, le=1440)
    #: the team's local hour of the nightly full reconcile
    crm_full_hour: int = Field(default=3, ge=0, le=23)
    #: the public address the CRM posts its webhooks to (``…/crm/{provider}/{secret}`` is added); unset:
    #: the origin of WEBHOOK_URL; neither: /crm tells the head how to get one
    crm_public_url: str | None = None

    @field_validator("bot_token")
    @classmethod
    def _token_shape(cls, value: SecretStr | None) -> SecretStr | None:
        return _secret(value, _token_shaped, "expected the form 123456789:ABC... given by @BotFather")

    @field_validator("default_locale")
    @classmethod
    def _locale(cls, value: str) -> str:
        if value not in LOCALES:
            raise ValueError(f"one of {', '.join(LOCALES)}")
        return value

    @field_validator("default_timezone")
    @classmethod
    def _tz(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError("an IANA time zone such as Europe/Moscow") from exc
        return value

    @field_validator("log_level")
    @classmethod
    def _level(cls, value: str) -> str:
        level = value.upper()
        if level not in {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}:
            raise ValueError("one of DEBUG, INFO, WARNING, ERROR, CRITICAL")
        return level

    @field_validator("database_url")
    @classmethod
    def _db(cls, value: str) -> str:
        if not value.startswith(("sqlite+aiosqlite://", "postgresql+asyncpg://")):
            raise ValueError("sqlite+aiosqlite:///path.db or postgresql+asyncpg://user@host/db")
        return value

    @field_validator("telegram_api_url")
    @classmethod
    def _api_url(cls, value: str | None) -> str | None:
        if not value:
            return None
        if not value.startswith(("http://", "https://")):
            raise ValueError("a base URL such as http://127.0.0.1:8081")
        return value.rstrip("/")

    @field_validator("webhook_url")
    @classmethod
    def _webhook_url(cls, value: str | None) -> str | None:
        if not value:
            return None
        if not value.startswith("https://") or len(value) > 512:
            raise ValueError("the public HTTPS URL Telegram posts to, such as https://bot.example.com/tg")
        return value

    @field_validator("webhook_secret")
    @classmethod
    def _webhook_secret(cls, value: SecretStr | None) -> SecretStr | None:
        return _secret(
            value,
            lambda secret: 16 <= len(secret) <= 256 and WEBHOOK_SECRET_CHARS.issuperset(secret),
            "16 to 256 characters of A-Z, a-z, 0-9, _ and -",
        )

    @field_validator("crm_secret_key")
    @classmethod
    def _crm_key(cls, value: SecretStr | None) -> SecretStr | None:
        from crm.vault import is_valid_key

        return _secret(value, is_valid_key, "a Fernet key: python -m bot crm keygen prints one")

    @field_validator("health_port", mode="before")
    @classmethod
    def _empty_port(cls, value: object) -> object:
        return None if value == "" else value

    @property
    def secrets(self) -> list[str]:
        """Values that must never appear in a log."""
        values = (self.bot_token, self.webhook_secret, self.crm_secret_key)
        return [s.get_secret_value() for s in values if s is not None]

    @property
    def token(self) -> str:
        if self.bot_token is None:
            raise SettingsError("BOT_TOKEN is not set")
        return self.bot_token.get_secret_value()

    @property
    def bot_id(self) -> int | None:
        if self.bot_token is None:
            return None
        return int(self.bot_token.get_secret_value().split(":", 1)[0])


def load_settings(**overrides: object) -> Settings:
    """Read the settings, turning a validation error into one line per bad setting."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]  # pydantic validates them, below
    except ValidationError as exc:
        lines = []
        for err in exc.errors():
            name = str(err["loc"][0]).upper() if err["loc"] else "settings"
            lines.append(f"{name}: {err['msg'].removeprefix('Value error, ')}")
        raise SettingsError("Bad setting " + "; ".join(lines)) from None
