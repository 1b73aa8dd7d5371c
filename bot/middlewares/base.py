"""What every middleware's ``__call__`` is handed first: what comes next (the next middleware, or the
handler), to call with the event and the update's data."""

from collections.abc import Awaitable, Callable
from typing import Any

from aiogram.types import TelegramObject

Next = Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]]
