"""Small fixes for per-update costs in the libraries underneath, measured by ``bench/updates.py`` and
``bench/fanout.py``.

aiogram validates every Bot API answer with ``Response[<the method's result type>]``, a generic pydantic
model built on first use. pydantic keeps built generic models in a *weak* cache, so once the garbage
collector has found the last ``Response[Message]`` unreferenced, the next answer builds it again: some
tens of milliseconds of schema building, every few dozen updates. Holding the result types the bot uses
keeps them built for the life of the process.

Every aiogram model (an update's message, user and chat; a button we build; each of the 48 buttons of a
day list echoed back in Telegram's answer) runs ``model_post_init`` when made. aiogram's one
(``BotContextController``: remember the bot) sits under pydantic's wrapper that first sets the private
attributes, and pydantic wraps it again at every subclass level, so a button ran the wrapper four times
and set its private attributes four times: about 5 µs of the 7 µs a button costs. ``flatten_post_init``
gives each aiogram model one function doing what the chain ends with (``_bot`` set to the context's bot,
or None).
"""

from __future__ import annotations

import gc
from typing import Any

from aiogram import methods
from aiogram.client.context_controller import BotContextController
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


def _bot_post_init(self: BotContextController, context: Any, /) -> None:
    """What pydantic's wrapped chain over ``BotContextController.model_post_init`` ends with, in one step:
    the private attributes are ``_bot`` alone, set to the validation context's bot (None without one)."""
    object.__setattr__(self, "__pydantic_private__", {"_bot": context.get("bot") if context else None})


_FLAT: set[type] = set()


def flatten_post_init() -> int:
    """Give every aiogram model class (types and methods, ``BotContextController``'s subclasses) whose
    only private attribute is ``_bot`` and whose ``model_post_init`` is aiogram's, wrapped by pydantic,
    ``_bot_post_init`` instead. Classes made later (aiogram makes none after import) keep the chain.
    Returns how many classes it changed this call."""
    changed = 0
    pending = list(BotContextController.__subclasses__())
    while pending:
        cls = pending.pop()
        pending.extend(cls.__subclasses__())
        if cls in _FLAT or not cls.__module__.startswith("aiogram."):
            continue
        post_init = getattr(cls.model_post_init, "__wrapped__", None)
        if set(cls.__private_attributes__) != {"_bot"} or not _is_aiogram_post_init(post_init):
            continue
        cls.model_post_init = _bot_post_init  # type: ignore[method-assign,assignment]  # the flat equivalent
        _FLAT.add(cls)
        changed += 1
    return changed


def _is_aiogram_post_init(fn: Any) -> bool:
    """``fn`` (unwrapped through pydantic's wrappers) is ``BotContextController.model_post_init``."""
    original = BotContextController.__dict__["model_post_init"]
    while fn is not None and fn is not original and getattr(fn, "__wrapped__", None) is not None:
        fn = fn.__wrapped__
    return fn is original or getattr(original, "__wrapped__", None) is fn
