"""The day list (/today) and marking tasks from it or from the evening report, in at most two taps:
✅ done (a result line may follow), ❌ not done → a reason, 📅 moved → a date, 🗑 cancel → confirm."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date, datetime
from typing import Any

from aiogram import BaseMiddleware, F, Router
from aiogram.exceptions import TelegramBadRequest
from aiogram.filters import Command, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, Message, TelegramObject
from aiogram.utils.callback_answer import CallbackAnswer

from bot.clock import Clock
from bot.filters import RoleFilter
from bot.i18n import Html, Texts
from domain.dates import parse_due_date
from domain.enums import Role
from domain.errors import UserError
from handlers.day_callbacks import VIEW_REPORT, TaskAct, TaskMove, TaskReason
from handlers.day_views import (
    OTHER_REASON,
    QUICK_REASONS,
    Page,
    cancel_keyboard,
    local_date,
    member_zone,
    move_keyboard,
    reasons_keyboard,
    render_report,
    render_today,
)
from storage.day_repo import DayRepo, EveningReport, member_calendar
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
        self.days = DayRepo(repo.session)

    async def tomorrow(self) -> date:
        calendar = await member_calendar(self.repo.session, self.team, self.member)
        return calendar.next_working_day(self.today)

    async def next_days(self, count: int) -> list[date]:
        calendar = await member_calendar(self.repo.session, self.team, self.member)
        days, d = [], self.today
        while len(days) < count:
            d = calendar.next_working_day(d)
            days.append(d)
        return days

    async def view(self, view: str, t: Texts) -> list[Page]:
        if view == VIEW_REPORT:
            return render_report(await self.evening(), t)
        return render_today(await self.days.day_list(self.member, self.today, self.zone), t)

    async def evening(self) -> EveningReport:
        return await self.days.evening(self.member, self.today, await self.tomorrow(), self.zone)


class DayMiddleware(BaseMiddleware):
    """Gives the handlers of a router about the member's day their ``day`` (an inner middleware: it runs
    only once a handler's filters have matched, so only for the member's own updates)."""

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        if data.get("member") is not None:
            data["day"] = Day(data["repo"], data["team"], data["member"], data["clock"])
        return await handler(event, data)

    @classmethod
    def install(cls, router: Router) -> None:
        router.message.middleware(cls())
        router.callback_query.middleware(cls())


def one_line(text: str | None) -> str:
    """A reply squeezed to one line; refused when empty or too long."""
    line = " ".join((text or "").split())
    if not line:
        raise UserError("line-empty")
    if len(line) > MAX_LINE:
        raise UserError("line-too-long", limit=MAX_LINE)
    return line


async def show_page(message: Message | None, pages: list[Page], page: int) -> None:
    """Re-render one page of a view in place; a page that no longer exists loses its buttons."""
    if message is None:
        return
    try:
        if page < len(pages):
            await message.edit_text(pages[page].text, reply_markup=pages[page].markup)
        else:
            await message.edit_reply_markup(reply_markup=None)
    except TelegramBadRequest as exc:
        if "not modified" not in str(exc):
            raise


def build_router() -> Router:
    router = Router(name="day")
    router.message.filter(RoleFilter(*WORKERS))
    router.callback_query.filter(RoleFilter(*WORKERS))
    DayMiddleware.install(router)

    @router.message(Command("today"))
    async def today(message: Message, day: Day, t: Texts, state: FSMContext) -> None:
        await state.clear()
        for page in await day.view("t", t):
            await message.answer(page.text, reply_markup=page.markup)

    @router.callback_query(TaskAct.filter())
    async def act(
        query: CallbackQuery,
        callback_data: TaskAct,
        day: Day,
        t: Texts,
        state: FSMContext,
        callback_answer: CallbackAnswer,
    ) -> None:
        task = await day.days.own_task(day.member, callback_data.task_id)
        v, p = callback_data.v, callback_data.p
        if callback_data.a == "b":
            await state.clear()
            await show_page(query.message, await day.view(v, t), p)
            return
        if callback_data.a == "d":
            await day.days.mark_done(day.member, task, day.now)
            await state.set_state(DayInput.result)
            await state.update_data(task_id=task.id)
            callback_answer.text = t("task-done-toast")
            await show_page(query.message, await day.view(v, t), p)
            return
        DayRepo._require_open(task)
        line = await _line(day, task, t)
        if callback_data.a == "n":
            markup, prompt = reasons_keyboard(task.id, v, p, t), t("ask-reason", task=line)
        elif callback_data.a == "m":
            markup, prompt = move_keyboard(task.id, await day.next_days(5), v, p, t), t("ask-move", task=line)
        elif callback_data.a == "c":
            markup, prompt = cancel_keyboard(task.id, v, p, t), t("ask-cancel", task=line)
        elif callback_data.a == "y":
            await day.days.cancel(day.member, task, day.now)
            callback_answer.text = t("task-cancelled-toast")
            await show_page(query.message, await day.view(v, t), p)
            return
        else:
            raise UserError("button-stale")
        if query.message is not None:
            await query.message.edit_text(prompt, reply_markup=markup)

    @router.callback_query(TaskReason.filter())
    async def reason(
        query: CallbackQuery,
        callback_data: TaskReason,
        day: Day,
        t: Texts,
        state: FSMContext,
        callback_answer: CallbackAnswer,
    ) -> None:
        task = await day.days.own_task(day.member, callback_data.task_id)
        DayRepo._require_open(task)
        if callback_data.code == OTHER_REASON:
            await state.set_state(DayInput.reason)
            await state.update_data(task_id=task.id, v=callback_data.v, p=callback_data.p)
            callback_answer.text = t("ask-reason-text")
            if query.message is not None:
                await query.message.answer(t("ask-reason-text"))
            return
        if not 1 <= callback_data.code <= QUICK_REASONS:
            raise UserError("button-stale")
        await day.days.mark_not_done(day.member, task, t(f"reason-{callback_data.code}"), day.now)
        callback_answer.text = t("task-not-done-toast")
        await show_page(query.message, await day.view(callback_data.v, t), callback_data.p)

    @router.callback_query(TaskMove.filter())
    async def move(
        query: CallbackQuery,
        callback_data: TaskMove,
        day: Day,
        t: Texts,
        state: FSMContext,
        callback_answer: CallbackAnswer,
    ) -> None:
        task = await day.days.own_task(day.member, callback_data.task_id)
        DayRepo._require_open(task)
        if callback_data.to == "x":
            await state.set_state(DayInput.move_date)
            await state.update_data(task_id=task.id, v=callback_data.v, p=callback_data.p)
            callback_answer.text = t("ask-move-text")
            if query.message is not None:
                await query.message.answer(t("ask-move-text"))
            return
        try:
            to = datetime.strptime(callback_data.to, "%Y%m%d").date()
        except ValueError:
            raise UserError("button-stale") from None
        if to <= day.today:
            raise UserError("date-past")
        await day.days.move(day.member, task, to, day.now)
        callback_answer.text = t("task-moved-toast", date=to.strftime("%d.%m"))
        await show_page(query.message, await day.view(callback_data.v, t), callback_data.p)

    @router.message(StateFilter(DayInput.result), F.text, ~F.text.startswith("/"))
    async def result_line(message: Message, day: Day, t: Texts, state: FSMContext) -> None:
        data = await state.get_data()
        task = await day.days.own_task(day.member, int(data["task_id"]))
        await day.days.set_result(day.member, task, one_line(message.text))
        await state.clear()
        await message.answer(t("result-saved", task=await _line(day, task, t)))

    @router.message(StateFilter(DayInput.reason), F.text, ~F.text.startswith("/"))
    async def reason_line(message: Message, day: Day, t: Texts, state: FSMContext) -> None:
        data = await state.get_data()
        task = await day.days.own_task(day.member, int(data["task_id"]))
        await day.days.mark_not_done(day.member, task, one_line(message.text), day.now)
        await state.clear()
        await message.answer(t("reason-saved", task=await _line(day, task, t)))

    @router.message(StateFilter(DayInput.move_date), F.text, ~F.text.startswith("/"))
    async def move_line(message: Message, day: Day, t: Texts, state: FSMContext) -> None:
        data = await state.get_data()
        task = await day.days.own_task(day.member, int(data["task_id"]))
        to = parse_due_date(one_line(message.text), day.today)
        if to == day.today:
            raise UserError("task-same-date")
        await day.days.move(day.member, task, to, day.now)
        await state.clear()
        await message.answer(t("move-saved", task=await _line(day, task, t), date=to.strftime("%d.%m.%Y")))

    return router


async def _line(day: Day, task: Task, t: Texts) -> Html:
    """The task as one line of HTML (client in bold), to be put inside another text."""
    client = await day.repo.clients.get(day.member.team_id, task.client_id) if task.client_id else None
    return Html(t("task-short", client=client.name if client else t("task-no-client"), action=task.action))
