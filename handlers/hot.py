"""The head's hot list (горячий список): ``/hot`` shows it and every entry opens by its number to change
the next step (a concrete action, then its date), move the date, rewrite why the head believes in the sale,
or take it off the list; ➕ adds a client (``/hot Клиент`` starts with that client). Every change counts as
a touch. At the team's morning time the head is reminded of the entries due today and of those untouched
for the team's ``hot_stale_days`` (``domain.hot``). Managers see 🔥 on these clients in their lists; a won
or lost client leaves the list with its outcome (``DayRepo.set_stage``)."""

from __future__ import annotations

import contextlib
from datetime import date, datetime

from aiogram import F, Router
from aiogram.exceptions import TelegramBadRequest
from aiogram.filters import Command, CommandObject, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.callback_answer import CallbackAnswer

from bot.context import Ctx
from bot.i18n import Texts
from bot.keyboard import Keyboard
from domain.actions import check_action
from domain.calendar import WorkCalendar
from domain.dates import DateError, DateErrorReason, parse_due_date
from domain.enums import OPEN_STAGES, HotOutcome
from domain.errors import UserError
from domain.hot import MAX_TEXT, HotItem, order_entries, reminders
from domain.text import split_message
from handlers.callbacks import reply_to, show
from handlers.day_views import day_off_offer, fmt_date
from handlers.head_callbacks import TYPE_DATE, HotAct, HotAction, HotDate, HotPick
from handlers.head_common import HEAD, PICK_LIMIT, member_today, one_text
from handlers.routing import on_actions, on_typed, role_router
from scheduler.compose import ComposeContext, Outgoing
from storage.models import Team


class HotInput(StatesGroup):
    client = State()
    reason = State()
    step = State()
    date = State()


def _short(d: date) -> str:
    return f"{d.day:02d}.{d.month:02d}"


def when(item: HotItem, today: date, t: Texts) -> str:
    if item.next_date == today:
        return t("hot-when-today")
    if item.next_date < today:
        return t("hot-when-overdue", date=_short(item.next_date))
    return fmt_date(item.next_date, t)


def entry_text(n: int | None, item: HotItem, today: date, t: Texts) -> str:
    return t(
        "hot-entry",
        n=f"{n}. " if n is not None else "",
        client=item.client,
        owner=item.owner,
        step=item.step,
        when=when(item, today, t),
        reason=item.reason,
        untouched=item.untouched_days(today),
    )


def list_view(items: list[HotItem], today: date, t: Texts) -> tuple[list[str], InlineKeyboardMarkup]:
    """The list's text (HTML, split under Telegram's limit) and its keyboard (plain-text labels)."""
    label = t.plain
    kb = Keyboard()
    if not items:
        kb.button(text=label("btn-hot-add"), callback_data=HotAct(action=HotAction.ADD))
        return [t("hot-empty")], kb.as_markup()
    ordered = order_entries(items)
    text = "\n\n".join(
        [t("hot-title", count=len(ordered)), *(entry_text(n, h, today, t) for n, h in enumerate(ordered, 1))]
    )
    for n, h in enumerate(ordered, 1):
        kb.button(
            text=f"{n}. {h.client[:30]}", callback_data=HotAct(action=HotAction.OPEN, entry_id=h.entry_id)
        )
    kb.button(text=label("btn-hot-add"), callback_data=HotAct(action=HotAction.ADD))
    kb.adjust(*([2] * ((len(ordered) + 1) // 2)), 1)
    return split_message(text), kb.as_markup()


def entry_keyboard(entry_id: int, t: Texts) -> InlineKeyboardMarkup:
    label = t.plain
    kb = Keyboard()
    for action, key in (
        (HotAction.STEP, "btn-hot-step"),
        (HotAction.DATE, "btn-hot-date"),
        (HotAction.WHY, "btn-hot-why"),
        (HotAction.REMOVE, "btn-hot-off"),
    ):
        kb.button(text=label(key), callback_data=HotAct(action=action, entry_id=entry_id))
    kb.button(text=label("btn-hot-list"), callback_data=HotAct(action=HotAction.LIST))
    kb.adjust(2, 2, 1)
    return kb.as_markup()


def date_keyboard(today: date, team: Team, t: Texts, days: list[date] | None = None) -> InlineKeyboardMarkup:
    """The days for the next step (today and the team's next working days unless given)."""
    if days is None:
        calendar = team_calendar(team)
        days, d = [today], today
        while len(days) < 6:
            d = calendar.next_working_day(d)
            days.append(d)
    label = t.plain
    kb = Keyboard()
    for d in days:
        kb.button(text=fmt_date(d, label), callback_data=HotDate(to=d.strftime("%Y%m%d")))
    kb.button(text=label("btn-other-date"), callback_data=HotDate(to=TYPE_DATE))
    kb.adjust(3, 3, 1)
    return kb.as_markup()


def team_calendar(team: Team) -> WorkCalendar:
    return WorkCalendar.from_db(team.workdays, team.holiday_country)


def _text(text: str | None) -> str:
    return one_text(text, MAX_TEXT)


async def entry_card(ctx: Ctx, entry_id: int) -> str:
    """One entry as the head sees it, as of today."""
    item = (await ctx.repo.heads.hot_items(ctx.team, [entry_id]))[0]
    return entry_text(None, item, member_today(ctx), ctx.t)


async def the_list(ctx: Ctx) -> tuple[list[str], InlineKeyboardMarkup]:
    """The team's hot list as of the head's today (``list_view``)."""
    return list_view(await ctx.repo.heads.hot_items(ctx.team), member_today(ctx), ctx.t)


# ---------------------------------------------------------------------- /hot and adding a client


async def hot(message: Message, command: CommandObject, ctx: Ctx, state: FSMContext) -> None:
    """``/hot``: the list; ``/hot Клиент``: add that client."""
    await state.clear()
    query = " ".join((command.args or "").split())
    if not query:
        parts, markup = await the_list(ctx)
        for i, part in enumerate(parts):
            await message.answer(part, reply_markup=markup if i == len(parts) - 1 else None)
        return
    await state.update_data(mode="add")
    await _find_client(message, query[:200], ctx, state)


async def _find_client(message: Message, query: str, ctx: Ctx, state: FSMContext) -> None:
    """The one open client ``query`` names (then ask why), or a keyboard to pick among several."""
    found = [
        c
        for c in await ctx.repo.clients.find(ctx.team.id, query, limit=PICK_LIMIT + 1)
        if c.stage in OPEN_STAGES
    ]
    if not found:
        await state.set_state(HotInput.client)
        raise UserError("hot-no-client", name=query)
    exact = [c for c in found if c.name_key == " ".join(query.casefold().replace("ё", "е").split())]
    if len(exact) == 1 or len(found) == 1:
        client = exact[0] if len(exact) == 1 else found[0]
        await message.answer(await _chosen(client.id, client.name, ctx.t, state))
        return
    kb = Keyboard()
    for c in found[:PICK_LIMIT]:
        kb.button(text=c.name[:60], callback_data=HotPick(client_id=c.id))
    kb.adjust(1)
    await state.set_state(HotInput.client)
    await message.answer(ctx.t("hot-pick-client", query=query), reply_markup=kb.as_markup())


async def _chosen(client_id: int, name: str, t: Texts, state: FSMContext) -> str:
    await state.update_data(mode="add", client_id=client_id, client_name=name)
    await state.set_state(HotInput.reason)
    return t("hot-ask-reason", client=name)


async def pick_client(query: CallbackQuery, callback_data: HotPick, ctx: Ctx, state: FSMContext) -> None:
    client = await ctx.repo.clients.get(ctx.team.id, callback_data.client_id)
    await _drop_keyboard(query)
    await reply_to(query, ctx.bot, await _chosen(client.id, client.name, ctx.t, state))


async def client_text(message: Message, ctx: Ctx, state: FSMContext) -> None:
    await _find_client(message, _text(message.text)[:200], ctx, state)


# ---------------------------------------------------------------------- the buttons of the list, of an entry


async def list_in_place(query: CallbackQuery, ctx: Ctx, state: FSMContext) -> None:
    await state.clear()
    parts, markup = await the_list(ctx)
    await show(query, ctx.bot, parts[0], markup if len(parts) == 1 else None)
    for i, part in enumerate(parts[1:], 1):
        await reply_to(query, ctx.bot, part, markup if i == len(parts) - 1 else None)


async def ask_client(query: CallbackQuery, ctx: Ctx, state: FSMContext) -> None:
    await state.clear()
    await state.update_data(mode="add")
    await state.set_state(HotInput.client)
    await reply_to(query, ctx.bot, ctx.t("hot-ask-client"))


async def open_entry(query: CallbackQuery, callback_data: HotAct, ctx: Ctx, state: FSMContext) -> None:
    entry = await ctx.repo.heads.hot_entry(ctx.team.id, callback_data.entry_id)
    await state.clear()
    await reply_to(query, ctx.bot, await entry_card(ctx, entry.id), entry_keyboard(entry.id, ctx.t))


async def ask_remove(query: CallbackQuery, callback_data: HotAct, ctx: Ctx) -> None:
    entry = await ctx.repo.heads.hot_entry(ctx.team.id, callback_data.entry_id)
    label = ctx.t.plain
    kb = Keyboard()
    kb.button(
        text=label("btn-hot-off-confirm"),
        callback_data=HotAct(action=HotAction.REMOVE_CONFIRMED, entry_id=entry.id),
    )
    kb.button(text=label("btn-back"), callback_data=HotAct(action=HotAction.OPEN, entry_id=entry.id))
    if isinstance(query.message, Message):
        await query.message.edit_reply_markup(reply_markup=kb.as_markup())
        return
    # the entry's message is gone: say which
    await reply_to(query, ctx.bot, await entry_card(ctx, entry.id), kb.as_markup())


async def remove_entry(
    query: CallbackQuery, callback_data: HotAct, ctx: Ctx, callback_answer: CallbackAnswer
) -> None:
    entry = await ctx.repo.heads.hot_entry(ctx.team.id, callback_data.entry_id)
    ctx.repo.heads.close_hot(entry, HotOutcome.REMOVED, ctx.now())
    callback_answer.text = ctx.t.plain("hot-removed")
    await _drop_keyboard(query)


#: What an entry's button asks for in words: the state that waits for the answer, and the prompt.
ENTRY_ASKS: dict[HotAction, tuple[State, str]] = {
    HotAction.STEP: (HotInput.step, "hot-ask-step"),
    HotAction.WHY: (HotInput.reason, "hot-ask-reason-edit"),
}


async def ask_entry_text(query: CallbackQuery, callback_data: HotAct, ctx: Ctx, state: FSMContext) -> None:
    """✏️ the next step or the reason of an entry (``ENTRY_ASKS``)."""
    awaiting, prompt = ENTRY_ASKS[callback_data.action]
    await _edit_entry(callback_data, ctx, state, awaiting)
    await reply_to(query, ctx.bot, ctx.t(prompt))


async def ask_date(query: CallbackQuery, callback_data: HotAct, ctx: Ctx, state: FSMContext) -> None:
    await _edit_entry(callback_data, ctx, state, HotInput.date)
    await reply_to(query, ctx.bot, ctx.t("hot-ask-date"), date_keyboard(member_today(ctx), ctx.team, ctx.t))


async def _edit_entry(callback_data: HotAct, ctx: Ctx, state: FSMContext, then: State) -> None:
    entry = await ctx.repo.heads.hot_entry(ctx.team.id, callback_data.entry_id)
    await state.clear()
    await state.update_data(mode="edit", entry_id=entry.id)
    await state.set_state(then)


async def _drop_keyboard(query: CallbackQuery) -> None:
    """Take the keyboard off the pressed message, if it can still be edited."""
    if isinstance(query.message, Message):
        with contextlib.suppress(TelegramBadRequest):
            await query.message.edit_reply_markup(reply_markup=None)


# ---------------------------------------------------------------------- typed: why, the step, the date


async def reason_text(message: Message, ctx: Ctx, state: FSMContext) -> None:
    reason = _text(message.text)
    data = await state.get_data()
    if data.get("mode") == "edit":
        entry = await ctx.repo.heads.hot_entry(ctx.team.id, int(data["entry_id"]))
        ctx.repo.heads.touch_hot(entry, ctx.now(), reason=reason)
        await state.clear()
        await message.answer(ctx.t("hot-saved"))
        return
    await state.update_data(reason=reason)
    await state.set_state(HotInput.step)
    await message.answer(ctx.t("hot-ask-step"))


async def step_text(message: Message, ctx: Ctx, state: FSMContext) -> None:
    step = " ".join(_text(message.text).split())
    data = await state.get_data()
    client_name = data.get("client_name")
    if data.get("mode") == "edit":
        entry = await ctx.repo.heads.hot_entry(ctx.team.id, int(data["entry_id"]))
        client_name = (await ctx.repo.clients.get(ctx.team.id, entry.client_id)).name
    check = check_action(step, client_name)
    if not check.ok:
        raise UserError(f"action-{check.problem}", client=client_name or "")
    await state.update_data(step=step)
    await state.set_state(HotInput.date)
    await message.answer(
        ctx.t("hot-ask-date"), reply_markup=date_keyboard(member_today(ctx), ctx.team, ctx.t)
    )


async def ask_typed_date(query: CallbackQuery, ctx: Ctx, callback_answer: CallbackAnswer) -> None:
    callback_answer.text = ctx.t.plain("ask-move-text")
    await reply_to(query, ctx.bot, ctx.t("ask-move-text"))


async def pick_date(query: CallbackQuery, callback_data: HotDate, ctx: Ctx, state: FSMContext) -> None:
    try:
        to = datetime.strptime(callback_data.to, "%Y%m%d").date()
    except ValueError:
        raise UserError("button-stale") from None
    if to < member_today(ctx):
        raise DateError(DateErrorReason.PAST)
    await _drop_keyboard(query)
    text, markup = await _save_date(to, ctx, state)
    await reply_to(query, ctx.bot, text, markup)


async def date_text(message: Message, ctx: Ctx, state: FSMContext) -> None:
    local_today = member_today(ctx)
    to = parse_due_date(_text(message.text)[:100], local_today)
    offer = day_off_offer(team_calendar(ctx.team), to, "hot-day-off", ctx.t)
    if offer is not None:  # the team's day off: say so, offer the next working day (or that day after all)
        text, days = offer
        await message.answer(text, reply_markup=date_keyboard(local_today, ctx.team, ctx.t, days))
        return
    text, markup = await _save_date(to, ctx, state)
    await message.answer(text, reply_markup=markup)


async def _save_date(to: date, ctx: Ctx, state: FSMContext) -> tuple[str, InlineKeyboardMarkup]:
    """The date ends both dialogs: an edited entry gets it (and the new step, if one was typed); a new
    entry is written. Returns the saved entry's card."""
    data = await state.get_data()
    heads = ctx.repo.heads
    now = ctx.now()
    if data.get("mode") == "edit":
        entry = await heads.hot_entry(ctx.team.id, int(data["entry_id"]))
        heads.touch_hot(entry, now, step=data.get("step") or None, next_date=to)
    elif data.get("mode") == "add" and data.get("client_id") and data.get("reason") and data.get("step"):
        client = await ctx.repo.clients.get(ctx.team.id, int(data["client_id"]))
        entry = await heads.add_hot(ctx.team.id, client, data["reason"], data["step"], to, ctx.member, now)
    else:
        await state.clear()
        raise UserError("button-stale")
    await state.clear()
    return ctx.t("hot-saved") + "\n\n" + await entry_card(ctx, entry.id), entry_keyboard(entry.id, ctx.t)


def build_router() -> Router:
    router = role_router("hot", *HEAD)

    router.message.register(hot, Command("hot"))
    on_typed(
        router,
        {
            HotInput.client: client_text,
            HotInput.reason: reason_text,
            HotInput.step: step_text,
            HotInput.date: date_text,
        },
    )

    on = router.callback_query.register
    on_actions(
        router,
        HotAct,
        {
            HotAction.LIST: list_in_place,
            HotAction.ADD: ask_client,
            HotAction.OPEN: open_entry,
            HotAction.DATE: ask_date,
            HotAction.REMOVE: ask_remove,
            HotAction.REMOVE_CONFIRMED: remove_entry,
        },
    )
    on(ask_entry_text, HotAct.filter(F.action.in_(ENTRY_ASKS)))
    on(pick_client, HotPick.filter(), StateFilter(HotInput.client))
    on(ask_typed_date, HotDate.filter(F.to == TYPE_DATE), StateFilter(HotInput.date))
    on(pick_date, HotDate.filter(), StateFilter(HotInput.date))
    return router


# ---------------------------------------------------------------------- the morning reminder


async def compose_hot_reminder(ctx: ComposeContext) -> list[Outgoing]:
    """The entries due today and those untouched too long; nothing when there are none."""
    items = await ctx.repo.heads.hot_items(ctx.team)
    today = ctx.local_date
    found = reminders(items, today, ctx.team.hot_stale_days)
    if found.empty:
        return []
    t = ctx.t
    parts = [t("hot-reminder-title")]
    if found.due:
        parts.append(
            "\n\n".join(
                [
                    t("hot-reminder-due", count=len(found.due)),
                    *(entry_text(None, h, today, t) for h in found.due),
                ]
            )
        )
    if found.stale:
        parts.append(
            "\n\n".join(
                [
                    t("hot-reminder-stale", count=len(found.stale), days=ctx.team.hot_stale_days),
                    *(entry_text(None, h, today, t) for h in found.stale),
                ]
            )
        )
    kb = Keyboard()
    for h in [*found.due, *found.stale][:40]:
        kb.button(
            text=f"🔥 {h.client[:30]}", callback_data=HotAct(action=HotAction.OPEN, entry_id=h.entry_id)
        )
    kb.adjust(2)
    return [Outgoing("\n\n".join(parts), kb.as_markup())]
