"""Plans, the results board, bonuses, the owner's reports and the Excel export.

Who sees what:
* ``/board [period]`` — everyone in the team. The method makes the board public inside the team (it is
  a motivation tool: everyone sees where they and their colleagues stand), so managers see the whole
  board too, as on a wall in the office.
* ``/bonus`` — a manager sees their own expected bonus, the head and the owner see everyone's.
* ``/plan_month [month]``, ``/bonus_scheme …`` — the head (the owner only reads).
* ``/sales_report [week|month|period]`` (with an Excel button) and ``/export [period]`` — head and owner.

The weekly and monthly reports are also scheduled kinds ("weekly_report" on the last working day of the
week at the digest time, "monthly_report" on the first working day of a month, for the month before, at
the morning time) for heads and owners, and jobs of the same names (``python -m bot job weekly_report``)
that send the picture with the text.
"""

from __future__ import annotations

import logging
from datetime import date, timedelta
from decimal import Decimal
from functools import partial
from typing import Any

from aiogram import F, Router
from aiogram.exceptions import TelegramAPIError
from aiogram.filters import Command, CommandObject, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import BufferedInputFile, CallbackQuery, InlineKeyboardMarkup, Message
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import system_clock
from bot.config import Settings
from bot.context import Ctx
from bot.filters import RoleFilter
from bot.heavy import HeavyJobs, Picture, job_team, job_texts, start_job, start_picture_job
from bot.i18n import Texts, Translator, default_translator
from bot.keyboard import Keyboard
from domain.enums import Role
from domain.errors import UserError
from domain.sales import (
    Board,
    Period,
    PeriodError,
    PeriodKind,
    Target,
    add_months,
    bonus_amount,
    month_period,
    parse_period,
    parse_plan_input,
    parse_scheme,
    team_month_target,
    week_period,
)
from domain.text import split_message
from handlers.routing import on_typed
from handlers.sales_callbacks import PlanAction, PlanStep, ReportXlsx
from reports import fmt
from reports.board import render_board_or_none, render_board_png_or_none
from reports.data import TeamReport, load_board, load_bonuses, load_report, team_calendar
from reports.send import send_report, team_today
from reports.text import board_text, bonuses_text, caption, report_text
from reports.xlsx import ExportCounts, export_workbook, report_workbook
from scheduler.compose import ComposeContext, Outgoing
from scheduler.jobs import JOBS
from storage.models import Team
from storage.repo import Repo

log = logging.getLogger(__name__)

MAX_EXPORT_DAYS = 370


class PlanMonth(StatesGroup):
    month = State()
    member = State()
    team = State()


def period_arg(text: str | None, today: date) -> Period:
    try:
        return parse_period(text or "", today)
    except PeriodError:
        raise UserError("period-unknown", text=(text or "")[:60]) from None


def xlsx_button(period: Period, t: Texts) -> InlineKeyboardMarkup:
    kb = Keyboard()
    kb.button(
        text=t("btn-salesreport-xlsx"),
        callback_data=ReportXlsx(s=period.start.toordinal(), e=period.end.toordinal(), k=period.kind.value),
    )
    return kb.as_markup()


# ---------------------------------------------------------------------------------------- the plan dialog


def _plan_text(target: Target | None) -> tuple[str, str]:
    if target is None:
        return "—", "—"
    return fmt.money(target.revenue), fmt.count(target.deals)


async def _ask_member(message: Message, state: FSMContext, ctx: Ctx) -> None:
    data = await state.get_data()
    ids: list[int] = data["ids"]
    i: int = data["i"]
    month = date.fromisoformat(data["month"])
    member = await ctx.repo.members.in_team(ctx.team.id, ids[i])
    plans = await ctx.repo.sales.month_plans(ctx.team.id, [month])
    t = ctx.t
    current = plans.get((member.id, month))
    text = t(
        "salesplan-ask-member",
        month=fmt.period_label(month_period(month), t),
        n=str(i + 1),
        total=str(len(ids)),
        name=member.name,
    )
    if current is not None:
        revenue, deals = _plan_text(current)
        text += "\n" + t("salesplan-current", revenue=revenue, deals=deals)
    kb = Keyboard()
    kb.button(text=t("btn-salesplan-keep"), callback_data=PlanStep(a=PlanAction.KEEP, v=str(i)))
    kb.button(text=t("btn-salesplan-cancel"), callback_data=PlanStep(a=PlanAction.CANCEL))
    kb.adjust(2)
    await message.answer(text, reply_markup=kb.as_markup())


def _targets(data: dict[str, Any]) -> dict[int, Target]:
    return {int(k): Target(Decimal(v[0]), Decimal(v[1])) for k, v in data.get("values", {}).items()}


async def _ask_team(message: Message, state: FSMContext, ctx: Ctx) -> None:
    data = await state.get_data()
    month = date.fromisoformat(data["month"])
    stored = await ctx.repo.sales.month_plans(ctx.team.id, [month])
    t = ctx.t
    merged = {who: target for (who, _), target in stored.items() if who is not None}
    merged.update(_targets(data))
    total = team_month_target(None, merged.values()) or Target()
    revenue, deals = _plan_text(total)
    text = t("salesplan-ask-team", revenue=revenue, deals=deals)
    explicit = stored.get((None, month))
    if explicit is not None:
        revenue, deals = _plan_text(explicit)
        text += "\n" + t("salesplan-team-current", revenue=revenue, deals=deals)
    kb = Keyboard()
    kb.button(text=t("btn-salesplan-sum"), callback_data=PlanStep(a=PlanAction.SUM))
    kb.button(text=t("btn-salesplan-cancel"), callback_data=PlanStep(a=PlanAction.CANCEL))
    kb.adjust(2)
    await state.set_state(PlanMonth.team)
    await message.answer(text, reply_markup=kb.as_markup())


async def _start_members(message: Message, state: FSMContext, ctx: Ctx, month: date) -> None:
    sellers = await ctx.repo.sales.sellers(ctx.team.id)
    if not sellers:
        await state.clear()
        await message.answer(ctx.t("salesplan-no-managers"))
        return
    await state.set_state(PlanMonth.member)
    await state.set_data({"month": month.isoformat(), "ids": [m.id for m in sellers], "i": 0, "values": {}})
    await _ask_member(message, state, ctx)


async def _next_member(message: Message, state: FSMContext, ctx: Ctx) -> None:
    data = await state.get_data()
    i = data["i"] + 1
    if i >= len(data["ids"]):
        await _ask_team(message, state, ctx)
        return
    await state.update_data(i=i)
    await _ask_member(message, state, ctx)


async def _save_plan(message: Message, state: FSMContext, ctx: Ctx, team_target: Target | None) -> None:
    data = await state.get_data()
    month = date.fromisoformat(data["month"])
    sales, t = ctx.repo.sales, ctx.t
    await sales.save_month_plan(ctx.team.id, month, _targets(data), team_target)
    await state.clear()
    plans = await sales.month_plans(ctx.team.id, [month])
    lines = [t("salesplan-saved", month=fmt.period_label(month_period(month), t))]
    members = []
    for member in await sales.sellers(ctx.team.id):
        target = plans.get((member.id, month))
        if target is None:
            lines.append(t("salesplan-saved-none", name=member.name))
        else:
            members.append(target)
            revenue, deals = _plan_text(target)
            lines.append(t("salesplan-saved-line", name=member.name, revenue=revenue, deals=deals))
    explicit = plans.get((None, month))
    total = team_month_target(explicit, members) or Target()
    revenue, deals = _plan_text(total)
    key = "salesplan-saved-team" if explicit is not None else "salesplan-saved-team-sum"
    lines.append(t(key, revenue=revenue, deals=deals))
    await message.answer("\n".join(lines))


# ------------------------------------------------------------------------------------------ the commands


async def board(message: Message, command: CommandObject, ctx: Ctx, heavy: HeavyJobs) -> None:
    today = team_today(ctx.team, ctx.clock)
    period = period_arg(command.args, today)
    work = partial(board_job, ctx.team.id, period, today, ctx.t.locale)
    await start_picture_job(heavy, ctx.bot, message.chat.id, "board", ctx.t, work, "board.png")


async def board_job(team_id: int, period: Period, today: date, locale: str, session: AsyncSession) -> Picture:
    """In a worker: the board's numbers, its picture (None if it cannot be drawn), its caption and text."""
    team = await job_team(session, team_id)
    result = await load_board(session, team, period, today)
    return _picture(result, board_text(result, job_texts(locale), locale), locale)


def _picture(board: Board, text: str, locale: str) -> Picture:
    """A picture job's result: the board's picture (None if it cannot be drawn), its caption, ``text``."""
    png = render_board_png_or_none(board, job_texts(locale, html=False), locale)
    return png, caption(board, job_texts(locale)), split_message(text)


async def bonus(message: Message, command: CommandObject, ctx: Ctx) -> None:
    today = team_today(ctx.team, ctx.clock)
    period = period_arg(command.args, today) if command.args else month_period(today)
    if period.kind is not PeriodKind.MONTH:
        raise UserError("period-not-month")
    bonuses = await load_bonuses(ctx.repo.session, ctx.team, today, period)
    only = ctx.member.id if ctx.member.role is Role.MANAGER else None
    for part in split_message(bonuses_text(bonuses, ctx.t, only)):
        await message.answer(part)


async def bonus_scheme(message: Message, command: CommandObject, ctx: Ctx) -> None:
    sales, t = ctx.repo.sales, ctx.t
    if not (command.args or "").strip():
        scheme = await sales.scheme(ctx.team.id)
        current = (
            t("bonus-scheme-current", base=fmt.money(scheme.base), scale=str(scheme.scale))
            if scheme
            else t("bonus-scheme-none")
        )
        await message.answer(t("bonus-scheme-usage") + "\n\n" + current)
        return
    base, scale = parse_scheme(command.args or "")
    await sales.set_scheme(ctx.team.id, base, scale)
    examples = {f"at{p}": fmt.money(bonus_amount(base, scale, Decimal(p))) for p in (69, 85, 100, 120)}
    await message.answer(t("bonus-scheme-saved", base=fmt.money(base), scale=str(scale), **examples))


async def plan_month(message: Message, command: CommandObject, state: FSMContext, ctx: Ctx) -> None:
    await state.clear()
    today = team_today(ctx.team, ctx.clock)
    if command.args:
        await _start_members(message, state, ctx, _month_arg(command.args, today))
        return
    await state.set_state(PlanMonth.month)
    t = ctx.t
    kb = Keyboard()
    for month in (today.replace(day=1), add_months(today, 1)):
        label = fmt.period_label(month_period(month), t)
        kb.button(
            text=t("btn-salesplan-month", month=label),
            callback_data=PlanStep(a=PlanAction.MONTH, v=month.isoformat()[:7]),
        )
    kb.button(text=t("btn-salesplan-cancel"), callback_data=PlanStep(a=PlanAction.CANCEL))
    kb.adjust(2, 1)
    await message.answer(t("salesplan-ask-month"), reply_markup=kb.as_markup())


async def plan_cancel_command(message: Message, state: FSMContext, ctx: Ctx) -> None:
    await state.clear()
    await message.answer(ctx.t("salesplan-cancelled"))


async def plan_month_typed(message: Message, state: FSMContext, ctx: Ctx) -> None:
    month = _month_arg(message.text or "", team_today(ctx.team, ctx.clock))
    await _start_members(message, state, ctx, month)


async def plan_member_typed(message: Message, state: FSMContext, ctx: Ctx) -> None:
    target = parse_plan_input(message.text or "")
    data = await state.get_data()
    values = dict(data.get("values", {}))
    values[str(data["ids"][data["i"]])] = [str(target.revenue), str(target.deals)]
    await state.update_data(values=values)
    await _next_member(message, state, ctx)


async def plan_team_typed(message: Message, state: FSMContext, ctx: Ctx) -> None:
    await _save_plan(message, state, ctx, parse_plan_input(message.text or ""))


# ------------------------------------------------------------------------------------ the plan's buttons


async def _require_step(state: FSMContext, expected: State, place: str | None = None) -> None:
    """Refused as stale when the dialog is not at ``expected`` any more, or, for a manager's prompt, not
    at that manager (``place``): an older prompt's button."""
    stale = await state.get_state() != expected.state
    if not stale and place is not None:
        stale = place != str((await state.get_data()).get("i"))
    if stale:
        raise UserError("button-stale")


def _pressed_message(query: CallbackQuery) -> Message:
    if not isinstance(query.message, Message):  # a message too old for Telegram to show
        raise UserError("button-stale")
    return query.message


async def _answered(query: CallbackQuery) -> Message:
    """The prompt whose button was pressed, its buttons taken off: the dialog goes on below it."""
    message = _pressed_message(query)
    await message.edit_reply_markup(reply_markup=None)
    return message


async def plan_cancel_pressed(query: CallbackQuery, state: FSMContext, ctx: Ctx) -> None:
    if await state.get_state() not in PlanMonth.__all_states_names__:
        raise UserError("button-stale")
    await state.clear()
    await _pressed_message(query).edit_text(ctx.t("salesplan-cancelled"))


async def plan_month_pressed(
    query: CallbackQuery, callback_data: PlanStep, state: FSMContext, ctx: Ctx
) -> None:
    await _require_step(state, PlanMonth.month)
    try:
        month = date.fromisoformat(callback_data.v + "-01")
    except ValueError:
        raise UserError("period-unknown", text=callback_data.v[:20]) from None
    await _start_members(await _answered(query), state, ctx, month)


async def plan_keep_pressed(
    query: CallbackQuery, callback_data: PlanStep, state: FSMContext, ctx: Ctx
) -> None:
    await _require_step(state, PlanMonth.member, place=callback_data.v)
    await _next_member(await _answered(query), state, ctx)


async def plan_sum_pressed(query: CallbackQuery, state: FSMContext, ctx: Ctx) -> None:
    await _require_step(state, PlanMonth.team)
    await _save_plan(await _answered(query), state, ctx, None)


# ------------------------------------------------------------------------------ reports and export (jobs)


async def sales_report(message: Message, command: CommandObject, ctx: Ctx, heavy: HeavyJobs) -> None:
    today = team_today(ctx.team, ctx.clock)
    period = period_arg(command.args or "неделя", today)
    work = partial(report_job, ctx.team.id, period, today, ctx.t.locale)
    markup = xlsx_button(period, ctx.t)
    chat_id = message.chat.id
    await start_picture_job(heavy, ctx.bot, chat_id, "report", ctx.t, work, "report.png", last_markup=markup)


async def report_job(
    team_id: int, period: Period, today: date, locale: str, session: AsyncSession
) -> Picture:
    """In a worker: the owner's report, its board picture (None if it cannot be drawn), caption and text."""
    report, names = await _named_report(session, team_id, period, today)
    return _picture(report.board, report_text(report, job_texts(locale), names, locale), locale)


async def _named_report(
    session: AsyncSession, team_id: int, period: Period, today: date
) -> tuple[TeamReport, dict[int, str]]:
    """In a worker: the team's report of ``period`` and the names of everyone it may name."""
    team = await job_team(session, team_id)
    return await load_report(session, team, period, today), await Repo(session).sales.names(team.id)


async def sales_report_xlsx(
    query: CallbackQuery, callback_data: ReportXlsx, ctx: Ctx, heavy: HeavyJobs
) -> None:
    period = _period_from(callback_data)
    chat_id = query.from_user.id
    t, bot = ctx.t, ctx.bot

    async def deliver(data: bytes) -> None:
        await bot.send_document(
            chat_id,
            BufferedInputFile(data, f"report-{period.start.isoformat()}-{period.end.isoformat()}.xlsx"),
            caption=t("salesreport-xlsx-caption", period=fmt.period_label(period, t)),
        )

    work = partial(report_xlsx_job, ctx.team.id, period, team_today(ctx.team, ctx.clock), t.locale)
    await start_job(heavy, bot, chat_id, "report-xlsx", t, work, deliver)


async def report_xlsx_job(
    team_id: int, period: Period, today: date, locale: str, session: AsyncSession
) -> bytes:
    report, names = await _named_report(session, team_id, period, today)
    return report_workbook(report, job_texts(locale, html=False), names, period)


async def export(message: Message, command: CommandObject, ctx: Ctx, heavy: HeavyJobs) -> None:
    period = period_arg(command.args, team_today(ctx.team, ctx.clock))
    if period.days > MAX_EXPORT_DAYS:
        raise UserError("period-unknown", text=(command.args or "")[:60])
    chat_id = message.chat.id
    t, bot = ctx.t, ctx.bot

    async def deliver(done: tuple[bytes, ExportCounts]) -> None:
        data, counts = done
        await bot.send_document(
            chat_id,
            BufferedInputFile(data, f"export-{period.start.isoformat()}-{period.end.isoformat()}.xlsx"),
            caption=t(
                "export-caption",
                period=fmt.period_label(period, t),
                clients=str(counts.clients),
                tasks=str(counts.tasks),
                deals=str(counts.deals),
                leads=str(counts.leads),
                reports=str(counts.reports),
            ),
        )

    await start_job(
        heavy, bot, chat_id, "export", t, partial(export_job, ctx.team.id, period, t.locale), deliver
    )


async def export_job(
    team_id: int, period: Period, locale: str, session: AsyncSession
) -> tuple[bytes, ExportCounts]:
    """In a worker: the export's workbook (its reads and the building)."""
    team = await job_team(session, team_id)
    return await export_workbook(session, team, period.start, period.end, job_texts(locale, html=False))


# ---------------------------------------------------------------------------------------------- the router


def build_router() -> Router:
    router = Router(name="sales")

    everyone = Router(name="sales-all")
    everyone.message.filter(RoleFilter(Role.MANAGER, Role.HEAD, Role.OWNER))
    everyone.message.register(board, Command("board"))
    everyone.message.register(bonus, Command("bonus"))

    head = Router(name="sales-head")
    head.message.filter(RoleFilter(Role.HEAD))
    head.callback_query.filter(RoleFilter(Role.HEAD))
    head.message.register(bonus_scheme, Command("bonus_scheme"))
    head.message.register(plan_month, Command("plan_month"))
    head.message.register(plan_cancel_command, StateFilter(PlanMonth), Command("cancel"))
    on_typed(
        head,
        {
            PlanMonth.month: plan_month_typed,
            PlanMonth.member: plan_member_typed,
            PlanMonth.team: plan_team_typed,
        },
    )
    head.callback_query.register(plan_cancel_pressed, PlanStep.filter(F.a == PlanAction.CANCEL))
    head.callback_query.register(plan_month_pressed, PlanStep.filter(F.a == PlanAction.MONTH))
    head.callback_query.register(plan_keep_pressed, PlanStep.filter(F.a == PlanAction.KEEP))
    head.callback_query.register(plan_sum_pressed, PlanStep.filter(F.a == PlanAction.SUM))

    readers = Router(name="sales-read")
    readers.message.filter(RoleFilter(Role.HEAD, Role.OWNER))
    readers.callback_query.filter(RoleFilter(Role.HEAD, Role.OWNER))
    readers.message.register(sales_report, Command("sales_report"))
    readers.callback_query.register(sales_report_xlsx, ReportXlsx.filter())
    readers.message.register(export, Command("export"))

    router.include_routers(everyone, head, readers)
    return router


def _month_arg(text: str, today: date) -> date:
    try:
        period = parse_period(text, today, future=True)
    except PeriodError:
        raise UserError("period-unknown", text=text[:60]) from None
    if period.kind is not PeriodKind.MONTH:
        raise UserError("period-not-month")
    return period.start


def _period_from(data: ReportXlsx) -> Period:
    try:
        start, end = date.fromordinal(data.s), date.fromordinal(data.e)
        kind = PeriodKind(data.k)
        period = Period(kind, start, end)
    except ValueError:
        raise UserError("button-stale") from None
    if period.days > MAX_EXPORT_DAYS:
        raise UserError("button-stale")
    return period


# ---------------------------------------------------------------------------------------------- scheduled


def weekly_period(local_date: date) -> Period:
    return week_period(local_date)


def monthly_period(local_date: date) -> Period:
    """The monthly report covers the month before ``local_date``."""
    return month_period(add_months(local_date, -1))


async def compose_weekly(ctx: ComposeContext) -> list[Outgoing]:
    """On the last working day of the week: the week so far, the board's picture, then the text."""
    calendar = team_calendar(ctx.team)
    week = weekly_period(ctx.local_date)
    days = [d for d in (week.start + timedelta(days=i) for i in range(7)) if calendar.is_working_day(d)]
    if not days or ctx.local_date != days[-1]:
        return []
    return await _compose(ctx, week)


async def compose_monthly(ctx: ComposeContext) -> list[Outgoing]:
    """On the first working day of a month: the month before."""
    calendar = team_calendar(ctx.team)
    first = ctx.local_date.replace(day=1)
    first_working = first if calendar.is_working_day(first) else calendar.next_working_day(first)
    if ctx.local_date != first_working:
        return []
    return await _compose(ctx, monthly_period(ctx.local_date))


async def _compose(ctx: ComposeContext, period: Period) -> list[Outgoing]:
    report = await load_report(ctx.repo.session, ctx.team, period, ctx.local_date)
    names = await ctx.repo.sales.names(ctx.team.id)
    png = await render_board_or_none(report.board, ctx.t.plain, ctx.t.locale)
    parts = split_message(report_text(report, ctx.t, names, ctx.t.locale))
    markup = xlsx_button(period, ctx.t)
    return [
        *([Outgoing(caption(report.board, ctx.t), photo=png)] if png is not None else []),
        *(Outgoing(p, markup if i == len(parts) - 1 else None) for i, p in enumerate(parts)),
    ]


async def _report_job(settings: Settings, which: str, team: str | None, day: str | None) -> int:
    """Send the report (picture and text) now to every head and owner of the team (or of all teams)."""
    from bot.factory import create_bot
    from storage.db import create_engine, create_session_pool

    translator: Translator = default_translator()
    cli = translator.get(settings.default_locale, html=False)
    try:
        given = date.fromisoformat(day) if day else None
    except ValueError:
        print(cli("cli-bad-date", value=day))
        return 2
    engine = create_engine(settings.database_url)
    bot = create_bot(settings)
    sent = 0
    try:
        async with create_session_pool(engine)() as session:
            teams = await _teams(session, team)
            if teams is None:
                print(cli("error-team-unknown", name=team))
                return 1
            for row in teams:
                today = given or team_today(row, system_clock)
                period = weekly_period(today) if which == "weekly" else monthly_period(today)
                report = await load_report(session, row, period, today)
                sales = Repo(session).sales
                names = await sales.names(row.id)
                for member in await sales.recipients(row.id):
                    t = translator.get(member.locale)
                    try:
                        await send_report(bot, member.tg_id, report, t, names, xlsx_button(period, t))
                        sent += 1
                    except TelegramAPIError as exc:
                        log.warning("report to member %s failed: %s", member.id, exc)
                print(cli("salesreport-sent", period=fmt.period_label(period, cli), count=str(sent)))
    finally:
        await bot.session.close()
        await engine.dispose()
    return 0


async def _teams(session: AsyncSession, name: str | None) -> list[Team] | None:
    repo = Repo(session)
    if name:
        found = await repo.teams.by_name(name)
        return None if found is None else [found]
    return list(await repo.teams.all())


async def weekly_report_job(settings: Settings, team: str | None = None, date: str | None = None) -> int:
    return await _report_job(settings, "weekly", team, date)


async def monthly_report_job(settings: Settings, team: str | None = None, date: str | None = None) -> int:
    return await _report_job(settings, "monthly", team, date)


JOBS.setdefault("weekly_report", weekly_report_job)
JOBS.setdefault("monthly_report", monthly_report_job)
