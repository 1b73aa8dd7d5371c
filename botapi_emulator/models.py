"""What the emulator records: users, the bot's messages, callback queries and answers, API calls."""

from __future__ import annotations

import dataclasses
import json
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Literal

MessageKind = Literal["text", "photo", "document"]


def attributes(record: object, *names: str) -> dict[str, Any]:
    """The named attributes of ``record`` as they are: the plain part of a JSON view."""
    return {name: getattr(record, name) for name in names}


class EmulatorError(Exception):
    """A control-API misuse (a test asked for something a Telegram user could not do)."""


@dataclass
class Upload:
    """A file as it arrived in a multipart request."""

    data: bytes
    filename: str
    content_type: str | None = None


@dataclass
class StoredFile:
    """A file known to the emulated server; ``path`` is served under ``/file/bot<token>/``."""

    file_id: str
    file_unique_id: str
    data: bytes
    filename: str
    mime_type: str
    path: str

    @property
    def size(self) -> int:
        return len(self.data)


@dataclass
class User:
    """A Telegram user; their private chat with the bot has ``chat id == user id``."""

    id: int
    first_name: str = "User"
    username: str | None = None
    language_code: str | None = "ru"
    last_name: str | None = None
    started: bool = False
    """The user wrote to the bot at least once (until then the bot cannot message them)."""
    blocked: bool = False

    def to_api(self) -> dict[str, Any]:
        data: dict[str, Any] = {"id": self.id, "is_bot": False, "first_name": self.first_name}
        for key in ("last_name", "username", "language_code"):
            if (value := getattr(self, key)) is not None:
                data[key] = value
        return data

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    def chat(self) -> dict[str, Any]:
        data: dict[str, Any] = {"id": self.id, "type": "private", "first_name": self.first_name}
        for key in ("last_name", "username"):
            if (value := getattr(self, key)) is not None:
                data[key] = value
        return data


@dataclass
class Edit:
    """A previous version of an edited message."""

    date: int
    text: str | None
    plain_text: str
    parse_mode: str | None
    reply_markup: dict[str, Any] | None


@dataclass
class SentMessage:
    """A message the bot sent; ``text`` is the text or caption exactly as the bot sent it."""

    chat_id: int
    message_id: int
    kind: MessageKind
    text: str | None
    plain_text: str
    entities: list[dict[str, Any]]
    parse_mode: str | None
    reply_markup: dict[str, Any] | None
    date: int
    sent_at: float
    """The emulator's monotonic clock at delivery (for rate measurements)."""
    file: StoredFile | None = None
    edit_date: int | None = None
    edits: list[Edit] = field(default_factory=list)
    deleted: bool = False
    params: dict[str, Any] = field(default_factory=dict)

    @property
    def caption(self) -> str | None:
        return self.text if self.kind != "text" else None

    @property
    def data(self) -> bytes | None:
        return self.file.data if self.file else None

    @property
    def filename(self) -> str | None:
        return self.file.filename if self.file else None

    @property
    def buttons(self) -> list[dict[str, Any]]:
        """Inline keyboard buttons, row by row, flattened."""
        rows = (self.reply_markup or {}).get("inline_keyboard") or []
        return [button for row in rows for button in row]

    def button(self, label: str) -> dict[str, Any]:
        """The first inline button whose text contains ``label``."""
        for button in self.buttons:
            if label in button.get("text", ""):
                return button
        labels = [b.get("text") for b in self.buttons]
        raise LookupError(f"no button with {label!r} in message {self.message_id}; buttons: {labels}")

    def contains(self, needle: str) -> bool:
        return needle in (self.text or "") or needle in self.plain_text

    def to_dict(self) -> dict[str, Any]:
        """A JSON-friendly view (file bytes left out) for the HTTP control API."""
        return {
            **attributes(self, "chat_id", "message_id", "kind"),
            **attributes(self, "text", "plain_text", "entities", "parse_mode", "reply_markup"),
            **attributes(self, "date", "edit_date"),
            "edits": len(self.edits),
            "deleted": self.deleted,
            "file": None
            if self.file is None
            else attributes(self.file, "file_id", "filename", "size", "mime_type"),
        }


@dataclass
class UserMessage:
    """A message a user sent to the bot."""

    chat_id: int
    message_id: int
    payload: dict[str, Any]
    deleted: bool = False


@dataclass
class CallbackQuery:
    """A button press; ``answered`` turns true on the first valid answerCallbackQuery."""

    id: str
    user_id: int
    chat_id: int
    message_id: int
    data: str
    answered: bool = False


@dataclass
class CallbackAnswer:
    """An answerCallbackQuery call that Telegram accepted."""

    query_id: str
    text: str | None
    show_alert: bool
    url: str | None = None
    cache_time: int = 0


@dataclass
class ApiCall:
    """One Bot API request, in arrival order; ``status`` is filled in when it is answered."""

    method: str
    params: dict[str, Any]
    timestamp: float
    files: tuple[str, ...] = ()
    status: int | None = None
    description: str | None = None

    def json(self, name: str) -> Any:
        """A parameter decoded from JSON if it was sent as a JSON string (as aiogram does)."""
        value = self.params.get(name)
        if isinstance(value, str):
            try:
                return json.loads(value)
            except ValueError:
                return value
        return value

    def to_dict(self) -> dict[str, Any]:
        return {
            **attributes(self, "method", "params", "timestamp"),
            "files": list(self.files),
            **attributes(self, "status", "description"),
        }


@dataclass
class Stats:
    """Counters for benchmarks and delivery tests."""

    requests: int = 0
    delivered: int = 0
    rate_limited: int = 0
    """429 answers produced by :class:`RateLimits` (injected faults are counted in ``faults``)."""
    faults: int = 0
    errors: Counter[int] = field(default_factory=Counter)
    """Error answers by HTTP status, whatever their cause."""

    def to_dict(self) -> dict[str, Any]:
        counts = attributes(self, "requests", "delivered", "rate_limited", "faults")
        return {**counts, "errors": {str(k): v for k, v in self.errors.items()}}
