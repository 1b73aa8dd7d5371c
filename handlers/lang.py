"""``/lang``: each member picks Russian or English."""

from __future__ import annotations

from aiogram import Bot, Router
from aiogram.filters import Command, CommandObject
from aiogram.types import CallbackQuery, Message
from aiogram.utils.callback_answer import CallbackAnswer

from bot.commands import set_member_commands
from bot.config import LOCALES
from bot.i18n import Texts, Translator
from bot.keyboard import Keyboard
from domain.errors import UserError
from handlers.callbacks import LangChoice, show
from storage.models import Member


async def _switch(member: Member, locale: str, translator: Translator, bot: Bot) -> Texts:
    if locale not in LOCALES:
        raise UserError("lang-unknown")
    member.locale = locale
    await set_member_commands(bot, translator, member.tg_id, member.role, locale)
    return translator.get(locale)


async def lang(
    message: Message, command: CommandObject, member: Member, t: Texts, translator: Translator, bot: Bot
) -> None:
    if command.args:
        t = await _switch(member, command.args.strip().lower(), translator, bot)
        await message.answer(t("lang-set"))
        return
    kb = Keyboard()
    for locale in LOCALES:
        kb.button(text=translator.get(locale).plain("lang-name"), callback_data=LangChoice(locale=locale))
    await message.answer(t("lang-choose"), reply_markup=kb.as_markup())


async def choose_language(
    query: CallbackQuery,
    callback_data: LangChoice,
    member: Member,
    translator: Translator,
    bot: Bot,
    callback_answer: CallbackAnswer,
) -> None:
    t = await _switch(member, callback_data.locale, translator, bot)
    callback_answer.text = t.plain("lang-set")
    await show(query, bot, t("lang-set"))


def build_router() -> Router:
    router = Router(name="lang")
    router.message.register(lang, Command("lang"))
    router.callback_query.register(choose_language, LangChoice.filter())
    return router
