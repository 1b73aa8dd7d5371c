"""The evening (итоги дня): plan-vs-fact of today, a verdict for every open task, a next step for every
new lead, tomorrow's plan and its submission, the optional mood mark. ``/report`` on demand; the same
messages go out at the team's evening time (the "evening" kind), and the day list at the morning time
(the "morning" kind)."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from aiogram.utils.callback_answer import CallbackAnswer

from bot.context import Ctx
from domain.enums import Role
from domain.errors import UserError
from domain.plan import PlanEvent, allows
from handlers.add import AddTask
from handlers.approvals import plan_submitted
from handlers.callbacks import answer_under, pressed
from handlers.day import WORKERS, Day, provide_day, show_page
from handlers.day_callbacks import Mood, ReportAct
from handlers.day_views import member_zone, render_plan, render_report, render_today
from handlers.routing import role_router
from scheduler.compose import ComposeContext, Outgoing


async def show_report(message: Message, ctx: Ctx, day: Day, state: FSMContext) -> None:
    """``/report``: the evening report and tomorrow's plan."""
    await state.clear()
    for page in await day.view("r", ctx.t):
        await message.answer(page.text, reply_markup=page.markup)


async def add_plan_task(query: CallbackQuery, ctx: Ctx, day: Day, state: FSMContext) -> None:
    """ "Задача на завтра": the /add dialog for a task on tomorrow's plan."""
    tomorrow = await day.tomorrow()
    await state.clear()
    await state.set_state(AddTask.client)
    await state.update_data(due=tomorrow.isoformat())
    await answer_under(query, ctx.t("plan-ask-client"))


async def send_plan(query: CallbackQuery, ctx: Ctx, day: Day, callback_answer: CallbackAnswer) -> None:
    """ "Отправить план": the day's report is saved and tomorrow's plan goes to the head (again, after a
    return; ``domain.plan``), once nothing of today's is left without a verdict."""
    tomorrow = await day.tomorrow()
    rep = await day.evening()
    days, member, t = ctx.repo.days, ctx.member, ctx.t
    plan = await days.ensure_plan(member, tomorrow)
    if not allows(plan.status, PlanEvent.SUBMIT):
        callback_answer.text = t.plain("plan-already-sent")
        return
    if rep.missing:
        raise UserError("report-missing", count=len(rep.missing))
    if rep.leads_without_task:
        raise UserError("report-leads-missing", count=len(rep.leads_without_task))
    if not rep.tomorrow_tasks:
        raise UserError("plan-is-empty")
    report = await days.ensure_report(member, day.today)
    report.planned, report.done, report.submitted_at = rep.fact.planned, rep.fact.done, day.now
    await days.submit_plan(member, plan, day.today, day.now)
    await plan_submitted(ctx.repo, ctx.team, member, plan, ctx.bot, ctx.translator, day.now)
    callback_answer.text = t.plain("plan-sent-toast")
    page = render_plan(await day.evening(), t)
    message = pressed(query)
    if message is not None:
        await message.edit_text(page.text, reply_markup=page.markup)


async def save_mood(
    query: CallbackQuery, callback_data: Mood, ctx: Ctx, day: Day, callback_answer: CallbackAnswer
) -> None:
    """The day's mood mark, 1 to 5."""
    if not 1 <= callback_data.value <= 5:
        raise UserError("button-stale")
    report = await ctx.repo.days.ensure_report(day.member, day.today)
    report.mood = callback_data.value
    callback_answer.text = ctx.t.plain("mood-saved", value=callback_data.value)
    page = render_plan(await day.evening(), ctx.t)
    await show_page(pressed(query), [page], 0)


def build_router() -> Router:
    router = role_router("report", *WORKERS)
    provide_day(router)
    router.message.register(show_report, Command("report"))
    router.callback_query.register(add_plan_task, ReportAct.filter(F.a == "add"))
    router.callback_query.register(send_plan, ReportAct.filter(F.a == "send"))
    router.callback_query.register(save_mood, Mood.filter())
    return router


# ---------------------------------------------------------------------- scheduled messages


async def compose_morning(ctx: ComposeContext) -> list[Outgoing]:
    """The morning list of a manager (or of a head who has tasks of their own)."""
    days = ctx.repo.days
    day = await days.day_list(ctx.member, ctx.local_date, member_zone(ctx.team, ctx.member))
    if ctx.member.role is Role.HEAD and not day.tasks:
        return []
    return [Outgoing(p.text, p.markup) for p in render_today(day, ctx.t)]


async def compose_evening(ctx: ComposeContext) -> list[Outgoing]:
    """The evening report prompt of a manager; nothing when it was already submitted."""
    days = ctx.repo.days
    report = await days.report(ctx.member, ctx.local_date)
    if report is not None and report.submitted_at is not None:
        return []
    day = Day(ctx.repo, ctx.team, ctx.member, ctx.clock, today=ctx.local_date)
    rep = await day.evening()
    if ctx.member.role is Role.HEAD and not rep.tasks and not rep.tomorrow_tasks:
        return []
    return [Outgoing(p.text, p.markup) for p in render_report(rep, ctx.t)]
