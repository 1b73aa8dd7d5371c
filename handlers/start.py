"""Joining by invite (``/start <code>``), greeting and help."""

from __future__ import annotations

from aiogram import Bot, F, Router
from aiogram.filters import CommandObject, CommandStart
from aiogram.types import Message

from bot.clock import Clock
from bot.commands import MENU, set_member_commands
from bot.context import Ctx
from bot.filters import Magic
from bot.i18n import Texts, Translator
from domain.enums import Role
from domain.errors import UserError
from domain.gender import grammatical_gender
from handlers.head_common import tell
from storage.models import Member, Team
from storage.repo import Repo


def help_text(t: Texts, role: Role) -> str:
    """The role's introduction, then every command of its menu with its description: the help can
    never drift from the menu."""
    lines = [t(f"help-{role}"), ""]
    lines += [t("help-line", command=name, description=t(f"cmd-{name}")) for name in MENU[role]]
    return "\n".join(lines)


async def join(
    message: Message,
    command: CommandObject,
    repo: Repo,
    t: Texts,
    translator: Translator,
    clock: Clock,
    bot: Bot,
    ctx: Ctx | None = None,
) -> None:
    """``/start <code>``: redeem the invite. It comes from someone not yet a member, so it takes what a
    stranger's update carries; ``ctx`` is there only when the sender is a member already."""
    code = (command.args or "").strip()
    if ctx is not None:
        raise UserError("already-member", team=ctx.team.name)
    user = message.from_user
    if user is None:  # a channel post; private chats always have a sender
        return
    joined = await repo.invites.redeem(
        code,
        tg_id=user.id,
        name=user.full_name[:128],
        username=user.username,
        locale=t.locale,
        now=clock(),
    )
    t = translator.get(joined.member.locale)
    await message.answer(
        t("joined", name=joined.member.name, team=joined.team.name, role=t(f"role-{joined.member.role}"))
    )
    await message.answer(help_text(t, joined.member.role))
    await set_member_commands(bot, translator, message.chat.id, joined.member.role, joined.member.locale)
    await tell_heads_of_joining(repo, bot, translator, joined.member, joined.team)


async def tell_heads_of_joining(
    repo: Repo, bot: Bot, translator: Translator, new: Member, team: Team
) -> None:
    """The team's heads learn who joined and in which role (the new member is not told of themselves)."""
    gender = grammatical_gender(new.name)
    for head in await repo.heads.members(team.id, Role.HEAD):
        if head.id == new.id:
            continue
        ht = translator.get(head.locale)
        await tell(bot, head, ht("joined-notice", name=new.name, gender=gender, role=ht(f"role-{new.role}")))


async def start(message: Message, t: Texts, ctx: Ctx | None = None) -> None:
    """``/start``: a member is greeted (``ctx``, in their language); anyone else learns they are not one."""
    if ctx is None:
        await message.answer(t("not-a-member"))
        return
    member = ctx.member
    await message.answer(t("hello", name=member.name, team=ctx.team.name, role=t(f"role-{member.role}")))
    await message.answer(help_text(t, member.role))


async def help_(message: Message, ctx: Ctx) -> None:
    await message.answer(help_text(ctx.t, ctx.member.role))


def build_router() -> Router:
    router = Router(name="start")
    router.message.register(join, CommandStart(deep_link=True))
    router.message.register(start, CommandStart())
    router.message.register(help_, Magic(F.text.regexp(r"^/help(@\w+)?(\s|$)")))
    return router
