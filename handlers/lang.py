"""``/lang``: each member picks Russian or English."""

from __future__ import annotations

from aiogram import Router
from aiogram.filters import Command, CommandObject
from aiogram.types import CallbackQuery, Message
from aiogram.utils.callback_answer import CallbackAnswer

from bot.commands import set_member_commands
from bot.config import LOCALES
from bot.context import Ctx
from bot.i18n import Texts
from bot.keyboard import Keyboard
from domain.errors import UserError
from handlers.callbacks import LangChoice, show


async def _switch(ctx: Ctx, locale: str) -> Texts:
    """The member's language set to ``locale`` (and their command menu in it); its texts."""
    if locale not in LOCALES:
        raise UserError("lang-unknown")
    member = ctx.member
    member.locale = locale
    await set_member_commands(ctx.bot, ctx.translator, member.tg_id, member.role, locale)
    return ctx.translator.get(locale)


async def lang(message: Message, command: CommandObject, ctx: Ctx) -> None:
    if command.args:
        t = await _switch(ctx, command.args.strip().lower())
        await message.answer(t("lang-set"))
        return
    kb = Keyboard()
    for locale in LOCALES:
        kb.button(text=ctx.translator.get(locale).plain("lang-name"), callback_data=LangChoice(locale=locale))
    await message.answer(ctx.t("lang-choose"), reply_markup=kb.as_markup())


async def choose_language(
    query: CallbackQuery, callback_data: LangChoice, ctx: Ctx, callback_answer: CallbackAnswer
) -> None:
    t = await _switch(ctx, callback_data.locale)
    callback_answer.text = t.plain("lang-set")
    await show(query, ctx.bot, t("lang-set"))


def build_router() -> Router:
    router = Router(name="lang")
    router.message.register(lang, Command("lang"))
    router.callback_query.register(choose_language, LangChoice.filter())
    return router
