"""The Bot API answer models stay built: aiogram asks pydantic for ``Response[Message]`` on every call,
and pydantic's cache of generic models is weak, so without a strong reference the garbage collector
drops it and the next answer pays for building it again."""

from __future__ import annotations

import gc

import pydantic._internal._generics as generics
import pytest
from aiogram.client.session.base import Response
from aiogram.types import Message

from bot.perf import pin_response_models


def test_answer_models_are_not_rebuilt_after_garbage_collection(monkeypatch: pytest.MonkeyPatch) -> None:
    pin_response_models()
    built: list[object] = []
    original = generics.create_generic_submodel

    def counting(*args: object, **kwargs: object):
        built.append(args[0])
        return original(*args, **kwargs)

    monkeypatch.setattr(generics, "create_generic_submodel", counting)
    for _ in range(3):
        gc.collect()
        Response[Message]
        Response[bool]
        Response[Message | bool]
    assert built == []


def test_flat_post_init_leaves_aiogram_models_as_the_chain_did() -> None:
    """``flatten_post_init`` swaps pydantic's four nested post-init wrappers of each aiogram model for one
    step; every model made afterwards holds the same private state (the bot from the validation context,
    or None), compares and dumps the same."""
    from aiogram import Bot
    from aiogram.client.context_controller import BotContextController
    from aiogram.methods import SendMessage
    from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup, Update

    from bot.perf import _bot_post_init, flatten_post_init

    raw = {
        "update_id": 7,
        "message": {
            "message_id": 3,
            "date": 1700000000,
            "chat": {"id": 5, "type": "private"},
            "from": {"id": 5, "is_bot": False, "first_name": "Анна"},
            "text": "/today",
            "reply_markup": {"inline_keyboard": [[{"text": "✅ 1", "callback_data": "tk:d:1:t:0:0"}]]},
        },
    }
    bot = Bot("123456:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")

    def made() -> tuple[Update, InlineKeyboardButton, SendMessage]:
        update = Update.model_validate(raw, context={"bot": bot})
        button = InlineKeyboardButton(text="✅ 1", callback_data="tk:d:1:t:0:0")
        send = SendMessage(chat_id=5, text="x", reply_markup=InlineKeyboardMarkup(inline_keyboard=[[button]]))
        return update, button, send

    before = made()
    flatten_post_init()
    assert Update.model_post_init is _bot_post_init
    assert InlineKeyboardButton.model_post_init is _bot_post_init
    after = made()
    for old, new in zip(before, after, strict=True):
        assert old == new
        assert old.model_dump() == new.model_dump()
        assert old.__pydantic_private__ == new.__pydantic_private__
    update = after[0]
    assert update.bot is bot and update.message is not None and update.message.bot is bot
    assert update.message.chat.bot is bot  # nested models get the context too
    assert after[1].bot is None

    # only aiogram's own post-init is replaced: a model with its own keeps it
    class Own(BotContextController):
        seen: int = 0

        def model_post_init(self, context: object, /) -> None:
            super().model_post_init(context)
            object.__setattr__(self, "seen", 1)

    flatten_post_init()
    assert Own.model_post_init is not _bot_post_init and Own().seen == 1
