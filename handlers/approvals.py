"""Approving tomorrow's plans: the head's side of the evening.

* A submitted plan reaches every head of the team as one card per manager (``plan_submitted``, called by
  ``handlers.report`` when the manager submits): the tasks in the day-list order with the 🔥 and 🧊 marks.
* On the card the head approves all, or returns the plan with a comment (typed next), or opens a task by
  its number to edit its wording (the concrete-action rule), cancel it (it leaves the day's plan-vs-fact)
  or give it to another manager. Each change is told to the managers concerned.
* A returned plan reaches the manager with the comment and the plan, with 🗑 buttons that take a task off
  it and ➕ to add one; "Отправить план" sends it again, and a new card goes to the head.
* A plan nobody decided by its deadline (``domain.approval``) is approved automatically and marked so: at
  the team's approval time the head gets the "approval" message listing them (``compose_approval`` does
  the approving), and every view of the head's settles overdue plans first. ``/plans`` shows those waiting.
* A head's own plan needs nobody's approval: it is approved when submitted.

Which state allows what is ``domain.plan``'s table; the repositories apply it and the handlers ask it
before they offer a button. Each button's action (``PlanAction``, ``PlanTaskAction``) has its own
handler below, registered in ``build_router``.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from aiogram import Bot, Router
from aiogram.exceptions import TelegramBadRequest
from aiogram.filters import Command
from aiogram.filters.callback_data import CallbackData
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message
from aiogram.utils.callback_answer import CallbackAnswer

from bot.config import Settings
from bot.context import Ctx
from bot.filters import RoleFilter
from bot.i18n import Html, Texts, Translator, default_translator
from domain.actions import check_action
from domain.approval import approval_deadline
from domain.enums import PlanStatus, Role, TaskStatus
from domain.errors import UserError
from domain.gender import grammatical_gender
from domain.ordering import TaskItem
from domain.plan import (
    AWAITING,
    PlanEvent,
    TaskChange,
    awaits_decision,
    head_may_change,
    require,
    require_task_change,
)
from domain.text import utf16_len
from domain.zones import team_zone
from handlers.callbacks import pressed
from handlers.day import WORKERS, Day, show_page
from handlers.day_views import Page, fmt_date, member_zone, paginate, render_plan, task_line
from handlers.head_callbacks import PlanAct, PlanAction, PlanDrop, PlanGive, PlanTaskAct, PlanTaskAction
from handlers.head_common import HEAD, one_text, tell
from handlers.routing import on_actions, on_typed, role_router
from scheduler.compose import ComposeContext, Outgoing
from scheduler.jobs import JOBS
from storage.head_repo import day_bounds
from storage.models import Member, Plan, Task, Team
from storage.repo import Repo

log = logging.getLogger(__name__)

TASK_BUTTONS_PER_ROW = 5

ButtonRows = list[list[InlineKeyboardButton]]


class HeadInput(StatesGroup):
    comment = State()  # the comment of a returned plan
    action = State()  # the new wording of a task


def _hm(moment: datetime | None, zone: ZoneInfo) -> str:
    return moment.astimezone(zone).strftime("%H:%M") if moment else "—"


def _when(moment: datetime, zone: ZoneInfo, today: date, t: Texts) -> str:
    local = moment.astimezone(zone)
    hm = local.strftime("%H:%M")
    return hm if local.date() == today else f"{fmt_date(local.date(), t)} {hm}"


def _button(text: str, data: CallbackData) -> InlineKeyboardButton:
    return InlineKeyboardButton(text=text, callback_data=data.pack())


async def plan_items(repo: Repo, team: Team, plan: Plan) -> tuple[list[TaskItem], frozenset[int]]:
    """The plan's tasks in the day-list order, and which of their clients are frozen."""
    items = await repo.days.plan_items(plan)
    frozen = await repo.days.frozen_clients(i.client_id for i in items if i.client_id)
    return items, frozen


async def status_line(repo: Repo, team: Team, plan: Plan, zone: ZoneInfo, today: date, t: Texts) -> str:
    if plan.status is PlanStatus.SUBMITTED:
        sent = plan.submitted_at or plan.decided_at or datetime.combine(today, team.evening_at, zone)
        deadline = approval_deadline(sent, plan.for_date, team.approval_at, team.morning_at, team_zone(team))
        line = t(
            "appr-status-submitted",
            time=_when(sent, zone, today, t),
            deadline=_when(deadline, zone, today, t),
        )
        if plan.comment:
            line += "\n" + t("appr-status-resubmitted", comment=plan.comment)
        return line
    if plan.status is PlanStatus.APPROVED:
        head = await repo.members.in_team(team.id, plan.decided_by) if plan.decided_by else None
        return t("appr-status-approved", head=head.name if head else "—", time=_hm(plan.decided_at, zone))
    if plan.status is PlanStatus.AUTO_APPROVED:
        return t("appr-status-auto", time=_hm(plan.decided_at, zone))
    if plan.status is PlanStatus.RETURNED:
        return t("appr-status-returned", comment=plan.comment or "—")
    return t("appr-status-draft")


async def card_pages(
    repo: Repo, team: Team, plan: Plan, viewer: Member, t: Texts, now: datetime
) -> list[Page]:
    """The plan's card, paged like the day list: a button per open task (its menu), and on the last page
    approve and return while the plan waits for a decision."""
    manager = await repo.members.in_team(team.id, plan.member_id)
    items, frozen = await plan_items(repo, team, plan)
    zone = member_zone(team, viewer)
    header = (
        t("appr-card-title", name=manager.name, date=fmt_date(plan.for_date, t), count=len(items))
        + "\n"
        + await status_line(repo, team, plan, zone, now.astimezone(zone).date(), t)
    )
    vague = await repo.crm.vague_tasks(team.id, [item.task_id for item in items])
    lines = [
        task_line(n, item, plan.for_date, frozen, t, vague.get(item.task_id))
        for n, item in enumerate(items, 1)
    ]
    ranges = paginate([utf16_len(line) + 1 for line in lines])
    pages = []
    for p, rng in enumerate(ranges):
        last = p == len(ranges) - 1
        task_buttons = [
            _button(
                t("btn-appr-task", n=i + 1),
                PlanTaskAct(action=PlanTaskAction.MENU, plan_id=plan.id, task_id=items[i].task_id, p=p),
            )
            for i in rng
            if items[i].status is TaskStatus.OPEN and head_may_change(plan.status)
        ]
        rows = [
            task_buttons[k : k + TASK_BUTTONS_PER_ROW]
            for k in range(0, len(task_buttons), TASK_BUTTONS_PER_ROW)
        ]
        if last and awaits_decision(plan.status):
            rows.append(
                [
                    _button(t("btn-appr-ok"), PlanAct(action=PlanAction.APPROVE, plan_id=plan.id, p=p)),
                    _button(t("btn-appr-return"), PlanAct(action=PlanAction.RETURN, plan_id=plan.id, p=p)),
                ]
            )
        head = header if p == 0 else t("page-continued", page=p + 1, pages=len(ranges))
        body = "\n".join(lines[i] for i in rng) if items else t("appr-card-empty")
        parts = [head, body]
        if last and task_buttons:
            parts.append(t("appr-card-hint"))
        if last and plan.status is not PlanStatus.DRAFT:
            parts += await _additions(repo, plan, frozen, t)
        pages.append(Page("\n\n".join(parts), InlineKeyboardMarkup(inline_keyboard=rows) if rows else None))
    return pages


ADDITIONS_SHOWN = 10  # tasks added after the plan was sent, listed on its card; the rest are counted


async def _additions(repo: Repo, plan: Plan, frozen: frozenset[int], t: Texts) -> list[str]:
    """The plan's day as it is now may hold more than the plan: tasks added (or moved there) after the
    plan was sent. The card shows them, so the head sees the whole day, not only what was approved."""
    added = await repo.days.plan_additions(plan)
    if not added:
        return []
    lines = [t("appr-card-added", count=len(added))]
    lines += [task_line(n, i, plan.for_date, frozen, t) for n, i in enumerate(added[:ADDITIONS_SHOWN], 1)]
    if len(added) > ADDITIONS_SHOWN:
        lines.append(t("dg-more", count=len(added) - ADDITIONS_SHOWN).strip())
    return ["\n".join(lines)]


async def send_cards(
    bot: Bot,
    repo: Repo,
    team: Team,
    plan: Plan,
    heads: Sequence[Member],
    translator: Translator,
    now: datetime,
) -> None:
    for head in heads:
        t = translator.get(head.locale)
        for page in await card_pages(repo, team, plan, head, t, now):
            await tell(bot, head, page.text, page.markup)


async def plan_submitted(
    repo: Repo, team: Team, member: Member, plan: Plan, bot: Bot, translator: Translator, now: datetime
) -> None:
    """The hook ``handlers.report`` calls after a plan was submitted: the plan's card to every head; a
    head's own plan is approved at once."""
    if member.role is Role.HEAD:
        repo.heads.decide(plan, PlanEvent.APPROVE, member, now)
        return
    await repo.session.flush()
    await send_cards(bot, repo, team, plan, await repo.heads.members(team.id, Role.HEAD), translator, now)


def task_text(task: Task, client: str | None, t: Texts) -> str:
    return t("task-short", client=client or t("task-no-client"), action=task.action)


async def _client_name(ctx: Ctx, task: Task) -> str | None:
    return (await ctx.repo.clients.get(ctx.team.id, task.client_id)).name if task.client_id else None


async def _tell_of_task(ctx: Ctx, who: Member, key: str, task: Task, client: str | None, **more: str) -> None:
    """``who`` learns, in their own language, what the head did to ``task`` (its day and wording)."""
    wt = ctx.translator.get(who.locale)
    head = ctx.member
    text = wt(
        key,
        head=head.name,
        gender=grammatical_gender(head.name),
        date=fmt_date(task.due_date, wt),
        task=Html(task_text(task, client, wt)),
        **more,
    )
    await tell(ctx.bot, who, text)


async def rewrite_page(ctx: Ctx, manager: Member, plan: Plan, t: Texts) -> Page:
    """What the manager sees of a returned plan (in ``t``, their language): the head's comment, the plan
    with the usual add and send buttons, and 🗑 per task to take it off."""
    repo = ctx.repo
    day = Day(repo, ctx.team, manager, ctx.clock)
    rep = await repo.days.evening(manager, day.today, plan.for_date, day.zone)
    page = render_plan(rep, t)
    head = await repo.members.in_team(ctx.team.id, plan.decided_by) if plan.decided_by else None
    intro = t(
        "appr-returned-notice",
        head=head.name if head else "—",
        gender=grammatical_gender(head.name) if head else "other",
        date=fmt_date(plan.for_date, t),
        comment=plan.comment or "—",
    )
    drops = [
        _button(t("btn-appr-drop", n=n), PlanDrop(task_id=item.task_id))
        for n, item in enumerate(rep.tomorrow_tasks, 1)
    ]
    rows = [drops[k : k + TASK_BUTTONS_PER_ROW] for k in range(0, len(drops), TASK_BUTTONS_PER_ROW)]
    rows += page.markup.inline_keyboard if page.markup else []
    return Page(f"{intro}\n\n{page.text}", InlineKeyboardMarkup(inline_keyboard=rows))


async def _rerender(bot: Bot, chat_id: int, message_id: int, pages: list[Page], p: int) -> None:
    page = pages[min(p, len(pages) - 1)]
    try:
        await bot.edit_message_text(
            text=page.text, chat_id=chat_id, message_id=message_id, reply_markup=page.markup
        )
    except TelegramBadRequest as exc:
        if "not modified" not in str(exc):
            log.info("could not re-render card %s: %s", message_id, exc)


async def _own_card(ctx: Ctx, plan: Plan, now: datetime) -> list[Page]:
    """The plan's card as the head pressing or typing sees it."""
    return await card_pages(ctx.repo, ctx.team, plan, ctx.member, ctx.t, now)


async def _show_card(query: CallbackQuery, ctx: Ctx, plan: Plan, now: datetime, p: int) -> None:
    """The card the pressed button sits on, re-rendered at page ``p`` after a change."""
    await show_page(pressed(query), await _own_card(ctx, plan, now), p)


async def _rerender_typed(ctx: Ctx, data: dict[str, Any], plan: Plan, now: datetime) -> None:
    """After a typed answer: the card it was asked from (kept in the dialog's data) re-rendered."""
    if data.get("message_id"):
        pages = await _own_card(ctx, plan, now)
        await _rerender(ctx.bot, int(data["chat_id"]), int(data["message_id"]), pages, int(data.get("p", 0)))


async def _head_plan(ctx: Ctx, plan_id: int, now: datetime) -> Plan:
    """The team's plan, with every overdue plan approved first (so a late press sees it decided)."""
    plan = await ctx.repo.heads.plan(ctx.team.id, plan_id)
    await ctx.repo.heads.settle(ctx.team, now)
    return plan


async def _plan_task(ctx: Ctx, cb: PlanTaskAct | PlanGive, change: TaskChange) -> tuple[Plan, Task]:
    """The plan and its task a button names, when the plan's state allows ``change`` (``domain.plan``)."""
    plan = await ctx.repo.heads.plan(ctx.team.id, cb.plan_id)
    require_task_change(plan.status, change)
    return plan, await ctx.repo.heads.plan_task(ctx.team.id, plan, cb.task_id)


async def _open_task(ctx: Ctx, cb: PlanTaskAct, change: TaskChange) -> tuple[Plan, Task]:
    """As ``_plan_task``, for a change only an open task takes (edit, give)."""
    plan, task = await _plan_task(ctx, cb, change)
    ctx.repo.heads.require_open(task)
    return plan, task


def _where(message: Message | None) -> dict[str, int | None]:
    """Which card to re-render after a typed answer (kept in the dialog's data)."""
    return {
        "chat_id": message.chat.id if message else None,
        "message_id": message.message_id if message else None,
    }


async def list_plans(message: Message, ctx: Ctx, state: FSMContext) -> None:
    """``/plans``: every plan waiting for a decision, as cards."""
    await state.clear()
    now = ctx.now()
    await ctx.repo.heads.settle(ctx.team, now)
    waiting = await ctx.repo.heads.plans(ctx.team.id, AWAITING)
    if not waiting:
        await message.answer(ctx.t("appr-none"))
        return
    await message.answer(ctx.t("appr-waiting", count=len(waiting)))
    for plan in waiting:
        for page in await _own_card(ctx, plan, now):
            await message.answer(page.text, reply_markup=page.markup)


async def open_plan(query: CallbackQuery, callback_data: PlanAct, ctx: Ctx) -> None:
    """The card as a new message (from the message about plans approved automatically)."""
    now = ctx.now()
    plan = await _head_plan(ctx, callback_data.plan_id, now)
    if isinstance(query.message, Message):
        for page in await _own_card(ctx, plan, now):
            await query.message.answer(page.text, reply_markup=page.markup)


async def show_plan_page(query: CallbackQuery, callback_data: PlanAct, ctx: Ctx) -> None:
    now = ctx.now()
    await _show_card(query, ctx, await _head_plan(ctx, callback_data.plan_id, now), now, callback_data.p)


async def approve_plan(
    query: CallbackQuery, callback_data: PlanAct, ctx: Ctx, callback_answer: CallbackAnswer
) -> None:
    """Approve all: the card says so, the manager gets the plan as approved."""
    now = ctx.now()
    head = ctx.member
    plan = await _head_plan(ctx, callback_data.plan_id, now)
    ctx.repo.heads.decide(plan, PlanEvent.APPROVE, head, now)
    manager = await ctx.repo.members.in_team(ctx.team.id, plan.member_id)
    callback_answer.text = ctx.t.plain("appr-approved-toast", name=manager.name)
    await _show_card(query, ctx, plan, now, callback_data.p)
    mt = ctx.translator.get(manager.locale)
    items, frozen = await plan_items(ctx.repo, ctx.team, plan)
    lines = [task_line(n, i, plan.for_date, frozen, mt) for n, i in enumerate(items, 1)]
    text = mt(
        "appr-approved-notice",
        head=head.name,
        gender=grammatical_gender(head.name),
        date=fmt_date(plan.for_date, mt),
    )
    await tell(ctx.bot, manager, "\n".join([text, *lines]))


async def return_plan(
    query: CallbackQuery, callback_data: PlanAct, ctx: Ctx, state: FSMContext, callback_answer: CallbackAnswer
) -> None:
    """Return with a comment: asks for it; ``save_return_comment`` returns the plan."""
    plan = await _head_plan(ctx, callback_data.plan_id, ctx.now())
    require(plan.status, PlanEvent.RETURN)
    manager = await ctx.repo.members.in_team(ctx.team.id, plan.member_id)
    message = pressed(query)
    await state.clear()
    await state.set_state(HeadInput.comment)
    await state.update_data(_where(message), plan_id=plan.id, p=callback_data.p)
    callback_answer.text = ctx.t.plain("appr-ask-comment-toast")
    if message is not None:
        await message.answer(ctx.t("appr-ask-comment", name=manager.name))


async def save_return_comment(message: Message, ctx: Ctx, state: FSMContext) -> None:
    """The typed comment: the plan goes back to the manager with it, to rewrite."""
    text = one_text(message.text)
    data = await state.get_data()
    now = ctx.now()
    plan = await _head_plan(ctx, int(data["plan_id"]), now)
    await state.clear()
    ctx.repo.heads.decide(plan, PlanEvent.RETURN, ctx.member, now, comment=text)
    manager = await ctx.repo.members.in_team(ctx.team.id, plan.member_id)
    page = await rewrite_page(ctx, manager, plan, ctx.translator.get(manager.locale))
    delivered = await tell(ctx.bot, manager, page.text, page.markup)
    await _rerender_typed(ctx, data, plan, now)
    await message.answer(
        ctx.t("appr-returned-done", name=manager.name)
        if delivered
        else ctx.t("appr-not-delivered", name=manager.name, gender=grammatical_gender(manager.name))
    )


def _back(plan: Plan, p: int, t: Texts) -> InlineKeyboardButton:
    return _button(t("btn-back"), PlanAct(action=PlanAction.PAGE, plan_id=plan.id, p=p))


async def _task_screen(query: CallbackQuery, ctx: Ctx, task: Task, key: str, rows: ButtonRows) -> None:
    """A task's screen in place of the card: the text ``key`` names the task, the buttons below."""
    line = task_text(task, await _client_name(ctx, task), ctx.t)
    message = pressed(query)
    if message is not None:
        await message.edit_text(
            ctx.t(key, task=Html(line)), reply_markup=InlineKeyboardMarkup(inline_keyboard=rows)
        )


async def open_plan_task(query: CallbackQuery, callback_data: PlanTaskAct, ctx: Ctx) -> None:
    """A task's menu: edit the wording, cancel it, give it to another manager."""
    # the menu offers exactly the head's changes: shown where the first of them is allowed
    plan, task = await _open_task(ctx, callback_data, TaskChange.EDIT)
    p = callback_data.p
    t = ctx.t

    def act(action: PlanTaskAction) -> PlanTaskAct:
        return PlanTaskAct(action=action, plan_id=plan.id, task_id=task.id, p=p)

    rows = [
        [
            _button(t("btn-appr-edit"), act(PlanTaskAction.EDIT)),
            _button(t("btn-appr-cancel"), act(PlanTaskAction.CANCEL)),
        ],
        [_button(t("btn-appr-give"), act(PlanTaskAction.GIVE))],
        [_back(plan, p, t)],
    ]
    await _task_screen(query, ctx, task, "appr-task-menu", rows)


async def choose_new_assignee(query: CallbackQuery, callback_data: PlanTaskAct, ctx: Ctx) -> None:
    """«Кому передать»: the other managers of the team, a button each."""
    plan, task = await _open_task(ctx, callback_data, TaskChange.GIVE)
    managers = await ctx.repo.heads.members(ctx.team.id, Role.MANAGER)
    others = [m for m in managers if m.id != task.assignee_id]
    if not others:
        raise UserError("reassign-nobody")
    p = callback_data.p
    rows = [
        [_button(m.name[:60], PlanGive(plan_id=plan.id, task_id=task.id, to=m.id, p=p))] for m in others[:20]
    ]
    rows.append([_back(plan, p, ctx.t)])
    await _task_screen(query, ctx, task, "appr-give-ask", rows)


async def edit_plan_task(
    query: CallbackQuery,
    callback_data: PlanTaskAct,
    ctx: Ctx,
    state: FSMContext,
    callback_answer: CallbackAnswer,
) -> None:
    """Asks for the new wording; ``save_task_wording`` checks and saves it."""
    plan, task = await _open_task(ctx, callback_data, TaskChange.EDIT)
    message = pressed(query)
    await state.clear()
    await state.set_state(HeadInput.action)
    await state.update_data(_where(message), plan_id=plan.id, task_id=task.id, p=callback_data.p)
    callback_answer.text = ctx.t.plain("appr-ask-action-toast")
    if message is not None:
        line = task_text(task, await _client_name(ctx, task), ctx.t)
        await message.answer(ctx.t("appr-ask-action", task=Html(line)))


async def save_task_wording(message: Message, ctx: Ctx, state: FSMContext) -> None:
    data = await state.get_data()
    now = ctx.now()
    heads = ctx.repo.heads
    plan = await heads.plan(ctx.team.id, int(data["plan_id"]))
    task = await heads.plan_task(ctx.team.id, plan, int(data["task_id"]))
    client = await _client_name(ctx, task)
    action = " ".join((message.text or "").split())
    check = check_action(action, client)
    if not check.ok:
        raise UserError(f"action-{check.problem}", client=client or "")
    was = task_text(task, client, ctx.t)
    heads.edit(ctx.member, plan, task, action, now)
    await state.clear()
    await _rerender_typed(ctx, data, plan, now)
    await message.answer(ctx.t("appr-edited-done", task=Html(task_text(task, client, ctx.t))))
    assignee = await ctx.repo.members.in_team(ctx.team.id, task.assignee_id)
    await _tell_of_task(ctx, assignee, "appr-edited-notice", task, client, was=Html(was))


async def cancel_plan_task(
    query: CallbackQuery, callback_data: PlanTaskAct, ctx: Ctx, callback_answer: CallbackAnswer
) -> None:
    """The task leaves the plan (and the day's plan-vs-fact); the manager is told."""
    now = ctx.now()
    plan, task = await _plan_task(ctx, callback_data, TaskChange.CANCEL)
    ctx.repo.heads.cancel(ctx.member, plan, task, now)
    callback_answer.text = ctx.t.plain("appr-cancelled-toast")
    await _show_card(query, ctx, plan, now, callback_data.p)
    assignee = await ctx.repo.members.in_team(ctx.team.id, task.assignee_id)
    await _tell_of_task(ctx, assignee, "appr-cancelled-notice", task, await _client_name(ctx, task))


async def give_plan_task(
    query: CallbackQuery, callback_data: PlanGive, ctx: Ctx, callback_answer: CallbackAnswer
) -> None:
    """The task goes to the manager picked; both managers are told."""
    now = ctx.now()
    plan, task = await _plan_task(ctx, callback_data, TaskChange.GIVE)
    to = await ctx.repo.heads.manager(ctx.team.id, callback_data.to)
    before = await ctx.repo.members.in_team(ctx.team.id, task.assignee_id)
    await ctx.repo.heads.reassign(ctx.member, plan, task, to, now)
    callback_answer.text = ctx.t.plain("appr-given-toast", name=to.name)
    await _show_card(query, ctx, plan, now, callback_data.p)
    client = await _client_name(ctx, task)
    await _tell_of_task(ctx, before, "appr-given-away-notice", task, client, name=to.name)
    await _tell_of_task(ctx, to, "appr-given-to-notice", task, client, name=before.name)


async def drop_plan_task(
    query: CallbackQuery, callback_data: PlanDrop, ctx: Ctx, callback_answer: CallbackAnswer
) -> None:
    """🗑 on a returned plan (or one not sent yet): the manager takes a task off it before its day."""
    repo, member = ctx.repo, ctx.member
    day = Day(repo, ctx.team, member, ctx.clock)
    task = await repo.days.own_task(member, callback_data.task_id)
    if task.due_date <= day.today:
        raise UserError("plan-drop-late")
    plan = await repo.days.plan(member, task.due_date)
    repo.heads.drop_from_plan(member, plan, task, day.now)
    callback_answer.text = ctx.t.plain("appr-dropped-toast")
    message = pressed(query)
    if message is None:
        return
    if plan is not None and plan.status is PlanStatus.RETURNED:
        page = await rewrite_page(ctx, member, plan, ctx.t)
    else:
        page = render_plan(await repo.days.evening(member, day.today, task.due_date, day.zone), ctx.t)
    try:
        await message.edit_text(page.text, reply_markup=page.markup)
    except TelegramBadRequest as exc:
        if "not modified" not in str(exc):
            raise


def build_router() -> Router:
    router = Router(name="approvals")

    head = role_router("approvals-head", *HEAD)
    head.message.register(list_plans, Command("plans"))
    on_typed(head, {HeadInput.comment: save_return_comment, HeadInput.action: save_task_wording})
    on_actions(
        head,
        PlanAct,
        {
            PlanAction.OPEN: open_plan,
            PlanAction.PAGE: show_plan_page,
            PlanAction.APPROVE: approve_plan,
            PlanAction.RETURN: return_plan,
        },
    )
    on_actions(
        head,
        PlanTaskAct,
        {
            PlanTaskAction.MENU: open_plan_task,
            PlanTaskAction.EDIT: edit_plan_task,
            PlanTaskAction.CANCEL: cancel_plan_task,
            PlanTaskAction.GIVE: choose_new_assignee,
        },
    )
    head.callback_query.register(give_plan_task, PlanGive.filter())

    workers = Router(name="approvals-manager")
    workers.callback_query.filter(RoleFilter(*WORKERS))
    workers.callback_query.register(drop_plan_task, PlanDrop.filter())

    router.include_routers(head, workers)
    return router


# ---------------------------------------------------------------------- the approval deadline


async def compose_approval(ctx: ComposeContext) -> list[Outgoing]:
    """At the team's approval time: approve every plan whose deadline came, and tell the head which
    plans were approved automatically today (so a retry of this message says the same)."""
    heads = ctx.repo.heads
    await heads.settle(ctx.team, ctx.clock())
    zone = member_zone(ctx.team, ctx.member)
    start, end = day_bounds(ctx.local_date, zone)
    plans = await heads.auto_approved_between(ctx.team.id, start, end)
    if not plans:
        return []
    t = ctx.t
    lines = [t("appr-auto-title", count=len(plans))]
    rows = []
    for plan in plans:
        manager = await ctx.repo.members.in_team(ctx.team.id, plan.member_id)
        count = len(await heads.days.plan_tasks(plan))
        lines.append(t("appr-auto-line", name=manager.name, date=fmt_date(plan.for_date, t), count=count))
        label = t.plain("btn-appr-open", name=manager.name[:40])
        rows.append([_button(label, PlanAct(action=PlanAction.OPEN, plan_id=plan.id))])
    lines.append(t("appr-auto-hint"))
    return [Outgoing("\n".join(lines), InlineKeyboardMarkup(inline_keyboard=rows[:50]))]


async def compose_auto_approved(ctx: ComposeContext) -> list[Outgoing]:
    """The manager's notice (queued by ``HeadRepo.settle``): each of their plans approved automatically on
    this local day, with its tasks, so nobody works from a plan without knowing it stands."""
    start, end = day_bounds(ctx.local_date, member_zone(ctx.team, ctx.member))
    plans = await ctx.repo.heads.auto_approved_between(ctx.team.id, start, end)
    t = ctx.t
    out = []
    for plan in (p for p in plans if p.member_id == ctx.member.id):
        items, frozen = await plan_items(ctx.repo, ctx.team, plan)
        lines = [t("appr-auto-notice", date=fmt_date(plan.for_date, t), count=len(items))]
        lines += [task_line(n, i, plan.for_date, frozen, t) for n, i in enumerate(items, 1)]
        out.append(Outgoing("\n".join(lines)))
    return out


async def run_approve_job(settings: Settings, team: str | None = None, date: str | None = None) -> int:
    """``python -m bot job settle_plans [--team NAME]``: approve now every plan whose deadline passed (all
    teams or one), without the head's notice, and say how many (each manager's ``plan_auto_approved``
    notice is queued for the scheduler). The scheduler does the same through the ``approval`` kind, which
    also tells the head; this is for an operator, or a team whose heads are all unreachable. Named apart from
    the kind ``approval`` (it was ``approve``, too easily taken for it). ``date`` is not used."""
    from bot.clock import system_clock
    from storage.db import create_engine, create_session_pool
    from storage.migrate import is_up_to_date

    t = default_translator().get(settings.default_locale, html=False)
    engine = create_engine(settings.database_url)
    count = 0
    try:
        if not await is_up_to_date(engine):
            raise UserError("not-migrated")
        async with create_session_pool(engine)() as session, session.begin():
            repo = Repo(session)
            if team:
                named = await repo.teams.by_name(team)
                if named is None:
                    raise UserError("team-unknown", name=team)
                teams: Sequence[Team] = [named]
            else:
                teams = await repo.teams.all()
            for row in teams:
                count += len(await repo.heads.settle(row, system_clock()))
    finally:
        await engine.dispose()
    print(t("cli-approve-done", count=count))
    return 0


#: not "approve": ``python -m bot job approval`` is the scheduled kind, which tells the head
SETTLE_JOB = "settle_plans"
JOBS.setdefault(SETTLE_JOB, run_approve_job)
