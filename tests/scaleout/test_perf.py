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


def test_lean_session_sends_what_aiogram_sends_and_reads_answers_less_the_echoed_keyboard() -> None:
    """``lean_session``'s request walk gives, for every field of every kind of request the bot makes,
    exactly what aiogram's ``prepare_value`` gives (None left out at any depth, defaults, enums, dates,
    uploads); its answer reader drops only the keyboard and the entities of a returned message."""
    import datetime
    import json

    from aiogram import Bot
    from aiogram.client.default import DefaultBotProperties
    from aiogram.client.session.aiohttp import AiohttpSession
    from aiogram.enums import ParseMode
    from aiogram.methods import (
        AnswerCallbackQuery,
        EditMessageText,
        SendDocument,
        SendMessage,
        SendPhoto,
        SetMyCommands,
    )
    from aiogram.types import (
        BotCommand,
        BufferedInputFile,
        InlineKeyboardButton,
        InlineKeyboardMarkup,
        LinkPreviewOptions,
        MessageEntity,
    )

    from bot.perf import lean_session

    bot = Bot(
        "123456:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", default=DefaultBotProperties(parse_mode=ParseMode.HTML)
    )
    rows = [[InlineKeyboardButton(text=f"✅ {i}", callback_data=f"tk:d:{i}:t:0:0")] for i in range(48)] + [
        [InlineKeyboardButton(text="Сайт", url="https://example.com")]
    ]
    keyboard = InlineKeyboardMarkup(inline_keyboard=rows)
    requests = [
        SendMessage(chat_id=5, text="<b>Сегодня</b>", reply_markup=keyboard),
        SendMessage(
            chat_id=5,
            text="x",
            entities=[MessageEntity(type="bold", offset=0, length=1)],
            link_preview_options=LinkPreviewOptions(is_disabled=True),
            parse_mode=None,
        ),
        EditMessageText(chat_id=5, message_id=9, text="y", reply_markup=keyboard),
        AnswerCallbackQuery(callback_query_id="q", text="Готово", show_alert=True, cache_time=0),
        SendPhoto(chat_id=5, photo=BufferedInputFile(b"\x89PNG", "board.png"), caption="Доска"),
        SendDocument(chat_id=5, document=BufferedInputFile(b"PK", "report.xlsx"), reply_markup=keyboard),
        SetMyCommands(commands=[BotCommand(command="today", description="День")]),
    ]
    plain, lean = AiohttpSession(), lean_session(AiohttpSession())

    def named(prepared: object, files: dict[str, object]) -> object:
        """An upload's random ``attach://`` name as its place among the files."""
        for i, name in enumerate(files):
            prepared = prepared.replace(name, f"file{i}") if isinstance(prepared, str) else prepared
        return prepared

    for method in requests:
        dumped = method.model_dump(warnings=False)
        for key, value in dumped.items():
            files_a: dict[str, object] = {}
            files_b: dict[str, object] = {}
            expected = named(plain.prepare_value(value, bot=bot, files=files_a), files_a)
            got = named(lean.prepare_value(value, bot=bot, files=files_b), files_b)
            assert got == expected, (type(method).__name__, key)
            assert list(files_a.values()) == list(files_b.values())
        nested = {
            "a": [1, None, {"b": None, "c": datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)}],
            "d": None,
        }
        assert lean.prepare_value(nested, bot=bot, files={}) == plain.prepare_value(nested, bot=bot, files={})

    message = {
        "message_id": 3,
        "date": 1700000000,
        "chat": {"id": 5, "type": "private"},
        "text": "Сегодня",
        "entities": [{"type": "bold", "offset": 0, "length": 7}],
        "reply_markup": keyboard.model_dump(exclude_none=True),
    }
    sent = lean.check_response(bot, requests[0], 200, json.dumps({"ok": True, "result": message}))
    full = plain.check_response(bot, requests[0], 200, json.dumps({"ok": True, "result": message}))
    assert full.result.reply_markup is not None and sent.result.reply_markup is None
    assert full.result.entities and sent.result.entities is None
    assert sent.result.model_dump(exclude={"reply_markup", "entities"}) == full.result.model_dump(
        exclude={"reply_markup", "entities"}
    )
    answered = lean.check_response(bot, requests[3], 200, json.dumps({"ok": True, "result": True}))
    assert answered.result is True
