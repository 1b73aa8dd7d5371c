"""Small fixes for per-update costs in the libraries underneath, measured by ``bench/updates.py`` and
``bench/fanout.py``.

aiogram validates every Bot API answer with ``Response[<the method's result type>]``, a generic pydantic
model built on first use. pydantic keeps built generic models in a *weak* cache, so once the garbage
collector has found the last ``Response[Message]`` unreferenced, the next answer builds it again: some
tens of milliseconds of schema building, every few dozen updates. Holding the result types the bot uses
keeps them built for the life of the process.
"""

from __future__ import annotations

import gc
from typing import Any

from aiogram import methods
from aiogram.methods.base import Response

_METHODS = (
    methods.AnswerCallbackQuery,
    methods.DeleteMessage,
    methods.EditMessageReplyMarkup,
    methods.EditMessageText,
    methods.GetMe,
    methods.GetUpdates,
    methods.SendDocument,
    methods.SendMessage,
    methods.SendPhoto,
    methods.SetMyCommands,
    methods.SetWebhook,
)
_PINNED: dict[Any, Any] = {}


def pin_response_models() -> None:
    """Build ``Response[T]`` once for the result types of the methods the bot calls, and keep them."""
    for method in _METHODS:
        returning = method.__returning__
        if returning not in _PINNED:
            _PINNED[returning] = Response[returning]  # type: ignore[valid-type]  # a type known at run time


def freeze_startup_objects() -> None:
    """Put everything alive at the end of start-up (modules, aiogram's and SQLAlchemy's models, the
    texts) out of the garbage collector's reach (``gc.freeze``). A full collection then scans only what
    the bot made since: before, each one paused the event loop for 100-200 ms, and the scheduled sends
    waiting on timers meanwhile went out together, past Telegram's 30 a second (``bench/fanout.py``)."""
    gc.collect()
    gc.freeze()
