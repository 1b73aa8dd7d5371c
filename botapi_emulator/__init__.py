"""A local Telegram Bot API emulator for tests, the demo and benchmarks.

``Emulator`` holds the state and the method logic; ``create_app``/``run_emulator`` serve it over HTTP for a
real bot process (``TELEGRAM_API_URL``); ``EmulatorSession`` plugs it into an in-process ``aiogram.Bot``. What
it records (``SentMessage``, ``ApiCall``, ``User``…) is imported from ``botapi_emulator.models``.

Faithful: answer shapes, HTTP statuses and error wording; HTML parse mode (tdlib's rules and messages);
getUpdates offset/limit/timeout/allowed_updates and the 409 conflicts; UTF-16 entity offsets.
Simplified: private chats only; Markdown/MarkdownV2 text is not validated (no entities); photos are not
decoded (100x100); allowed_updates also filters updates queued before the call; flood limits count only
sendMessage/sendPhoto/sendDocument. Not thread-safe: use it from the event loop that serves it.
"""

from typing import TYPE_CHECKING, Any

from botapi_emulator.entities import EntityParseError, parse_html, utf16_len
from botapi_emulator.limits import Fault, RateLimits
from botapi_emulator.models import EmulatorError
from botapi_emulator.server import create_app, run_emulator
from botapi_emulator.state import ApiError, Emulator, Reply, supported_methods

if TYPE_CHECKING:
    from botapi_emulator.session import EmulatorSession


def __getattr__(name: str) -> Any:
    # EmulatorSession imports aiogram (seconds of start-up); the standalone server does not need it.
    if name == "EmulatorSession":
        from botapi_emulator.session import EmulatorSession

        return EmulatorSession
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "ApiError",
    "Emulator",
    "EmulatorError",
    "EmulatorSession",
    "EntityParseError",
    "Fault",
    "RateLimits",
    "Reply",
    "create_app",
    "parse_html",
    "run_emulator",
    "supported_methods",
    "utf16_len",
]
