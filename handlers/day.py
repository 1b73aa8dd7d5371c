"""The day list (/today) and marking tasks from it or from the evening report, in at most two taps:
✅ done (a result line may follow), ❌ not done → a reason, 📅 moved → a date, 🗑 cancel → confirm.

One module-level handler per button action (``TaskAction``), registered in ``build_router``. Every press
re-checks that the task is the presser's own and still open, and that the button was drawn for the task
as it is now (``task_version``): a button left on a superseded screen changes nothing. "Другая причина…"
and "Другая дата…" turn the picker into the question (only ← Назад stays), and the typed answer puts the
list back in that message, so no screen is left stuck on a picker."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from aiogram import Bot, F, Router
from aiogram.exceptions import TelegramBadRequest
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import (
    CallbackQuery,
    InaccessibleMessage,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
)
from aiogram.utils.callback_answer import CallbackAnswer

from bot.clock import Clock
from bot.context import Ctx
from bot.i18n import Html, Texts
from domain.dates import parse_due_date
from domain.enums import Role, TaskStatus
from domain.errors import UserError
from domain.text import clean_text
from handlers.day_callbacks import ListPage, TaskAct, TaskAction, TaskMove, TaskReason, View, task_version
from handlers.day_views import (
    QUICK_REASONS,
    Page,
    cancel_keyboard,
    day_off_offer,
    local_date,
    member_zone,
    move_keyboard,
    reasons_keyboard,
    render_report,
    render_today,
    report_page,
    today_page,
)
from handlers.routing import on_typed, provide, role_router
from storage.day_repo import DayRepo, EveningReport
from storage.models import Member, Task, Team
from storage.repo import Repo

MAX_LINE = 500
WORKERS = (Role.MANAGER, Role.HEAD)


class DayInput(StatesGroup):
    result = State()  # an optional result line after ✅
    reason = State()  # the reason typed after ❌ → "Другое"
    move_date = State()  # a date typed after 📅 → "Другая дата"


class Day:
    """The member's dates: today in their time zone, and their next working day."""

    def __init__(
        self, repo: Repo, team: Team, member: Member, clock: Clock, today: date | None = None
    ) -> None:
        self.repo, self.team, self.member = repo, team, member
        self.now: datetime = clock()
        self.zone = member_zone(team, member)
        self.today: date = today or local_date(self.now, team, member)
        self.days: DayRepo = repo.days

    async def tomorrow(self) -> date:
        calendar = await self.days.calendar(self.team, self.member)
        return calendar.next_working_day(self.today)

    async def next_days(self, count: int) -> list[date]:
        calendar = await self.days.calendar(self.team, self.member)
        days: list[date] = []
        d = self.today
        while len(days) < count:
            d = calendar.next_working_day(d)
            days.append(d)
        return days

    async def view(self, view: str, t: Texts) -> list[Page]:
        """Every message of a view, as it is sent: the list first (its first page)."""
        if view == View.REPORT:
            return render_report(await self.evening(), t)
        return render_today(await self.days.day_list(self.member, self.today, self.zone), t)

    async def list_page(self, view: str, t: Texts, page: int) -> Page:
        """The list message of a view showing ``page``, to re-render it in place."""
        if view == View.REPORT:
            return report_page(await self.evening(), t, page)
        return today_page(await self.days.day_list(self.member, self.today, self.zone, idle=False), t, page)

    async def evening(self) -> EveningReport:
        return await self.days.evening(self.member, self.today, await self.tomorrow(), self.zone)


def provide_day(router: Router) -> None:
    """The handlers of ``router`` about the member's day get their ``day``."""
    provide(router, "day", lambda data: Day(data["repo"], data["team"], data["member"], data["clock"]))


def one_line(text: str | None) -> str:
    """A reply squeezed to one clean line (``domain.text.clean_text``); refused when empty or too long."""
    line = clean_text(text or "")
    if not line:
        raise UserError("line-empty")
    if len(line) > MAX_LINE:
        raise UserError("line-too-long", limit=MAX_LINE)
    return line


async def show_page(message: Message | InaccessibleMessage | None, pages: list[Page], page: int) -> None:
    """Re-render one page of a view in place; a page that no longer exists loses its buttons."""
    if not isinstance(message, Message):
        return
    try:
        if page < len(pages):
            await message.edit_text(pages[page].text, reply_markup=pages[page].markup)
        else:
            await message.edit_reply_markup(reply_markup=None)
    except TelegramBadRequest as exc:
        if "not modified" not in str(exc):
            raise


async def show_list(query: CallbackQuery, day: Day, t: Texts, view: str, page: int) -> None:
    """The list the pressed button sits on, re-rendered in that message at ``page``."""
    await show_page(query.message, [await day.list_page(view, t, page)], 0)


async def open_task(day: Day, task_id: int, ver: int) -> Task:
    """The member's own open task a button acts on; a button drawn for an older version of it (a
    superseded screen) is refused and changes nothing."""
    task = await day.days.own_task(day.member, task_id)
    day.days.require_open(task)
    if task_version(task.moves) != ver:
        raise UserError("button-stale")
    return task


async def edit_prompt(query: CallbackQuery, text: str, markup: InlineKeyboardMarkup) -> None:
    if query.message is not None:
        await show_page(query.message, [Page(text, markup)], 0)


# ---------------------------------------------------------------------- the list


async def show_today(message: Message, ctx: Ctx, day: Day, state: FSMContext) -> None:
    await state.clear()
    for page in await day.view(View.TODAY, ctx.t):
        await message.answer(page.text, reply_markup=page.markup)


async def turn_page(query: CallbackQuery, callback_data: ListPage, ctx: Ctx, day: Day) -> None:
    await show_list(query, day, ctx.t, callback_data.v, max(callback_data.p, 0))


async def back_to_list(
    query: CallbackQuery, callback_data: TaskAct, ctx: Ctx, day: Day, state: FSMContext
) -> None:
    await state.clear()
    await show_list(query, day, ctx.t, callback_data.v, callback_data.p)


# ---------------------------------------------------------------------- marking: one handler per action


async def mark_done(
    query: CallbackQuery,
    callback_data: TaskAct,
    ctx: Ctx,
    day: Day,
    state: FSMContext,
    callback_answer: CallbackAnswer,
) -> None:
    cb = callback_data
    moves = await day.days.mark_own_done(day.member, cb.task_id, day.now)
    if moves is None:  # not written: open_task says why it is not the member's open task, or it is marked
        await day.days.mark_done(day.member, await open_task(day, cb.task_id, cb.ver), day.now)
    elif task_version(moves) != cb.ver:
        raise UserError("button-stale")  # the update rolls back: the mark is undone
    await state.set_state(DayInput.result)
    await state.update_data(task_id=cb.task_id)
    await _marked(query, callback_data, ctx, day, callback_answer, "task-done-toast")


async def show_reasons(query: CallbackQuery, callback_data: TaskAct, ctx: Ctx, day: Day) -> None:
    task = await open_task(day, callback_data.task_id, callback_data.ver)
    cb = callback_data
    markup = reasons_keyboard(task.id, cb.ver, cb.v, cb.p, ctx.t)
    await edit_prompt(query, ctx.t("ask-reason", task=await task_html(day, task, ctx.t)), markup)


async def show_dates(query: CallbackQuery, callback_data: TaskAct, ctx: Ctx, day: Day) -> None:
    task = await open_task(day, callback_data.task_id, callback_data.ver)
    cb = callback_data
    markup = move_keyboard(task.id, cb.ver, await day.next_days(5), cb.v, cb.p, ctx.t)
    await edit_prompt(query, ctx.t("ask-move", task=await task_html(day, task, ctx.t)), markup)


async def ask_cancel(query: CallbackQuery, callback_data: TaskAct, ctx: Ctx, day: Day) -> None:
    task = await open_task(day, callback_data.task_id, callback_data.ver)
    cb = callback_data
    markup = cancel_keyboard(task.id, cb.ver, cb.v, cb.p, ctx.t)
    await edit_prompt(query, ctx.t("ask-cancel", task=await task_html(day, task, ctx.t)), markup)


async def cancel_task(
    query: CallbackQuery, callback_data: TaskAct, ctx: Ctx, day: Day, callback_answer: CallbackAnswer
) -> None:
    task = await open_task(day, callback_data.task_id, callback_data.ver)
    await day.days.cancel(day.member, task, day.now)
    await _marked(query, callback_data, ctx, day, callback_answer, "task-cancelled-toast")


async def mark_not_done(
    query: CallbackQuery, callback_data: TaskReason, ctx: Ctx, day: Day, callback_answer: CallbackAnswer
) -> None:
    task = await open_task(day, callback_data.task_id, callback_data.ver)
    if not 1 <= callback_data.code <= QUICK_REASONS:
        raise UserError("button-stale")
    await day.days.mark_not_done(day.member, task, ctx.t.plain(f"reason-{callback_data.code}"), day.now)
    await _marked(query, callback_data, ctx, day, callback_answer, "task-not-done-toast")


async def move_task(
    query: CallbackQuery, callback_data: TaskMove, ctx: Ctx, day: Day, callback_answer: CallbackAnswer
) -> None:
    task = await open_task(day, callback_data.task_id, callback_data.ver)
    try:
        to = datetime.strptime(callback_data.to, "%Y%m%d").date()
    except ValueError:
        raise UserError("button-stale") from None
    if to <= day.today:
        raise UserError("date-past")
    await day.days.move(day.member, task, to, day.now)
    await _marked(
        query, callback_data, ctx, day, callback_answer, "task-moved-toast", date=to.strftime("%d.%m")
    )


async def _marked(
    query: CallbackQuery,
    cb: TaskAct | TaskReason | TaskMove,
    ctx: Ctx,
    day: Day,
    callback_answer: CallbackAnswer,
    toast: str,
    **args: str,
) -> None:
    """A task marked from the list: the mark's ``toast``, and the list the button sat on re-rendered at
    its page."""
    callback_answer.text = ctx.t.plain(toast, **args)
    await show_list(query, day, ctx.t, cb.v, cb.p)


# ---------------------------------------------------------------------- a typed answer instead of a button


async def ask_typed(
    query: CallbackQuery, cb: TaskAct, day: Day, t: Texts, state: FSMContext, asked: State, key: str
) -> None:
    """Turn the picker into the question (only ← Назад stays, so no stale button is left on screen) and
    wait for the line; the typed answer puts the list back in this message."""
    task = await open_task(day, cb.task_id, cb.ver)
    await state.set_state(asked)
    where = query.message
    await state.update_data(
        task_id=task.id,
        ver=cb.ver,
        v=cb.v,
        p=cb.p,
        chat_id=where.chat.id if where is not None else None,
        message_id=where.message_id if where is not None else None,
    )
    back = TaskAct(action=TaskAction.BACK, task_id=task.id, v=cb.v, p=cb.p, ver=cb.ver)
    button = InlineKeyboardButton(text=t.plain("btn-back"), callback_data=back.pack())
    markup = InlineKeyboardMarkup(inline_keyboard=[[button]])
    await edit_prompt(query, t(key, task=await task_html(day, task, t)), markup)


async def ask_reason_text(
    query: CallbackQuery, callback_data: TaskAct, ctx: Ctx, day: Day, state: FSMContext
) -> None:
    await ask_typed(query, callback_data, day, ctx.t, state, DayInput.reason, "ask-reason-typed")


async def ask_date_text(
    query: CallbackQuery, callback_data: TaskAct, ctx: Ctx, day: Day, state: FSMContext
) -> None:
    await ask_typed(query, callback_data, day, ctx.t, state, DayInput.move_date, "ask-move-typed")


async def typed_task(day: Day, state: FSMContext) -> tuple[Task, dict[str, Any]]:
    """The task a typed answer is for, as it was when asked; changed since (marked or moved by a button,
    elsewhere) it is refused and the dialog ends."""
    data = await state.get_data()
    task = await day.days.own_task(day.member, int(data["task_id"]))
    if task.status is not TaskStatus.OPEN or task_version(task.moves) != int(data.get("ver", -1)):
        await state.clear()
        raise UserError("task-changed")
    return task, data


async def restore_list(bot: Bot, day: Day, t: Texts, data: dict[str, Any]) -> None:
    """Put the list back in the message that showed the question."""
    if data.get("message_id") is None or data.get("chat_id") is None:
        return
    page = await day.list_page(str(data.get("v", View.TODAY)), t, int(data.get("p", 0)))
    try:
        await bot.edit_message_text(
            text=page.text,
            chat_id=int(data["chat_id"]),
            message_id=int(data["message_id"]),
            reply_markup=page.markup,
        )
    except TelegramBadRequest as exc:  # gone, too old to edit, or already showing this
        if not any(reason in str(exc) for reason in ("not modified", "not found", "can't be edited")):
            raise


async def save_result(message: Message, ctx: Ctx, day: Day, state: FSMContext) -> None:
    data = await state.get_data()
    task = await day.days.own_task(day.member, int(data["task_id"]))
    await day.days.set_result(day.member, task, one_line(message.text))
    await state.clear()
    await message.answer(ctx.t("result-saved", task=await task_html(day, task, ctx.t)))


async def save_reason(message: Message, ctx: Ctx, day: Day, state: FSMContext) -> None:
    task, data = await typed_task(day, state)
    await day.days.mark_not_done(day.member, task, one_line(message.text), day.now)
    await state.clear()
    await message.answer(ctx.t("reason-saved", task=await task_html(day, task, ctx.t)))
    await restore_list(ctx.bot, day, ctx.t, data)


async def save_move_date(message: Message, ctx: Ctx, day: Day, state: FSMContext) -> None:
    task, data = await typed_task(day, state)
    to = parse_due_date(one_line(message.text), day.today)
    if to == day.today:
        raise UserError("task-same-date")
    offer = day_off_offer(await day.days.calendar(day.team, day.member), to, "move-day-off", ctx.t)
    if offer is not None:  # a Friday's «завтра»: say so, offer the next working day
        await state.clear()
        text, days = offer
        markup = move_keyboard(task.id, int(data["ver"]), days, View(data["v"]), int(data["p"]), ctx.t)
        await message.answer(text, reply_markup=markup)
        return
    await day.days.move(day.member, task, to, day.now)
    await state.clear()
    text = ctx.t("move-saved", task=await task_html(day, task, ctx.t), date=to.strftime("%d.%m.%Y"))
    await message.answer(text)
    await restore_list(ctx.bot, day, ctx.t, data)


def build_router() -> Router:
    router = role_router("day", *WORKERS)
    provide_day(router)

    router.message.register(show_today, Command("today"))
    router.callback_query.register(turn_page, ListPage.filter())
    router.callback_query.register(mark_done, TaskAct.filter(F.action == TaskAction.DONE))
    router.callback_query.register(show_reasons, TaskAct.filter(F.action == TaskAction.NOT_DONE))
    router.callback_query.register(show_dates, TaskAct.filter(F.action == TaskAction.MOVE))
    router.callback_query.register(ask_cancel, TaskAct.filter(F.action == TaskAction.CANCEL))
    router.callback_query.register(cancel_task, TaskAct.filter(F.action == TaskAction.CANCEL_CONFIRMED))
    router.callback_query.register(back_to_list, TaskAct.filter(F.action == TaskAction.BACK))
    router.callback_query.register(ask_reason_text, TaskAct.filter(F.action == TaskAction.TYPE_REASON))
    router.callback_query.register(ask_date_text, TaskAct.filter(F.action == TaskAction.TYPE_DATE))
    router.callback_query.register(mark_not_done, TaskReason.filter())
    router.callback_query.register(move_task, TaskMove.filter())
    on_typed(
        router,
        {DayInput.result: save_result, DayInput.reason: save_reason, DayInput.move_date: save_move_date},
    )
    return router


async def task_html(day: Day, task: Task, t: Texts) -> Html:
    """The task as one line of HTML (client in bold), to be put inside another text."""
    client = await day.repo.clients.get(day.member.team_id, task.client_id) if task.client_id else None
    return Html(t("task-short", client=client.name if client else t("task-no-client"), action=task.action))
