"""Status on demand, for the head and the owners (read only): ``/status`` (the team today: per manager
done / planned, overdue, reported or not, tomorrow's plan), ``/status <менеджер>`` (that manager's day
list as they see it, without their buttons), ``/overdue`` (overdue tasks per manager, the number first,
the goal is zero) and ``/frozen`` (frozen tasks and clients per manager)."""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from aiogram import Router
from aiogram.filters import Command, CommandObject
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message

from bot.context import Ctx
from bot.keyboard import Keyboard
from domain.enums import PlanStatus, Role
from domain.errors import UserError
from domain.planfact import total
from domain.text import split_message
from handlers.callbacks import reply_to
from handlers.day import Day
from handlers.day_views import fmt_date, local_date, render_today
from handlers.head_callbacks import StatusOpen
from handlers.head_common import READERS, answer_split, fact_args, member_today, pick_manager
from handlers.routing import role_router
from storage.day_repo import member_calendar
from storage.head_repo import TaskRow
from storage.models import Member

PLAN_ICON = {
    PlanStatus.DRAFT: "✏️",
    PlanStatus.SUBMITTED: "📨",
    PlanStatus.APPROVED: "✅",
    PlanStatus.AUTO_APPROVED: "⏱",
    PlanStatus.RETURNED: "↩️",
}


def _short(d: date) -> str:
    return f"{d.day:02d}.{d.month:02d}"


async def plan_status(ctx: Ctx, manager: Member, today: date) -> str:
    """The manager's plan for their next working day after ``today``: its state, or that there is none."""
    calendar = await member_calendar(ctx.repo.session, ctx.team, manager)
    tomorrow = calendar.next_working_day(today)
    plan = await ctx.repo.days.plan(manager, tomorrow)
    status = plan.status if plan is not None else None
    t = ctx.t
    return t(
        "st-plan",
        date=fmt_date(tomorrow, t),
        icon=PLAN_ICON.get(status, "—") if status else "—",
        status=t(f"st-plan-{status.value}") if status else t("st-plan-none"),
    )


async def team_status(ctx: Ctx) -> tuple[str, InlineKeyboardMarkup | None]:
    heads, team, t = ctx.repo.heads, ctx.team, ctx.t
    now = ctx.now()
    await heads.settle(team, now)
    today = local_date(now, team, ctx.member)
    managers = await heads.members(team.id, Role.MANAGER)
    if not managers:
        raise UserError("no-managers")
    facts = await heads.evening_facts(team, managers, today)
    team_fact = total(f.fact for f in facts)
    lines = [
        t(
            "st-title",
            date=fmt_date(today, t),
            **fact_args(team_fact),
            overdue=sum(f.overdue for f in facts),
        )
    ]
    by_id = {m.id: m for m in managers}
    for f in facts:
        line = t(
            "st-line",
            name=f.name,
            **fact_args(f.fact),
            overdue=f.overdue,
            report=t("st-reported") if f.reported else (t("st-not-reported") if f.working else t("st-off")),
        )
        lines.append(line + "\n" + await plan_status(ctx, by_id[f.member_id], today))
    kb = Keyboard()
    for m in managers[:40]:
        kb.button(text=m.name[:40], callback_data=StatusOpen(member_id=m.id))
    kb.adjust(3)
    return "\n\n".join(lines), kb.as_markup()


async def manager_status(ctx: Ctx, manager: Member) -> list[str]:
    """The manager's day as they see it (no buttons), with plan-vs-fact and tomorrow's plan."""
    t = ctx.t
    day = Day(ctx.repo, ctx.team, manager, ctx.clock)
    rep = await day.evening()
    lines = [
        t(
            "st-manager-title",
            name=manager.name,
            **fact_args(rep.fact),
            report=t("st-reported") if rep.report and rep.report.submitted_at else t("st-not-reported"),
        ),
        await plan_status(ctx, manager, day.today),
    ]
    pages = render_today(await day.days.day_list(manager, day.today, day.zone), t)
    return ["\n".join(lines), *(p.text for p in pages)]


async def status(message: Message, command: CommandObject, ctx: Ctx, state: FSMContext) -> None:
    await state.clear()
    query = (command.args or "").strip()
    if not query:
        text, markup = await team_status(ctx)
        await answer_split(message, text, markup)
        return
    manager, markup = await pick_manager(ctx.repo.heads, ctx.team.id, query, ctx.t, StatusOpen)
    if manager is None:
        await message.answer(ctx.t("st-pick"), reply_markup=markup)
        return
    for text in await manager_status(ctx, manager):
        await answer_split(message, text)


async def open_manager(query: CallbackQuery, callback_data: StatusOpen, ctx: Ctx) -> None:
    manager = await ctx.repo.heads.manager(ctx.team.id, callback_data.member_id)
    for text in await manager_status(ctx, manager):
        for part in split_message(text):
            await reply_to(query, ctx.bot, part)


async def overdue(message: Message, ctx: Ctx) -> None:
    heads, t = ctx.repo.heads, ctx.t
    today = member_today(ctx)
    managers = await heads.members(ctx.team.id, Role.MANAGER)
    rows = await heads.overdue(ctx.team.id, today, [m.id for m in managers])
    if not rows:
        await message.answer(t("st-overdue-none"))
        return
    by_member: dict[int, list[TaskRow]] = defaultdict(list)
    for row in rows:
        by_member[row.task.assignee_id].append(row)
    ordered = sorted(managers, key=lambda m: (-len(by_member.get(m.id, [])), m.name.casefold(), m.id))
    lines = [t("st-overdue-title", count=len(rows))]
    for m in ordered:
        tasks = by_member.get(m.id)
        if not tasks:
            continue
        block = [t("dg-count-line", count=len(tasks), name=m.name)]
        block += [
            t(
                "st-overdue-line",
                client=r.client or t("task-no-client"),
                action=r.task.action,
                date=_short(r.task.due_date),
                days=(today - r.task.due_date).days,
            )
            for r in tasks
        ]
        lines.append("\n".join(block))
    await answer_split(message, "\n\n".join(lines))


async def frozen(message: Message, ctx: Ctx) -> None:
    heads, t = ctx.repo.heads, ctx.t
    managers = await heads.members(ctx.team.id, Role.MANAGER)
    facts = [f for f in await heads.frozen_facts(ctx.team.id, managers) if f.tasks or f.clients]
    if not facts:
        await message.answer(t("st-frozen-none"))
        return
    lines = [t("st-frozen-title")]
    for f in facts:
        block = [t("st-frozen-manager", name=f.name)]
        if f.tasks:
            block.append(t("st-frozen-tasks", count=len(f.tasks)))
            block += [t("st-frozen-item", item=x) for x in f.tasks]
        if f.clients:
            block.append(t("st-frozen-clients", count=len(f.clients)))
            block += [t("st-frozen-item", item=x) for x in f.clients]
        lines.append("\n".join(block))
    await answer_split(message, "\n\n".join(lines))


def build_router() -> Router:
    router = role_router("status", *READERS)
    router.message.register(status, Command("status"))
    router.message.register(overdue, Command("overdue"))
    router.message.register(frozen, Command("frozen"))
    router.callback_query.register(open_manager, StatusOpen.filter())
    return router
