"""The evening (итоги дня): plan-vs-fact of today, a verdict for every open task, a next step for every
new lead, tomorrow's plan and its submission, the optional mood mark. ``/report`` on demand; the same
messages go out at the team's evening time (the "evening" kind), and the day list at the morning time
(the "morning" kind)."""

from __future__ import annotations

from datetime import datetime

from aiogram import Bot, Router
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from aiogram.utils.callback_answer import CallbackAnswer

from bot.filters import RoleFilter
from bot.i18n import Texts, Translator
from domain.enums import PlanStatus, Role
from domain.errors import UserError
from handlers.add import AddTask
from handlers.approvals import plan_submitted
from handlers.day import WORKERS, Day, DayMiddleware, show_page
from handlers.day_callbacks import Mood, ReportAct
from handlers.day_views import member_zone, render_plan, render_report, render_today
from scheduler.compose import ComposeContext, Outgoing
from storage.day_repo import DayRepo
from storage.models import Member, Plan, Team
from storage.repo import Repo


async def submit_plan(days: DayRepo, plan: Plan, now: datetime) -> None:
    """A submitted plan waits for the head's decision (``handlers.approvals`` sends the card)."""
    plan.status, plan.submitted_at = PlanStatus.SUBMITTED, now


def build_router() -> Router:
    router = Router(name="report")
    router.message.filter(RoleFilter(*WORKERS))
    DayMiddleware.install(router)
    router.callback_query.filter(RoleFilter(*WORKERS))

    @router.message(Command("report"))
    async def report(message: Message, day: Day, t: Texts, state: FSMContext) -> None:
        await state.clear()
        for page in await day.view("r", t):
            await message.answer(page.text, reply_markup=page.markup)

    @router.callback_query(ReportAct.filter())
    async def act(
        query: CallbackQuery,
        callback_data: ReportAct,
        repo: Repo,
        team: Team,
        member: Member,
        day: Day,
        t: Texts,
        state: FSMContext,
        callback_answer: CallbackAnswer,
        bot: Bot,
        translator: Translator,
    ) -> None:
        tomorrow = await day.tomorrow()
        if callback_data.a == "add":
            await state.clear()
            await state.set_state(AddTask.client)
            await state.update_data(due=tomorrow.isoformat())
            if query.message is not None:
                await query.message.answer(t("plan-ask-client"))
            return
        if callback_data.a != "send":
            raise UserError("button-stale")
        rep = await day.evening()
        plan = await day.days.ensure_plan(member, tomorrow)
        if plan.status in (PlanStatus.SUBMITTED, PlanStatus.APPROVED, PlanStatus.AUTO_APPROVED):
            callback_answer.text = t("plan-already-sent")
            return
        if rep.missing:
            raise UserError("report-missing", count=len(rep.missing))
        if rep.leads_without_task:
            raise UserError("report-leads-missing", count=len(rep.leads_without_task))
        if not rep.tomorrow_tasks:
            raise UserError("plan-is-empty")
        for task in await day.days.plan_candidates(member, day.today, tomorrow):
            task.plan_id = plan.id
        report = await day.days.ensure_report(member, day.today)
        report.planned, report.done, report.submitted_at = rep.fact.planned, rep.fact.done, day.now
        await submit_plan(day.days, plan, day.now)
        await plan_submitted(repo, team, member, plan, bot, translator, day.now)
        callback_answer.text = t("plan-sent-toast")
        rep = await day.evening()
        page = render_plan(rep, t)
        if query.message is not None:
            await query.message.edit_text(page.text, reply_markup=page.markup)

    @router.callback_query(Mood.filter())
    async def mood(
        query: CallbackQuery,
        callback_data: Mood,
        day: Day,
        t: Texts,
        callback_answer: CallbackAnswer,
    ) -> None:
        if not 1 <= callback_data.value <= 5:
            raise UserError("button-stale")
        report = await day.days.ensure_report(day.member, day.today)
        report.mood = callback_data.value
        callback_answer.text = t("mood-saved", value=callback_data.value)
        rep = await day.evening()
        page = render_plan(rep, t)
        await show_page(query.message, [page], 0)

    return router


# ---------------------------------------------------------------------- scheduled messages


async def compose_morning(ctx: ComposeContext) -> list[Outgoing]:
    """The morning list of a manager (or of a head who has tasks of their own)."""
    days = DayRepo(ctx.repo.session)
    day = await days.day_list(ctx.member, ctx.local_date, member_zone(ctx.team, ctx.member))
    if ctx.member.role is Role.HEAD and not day.tasks:
        return []
    return [Outgoing(p.text, p.markup) for p in render_today(day, ctx.t)]


async def compose_evening(ctx: ComposeContext) -> list[Outgoing]:
    """The evening report prompt of a manager; nothing when it was already submitted."""
    days = DayRepo(ctx.repo.session)
    report = await days.report(ctx.member, ctx.local_date)
    if report is not None and report.submitted_at is not None:
        return []
    day = Day(ctx.repo, ctx.team, ctx.member, ctx.clock, today=ctx.local_date)
    rep = await day.evening()
    if ctx.member.role is Role.HEAD and not rep.tasks and not rep.tomorrow_tasks:
        return []
    return [Outgoing(p.text, p.markup) for p in render_report(rep, ctx.t)]
