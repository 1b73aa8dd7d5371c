"""The one type every middleware's ``__call__`` takes: the next step of aiogram's chain."""

from collections.abc import Awaitable, Callable
from typing import Any

from aiogram.types import TelegramObject

#: The handler (or the next middleware) a middleware hands the event and its data to.
NextHandler = Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]]
