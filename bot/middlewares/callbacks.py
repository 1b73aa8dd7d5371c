from __future__ import annotations

from typing import Any

from aiogram import BaseMiddleware
from aiogram.types import CallbackQuery, TelegramObject
from aiogram.utils.callback_answer import CallbackAnswer

from bot.middlewares.base import Next


class AnswerCallbackMiddleware(BaseMiddleware):
    """Inner middleware: every button press is answered, so no client is left with a spinning button.

    A handler may set ``callback_answer.text`` (and ``show_alert``) or answer itself. When the handler
    raises, the answer is left to the error handler, which answers with the polite explanation.
    """

    async def __call__(self, handler: Next, event: TelegramObject, data: dict[str, Any]) -> Any:
        if not isinstance(event, CallbackQuery):
            return await handler(event, data)
        answer = data["callback_answer"] = CallbackAnswer(answered=False)
        result = await handler(event, data)
        if not answer.disabled and not answer.answered:
            answer.disable()  # marks it settled: a late change of the text would now raise
            await event.answer(text=answer.text, show_alert=answer.show_alert)
        return result
