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

from bot.clock import Clock
from bot.filters import RoleFilter
from bot.i18n import Texts
from bot.keyboard import Keyboard
from domain.actions import check_action
from domain.calendar import WorkCalendar
from domain.dates import DateError, DateErrorReason, parse_due_date
from domain.enums import OPEN_STAGES, HotOutcome, Role
from domain.errors import UserError
from domain.hot import MAX_TEXT, HotItem, order_entries, reminders
from domain.text import split_message
from handlers.day_views import fmt_date, local_date
from handlers.head_common import HEAD, PICK_LIMIT, HotAct, HotDate, HotPick, one_text
from scheduler.compose import ComposeContext, Kind, Outgoing, register
from storage.head_repo import HeadRepo
from storage.models import Member, Team
from storage.repo import Repo


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
    kb = Keyboard()
    if not items:
        kb.button(text=t("btn-hot-add"), callback_data=HotAct(a="add"))
        return [t("hot-empty")], kb.as_markup()
    ordered = order_entries(items)
    text = "\n\n".join(
        [t("hot-title", count=len(ordered)), *(entry_text(n, h, today, t) for n, h in enumerate(ordered, 1))]
    )
    for n, h in enumerate(ordered, 1):
        kb.button(text=f"{n}. {h.client[:30]}", callback_data=HotAct(a="open", entry_id=h.entry_id))
    kb.button(text=t("btn-hot-add"), callback_data=HotAct(a="add"))
    kb.adjust(*([2] * ((len(ordered) + 1) // 2)), 1)
    return split_message(text), kb.as_markup()


def entry_keyboard(entry_id: int, t: Texts) -> InlineKeyboardMarkup:
    kb = Keyboard()
    kb.button(text=t("btn-hot-step"), callback_data=HotAct(a="step", entry_id=entry_id))
    kb.button(text=t("btn-hot-date"), callback_data=HotAct(a="date", entry_id=entry_id))
    kb.button(text=t("btn-hot-why"), callback_data=HotAct(a="why", entry_id=entry_id))
    kb.button(text=t("btn-hot-off"), callback_data=HotAct(a="off", entry_id=entry_id))
    kb.button(text=t("btn-hot-list"), callback_data=HotAct(a="list"))
    kb.adjust(2, 2, 1)
    return kb.as_markup()


def date_keyboard(today: date, team: Team, t: Texts) -> InlineKeyboardMarkup:
    calendar = WorkCalendar.from_db(team.workdays, team.holiday_country)
    days, d = [today], today
    while len(days) < 6:
        d = calendar.next_working_day(d)
        days.append(d)
    kb = Keyboard()
    for d in days:
        kb.button(text=fmt_date(d, t), callback_data=HotDate(to=d.strftime("%Y%m%d")))
    kb.button(text=t("btn-other-date"), callback_data=HotDate(to="x"))
    kb.adjust(3, 3, 1)
    return kb.as_markup()


def _text(text: str | None) -> str:
    return one_text(text, MAX_TEXT)


def build_router() -> Router:
    router = Router(name="hot")
    router.message.filter(RoleFilter(*HEAD))
    router.callback_query.filter(RoleFilter(*HEAD))

    async def show_list(
        message: Message, repo: Repo, team: Team, member: Member, clock: Clock, t: Texts
    ) -> None:
        items = await HeadRepo(repo.session).hot_items(team)
        parts, markup = list_view(items, local_date(clock(), team, member), t)
        for i, part in enumerate(parts):
            await message.answer(part, reply_markup=markup if i == len(parts) - 1 else None)

    async def ask_client_or_go(
        message: Message, query: str, repo: Repo, team: Team, t: Texts, state: FSMContext
    ) -> None:
        found = [
            c for c in await repo.clients.find(team.id, query, limit=PICK_LIMIT + 1) if c.stage in OPEN_STAGES
        ]
        if not found:
            await state.set_state(HotInput.client)
            raise UserError("hot-no-client", name=query)
        exact = [c for c in found if c.name_key == " ".join(query.casefold().replace("ё", "е").split())]
        if len(exact) == 1 or len(found) == 1:
            client = exact[0] if len(exact) == 1 else found[0]
            await chosen(message, client.id, client.name, team, t, state)
            return
        kb = Keyboard()
        for c in found[:PICK_LIMIT]:
            kb.button(text=c.name[:60], callback_data=HotPick(client_id=c.id))
        kb.adjust(1)
        await state.set_state(HotInput.client)
        await message.answer(t("hot-pick-client", query=query), reply_markup=kb.as_markup())

    async def chosen(
        message: Message, client_id: int, name: str, team: Team, t: Texts, state: FSMContext
    ) -> None:
        await state.update_data(mode="add", client_id=client_id, client_name=name)
        await state.set_state(HotInput.reason)
        await message.answer(t("hot-ask-reason", client=name))

    @router.message(Command("hot"))
    async def hot(
        message: Message,
        command: CommandObject,
        repo: Repo,
        team: Team,
        member: Member,
        clock: Clock,
        t: Texts,
        state: FSMContext,
    ) -> None:
        await state.clear()
        query = " ".join((command.args or "").split())
        if not query:
            await show_list(message, repo, team, member, clock, t)
            return
        await state.update_data(mode="add")
        await ask_client_or_go(message, query[:200], repo, team, t, state)

    @router.callback_query(HotAct.filter())
    async def act(
        query: CallbackQuery,
        callback_data: HotAct,
        repo: Repo,
        team: Team,
        member: Member,
        clock: Clock,
        t: Texts,
        state: FSMContext,
        callback_answer: CallbackAnswer,
    ) -> None:
        heads = HeadRepo(repo.session)
        now = clock()
        today = local_date(now, team, member)
        a = callback_data.a
        message = query.message if isinstance(query.message, Message) else None
        if a == "list":
            await state.clear()
            parts, markup = list_view(await heads.hot_items(team), today, t)
            if message is not None:
                await message.edit_text(parts[0], reply_markup=markup if len(parts) == 1 else None)
                for i, part in enumerate(parts[1:], 1):
                    await message.answer(part, reply_markup=markup if i == len(parts) - 1 else None)
            return
        if a == "add":
            await state.clear()
            await state.update_data(mode="add")
            await state.set_state(HotInput.client)
            if message is not None:
                await message.answer(t("hot-ask-client"))
            return
        entry = await heads.hot_entry(team.id, callback_data.entry_id)
        if a == "open":
            await state.clear()
            item = (await heads.hot_items(team, [entry.id]))[0]
            if message is not None:
                await message.answer(
                    entry_text(None, item, today, t), reply_markup=entry_keyboard(entry.id, t)
                )
            return
        if a == "off":
            kb = Keyboard()
            kb.button(text=t("btn-hot-off-confirm"), callback_data=HotAct(a="off!", entry_id=entry.id))
            kb.button(text=t("btn-back"), callback_data=HotAct(a="open", entry_id=entry.id))
            if message is not None:
                await message.edit_reply_markup(reply_markup=kb.as_markup())
            return
        if a == "off!":
            heads.close_hot(entry, HotOutcome.REMOVED, now)
            callback_answer.text = t("hot-removed")
            if message is not None:
                await message.edit_reply_markup(reply_markup=None)
            return
        prompts = {"step": (HotInput.step, "hot-ask-step"), "why": (HotInput.reason, "hot-ask-reason-edit")}
        await state.clear()
        await state.update_data(mode="edit", entry_id=entry.id)
        if a == "date":
            await state.set_state(HotInput.date)
            if message is not None:
                await message.answer(t("hot-ask-date"), reply_markup=date_keyboard(today, team, t))
            return
        if a not in prompts:
            raise UserError("button-stale")
        new_state, key = prompts[a]
        await state.set_state(new_state)
        if message is not None:
            await message.answer(t(key))

    @router.callback_query(HotPick.filter(), StateFilter(HotInput.client))
    async def pick(
        query: CallbackQuery, callback_data: HotPick, repo: Repo, team: Team, t: Texts, state: FSMContext
    ) -> None:
        client = await repo.clients.get(team.id, callback_data.client_id)
        if isinstance(query.message, Message):
            await query.message.edit_reply_markup(reply_markup=None)
            await chosen(query.message, client.id, client.name, team, t, state)

    @router.message(StateFilter(HotInput.client), F.text, ~F.text.startswith("/"))
    async def client_text(message: Message, repo: Repo, team: Team, t: Texts, state: FSMContext) -> None:
        await ask_client_or_go(message, _text(message.text)[:200], repo, team, t, state)

    @router.message(StateFilter(HotInput.reason), F.text, ~F.text.startswith("/"))
    async def reason_text(
        message: Message, repo: Repo, team: Team, clock: Clock, t: Texts, state: FSMContext
    ) -> None:
        reason = _text(message.text)
        data = await state.get_data()
        if data.get("mode") == "edit":
            entry = await HeadRepo(repo.session).hot_entry(team.id, int(data["entry_id"]))
            entry.reason, entry.touched_at = reason, clock()
            await state.clear()
            await message.answer(t("hot-saved"))
            return
        await state.update_data(reason=reason)
        await state.set_state(HotInput.step)
        await message.answer(t("hot-ask-step"))

    @router.message(StateFilter(HotInput.step), F.text, ~F.text.startswith("/"))
    async def step_text(
        message: Message, repo: Repo, team: Team, member: Member, clock: Clock, t: Texts, state: FSMContext
    ) -> None:
        step = " ".join(_text(message.text).split())
        data = await state.get_data()
        client_name = data.get("client_name")
        if data.get("mode") == "edit":
            entry = await HeadRepo(repo.session).hot_entry(team.id, int(data["entry_id"]))
            client_name = (await repo.clients.get(team.id, entry.client_id)).name
        check = check_action(step, client_name)
        if not check.ok:
            raise UserError(f"action-{check.problem}", client=client_name or "")
        await state.update_data(step=step)
        await state.set_state(HotInput.date)
        today = local_date(clock(), team, member)
        await message.answer(t("hot-ask-date"), reply_markup=date_keyboard(today, team, t))

    async def save_date(
        answer: Message,
        to: date,
        repo: Repo,
        team: Team,
        member: Member,
        clock: Clock,
        t: Texts,
        state: FSMContext,
    ) -> None:
        data = await state.get_data()
        heads = HeadRepo(repo.session)
        now = clock()
        if data.get("mode") == "edit":
            entry = await heads.hot_entry(team.id, int(data["entry_id"]))
            if data.get("step"):
                entry.next_step = data["step"]
            entry.next_date, entry.touched_at = to, now
        elif data.get("mode") == "add" and data.get("client_id") and data.get("reason") and data.get("step"):
            client = await repo.clients.get(team.id, int(data["client_id"]))
            entry = await heads.add_hot(team.id, client, data["reason"], data["step"], to, member, now)
        else:
            await state.clear()
            raise UserError("button-stale")
        await state.clear()
        item = (await heads.hot_items(team, [entry.id]))[0]
        today = local_date(now, team, member)
        await answer.answer(
            t("hot-saved") + "\n\n" + entry_text(None, item, today, t),
            reply_markup=entry_keyboard(entry.id, t),
        )

    @router.callback_query(HotDate.filter(), StateFilter(HotInput.date))
    async def date_pick(
        query: CallbackQuery,
        callback_data: HotDate,
        repo: Repo,
        team: Team,
        member: Member,
        clock: Clock,
        t: Texts,
        state: FSMContext,
        callback_answer: CallbackAnswer,
    ) -> None:
        if callback_data.to == "x":
            callback_answer.text = t("ask-move-text")
            if isinstance(query.message, Message):
                await query.message.answer(t("ask-move-text"))
            return
        try:
            to = datetime.strptime(callback_data.to, "%Y%m%d").date()
        except ValueError:
            raise UserError("button-stale") from None
        if to < local_date(clock(), team, member):
            raise DateError(DateErrorReason.PAST)
        if isinstance(query.message, Message):
            with contextlib.suppress(TelegramBadRequest):
                await query.message.edit_reply_markup(reply_markup=None)
            await save_date(query.message, to, repo, team, member, clock, t, state)

    @router.message(StateFilter(HotInput.date), F.text, ~F.text.startswith("/"))
    async def date_text(
        message: Message, repo: Repo, team: Team, member: Member, clock: Clock, t: Texts, state: FSMContext
    ) -> None:
        to = parse_due_date(_text(message.text)[:100], local_date(clock(), team, member))
        await save_date(message, to, repo, team, member, clock, t, state)

    return router


# ---------------------------------------------------------------------- the morning reminder


async def compose_hot_reminder(ctx: ComposeContext) -> list[Outgoing]:
    """The entries due today and those untouched too long; nothing when there are none."""
    items = await HeadRepo(ctx.repo.session).hot_items(ctx.team)
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
        kb.button(text=f"🔥 {h.client[:30]}", callback_data=HotAct(a="open", entry_id=h.entry_id))
    kb.adjust(2)
    return [Outgoing("\n\n".join(parts), kb.as_markup())]


HOT_REMINDER = register(
    Kind("hot_reminder", compose_hot_reminder, frozenset({Role.HEAD.value}), at="morning_at")
)
