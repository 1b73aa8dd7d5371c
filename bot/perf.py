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

Every request is serialised by the session's ``prepare_value``, which walks what the method's
``model_dump`` gave (a day list's keyboard: 48 buttons, each a dict) one value at a time through a
chain of ``isinstance`` checks, with keyword arguments at each step; and every answer is validated into
full models, so the answer to a message with 48 buttons built 48 button models that nobody reads.
``lean_session`` gives a bot's session a walk that takes the plain JSON values (str, int, float, bool,
dicts and lists of them) at once and hands anything else to aiogram's own, and an answer reader that
leaves out the keyboard and the entities Telegram echoes back with a sent or edited message.
"""

from __future__ import annotations

import gc
import json
from functools import partial
from typing import TYPE_CHECKING, Any

from aiogram import methods
from aiogram.client.context_controller import BotContextController
from aiogram.client.session.base import BaseSession
from aiogram.methods.base import Response

if TYPE_CHECKING:
    from aiogram import Bot

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


_PLAIN = frozenset((str, int, float, bool))
_NESTED = frozenset((dict, list))


def _plain(session: BaseSession, value: Any, bot: Bot, files: dict[str, Any]) -> Any:
    """``BaseSession.prepare_value(value, _dumps_json=False)`` for a dict or a list: None values and
    items left out (most of a dumped button's fields are None), plain JSON values kept as they are,
    anything else prepared by aiogram's own."""
    if type(value) is dict:
        prepared: dict[str, Any] = {}
        for key, item in value.items():
            if item is None:
                continue
            kind = type(item)
            if kind in _PLAIN:
                prepared[key] = item
            elif kind in _NESTED:
                prepared[key] = _plain(session, item, bot, files)
            elif (done := _other(session, item, bot, files)) is not None:
                prepared[key] = done
        return prepared
    items: list[Any] = []
    for item in value:
        if item is None:
            continue
        kind = type(item)
        if kind in _PLAIN:
            items.append(item)
        elif kind in _NESTED:
            items.append(_plain(session, item, bot, files))
        elif (done := _other(session, item, bot, files)) is not None:
            items.append(done)
    return items


def _other(session: BaseSession, item: Any, bot: Bot, files: dict[str, Any]) -> Any:
    """Anything but a plain value, a dict or a list (an upload, a default, an enum, a date): aiogram's."""
    return type(session).prepare_value(session, item, bot=bot, files=files, _dumps_json=False)


def _prepare_value(
    session: BaseSession, value: Any, bot: Bot, files: dict[str, Any], _dumps_json: bool = True
) -> Any:
    """What ``BaseSession.prepare_value`` returns, the dicts and lists of plain values walked at once."""
    if type(value) in _NESTED:
        plain = _plain(session, value, bot, files)
        return session.json_dumps(plain) if _dumps_json else plain
    return type(session).prepare_value(session, value, bot=bot, files=files, _dumps_json=_dumps_json)


def _loads_answer(content: str) -> Any:
    """Telegram's answer as ``json.loads`` reads it, less the keyboard and the entities of a message it
    returns: the bot sent that keyboard and that HTML itself and never reads them back from the answer
    (a sent message's result is used for its id, if at all), while validating a day list's 48 buttons
    into models cost as much as the rest of the answer, and its bold client names another model each
    (35 µs of a day list's edit)."""
    answer = json.loads(content)
    result = answer.get("result") if type(answer) is dict else None
    if type(result) is dict and "message_id" in result:
        result.pop("reply_markup", None)
        result.pop("entities", None)
    return answer


def lean_session(session: BaseSession) -> BaseSession:
    """Give ``session`` the faster request walk and the answer reader above (the module's doc), and return
    it. Both are the session's own attributes (``json_loads`` is a constructor argument; the walk shadows
    the ``prepare_value`` method on this instance only, and aiogram's recursion goes through it too);
    ``tests/scaleout/test_perf.py`` pins that requests come out the same as aiogram's."""
    if session.json_loads is json.loads:
        session.json_loads = _loads_answer
    session.prepare_value = partial(_prepare_value, session)  # type: ignore[method-assign]  # see the doc
    return session
