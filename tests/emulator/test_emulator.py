"""The Bot API emulator, driven by a real ``aiogram.Bot`` over HTTP and through ``EmulatorSession``."""

from __future__ import annotations

import asyncio
import io
import json
import time
from collections.abc import AsyncIterator, Awaitable, Callable

import aiohttp
import pytest
from aiogram import Bot, Dispatcher, F
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramConflictError,
    TelegramForbiddenError,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
    TelegramUnauthorizedError,
)
from aiogram.filters import CommandObject, CommandStart
from aiogram.methods import GetUpdates
from aiogram.types import (
    BotCommand,
    BotCommandScopeChat,
    BufferedInputFile,
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
    Update,
)

from botapi_emulator import (
    Emulator,
    EmulatorError,
    EmulatorSession,
    EntityParseError,
    Fault,
    RateLimits,
    parse_html,
    run_emulator,
)

TOKEN = "123456789:AAH-emulator_test_token_0123456789"
USER = 1001
OTHER = 1002


def in_flight(emu: Emulator, method: str) -> bool:
    """A call of ``method`` has arrived and is not answered yet."""
    return any(call.status is None for call in emu.calls_of(method))


def keyboard(*pairs: tuple[str, str]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        inline_keyboard=[[InlineKeyboardButton(text=text, callback_data=data)] for text, data in pairs]
    )


async def close_session(bot: Bot) -> None:
    """Close an AiohttpSession without its 250 ms grace sleep (nothing to drain on loopback)."""
    session = getattr(bot.session, "_session", None)
    if session is not None:
        await session.close()


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def emu() -> Emulator:
    emulator = Emulator(TOKEN)
    emulator.add_user(USER, "Анна", "anna", started=True)
    emulator.add_user(OTHER, "Борис", started=True)
    return emulator


@pytest.fixture(params=["http", "session"])
async def bot(request: pytest.FixtureRequest, emu: Emulator) -> AsyncIterator[Bot]:
    """The same Bot, once over HTTP (AiohttpSession) and once in-process (EmulatorSession)."""
    default = DefaultBotProperties(parse_mode="HTML")
    if request.param == "session":
        yield Bot(TOKEN, session=EmulatorSession(emu), default=default)
        return
    async with run_emulator(emu) as base_url:
        bot = Bot(TOKEN, session=AiohttpSession(api=TelegramAPIServer.from_base(base_url)), default=default)
        yield bot
        await close_session(bot)


@pytest.fixture
async def base_url(emu: Emulator) -> AsyncIterator[str]:
    async with run_emulator(emu) as url:
        yield url


# ---------------------------------------------------------------------- basics


async def test_get_me(bot: Bot) -> None:
    me = await bot.get_me()
    assert (me.id, me.username, me.is_bot) == (123456789, "rop_assistant_bot", True)


async def test_send_edit_delete(bot: Bot, emu: Emulator) -> None:
    markup = keyboard(("Да", "yes"), ("Нет", "no"))
    sent = await bot.send_message(USER, "Привет, <b>Анна</b> 👋", reply_markup=markup)
    assert sent.text == "Привет, Анна 👋"
    assert [(e.type, e.offset, e.length) for e in sent.entities or []] == [("bold", 8, 4)]
    assert sent.reply_markup is not None
    assert sent.reply_markup.model_dump() == markup.model_dump()
    record = emu.last(USER)
    assert record is not None
    assert (record.text, record.parse_mode, record.kind) == ("Привет, <b>Анна</b> 👋", "HTML", "text")
    assert record.reply_markup == {
        "inline_keyboard": [
            [{"text": "Да", "callback_data": "yes"}],
            [{"text": "Нет", "callback_data": "no"}],
        ]
    }

    edited = await bot.edit_message_text("Готово", chat_id=USER, message_id=sent.message_id)
    assert isinstance(edited, Message)
    assert edited.text == "Готово" and edited.edit_date is not None and edited.reply_markup is None
    assert record.text == "Готово" and record.reply_markup is None
    assert record.edits[0].text == "Привет, <b>Анна</b> 👋"

    await bot.edit_message_reply_markup(
        chat_id=USER, message_id=sent.message_id, reply_markup=keyboard(("OK", "ok"))
    )
    assert record.buttons == [{"text": "OK", "callback_data": "ok"}]
    assert len(record.edits) == 2

    assert await bot.delete_message(USER, sent.message_id) is True
    assert record.deleted
    second = await bot.send_message(USER, "ещё")
    assert second.message_id == sent.message_id + 1
    assert [c.method for c in emu.calls] == [
        "sendMessage",
        "editMessageText",
        "editMessageReplyMarkup",
        "deleteMessage",
        "sendMessage",
    ]
    assert emu.calls[0].json("reply_markup") == record.edits[0].reply_markup  # sent as a JSON string


async def test_callback_answer(bot: Bot, emu: Emulator) -> None:
    sent = await bot.send_message(USER, "Выбор", reply_markup=keyboard(("Да", "yes")))
    query_id = emu.press(USER, sent.message_id, "yes")
    assert emu.unanswered_callbacks()[0].id == query_id
    assert await bot.answer_callback_query(query_id, text="Принято", show_alert=True)
    answer = emu.answer_for(query_id)
    assert answer is not None and (answer.text, answer.show_alert) == ("Принято", True)
    assert emu.unanswered_callbacks() == []


# ---------------------------------------------------------------------- errors, worded as Telegram does


async def test_text_errors(bot: Bot) -> None:
    for text in ("", "   ", "<b></b>"):
        with pytest.raises(TelegramBadRequest) as error:
            await bot.send_message(USER, text)
        assert error.value.message == "Bad Request: message text is empty"
    with pytest.raises(TelegramBadRequest) as error:
        await bot.send_message(USER, "я" * 4097)
    assert error.value.message == "Bad Request: message is too long"
    # the limit counts the visible text, not the markup
    await bot.send_message(USER, "<b>" + "я" * 4096 + "</b>")


async def test_callback_data_limit_in_bytes(bot: Bot, emu: Emulator) -> None:
    await bot.send_message(USER, "ok", reply_markup=keyboard(("a", "ж" * 32)))  # 64 bytes
    for data in ("ж" * 33, ""):  # 66 bytes; empty
        with pytest.raises(TelegramBadRequest) as error:
            await bot.send_message(USER, "x", reply_markup=keyboard(("a", data)))
        assert error.value.message == "Bad Request: BUTTON_DATA_INVALID"
    assert len(emu.sent(USER)) == 1


async def test_chat_and_message_errors(bot: Bot, emu: Emulator) -> None:
    cases: list[tuple[Callable[[], Awaitable[object]], str]] = [
        (lambda: bot.send_message(999, "x"), "chat not found"),
        (lambda: bot.edit_message_text("x", chat_id=USER, message_id=777), "message to edit not found"),
        (lambda: bot.delete_message(USER, 777), "message to delete not found"),
        (
            lambda: bot.answer_callback_query("42"),
            "query is too old and response timeout expired or query ID is invalid",
        ),
    ]
    for call, description in cases:
        with pytest.raises(TelegramBadRequest) as error:
            await call()
        assert error.value.message == f"Bad Request: {description}"

    sent = await bot.send_message(USER, "<b>same</b>", reply_markup=keyboard(("a", "a")))
    with pytest.raises(TelegramBadRequest, match="message is not modified") as error:
        await bot.edit_message_text(
            "<b>same</b>", chat_id=USER, message_id=sent.message_id, reply_markup=keyboard(("a", "a"))
        )
    assert error.value.message == (
        "Bad Request: message is not modified: specified new message content and reply markup are exactly "
        "the same as a current content and reply markup of the message"
    )
    # different markup is a modification; so is dropping the keyboard
    await bot.edit_message_text("<b>same</b>", chat_id=USER, message_id=sent.message_id)

    query_id = emu.press(USER, sent.message_id, "a", strict=False)
    with pytest.raises(TelegramBadRequest) as error:
        await bot.answer_callback_query(query_id, text="д" * 201)
    assert error.value.message == "Bad Request: MESSAGE_TOO_LONG"
    await bot.answer_callback_query(query_id, text="д" * 200)
    with pytest.raises(TelegramBadRequest, match="query is too old"):
        await bot.answer_callback_query(query_id)


async def test_forbidden(bot: Bot, emu: Emulator) -> None:
    emu.add_user(2001, "Тихий")
    with pytest.raises(TelegramForbiddenError) as error:
        await bot.send_message(2001, "привет")
    assert error.value.message == "Forbidden: bot can't initiate conversation with a user"
    emu.send_text(2001, "/start")
    await bot.send_message(2001, "привет")

    emu.block(USER)
    with pytest.raises(TelegramForbiddenError) as error:
        await bot.send_message(USER, "x")
    assert error.value.message == "Forbidden: bot was blocked by the user"
    update = (await bot(GetUpdates(allowed_updates=["my_chat_member"])))[-1]
    assert update.my_chat_member is not None
    assert update.my_chat_member.new_chat_member.status == "kicked"
    emu.unblock(USER)
    await bot.send_message(USER, "снова")


async def test_unauthorized_and_unknown_method(emu: Emulator, base_url: str) -> None:
    bot = Bot("1:wrong-token", session=AiohttpSession(api=TelegramAPIServer.from_base(base_url)))
    with pytest.raises(TelegramUnauthorizedError, match="Unauthorized"):
        await bot.get_me()
    await close_session(bot)
    async with aiohttp.ClientSession() as http:
        async with http.post(f"{base_url}/bot{TOKEN}/sendTelepathy", data={"chat_id": "1"}) as resp:
            assert (resp.status, await resp.json()) == (
                404,
                {"ok": False, "error_code": 404, "description": "Not Found"},
            )
        # method names are case-insensitive; query-string parameters work as in Telegram
        async with http.get(f"{base_url}/bot{TOKEN}/GETME") as resp:
            assert (await resp.json())["result"]["username"] == "rop_assistant_bot"
        body = {"chat_id": USER, "text": "json"}
        async with http.post(f"{base_url}/bot{TOKEN}/sendMessage", json=body) as resp:
            assert (await resp.json())["result"]["text"] == "json"


# ---------------------------------------------------------------------- HTML parse mode


@pytest.mark.parametrize(
    ("text", "description"),
    [
        ("a<br>b", 'Unsupported start tag "br" at byte offset 1'),
        ("1 < 2", 'Unsupported start tag "" at byte offset 2'),
        ("<b>bold", 'Can\'t find end tag corresponding to start tag "b"'),
        ("x</b>", "Unexpected end tag at byte offset 1"),
        ("<b><i>x</b></i>", 'Unmatched end tag at byte offset 7, expected "</i>", found "</b>"'),
        ("<span>x</span>", 'Tag "span" must have class "tg-spoiler" at byte offset 0'),
        ("<b", "Unclosed start tag at byte offset 0"),
        ('<a href="x>y', "Unclosed start tag at byte offset 0"),
        ("Цена <p>", 'Unsupported start tag "p" at byte offset 9'),
    ],
)
def test_html_errors(text: str, description: str) -> None:
    with pytest.raises(EntityParseError) as error:
        parse_html(text)
    assert str(error.value) == description


def test_html_entities_and_offsets() -> None:
    text, entities = parse_html(
        '&lt;b&gt; &amp; &quot;q&quot; &#128077; &nbsp; <a href="https://t.me/x?a=1&amp;b=2">ссылка</a> '
        '😀<i>курсив</i> <tg-spoiler>s</tg-spoiler> <span class="tg-spoiler">z</span> '
        '<pre><code class="language-python">x = 1</code></pre> <blockquote expandable>q</blockquote> '
        "<B>up</B>"
    )
    assert text.startswith('<b> & "q" 👍 &nbsp; ссылка 😀курсив')
    by_type = {e["type"]: e for e in entities}
    assert by_type["text_link"]["url"] == "https://t.me/x?a=1&b=2"
    # two emoji before it, each two UTF-16 code units long
    assert by_type["italic"]["offset"] == len('<b> & "q" 👍 &nbsp; ссылка 😀') + 2
    assert by_type["pre"]["language"] == "python"
    assert "code" not in by_type
    assert by_type["expandable_blockquote"]["length"] == 1
    assert by_type["bold"]["length"] == 2
    assert [e["type"] for e in entities].count("spoiler") == 2


async def test_html_error_through_bot(bot: Bot, emu: Emulator) -> None:
    with pytest.raises(TelegramBadRequest) as error:
        await bot.send_message(USER, "Итого: 5 < 7")
    assert error.value.message == (
        'Bad Request: can\'t parse entities: Unsupported start tag "" at byte offset 14'
    )
    sent = await bot.send_message(USER, "Итого: 5 &lt; 7", parse_mode=None)
    assert sent.text == "Итого: 5 &lt; 7"  # without parse_mode nothing is decoded
    with pytest.raises(TelegramBadRequest, match="unsupported parse_mode"):
        await bot.send_message(USER, "x", parse_mode="BBCode")
    assert len(emu.sent(USER)) == 1


# ---------------------------------------------------------------------- getUpdates


async def test_get_updates_offset_semantics(bot: Bot, emu: Emulator) -> None:
    first = emu.send_text(USER, "/start ref42")["update_id"]
    emu.send_text(USER, "👍 /help@rop_assistant_bot now")

    updates = await bot.get_updates()
    assert [u.update_id for u in updates] == [first, first + 1]
    start = updates[0].message
    assert start is not None and start.text == "/start ref42"
    assert [(e.type, e.offset, e.length) for e in start.entities or []] == [("bot_command", 0, 6)]
    help_entities = updates[1].message.entities  # type: ignore[union-attr]
    assert [(e.type, e.offset, e.length) for e in help_entities or []] == [("bot_command", 3, 23)]

    # not confirmed: delivered again
    assert [u.update_id for u in await bot.get_updates()] == [first, first + 1]
    assert [u.update_id for u in await bot.get_updates(offset=first, limit=1)] == [first]
    # confirmed: gone for ever
    assert [u.update_id for u in await bot.get_updates(offset=first + 1)] == [first + 1]
    assert [u.update_id for u in await bot.get_updates()] == [first + 1]
    assert await bot.get_updates(offset=first + 2) == []
    assert emu.pending_updates() == 0
    assert await bot.get_updates(offset=first) == []


async def test_get_updates_long_poll(bot: Bot, emu: Emulator) -> None:
    started = time.monotonic()
    assert await emu.call(TOKEN, "getUpdates", {"timeout": "0.2"}) == (200, {"ok": True, "result": []})
    assert time.monotonic() - started >= 0.2  # answered at its timeout, not at once

    poll = asyncio.create_task(bot.get_updates(timeout=10))
    await emu.wait_for(lambda: in_flight(emu, "getUpdates"), timeout=5)  # the poll is parked
    started = time.monotonic()
    emu.send_text(USER, "hi")
    updates = await poll
    # the parked poll returned the update sent after it began, and long before its 10 s: woken by it
    assert updates[0].message is not None and updates[0].message.text == "hi"
    assert time.monotonic() - started < 5


async def test_allowed_updates_and_negative_offset(bot: Bot, emu: Emulator) -> None:
    sent = await bot.send_message(USER, "k", reply_markup=keyboard(("a", "a")))
    emu.send_text(USER, "1")
    emu.press(USER, sent.message_id, "a")
    emu.send_text(USER, "2")
    updates = await bot.get_updates(allowed_updates=["message"])
    assert [u.message.text for u in updates if u.message] == ["1", "2"] and len(updates) == 2
    emu.send_text(USER, "3")
    assert [u.message.text for u in await bot.get_updates(offset=-1) if u.message] == ["3"]
    assert emu.pending_updates() == 1


async def test_get_updates_conflicts(bot: Bot, emu: Emulator) -> None:
    older = asyncio.create_task(bot.get_updates(timeout=5))
    await emu.wait_for(lambda: in_flight(emu, "getUpdates"), timeout=5)  # the older poll is parked
    newer = asyncio.create_task(bot.get_updates(timeout=5))
    with pytest.raises(TelegramConflictError, match="terminated by other getUpdates request"):
        await older
    emu.send_text(USER, "x")
    assert len(await newer) == 1

    await bot.set_webhook("https://example.com/hook")
    with pytest.raises(TelegramConflictError) as error:
        await bot.get_updates()
    assert error.value.message == (
        "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the "
        "webhook first"
    )
    assert (await bot.get_webhook_info()).url == "https://example.com/hook"
    await bot.delete_webhook(drop_pending_updates=True)
    assert await bot.get_updates() == []


# ---------------------------------------------------------------------- files


async def test_upload_document_and_photo(bot: Bot, emu: Emulator) -> None:
    payload = "отчёт;план\n1;2\n".encode() * 100
    doc = await bot.send_document(
        USER,
        BufferedInputFile(payload, "отчёт.csv"),
        caption="<b>Отчёт</b> за день",
        reply_markup=keyboard(("Ещё", "more")),
    )
    assert doc.document is not None and doc.document.file_name == "отчёт.csv"
    assert doc.caption == "Отчёт за день" and doc.document.file_size == len(payload)
    record = emu.last(USER)
    assert record is not None
    assert (record.kind, record.data, record.filename, record.caption) == (
        "document",
        payload,
        "отчёт.csv",
        "<b>Отчёт</b> за день",
    )
    photo = await bot.send_photo(USER, BufferedInputFile(b"\x89PNG fake", "chart.png"))
    assert photo.photo and emu.sent(USER)[-1].data == b"\x89PNG fake"
    # re-send by file_id, fetch back through getFile and the file URL
    again = await bot.send_document(OTHER, doc.document.file_id)
    assert again.document is not None and emu.last(OTHER).data == payload  # type: ignore[union-attr]
    buffer = io.BytesIO()
    await bot.download(doc.document.file_id, destination=buffer)
    assert buffer.getvalue() == payload

    # a file the user uploads can be fetched by the bot
    upload = emu.send_document(USER, b"plan", "plan.xlsx")["message"]["document"]
    buffer = io.BytesIO()
    await bot.download(upload["file_id"], destination=buffer)
    assert buffer.getvalue() == b"plan"

    with pytest.raises(TelegramBadRequest, match="message caption is too long"):
        await bot.send_photo(USER, BufferedInputFile(b"x", "a.png"), caption="c" * 1025)


# ---------------------------------------------------------------------- faults and rate limits


async def test_injected_faults(bot: Bot, emu: Emulator) -> None:
    emu.inject(USER, Fault.too_many(retry_after=7))
    emu.inject(USER, Fault.server_error())
    emu.inject(USER, Fault.forbidden())
    with pytest.raises(TelegramRetryAfter) as retry:
        await bot.send_message(USER, "1")
    assert retry.value.retry_after == 7
    assert retry.value.message.endswith("Original description: Too Many Requests: retry after 7")
    with pytest.raises(TelegramServerError, match="Internal Server Error"):
        await bot.send_message(USER, "2")
    with pytest.raises(TelegramForbiddenError, match="bot was blocked by the user"):
        await bot.send_message(USER, "3")
    await bot.send_message(OTHER, "other chats are unaffected")
    assert emu.sent(USER) == []
    await bot.send_message(USER, "4")
    assert [m.text for m in emu.sent(USER)] == ["4"]
    assert emu.stats.faults == 3 and emu.stats.errors[429] == 1


async def test_timeout_fault_delivers(emu: Emulator, base_url: str) -> None:
    sessions = [
        AiohttpSession(api=TelegramAPIServer.from_base(base_url), timeout=0.3),
        EmulatorSession(emu, timeout=0.3),
    ]
    for session in sessions:
        bot = Bot(TOKEN, session=session)
        emu.inject(USER, Fault.timeout(0.6))
        before = len(emu.sent(USER))
        with pytest.raises(TelegramNetworkError, match="Request timeout error"):
            await bot.send_message(USER, "late")
        assert len(emu.sent(USER)) == before + 1  # delivered although the sender never heard back
        emu.inject(USER, Fault.timeout(0.05))
        await bot.send_message(USER, "slow but fine")
        await close_session(bot)


async def test_rate_limits(bot: Bot, emu: Emulator) -> None:
    clock = FakeClock()
    emu.clock = clock
    emu.limits = RateLimits(per_second=30, per_chat_per_second=1, burst=2)
    await bot.send_message(USER, "1")
    await bot.send_message(USER, "2")
    with pytest.raises(TelegramRetryAfter) as retry:
        await bot.send_message(USER, "3")
    assert retry.value.retry_after == 1
    assert len(emu.sent(USER)) == 2
    clock.now += 1.0
    await bot.send_message(USER, "3")

    # the global window: 30 a second across chats
    for user_id in range(5000, 5040):
        emu.add_user(user_id, started=True)
    clock.now += 10
    delivered = 0
    for user_id in range(5000, 5040):
        try:
            await bot.send_message(user_id, "news")
            delivered += 1
        except TelegramRetryAfter as error:
            assert error.retry_after == 1
    assert delivered == 30 and emu.stats.rate_limited == 11
    # paid broadcast lifts the global cap
    await bot.send_message(5039, "paid", allow_paid_broadcast=True)
    clock.now += 1.0
    await bot.send_message(5038, "next second")


async def test_rate_limit_window_retry_after() -> None:
    clock = FakeClock()
    emu = Emulator(TOKEN, clock=clock)
    emu.add_user(USER, started=True)
    emu.limits = RateLimits(per_second=2, per_chat_per_second=100, burst=100)
    params = {"chat_id": str(USER), "text": "x"}
    assert (await emu.call(TOKEN, "sendMessage", params))[0] == 200
    clock.now += 0.5
    assert (await emu.call(TOKEN, "sendMessage", params))[0] == 200
    status, body = await emu.call(TOKEN, "sendMessage", params)
    assert (status, body) == (
        429,
        {
            "ok": False,
            "error_code": 429,
            "description": "Too Many Requests: retry after 1",
            "parameters": {"retry_after": 1},
        },
    )
    clock.now += 0.51
    assert (await emu.call(TOKEN, "sendMessage", params))[0] == 200


# ---------------------------------------------------------------------- commands, control API, waiting


async def test_commands_by_scope_and_language(bot: Bot, emu: Emulator) -> None:
    await bot.set_my_commands([BotCommand(command="start", description="Начать")])
    await bot.set_my_commands([BotCommand(command="help", description="Help")], language_code="en")
    await bot.set_my_commands(
        [BotCommand(command="team", description="Команда")], scope=BotCommandScopeChat(chat_id=USER)
    )
    assert [c.command for c in await bot.get_my_commands()] == ["start"]
    assert [c.command for c in await bot.get_my_commands(language_code="en")] == ["help"]
    assert [c.command for c in await bot.get_my_commands(scope=BotCommandScopeChat(chat_id=USER))] == ["team"]
    await bot.delete_my_commands(language_code="en")
    assert await bot.get_my_commands(language_code="en") == []
    with pytest.raises(TelegramBadRequest, match="BOT_COMMAND_INVALID"):
        await bot.set_my_commands([BotCommand(command="Нет", description="x")])
    with pytest.raises(TelegramBadRequest, match="chat not found"):
        await bot.set_my_commands(
            [BotCommand(command="a", description="x")], scope=BotCommandScopeChat(chat_id=9)
        )


async def test_profile_texts_by_language(bot: Bot, emu: Emulator) -> None:
    """setMy…/getMy… Description, ShortDescription and Name keep one text a language; a name not set is the
    bot's own, a description not set is empty."""
    await bot.set_my_description("Ежедневный план менеджера")
    await bot.set_my_description("A manager's daily plan", language_code="en")
    await bot.set_my_short_description("План и факт")
    await bot.set_my_name("Помощник РОП", language_code="ru")
    assert (await bot.get_my_description()).description == "Ежедневный план менеджера"
    assert (await bot.get_my_description(language_code="en")).description == "A manager's daily plan"
    assert (await bot.get_my_short_description()).short_description == "План и факт"
    assert (await bot.get_my_short_description(language_code="en")).short_description == ""
    assert (await bot.get_my_name(language_code="ru")).name == "Помощник РОП"
    assert (await bot.get_my_name()).name == "РОП-ассистент"
    await bot.set_my_name("", language_code="ru")  # an empty name removes the language's own
    assert (await bot.get_my_name(language_code="ru")).name == "РОП-ассистент"
    await bot.set_my_description("", language_code="en")
    assert (await bot.get_my_description(language_code="en")).description == ""
    assert (await emu.call(TOKEN, "getmydescription", {}))[1]["result"] == {
        "description": "Ежедневный план менеджера"
    }


async def test_press_on_another_chats_message(bot: Bot, emu: Emulator) -> None:
    sent = await bot.send_message(OTHER, "Пригласить?", reply_markup=keyboard(("Принять", "invite:7")))
    query_id = emu.press_button(USER, "Принять", chat_id=OTHER)
    update = (await bot.get_updates())[-1]
    assert update.callback_query is not None
    query = update.callback_query
    assert (query.id, query.data, query.from_user.id) == (query_id, "invite:7", USER)
    assert isinstance(query.message, Message) and query.message.chat.id == OTHER
    assert query.message.message_id == sent.message_id
    with pytest.raises(EmulatorError, match="no button"):
        emu.press(USER, sent.message_id, "forged", chat_id=OTHER)
    with pytest.raises(EmulatorError, match="add_user"):
        emu.send_text(4242, "hi")


async def test_wait_for_message_wakes_on_activity(emu: Emulator) -> None:
    bot = Bot(TOKEN, session=EmulatorSession(emu))

    async def later() -> None:
        await asyncio.sleep(0.1)
        await bot.send_message(USER, "первое")
        await bot.send_message(USER, "Итог: 5")

    task = asyncio.create_task(later())
    started = time.monotonic()
    message = await emu.wait_for_message(USER, contains="Итог", timeout=10)
    # woken by the send, not by its 10 s deadline (a waiter that only re-checked at the deadline)
    assert message.plain_text == "Итог: 5" and time.monotonic() - started < 5
    await task
    with pytest.raises(TimeoutError, match="no message"):
        await emu.wait_for_message(USER, after_count=2, timeout=0.05)


async def test_http_control_api(emu: Emulator, base_url: str) -> None:
    async with aiohttp.ClientSession(base_url) as http:

        async def control(action: str, body: dict | None = None) -> object:
            async with http.post(f"/_emulator/{action}", json=body or {}) as resp:
                data = await resp.json()
                assert data["ok"], data
                return data["result"]

        await control("users", {"user_id": 77, "first_name": "Вера", "started": True})
        update = await control("send_text", {"user_id": 77, "text": "/start"})
        assert update["message"]["entities"] == [{"type": "bot_command", "offset": 0, "length": 6}]  # type: ignore[index]
        await control("inject", {"chat_id": 77, "fault": "too_many", "retry_after": 3})
        async with http.post(f"/bot{TOKEN}/sendMessage", data={"chat_id": "77", "text": "x"}) as resp:
            assert resp.status == 429 and (await resp.json())["parameters"] == {"retry_after": 3}
        async with http.post(
            f"/bot{TOKEN}/sendMessage", data={"chat_id": "77", "text": "<i>hi</i>", "parse_mode": "HTML"}
        ) as resp:
            message_id = (await resp.json())["result"]["message_id"]
        async with http.get("/_emulator/sent", params={"chat_id": "77"}) as resp:
            sent = (await resp.json())["result"]
        assert [(m["message_id"], m["plain_text"]) for m in sent] == [(message_id, "hi")]
        async with http.get("/_emulator/calls") as resp:
            assert [c["status"] for c in (await resp.json())["result"]] == [429, 200]
        await control("limits", {"per_second": 5})
        assert emu.limits is not None and emu.limits.per_second == 5
        await control("block", {"user_id": 77})
        assert emu.users[77].blocked
        await control("reset")
        assert emu.users == {} and emu.calls == [] and emu.limits is None


async def test_server_shutdown_answers_pending_long_polls(emu: Emulator) -> None:
    async with aiohttp.ClientSession() as http:
        async with run_emulator(emu) as url:
            poll = asyncio.create_task(http.post(f"{url}/bot{TOKEN}/getUpdates", data={"timeout": "30"}))
            await emu.wait_for(lambda: emu.calls_of("getUpdates"), timeout=2)
            started = time.monotonic()
        assert time.monotonic() - started < 15  # the server did not wait for the poll's 30 s
        async with await poll as resp:
            assert (resp.status, await resp.json()) == (200, {"ok": True, "result": []})


# ---------------------------------------------------------------------- a real polling bot


async def test_polling_bot_end_to_end(emu: Emulator, base_url: str) -> None:
    """aiogram's Dispatcher long-polls the emulator over HTTP: commands, echo, buttons, callback answers."""
    bot = Bot(
        TOKEN,
        session=AiohttpSession(api=TelegramAPIServer.from_base(base_url)),
        default=DefaultBotProperties(parse_mode="HTML"),
    )
    dp = Dispatcher()

    @dp.message(CommandStart())
    async def start(message: Message, command: CommandObject) -> None:
        await message.answer(
            f"Привет, <b>{message.from_user.first_name}</b>! ref={command.args}",  # type: ignore[union-attr]
            reply_markup=keyboard(("Дальше", "next")),
        )

    @dp.message(F.text)
    async def echo(message: Message) -> None:
        await message.answer(f"Эхо: {message.text}", parse_mode=None)

    @dp.callback_query(F.data == "next")
    async def next_step(query: CallbackQuery) -> None:
        await query.answer("Ок")
        assert isinstance(query.message, Message)
        await query.message.edit_text("Шаг 2")

    polling = asyncio.create_task(
        dp.start_polling(
            bot, handle_signals=False, polling_timeout=5, allowed_updates=dp.resolve_used_update_types()
        )
    )
    try:
        emu.send_text(USER, "/start ref42")
        greeting = await emu.wait_for_message(USER, contains="Привет", timeout=5)
        assert greeting.plain_text == "Привет, Анна! ref=ref42"
        emu.send_text(USER, "a < b")
        echo_message = await emu.wait_for_message(USER, contains="Эхо", timeout=5)
        assert echo_message.text == "Эхо: a < b"

        query_id = emu.press_button(USER, "Дальше")
        await emu.wait_for(lambda: greeting.plain_text == "Шаг 2", timeout=5)
        answer = await emu.wait_for(lambda: emu.answer_for(query_id), timeout=5)
        assert answer.text == "Ок"
        await emu.wait_for(lambda: emu.pending_updates() == 0 or None, timeout=5)
    finally:
        await dp.stop_polling()
        await polling
    assert emu.unanswered_callbacks() == []
    assert Update.model_validate(emu.send_text(USER, "after stop")).message is not None


async def test_a_method_refused_on_demand(emu: Emulator, base_url: str) -> None:
    """``refuse`` answers a method with an error (for a number of calls, or until ``accept``); other
    methods are untouched. Over HTTP as ``/_emulator/refuse`` and ``/_emulator/accept``."""
    commands = {"commands": json.dumps([{"command": "start", "description": "Начать"}])}
    emu.refuse("setmycommands", 429, "Too Many Requests: retry after 5", times=2, retry_after=5)
    flood = (429, {"ok": False, "error_code": 429, "description": "Too Many Requests: retry after 5",
                   "parameters": {"retry_after": 5}})  # fmt: skip
    assert await emu.call(TOKEN, "setMyCommands", commands) == flood
    assert (await emu.call(TOKEN, "getMe", {}))[0] == 200
    assert await emu.call(TOKEN, "setMyCommands", commands) == flood
    assert await emu.call(TOKEN, "setMyCommands", commands) == (200, {"ok": True, "result": True})

    async with aiohttp.ClientSession(base_url) as http:
        async with http.post("/_emulator/refuse", json={"method": "setMyCommands"}) as resp:
            assert (await resp.json())["ok"]
        for _ in range(3):
            status, body = await emu.call(TOKEN, "setMyCommands", commands)
            assert (status, body["description"]) == (400, "Bad Request: refused by the emulator")
        async with http.post("/_emulator/accept", json={"method": "setMyCommands"}) as resp:
            assert (await resp.json())["ok"]
    assert (await emu.call(TOKEN, "setMyCommands", commands))[0] == 200
