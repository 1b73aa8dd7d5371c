"""The sender reads only the message id of Telegram's answer to a send (``scheduler.delivery.Sent``), and its
methods still go out, and are counted, as aiogram's ``sendMessage`` and ``sendPhoto``."""

from __future__ import annotations

from aiogram import methods
from aiogram.methods.base import Response
from aiogram.types import BufferedInputFile

from scheduler.delivery import SendMessage, SendPhoto, Sent

#: Telegram's answer to a morning list: the whole message echoed back, its keyboard too.
ANSWER = {
    "ok": True,
    "result": {
        "message_id": 42,
        "date": 1_700_000_000,
        "chat": {"id": 10, "type": "private", "first_name": "Анна"},
        "from": {"id": 1, "is_bot": True, "first_name": "bot"},
        "text": "Доброе утро",
        "entities": [{"type": "bold", "offset": 0, "length": 6}],
        "reply_markup": {
            "inline_keyboard": [[{"text": f"✅ {n}", "callback_data": f"t:d:{n}"} for n in range(4)]]
        },
    },
}


def test_the_answer_to_a_send_is_read_for_its_message_id() -> None:
    for method in (SendMessage, SendPhoto):
        response = Response[method.__returning__].model_validate(ANSWER)  # as aiogram's session does
        assert response.result == Sent(message_id=42)


def test_the_sends_are_aiograms_methods_by_name_and_endpoint() -> None:
    text = SendMessage(chat_id=10, text="x")
    photo = SendPhoto(chat_id=10, photo=BufferedInputFile(b"png", "p.png"))
    assert isinstance(text, methods.SendMessage) and isinstance(photo, methods.SendPhoto)
    # the request metrics are labelled by the class name (bot/metrics.py)
    assert (type(text).__name__, type(photo).__name__) == ("SendMessage", "SendPhoto")
    assert (text.__api_method__, photo.__api_method__) == ("sendMessage", "sendPhoto")
