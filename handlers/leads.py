"""During the day: ``/lead Клиент[, источник]`` records a warm lead (worked today: the bot asks for its
first step at once), ``/deal Клиент сумма`` records a won deal and moves the client to won."""

from __future__ import annotations

from aiogram import Router
from aiogram.filters import Command, CommandObject
from aiogram.fsm.context import FSMContext
from aiogram.types import Message

from bot.filters import RoleFilter
from bot.i18n import Texts
from domain.errors import UserError
from domain.money import split_trailing_amount
from handlers.add import AddTask, client_name_ok
from handlers.day import WORKERS, Day, DayMiddleware
from handlers.day_views import fmt_money
from storage.models import Member, Team
from storage.repo import Repo

MAX_SOURCE = 200


def split_lead(args: str) -> tuple[str, str | None]:
    """``"ООО Ромашка, сайт"`` → name and source; a source is what follows a comma or brackets."""
    args = " ".join(args.split())
    if args.endswith(")") and "(" in args:
        name, source = args[:-1].rsplit("(", 1)
    elif "," in args:
        name, source = args.split(",", 1)
    else:
        name, source = args, ""
    source = source.strip()
    if len(source) > MAX_SOURCE:
        raise UserError("line-too-long", limit=MAX_SOURCE)
    return client_name_ok(name), source or None


def build_router() -> Router:
    router = Router(name="leads")
    router.message.filter(RoleFilter(*WORKERS))
    DayMiddleware.install(router)

    @router.message(Command("lead"))
    async def lead(
        message: Message,
        command: CommandObject,
        repo: Repo,
        team: Team,
        member: Member,
        day: Day,
        t: Texts,
        state: FSMContext,
    ) -> None:
        await state.clear()
        if not (command.args or "").strip():
            raise UserError("lead-format")
        name, source = split_lead(command.args or "")
        client, created = await day.days.client_for(member, name)
        if client.owner_id != member.id and member.role.value == "manager":
            owner = await repo.members.in_team(member.team_id, client.owner_id)
            raise UserError("client-of-other", name=client.name, owner=owner.name)
        await day.days.add_lead(member, client, source, day.today)
        await state.set_state(AddTask.action)
        await state.update_data(client_id=client.id, client_name=client.name, due=day.today.isoformat())
        key = "lead-recorded-new" if created else "lead-recorded"
        await message.answer(t(key, name=client.name, source=source or "—"))

    @router.message(Command("deal"))
    async def deal(
        message: Message,
        command: CommandObject,
        repo: Repo,
        team: Team,
        member: Member,
        day: Day,
        t: Texts,
        state: FSMContext,
    ) -> None:
        await state.clear()
        name, amount = split_trailing_amount(" ".join((command.args or "").split()))
        name = client_name_ok(name)
        client, created = await day.days.client_for(member, name)
        if client.owner_id != member.id and member.role.value == "manager":
            owner = await repo.members.in_team(member.team_id, client.owner_id)
            raise UserError("client-of-other", name=client.name, owner=owner.name)
        await day.days.add_deal(member, client, amount, day.today, day.now)
        key = "deal-recorded-new" if created else "deal-recorded"
        await message.answer(t(key, name=client.name, amount=fmt_money(amount)))

    return router
