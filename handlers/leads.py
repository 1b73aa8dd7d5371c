"""During the day: ``/lead Клиент[, источник]`` records a warm lead (worked today: the bot asks for its
first step at once); ``/deal Клиент сумма`` records a won deal and moves the client to won; ``/deals``
lists the latest deals to correct or cancel.

A deal is counted at once when it is ordinary. It waits for its author's tap (``pending``) when it is
unusual (far above the manager's typical amount or the month's plan), repeats a deal of the last minutes,
or the client was lost (``domain.deals``). An unknown client name is first compared with the team's
clients ("Ромашкаа" → "Ромашка?"). Every deal carries ✏️ (correct the amount) and 🗑 (cancel) buttons, for
its author within a day and for the head always; every change is kept in the deal's history.

Every button re-checks that the deal (or client) is in the presser's team, and that the presser is the
deal's author within the window or the team's head.
"""

from __future__ import annotations

import asyncio
from datetime import datetime
from decimal import Decimal, InvalidOperation
from enum import StrEnum

from aiogram import Router
from aiogram.filters import Command, CommandObject
from aiogram.filters.callback_data import CallbackData
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message

from bot.context import Ctx
from bot.i18n import Html, Texts
from bot.keyboard import Keyboard
from domain.deals import (
    RECENT_LIMIT,
    REPEAT_WINDOW,
    DealState,
    is_repeat,
    is_unusual,
    may_change,
    similar_names,
    typical_amount,
)
from domain.enums import Role, Stage
from domain.errors import UserError
from domain.money import format_money, parse_amount, split_trailing_amount
from domain.sales import month_start
from domain.zones import local_date_of
from handlers.add import AddTask, client_name_ok
from handlers.day import WORKERS, Day, provide_day
from handlers.routing import on_actions, on_typed, role_router
from storage.models import Client, Deal, Member
from storage.sales_repo import DealRow

MAX_SOURCE = 200


class DealAction(StrEnum):
    CONFIRM = "ok"  # count a pending deal
    DISCARD = "no"  # drop a pending deal
    EDIT = "ed"  # asks for the right amount
    VOID = "rm"  # asks whether to cancel
    VOID_SURE = "rm!"  # cancels
    KEEP = "keep"  # keeps it after all
    PICK = "pick"  # the similar client meant (client_id)
    NEW = "new"  # a new client with the name as typed


class DealCb(CallbackData, prefix="dl"):
    action: DealAction
    deal_id: int = 0
    client_id: int = 0


class DealInput(StatesGroup):
    amount = State()  # the corrected amount of the deal in ``deal_id``


# ---------------------------------------------------------------------------------------------- leads


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


async def record_lead(
    message: Message, command: CommandObject, ctx: Ctx, day: Day, state: FSMContext
) -> None:
    await state.clear()
    if not (command.args or "").strip():
        raise UserError("lead-format")
    name, source = split_lead(command.args or "")
    client, created = await day.days.client_for(ctx.member, name)
    await _own_client(ctx, client)
    await day.days.add_lead(ctx.member, client, source, day.today)
    await state.set_state(AddTask.action)
    await state.update_data(client_id=client.id, client_name=client.name, due=day.today.isoformat())
    key = "lead-recorded-new" if created else "lead-recorded"
    await message.answer(ctx.t(key, name=client.name, source=source or "—"))


# ---------------------------------------------------------------------------------------------- helpers


async def _own_client(ctx: Ctx, client: Client) -> None:
    """A manager works only their own clients; the head any of the team's."""
    member = ctx.member
    if client.owner_id != member.id and member.role is Role.MANAGER:
        owner = await ctx.repo.members.in_team(member.team_id, client.owner_id)
        raise UserError("client-of-other", name=client.name, owner=owner.name)


async def _client_of(ctx: Ctx, deal: Deal) -> Client:
    """The deal's client, looked up within the presser's team."""
    return await ctx.repo.clients.get(ctx.team.id, deal.client_id)


def _money(amount: Decimal, t: Texts) -> str:
    return format_money(amount, t.locale)


def change_keyboard(deal_id: int, t: Texts) -> InlineKeyboardMarkup:
    kb = Keyboard()
    kb.button(text=t("btn-deal-edit"), callback_data=DealCb(action=DealAction.EDIT, deal_id=deal_id))
    kb.button(text=t("btn-deal-void"), callback_data=DealCb(action=DealAction.VOID, deal_id=deal_id))
    return kb.adjust(2).as_markup()


def confirm_keyboard(deal_id: int, t: Texts) -> InlineKeyboardMarkup:
    kb = Keyboard()
    kb.button(text=t("btn-deal-confirm"), callback_data=DealCb(action=DealAction.CONFIRM, deal_id=deal_id))
    kb.button(text=t("btn-deal-discard"), callback_data=DealCb(action=DealAction.DISCARD, deal_id=deal_id))
    return kb.adjust(2).as_markup()


def void_keyboard(deal_id: int, t: Texts) -> InlineKeyboardMarkup:
    kb = Keyboard()
    kb.button(
        text=t("btn-deal-void-sure"), callback_data=DealCb(action=DealAction.VOID_SURE, deal_id=deal_id)
    )
    kb.button(text=t("btn-deal-keep"), callback_data=DealCb(action=DealAction.KEEP, deal_id=deal_id))
    return kb.adjust(2).as_markup()


async def _changeable(ctx: Ctx, day: Day, deal_id: int) -> Deal:
    """The deal, if it is in the presser's team and the presser may change it now."""
    deal = await ctx.repo.sales.deal(ctx.team.id, deal_id)
    if not _may_change(ctx.member, deal, day.now):
        raise UserError("deal-not-yours")
    return deal


def _may_change(member: Member, deal: Deal, now: datetime) -> bool:
    """Whether ``member`` may still correct or void ``deal`` (its author for a while, the head always)."""
    return may_change(
        actor_id=member.id,
        actor_is_head=member.role is Role.HEAD,
        author_id=deal.member_id,
        created_at=deal.created_at,
        now=now,
    )


def _deal_line(n: int, row: DealRow, t: Texts) -> str:
    """A numbered line of a list of deals: its day, client, amount and who made it."""
    deal = row.deal
    return t(
        "deals-line",
        n=str(n),
        date=f"{deal.on_date.day:02d}.{deal.on_date.month:02d}",
        name=row.client_name,
        amount=_money(Decimal(deal.amount), t),
        who=row.member_name,
    )


async def _edit(query: CallbackQuery, text: str, markup: InlineKeyboardMarkup | None = None) -> None:
    if isinstance(query.message, Message):
        await query.message.edit_text(text, reply_markup=markup)


async def _reply(query: CallbackQuery, text: str, markup: InlineKeyboardMarkup | None = None) -> None:
    if isinstance(query.message, Message):
        await query.message.answer(text, reply_markup=markup)


async def _record(
    ctx: Ctx, day: Day, client: Client, amount: Decimal, created: bool
) -> tuple[str, InlineKeyboardMarkup]:
    """Record the deal: counted at once when ordinary, else pending with the questions to answer."""
    await _own_client(ctx, client)
    sales, member, t = ctx.repo.sales, ctx.member, ctx.t
    questions: list[str] = []
    if client.stage is Stage.LOST:
        questions.append(t("deal-ask-lost"))
    if is_repeat(await sales.recent_of(member.id, day.now - REPEAT_WINDOW), client.id, amount, day.now):
        questions.append(t("deal-ask-repeat"))
    typical = typical_amount(await sales.latest_amounts(member.id))
    month = month_start(day.today)
    plan = (await sales.month_plans(ctx.team.id, [month])).get((member.id, month))
    plan_revenue = plan.revenue if plan is not None else None
    if is_unusual(amount, typical, plan_revenue):
        questions.append(
            t(
                "deal-ask-unusual",
                typical=_money(typical, t) if typical is not None else "—",
                plan=_money(plan_revenue, t) if plan_revenue is not None else "—",
            )
        )
    state = DealState.PENDING if questions else DealState.LIVE
    deal = await sales.record_deal(member, client, amount, day.today, day.now, state)
    if questions:
        lines = Html("\n".join(questions))
        text = t("deal-ask", name=client.name, amount=_money(amount, t), questions=lines)
        return text, confirm_keyboard(deal.id, t)
    await ctx.repo.days.set_stage(client, Stage.WON, day.now)
    key = "deal-recorded-new" if created else "deal-recorded"
    text = t(key, name=client.name, amount=_money(amount, t)) + "\n" + t("deal-change-hint")
    return text, change_keyboard(deal.id, t)


# ---------------------------------------------------------------------------------------------- /deal


async def record_deal(
    message: Message, command: CommandObject, ctx: Ctx, day: Day, state: FSMContext
) -> None:
    await state.clear()
    name, amount = split_trailing_amount(" ".join((command.args or "").split()))
    name = client_name_ok(name)
    clients, team_id, member, t = ctx.repo.clients, ctx.team.id, ctx.member, ctx.t
    client = await clients.by_exact_name(team_id, name, owner_id=member.id)
    client = client or await clients.by_exact_name(team_id, name)
    created = False
    if client is None:
        # a manager is offered only their own clients (they see no one else's); the head any of the team's
        own = member.id if member.role is Role.MANAGER else None
        candidates = await ctx.repo.sales.client_names(team_id, owner_id=own)
        # ~15 ms per 1,000 clients: off the event loop, so a big team's typo does not stall other chats
        similar = await asyncio.to_thread(similar_names, name, candidates)
        if similar:
            await state.update_data(deal_name=name, deal_amount=str(amount))
            kb = Keyboard()
            for client_id, client_name in similar:
                kb.button(
                    text=t("btn-deal-similar", name=client_name),
                    callback_data=DealCb(action=DealAction.PICK, client_id=client_id),
                )
            kb.button(text=t("btn-deal-new-client", name=name), callback_data=DealCb(action=DealAction.NEW))
            await message.answer(t("deal-similar", name=name), reply_markup=kb.adjust(1).as_markup())
            return
        client, created = await day.days.client_for(member, name)
    text, markup = await _record(ctx, day, client, amount, created)
    await message.answer(text, reply_markup=markup)


async def _typed_deal(state: FSMContext) -> tuple[str, Decimal]:
    """The name and amount of the /deal whose client is being chosen, or ``deal-expired``."""
    data = await state.get_data()
    name, typed = data.get("deal_name"), data.get("deal_amount")
    if not isinstance(name, str) or not isinstance(typed, str):
        raise UserError("deal-expired")
    try:
        amount = Decimal(typed)
    except InvalidOperation:
        raise UserError("deal-expired") from None
    await state.update_data(deal_name=None, deal_amount=None)
    return name, amount


async def pick_similar_client(
    query: CallbackQuery, callback_data: DealCb, ctx: Ctx, day: Day, state: FSMContext
) -> None:
    client = await ctx.repo.clients.get(ctx.team.id, callback_data.client_id)
    _, amount = await _typed_deal(state)
    await _edit(query, *await _record(ctx, day, client, amount, False))


async def create_typed_client(query: CallbackQuery, ctx: Ctx, day: Day, state: FSMContext) -> None:
    name, amount = await _typed_deal(state)
    client, created = await day.days.client_for(ctx.member, name)
    await _edit(query, *await _record(ctx, day, client, amount, created))


# ---------------------------------------------------------------------------------------------- pending


async def confirm_deal(query: CallbackQuery, callback_data: DealCb, ctx: Ctx, day: Day) -> None:
    deal = await _changeable(ctx, day, callback_data.deal_id)
    if deal.state != DealState.PENDING or not await ctx.repo.sales.set_deal_state(
        deal, DealState.LIVE, ctx.member.id, day.now
    ):
        raise UserError("deal-gone")
    client = await _client_of(ctx, deal)
    await ctx.repo.days.set_stage(client, Stage.WON, day.now)
    t = ctx.t
    text = t("deal-recorded", name=client.name, amount=_money(deal.amount, t)) + "\n" + t("deal-change-hint")
    await _edit(query, text, change_keyboard(deal.id, t))


async def discard_deal(query: CallbackQuery, callback_data: DealCb, ctx: Ctx, day: Day) -> None:
    deal = await _changeable(ctx, day, callback_data.deal_id)
    if deal.state != DealState.PENDING or not await ctx.repo.sales.set_deal_state(
        deal, DealState.VOID, ctx.member.id, day.now
    ):
        raise UserError("deal-gone")
    await _edit(query, ctx.t("deal-discarded"))


# ---------------------------------------------------------------------------------------------- cancel


async def ask_void_deal(query: CallbackQuery, callback_data: DealCb, ctx: Ctx, day: Day) -> None:
    deal = await _changeable(ctx, day, callback_data.deal_id)
    if deal.state == DealState.VOID:
        raise UserError("deal-gone")
    client = await _client_of(ctx, deal)
    text = ctx.t("deal-void-ask", name=client.name, amount=_money(deal.amount, ctx.t))
    await _reply(query, text, void_keyboard(deal.id, ctx.t))


async def void_deal(query: CallbackQuery, callback_data: DealCb, ctx: Ctx, day: Day) -> None:
    deal = await _changeable(ctx, day, callback_data.deal_id)
    if deal.state == DealState.VOID or not await ctx.repo.sales.set_deal_state(
        deal, DealState.VOID, ctx.member.id, day.now
    ):
        raise UserError("deal-gone")
    client = await _client_of(ctx, deal)
    await _edit(query, ctx.t("deal-voided", name=client.name, amount=_money(deal.amount, ctx.t)))


async def keep_deal(query: CallbackQuery, callback_data: DealCb, ctx: Ctx, day: Day) -> None:
    await _changeable(ctx, day, callback_data.deal_id)
    await _edit(query, ctx.t("deal-kept"))


# ---------------------------------------------------------------------------------------------- correct


async def ask_correct_deal(
    query: CallbackQuery, callback_data: DealCb, ctx: Ctx, day: Day, state: FSMContext
) -> None:
    deal = await _changeable(ctx, day, callback_data.deal_id)
    if deal.state == DealState.VOID:
        raise UserError("deal-gone")
    client = await _client_of(ctx, deal)
    await state.set_state(DealInput.amount)
    await state.update_data(deal_id=deal.id)
    await _reply(query, ctx.t("deal-edit-ask", name=client.name, amount=_money(deal.amount, ctx.t)))


async def correct_deal(message: Message, ctx: Ctx, day: Day, state: FSMContext) -> None:
    amount = parse_amount(message.text or "")
    deal_id = (await state.get_data()).get("deal_id")
    await state.clear()
    if not isinstance(deal_id, int):
        raise UserError("deal-expired")
    deal = await _changeable(ctx, day, deal_id)
    if deal.state == DealState.VOID:
        raise UserError("deal-gone")
    old = await ctx.repo.sales.correct_deal(deal, amount, ctx.member.id, day.now)
    client = await _client_of(ctx, deal)
    t = ctx.t
    text = t("deal-corrected", name=client.name, old=_money(old, t), new=_money(amount, t))
    await message.answer(text, reply_markup=change_keyboard(deal.id, t))


# ---------------------------------------------------------------------------------------------- /deals


async def list_deals(message: Message, ctx: Ctx, day: Day) -> None:
    """The latest deals: a manager's own, the whole team's for the head; ✏️/🗑 where the presser may."""
    member, t = ctx.member, ctx.t
    rows = await ctx.repo.sales.recent_deals(
        ctx.team.id, None if member.role is Role.HEAD else member.id, RECENT_LIMIT
    )
    if not rows:
        await message.answer(t("deals-empty"))
        return
    lines = [t("deals-title")]
    kb = Keyboard()
    buttons = 0
    for n, row in enumerate(rows, 1):
        deal = row.deal
        pending = t("deals-pending-mark") if deal.state == DealState.PENDING else ""
        lines.append(_deal_line(n, row, t) + pending)
        if _may_change(member, deal, day.now):
            kb.button(text=f"✏️ {n}", callback_data=DealCb(action=DealAction.EDIT, deal_id=deal.id))
            kb.button(text=f"🗑 {n}", callback_data=DealCb(action=DealAction.VOID, deal_id=deal.id))
            buttons += 2
    lines.append(t("deals-hint"))
    await message.answer("\n".join(lines), reply_markup=kb.adjust(2).as_markup() if buttons else None)


# ---------------------------------------------------------------------------------------------- lost


async def ask_about_lost_client_deals(message: Message, ctx: Ctx, client: Client) -> None:
    """A client just moved to lost whose deals of this month still count: ask whether to cancel them
    (🗑 for each the member may change), rather than keep them silently."""
    member, team, t, now = ctx.member, ctx.team, ctx.t, ctx.now()
    if client.team_id != team.id:
        return
    today = local_date_of(now, team, member)
    rows = await ctx.repo.sales.live_deals_of_client(team.id, client.id, month_start(today))
    if not rows:
        return
    kb = Keyboard()
    lines = [t("deal-lost-client", name=client.name, count=len(rows))]
    for n, row in enumerate(rows, 1):
        lines.append(_deal_line(n, row, t))
        if _may_change(member, row.deal, now):
            kb.button(text=f"🗑 {n}", callback_data=DealCb(action=DealAction.VOID, deal_id=row.deal.id))
    await message.answer("\n".join(lines), reply_markup=kb.adjust(4).as_markup() if any(kb.buttons) else None)


# ---------------------------------------------------------------------------------------------- router


def build_router() -> Router:
    router = role_router("leads", *WORKERS)
    provide_day(router)
    router.message.register(record_lead, Command("lead"))
    router.message.register(record_deal, Command("deal"))
    router.message.register(list_deals, Command("deals"))
    on_typed(router, {DealInput.amount: correct_deal})
    on_actions(
        router,
        DealCb,
        {
            DealAction.CONFIRM: confirm_deal,
            DealAction.DISCARD: discard_deal,
            DealAction.EDIT: ask_correct_deal,
            DealAction.VOID: ask_void_deal,
            DealAction.VOID_SURE: void_deal,
            DealAction.KEEP: keep_deal,
            DealAction.PICK: pick_similar_client,
            DealAction.NEW: create_typed_client,
        },
    )
    return router
