"""Clients: ``/clients [часть названия]`` finds them (case-insensitive, Cyrillic included), a card shows
stage, open tasks, the last results and the hot and frozen marks; stages move by buttons;
``/newclient Название`` (or the button) adds one. A manager sees their own clients; the head and the owner
see the team's, and only the head or the client's owner changes anything."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import Command, CommandObject
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.callback_answer import CallbackAnswer

from bot.context import Ctx
from bot.filters import RoleFilter
from bot.keyboard import Keyboard
from domain.enums import STAGE_ORDER, Role, Stage, TaskStatus
from domain.errors import UserError
from handlers.day_callbacks import ClientAddTask, ClientOpen, ClientStage, NewClient, NewClientAction
from handlers.day_views import fmt_date
from handlers.leads import ask_about_lost_client_deals
from handlers.routing import on_typed
from storage.models import Client, Member

LIST_LIMIT = 30


class ClientInput(StatesGroup):
    name = State()


def can_see(member: Member, client: Client) -> bool:
    return member.role is not Role.MANAGER or client.owner_id == member.id


def can_change(member: Member, client: Client) -> bool:
    return member.role is Role.HEAD or client.owner_id == member.id


async def visible_client(ctx: Ctx, client_id: int) -> Client:
    client = await ctx.repo.clients.get(ctx.member.team_id, client_id)
    if not can_see(ctx.member, client):
        raise UserError("not-found")
    return client


async def render_card(ctx: Ctx, client: Client) -> tuple[str, InlineKeyboardMarkup]:
    repo, member, t = ctx.repo, ctx.member, ctx.t
    hot = client.id in await repo.clients.hot_client_ids(member.team_id)
    frozen = client.id in await repo.days.frozen_clients([client.id])
    open_tasks = await repo.tasks.open_of_client(client.id, limit=10)
    closed = [
        x for x in await repo.tasks.recent_outcomes(client.id, limit=6) if x.status is not TaskStatus.OPEN
    ][:3]
    owner = await repo.members.in_team(member.team_id, client.owner_id)
    lines = [
        t(
            "card-title",
            name=client.name,
            stage=t(f"stage-{client.stage}"),
            owner=owner.name,
            marks=(" 🔥" if hot else "") + (" 🧊" if frozen else ""),
        )
    ]
    if open_tasks:
        lines.append(t("card-open-title"))
        lines += [t("card-task", action=x.action, date=fmt_date(x.due_date, t)) for x in open_tasks]
    else:
        lines.append(t("card-no-open"))
    if closed:
        lines.append(t("card-results-title"))
        for x in closed:
            lines.append(
                t(
                    "card-result",
                    status=t(f"status-{x.status}"),
                    action=x.action,
                    note=x.result or x.reason or "—",
                )
            )
    if frozen:
        lines.append(t("card-frozen"))
    kb = Keyboard()
    if can_change(member, client):
        kb.button(text=t.plain("btn-client-task"), callback_data=ClientAddTask(client_id=client.id))
        for stage in sorted(Stage, key=lambda s: STAGE_ORDER[s]):
            if stage is not client.stage:
                kb.button(
                    text=t.plain(f"btn-stage-{stage}"),
                    callback_data=ClientStage(client_id=client.id, stage=stage.value),
                )
        kb.adjust(1, 2, 2, 1)
    return "\n".join(lines), kb.as_markup()


async def list_clients(message: Message, command: CommandObject, ctx: Ctx, state: FSMContext) -> None:
    await state.clear()
    repo, member, t = ctx.repo, ctx.member, ctx.t
    query = " ".join((command.args or "").split())
    owner = member.id if member.role is Role.MANAGER else None
    more = LIST_LIMIT + 1
    if query:
        if len(query) > 200:
            raise UserError("client-name-too-long", limit=200)
        found = list(await repo.clients.find(member.team_id, query, owner_id=owner, limit=more))
    elif owner is not None:
        found = list(await repo.clients.of_owner(member.team_id, owner, open_only=False, limit=more))
    else:
        found = list(await repo.clients.of_team(member.team_id, limit=more))
    kb = Keyboard()
    for c in found[:LIST_LIMIT]:
        kb.button(
            text=f"{c.name[:48]} · {t.plain(f'stage-{c.stage}')}", callback_data=ClientOpen(client_id=c.id)
        )
    if member.role is not Role.OWNER:
        kb.button(text=t.plain("btn-new-client-ask"), callback_data=NewClient(action=NewClientAction.ASK))
    kb.adjust(1)
    if not found:
        text = t("clients-none-found", query=query) if query else t("clients-empty")
    else:
        text = t("clients-title", count=len(found[:LIST_LIMIT]))
        if len(found) > LIST_LIMIT:
            text += "\n" + t("clients-more", limit=LIST_LIMIT)
    await message.answer(text, reply_markup=kb.as_markup() if list(kb.buttons) else None)


async def open_card(query: CallbackQuery, callback_data: ClientOpen, ctx: Ctx) -> None:
    client = await visible_client(ctx, callback_data.client_id)
    text, markup = await render_card(ctx, client)
    if query.message is not None:
        await query.message.answer(text, reply_markup=markup)


async def move_stage(
    query: CallbackQuery, callback_data: ClientStage, ctx: Ctx, callback_answer: CallbackAnswer
) -> None:
    client = await visible_client(ctx, callback_data.client_id)
    if not can_change(ctx.member, client):
        raise UserError("forbidden")
    try:
        new = Stage(callback_data.stage)
    except ValueError:
        raise UserError("button-stale") from None
    plain = ctx.t.plain
    if new is client.stage:
        callback_answer.text = plain("stage-same", stage=plain(f"stage-{new}"))
        return
    await ctx.repo.days.set_stage(client, new, ctx.now())
    callback_answer.text = plain("stage-moved", name=client.name, stage=plain(f"stage-{new}"))
    text, markup = await render_card(ctx, client)
    if isinstance(query.message, Message):
        await query.message.edit_text(text, reply_markup=markup)
        if new is Stage.LOST:  # its deals are asked about (leads.py)
            await ask_about_lost_client_deals(query.message, ctx, client)


async def new_client(message: Message, command: CommandObject, ctx: Ctx, state: FSMContext) -> None:
    await state.clear()
    if not (command.args or "").strip():
        await state.set_state(ClientInput.name)
        await message.answer(ctx.t("client-ask-name"))
        return
    await create(message, ctx, command.args or "")


async def ask_name(query: CallbackQuery, ctx: Ctx, state: FSMContext) -> None:
    await state.clear()
    await state.set_state(ClientInput.name)
    if query.message is not None:
        await query.message.answer(ctx.t("client-ask-name"))


async def name_text(message: Message, ctx: Ctx, state: FSMContext) -> None:
    await create(message, ctx, message.text or "")
    await state.clear()


def build_router() -> Router:
    router = Router(name="clients")
    workers = RoleFilter(Role.MANAGER, Role.HEAD, Role.OWNER)
    router.message.filter(workers)
    router.callback_query.filter(workers)
    makers = RoleFilter(Role.MANAGER, Role.HEAD)
    router.message.register(list_clients, Command("clients"))
    router.callback_query.register(open_card, ClientOpen.filter())
    router.callback_query.register(move_stage, ClientStage.filter())
    router.message.register(new_client, Command("newclient"), makers)
    router.callback_query.register(ask_name, NewClient.filter(F.action == NewClientAction.ASK), makers)
    on_typed(router, {ClientInput.name: name_text})
    return router


async def create(message: Message, ctx: Ctx, raw: str) -> None:
    """A new client of the member's; the team's existing one (anyone's) is named, not copied."""
    client = await ctx.repo.clients.create(ctx.member.team_id, ctx.member.id, raw)
    text, markup = await render_card(ctx, client)
    await message.answer(ctx.t("client-created", name=client.name))
    await message.answer(text, reply_markup=markup)
