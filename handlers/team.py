"""The team: invites (head), the member list (head, owner), deactivating a member (head)."""

from __future__ import annotations

from datetime import timedelta

from aiogram import Bot, F, Router
from aiogram.filters import Command, CommandObject
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.callback_answer import CallbackAnswer

from bot.clock import Clock
from bot.commands import set_member_commands
from bot.config import Settings
from bot.filters import RoleFilter
from bot.i18n import Texts, Translator
from bot.keyboard import Keyboard
from domain.enums import Role
from domain.errors import UserError
from handlers.callbacks import MemberAction
from storage.models import Member, Team
from storage.repo import Repo

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
    kb = Keyboard()
    for m in members:
        if m.id != viewer.id:
            kb.button(
                text=t("btn-deactivate", name=m.name),
                callback_data=MemberAction(action="off", member_id=m.id),
            )
    kb.adjust(1)
    return kb.as_markup() if list(kb.buttons) else None


def render_team(team: Team, members: list[Member], t: Texts) -> str:
    lines = [t("team-title", team=team.name, count=len(members))]
    for m in members:
        handle = f" @{m.username}" if m.username else ""
        lines.append(t("team-line", role=t(f"role-{m.role}"), name=m.name, handle=handle))
    return "\n".join(lines)


def build_router() -> Router:
    router = Router(name="team")
    router.message.filter(F.chat.type == "private")

    head = Router(name="team-head")
    head.message.filter(RoleFilter(Role.HEAD))
    head.callback_query.filter(RoleFilter(Role.HEAD))

    readers = Router(name="team-read")
    readers.message.filter(RoleFilter(Role.HEAD, Role.OWNER))

    @head.message(Command("invite"))
    async def invite(
        message: Message,
        command: CommandObject,
        repo: Repo,
        member: Member,
        t: Texts,
        settings: Settings,
        clock: Clock,
        bot: Bot,
    ) -> None:
        arg = (command.args or "manager").strip().lower()
        role = INVITE_ROLES.get(arg)
        if role is None:
            raise UserError("invite-role")
        ttl = timedelta(hours=settings.invite_ttl_hours)
        code = (await repo.invites.create(member.team_id, role, clock(), ttl, created_by=member.id)).code
        await message.answer(
            t(
                "invite-created",
                role=t(f"role-{role}"),
                link=await invite_link(bot, code),
                hours=settings.invite_ttl_hours,
            )
        )

    @readers.message(Command("team"))
    async def team_list(message: Message, repo: Repo, member: Member, team: Team, t: Texts) -> None:
        members = list(await repo.members.team_members(member.team_id))
        await message.answer(render_team(team, members, t), reply_markup=team_keyboard(members, member, t))

    @head.callback_query(MemberAction.filter(F.action == "off"))
    async def ask_deactivate(
        query: CallbackQuery, callback_data: MemberAction, repo: Repo, member: Member, t: Texts
    ) -> None:
        target = await repo.members.in_team(member.team_id, callback_data.member_id)
        if target.id == member.id:
            raise UserError("deactivate-self")
        if not target.active:
            raise UserError("member-inactive", name=target.name)
        kb = Keyboard()
        kb.button(
            text=t("btn-confirm-deactivate"), callback_data=MemberAction(action="off!", member_id=target.id)
        )
        kb.button(text=t("btn-cancel"), callback_data=MemberAction(action="keep", member_id=target.id))
        await query.message.answer(t("deactivate-confirm", name=target.name), reply_markup=kb.as_markup())

    @head.callback_query(MemberAction.filter(F.action == "off!"))
    async def deactivate(
        query: CallbackQuery,
        callback_data: MemberAction,
        repo: Repo,
        member: Member,
        t: Texts,
        callback_answer: CallbackAnswer,
        bot: Bot,
        translator: Translator,
    ) -> None:
        target = await repo.members.in_team(member.team_id, callback_data.member_id)
        if target.id == member.id:
            raise UserError("deactivate-self")
        if not target.active:
            raise UserError("member-inactive", name=target.name)
        target.active = False
        callback_answer.text = t("deactivated", name=target.name)
        await query.message.edit_text(t("deactivated", name=target.name))
        await set_member_commands(bot, translator, target.tg_id, None, target.locale)

    @head.callback_query(MemberAction.filter(F.action == "keep"))
    async def keep(query: CallbackQuery, t: Texts) -> None:
        await query.message.edit_text(t("deactivate-cancelled"))

    router.include_routers(head, readers)
    return router
