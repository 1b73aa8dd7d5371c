"""The team: invites (head), the member list (head, owner), deactivating a member (head)."""

from __future__ import annotations

from datetime import timedelta

from aiogram import Bot, F, Router
from aiogram.filters import Command, CommandObject
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.callback_answer import CallbackAnswer

from bot.commands import set_member_commands
from bot.config import Settings
from bot.context import Ctx
from bot.filters import RoleFilter
from bot.i18n import Texts
from bot.keyboard import Keyboard
from domain.enums import Role
from domain.errors import UserError
from handlers.callbacks import MemberAction, MemberStep, reply_to, show
from storage.models import Member, Team

INVITE_ROLES = {
    "manager": Role.MANAGER,
    "менеджер": Role.MANAGER,
    "owner": Role.OWNER,
    "собственник": Role.OWNER,
    "head": Role.HEAD,
    "руководитель": Role.HEAD,
}


async def invite_link(bot: Bot, code: str) -> str:
    me = await bot.me()
    return f"https://t.me/{me.username}?start={code}"


def team_keyboard(members: list[Member], viewer: Member, t: Texts) -> InlineKeyboardMarkup | None:
    if viewer.role is not Role.HEAD:
        return None
    label = t.plain
    kb = Keyboard()
    for m in members:
        if m.id != viewer.id:
            kb.button(
                text=label("btn-deactivate", name=m.name),
                callback_data=MemberAction(action=MemberStep.ASK_DEACTIVATE, member_id=m.id),
            )
    kb.adjust(1)
    return kb.as_markup() if list(kb.buttons) else None


def render_team(team: Team, members: list[Member], t: Texts) -> str:
    lines = [t("team-title", team=team.name, count=len(members))]
    for m in members:
        handle = f" @{m.username}" if m.username else ""
        lines.append(t("team-line", role=t(f"role-{m.role}"), name=m.name, handle=handle))
    return "\n".join(lines)


async def invite(message: Message, command: CommandObject, ctx: Ctx, settings: Settings) -> None:
    arg = (command.args or "manager").strip().lower()
    role = INVITE_ROLES.get(arg)
    if role is None:
        raise UserError("invite-role")
    ttl = timedelta(hours=settings.invite_ttl_hours)
    member = ctx.member
    code = (await ctx.repo.invites.create(member.team_id, role, ctx.now(), ttl, created_by=member.id)).code
    await message.answer(
        ctx.t(
            "invite-created",
            role=ctx.t(f"role-{role}"),
            link=await invite_link(ctx.bot, code),
            hours=settings.invite_ttl_hours,
        )
    )


async def team_list(message: Message, ctx: Ctx) -> None:
    members = list(await ctx.repo.members.team_members(ctx.member.team_id))
    markup = team_keyboard(members, ctx.member, ctx.t)
    await message.answer(render_team(ctx.team, members, ctx.t), reply_markup=markup)


async def _deactivatable(ctx: Ctx, member_id: int) -> Member:
    """A member of the head's team the head may deactivate: another one, still active."""
    head = ctx.member
    target = await ctx.repo.members.in_team(head.team_id, member_id)
    if target.id == head.id:
        raise UserError("deactivate-self")
    if not target.active:
        raise UserError("member-inactive", name=target.name)
    return target


async def ask_deactivate(query: CallbackQuery, callback_data: MemberAction, ctx: Ctx) -> None:
    target = await _deactivatable(ctx, callback_data.member_id)
    label = ctx.t.plain
    kb = Keyboard()
    kb.button(
        text=label("btn-confirm-deactivate"),
        callback_data=MemberAction(action=MemberStep.DEACTIVATE, member_id=target.id),
    )
    kb.button(
        text=label("btn-cancel"), callback_data=MemberAction(action=MemberStep.KEEP, member_id=target.id)
    )
    await reply_to(query, ctx.bot, ctx.t("deactivate-confirm", name=target.name), kb.as_markup())


async def deactivate(
    query: CallbackQuery, callback_data: MemberAction, ctx: Ctx, callback_answer: CallbackAnswer
) -> None:
    target = await _deactivatable(ctx, callback_data.member_id)
    target.active = False
    callback_answer.text = ctx.t.plain("deactivated", name=target.name)
    await show(query, ctx.bot, ctx.t("deactivated", name=target.name))
    await set_member_commands(ctx.bot, ctx.translator, target.tg_id, None, target.locale)


async def keep(query: CallbackQuery, ctx: Ctx) -> None:
    await show(query, ctx.bot, ctx.t("deactivate-cancelled"))


def build_router() -> Router:
    router = Router(name="team")

    head = Router(name="team-head")
    head.message.filter(RoleFilter(Role.HEAD))
    head.callback_query.filter(RoleFilter(Role.HEAD))
    head.message.register(invite, Command("invite"))
    head.callback_query.register(ask_deactivate, MemberAction.filter(F.action == MemberStep.ASK_DEACTIVATE))
    head.callback_query.register(deactivate, MemberAction.filter(F.action == MemberStep.DEACTIVATE))
    head.callback_query.register(keep, MemberAction.filter(F.action == MemberStep.KEEP))

    readers = Router(name="team-read")
    readers.message.filter(RoleFilter(Role.HEAD, Role.OWNER))
    readers.message.register(team_list, Command("team"))

    router.include_routers(head, readers)
    return router
