"""The commercial review (коммерческий разбор): ``/review <менеджер>`` prepares the one-on-one agenda over
the manager's clients (``domain.review``: by stage, stale ones, the "neither fish nor fowl" ones, what each
brought this month). During the review the head taps a client, types the agreed action (the
concrete-action rule) and taps a day: the task goes to the manager, marked as coming from this review.
"🏁 Завершить" asks for the outcome; the review is kept with its date, agenda, outcome and tasks."""

from __future__ import annotations

from datetime import date, datetime

from aiogram import F, Router
from aiogram.filters import Command, CommandObject, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.callback_answer import CallbackAnswer

from bot.context import Ctx
from bot.i18n import Html, Texts
from bot.keyboard import Keyboard
from domain.actions import check_action
from domain.dates import DateError, DateErrorReason, parse_due_date
from domain.errors import UserError
from domain.gender import grammatical_gender
from domain.review import Agenda, ReviewClient, agenda, days_in_stage, silent_days
from handlers.callbacks import answer_under, pressed
from handlers.day import Day, one_line
from handlers.day_views import day_off_offer, fmt_date, fmt_money, local_date
from handlers.head_callbacks import OTHER_DATE, ReviewAct, ReviewAction, ReviewDue, ReviewPick
from handlers.head_common import HEAD, PICK_LIMIT, answer_split, member_today, one_text, pick_manager, tell
from handlers.routing import on_typed, role_router
from storage.head_repo import HeadRepo
from storage.models import Member, Review, Team

BUTTON_CLIENTS = 12  # stale and "neither fish nor fowl" clients offered as buttons
STAGE_NAMES_SHOWN = 8


class ReviewInput(StatesGroup):
    client = State()  # another client, by name
    action = State()  # the agreed action
    due = State()  # its day
    outcome = State()  # the review's outcome


def _names(clients: list[ReviewClient], t: Texts) -> str:
    shown = ", ".join(c.name for c in clients[:STAGE_NAMES_SHOWN])
    rest = len(clients) - STAGE_NAMES_SHOWN
    return shown + (t("dg-more", count=rest) if rest > 0 else "")


def render_agenda(manager: Member, ag: Agenda, today: date, last: Review | None, added: int, t: Texts) -> str:
    parts = [t("rv-title", name=manager.name, date=fmt_date(today, t), count=ag.open_count)]
    if last is not None:
        parts[0] += "\n" + t("rv-last", date=fmt_date(last.held_on, t), outcome=last.outcome or "—")
    if ag.by_stage:
        lines = [t("rv-stages-title")]
        lines += [
            t("rv-stage-line", stage=t(f"stage-{stage}"), count=len(cs), names=_names(cs, t))
            for stage, cs in ag.by_stage.items()
        ]
        parts.append("\n".join(lines))
    else:
        parts.append(t("rv-no-clients"))
    if ag.stale:
        lines = [t("rv-stale-title", count=len(ag.stale))]
        lines += [
            t("rv-stale-line", name=c.name, days=silent_days(c, today), stage=t(f"stage-{c.stage}"))
            for c in ag.stale
        ]
        parts.append("\n".join(lines))
    if ag.limbo:
        lines = [t("rv-limbo-title", count=len(ag.limbo))]
        lines += [
            t(
                "rv-limbo-line",
                name=c.name,
                days=days_in_stage(c, today),
                stage=t(f"stage-{c.stage}"),
                tasks=c.open_tasks,
            )
            for c in ag.limbo
        ]
        parts.append("\n".join(lines))
    if ag.brought:
        lines = [t("rv-brought-title", total=fmt_money(ag.brought_total))]
        lines += [t("rv-brought-line", name=c.name, amount=fmt_money(c.brought)) for c in ag.brought]
        parts.append("\n".join(lines))
    else:
        parts.append(t("rv-brought-none"))
    # the client buttons are the stale and "neither fish nor fowl" ones (``agenda_keyboard``)
    hint = "rv-hint" if ag.stale or ag.limbo else "rv-hint-other"
    parts.append(t(hint, name=manager.name, added=added))
    return "\n\n".join(parts)


def agenda_keyboard(review: Review, ag: Agenda, t: Texts) -> InlineKeyboardMarkup:
    label = t.plain  # a client's name on a button is plain text, never escaped
    kb = Keyboard()
    seen: set[int] = set()
    for c in [*ag.stale, *ag.limbo]:
        if c.client_id in seen or len(seen) >= BUTTON_CLIENTS:
            continue
        seen.add(c.client_id)
        kb.button(
            text=label("btn-rv-task", name=c.name[:30]),
            callback_data=ReviewAct(action=ReviewAction.TASK, review_id=review.id, client_id=c.client_id),
        )
    kb.button(text=t("btn-rv-other"), callback_data=ReviewAct(action=ReviewAction.OTHER, review_id=review.id))
    kb.button(text=t("btn-rv-end"), callback_data=ReviewAct(action=ReviewAction.END, review_id=review.id))
    kb.adjust(*([2] * ((len(seen) + 1) // 2)), 1, 1)
    return kb.as_markup()


def snapshot(ag: Agenda) -> dict[str, object]:
    return {
        "by_stage": {str(s): [c.client_id for c in cs] for s, cs in ag.by_stage.items()},
        "stale": [c.client_id for c in ag.stale],
        "limbo": [c.client_id for c in ag.limbo],
        "brought": {str(c.client_id): str(c.brought) for c in ag.brought},
        "brought_total": str(ag.brought_total),
    }


async def open_review(
    heads: HeadRepo, team: Team, head: Member, manager: Member, today: date, now: datetime
) -> tuple[Review, Agenda]:
    """Today's open review of the manager, or a new one, with the agenda as it is now."""
    ag = agenda(await heads.review_clients(team, manager, today), today)
    review = await heads.start_review(team.id, manager.id, head.id, today, now, snapshot(ag))
    return review, ag


async def _active(ctx: Ctx, review_id: int) -> tuple[Review, Member]:
    """The team's review ``review_id``, still open, and its manager."""
    heads = ctx.repo.heads
    review = await heads.review(ctx.team.id, review_id)
    if review.closed_at is not None:
        raise UserError("review-closed")
    return review, await heads.manager(ctx.team.id, review.manager_id)


async def due_keyboard(
    ctx: Ctx, manager: Member, review: Review, days: list[date] | None = None
) -> InlineKeyboardMarkup:
    """The days to set the agreed task for (today and the manager's next working days unless given)."""
    if days is None:
        day = Day(ctx.repo, ctx.team, manager, ctx.clock)
        days = [day.today, *await day.next_days(5)]
    kb = Keyboard()
    for d in days:
        kb.button(
            text=fmt_date(d, ctx.t), callback_data=ReviewDue(review_id=review.id, to=d.strftime("%Y%m%d"))
        )
    kb.button(text=ctx.t("btn-other-date"), callback_data=ReviewDue(review_id=review.id, to=OTHER_DATE))
    kb.adjust(3, 3, 1)
    return kb.as_markup()


async def _start(answer: Message, manager: Member, ctx: Ctx) -> None:
    """The agenda of a review with ``manager``, split under Telegram's limit, the buttons on the last part."""
    now = ctx.now()
    team, heads, t = ctx.team, ctx.repo.heads, ctx.t
    today = local_date(now, team, ctx.member)
    review, ag = await open_review(heads, team, ctx.member, manager, today, now)
    last = await heads.last_closed_review(team.id, manager.id)
    added = len(await heads.review_tasks(review))
    await answer_split(
        answer, render_agenda(manager, ag, today, last, added, t), agenda_keyboard(review, ag, t)
    )


async def start_review(message: Message, command: CommandObject, ctx: Ctx, state: FSMContext) -> None:
    """``/review <менеджер>``: the agenda, or a pick among the managers the name fits."""
    await state.clear()
    manager, markup = await pick_manager(ctx.repo.heads, ctx.team.id, command.args or "", ctx.t, ReviewPick)
    if manager is None:
        await message.answer(ctx.t("rv-pick"), reply_markup=markup)
        return
    await _start(message, manager, ctx)


async def review_picked_manager(
    query: CallbackQuery, callback_data: ReviewPick, ctx: Ctx, state: FSMContext
) -> None:
    await state.clear()
    manager = await ctx.repo.heads.manager(ctx.team.id, callback_data.member_id)
    message = pressed(query)
    if message is not None:
        await _start(message, manager, ctx)


async def _dialog(ctx: Ctx, state: FSMContext, review_id: int) -> tuple[Review, Member]:
    """The review a button names, still open; the dialog starts over on it."""
    review, manager = await _active(ctx, review_id)
    await state.clear()
    await state.update_data(review_id=review.id)
    return review, manager


async def _in_dialog(ctx: Ctx, state: FSMContext) -> tuple[Review, Member]:
    """The review the dialog is about, still open (a typed answer's)."""
    return await _active(ctx, int((await state.get_data()).get("review_id", 0)))


#: What a review's button asks the head: the state that waits for the answer, and the prompt.
REVIEW_ASKS: dict[ReviewAction, tuple[State, str]] = {
    ReviewAction.END: (ReviewInput.outcome, "rv-ask-outcome"),  # save_review_outcome closes the review
    ReviewAction.OTHER: (ReviewInput.client, "rv-ask-client"),  # another client: its name
}


async def ask_in_review(query: CallbackQuery, callback_data: ReviewAct, ctx: Ctx, state: FSMContext) -> None:
    """🏁 asks for the outcome, ➕ for another client (``REVIEW_ASKS``)."""
    _, manager = await _dialog(ctx, state, callback_data.review_id)
    awaiting, prompt = REVIEW_ASKS[callback_data.action]
    await state.set_state(awaiting)
    await answer_under(query, ctx.t(prompt, name=manager.name))


async def pick_review_client(
    query: CallbackQuery,
    callback_data: ReviewAct,
    ctx: Ctx,
    state: FSMContext,
    callback_answer: CallbackAnswer,
) -> None:
    """A client's button: asks for the agreed action."""
    _, manager = await _dialog(ctx, state, callback_data.review_id)
    client = await ctx.repo.clients.get(ctx.team.id, callback_data.client_id)
    if client.owner_id != manager.id:
        raise UserError("not-found")
    await state.update_data(client_id=client.id, client_name=client.name)
    await state.set_state(ReviewInput.action)
    callback_answer.text = client.name
    await answer_under(query, ctx.t("rv-ask-action", client=client.name, name=manager.name))


async def find_review_client(message: Message, ctx: Ctx, state: FSMContext) -> None:
    """The typed name of another client: the one it names, or a pick among several."""
    review, manager = await _in_dialog(ctx, state)
    query = one_line(message.text)[:200]
    found = list(await ctx.repo.clients.find(ctx.team.id, query, owner_id=manager.id, limit=PICK_LIMIT + 1))
    if not found:
        raise UserError("rv-no-client", name=query, manager=manager.name)
    if len(found) > 1:
        kb = Keyboard()
        for c in found[:PICK_LIMIT]:
            kb.button(
                text=c.name[:60],
                callback_data=ReviewAct(action=ReviewAction.TASK, review_id=review.id, client_id=c.id),
            )
        kb.adjust(1)
        await message.answer(ctx.t("rv-pick-client", query=query), reply_markup=kb.as_markup())
        return
    client = found[0]
    await state.update_data(client_id=client.id, client_name=client.name)
    await state.set_state(ReviewInput.action)
    await message.answer(ctx.t("rv-ask-action", client=client.name, name=manager.name))


async def save_review_action(message: Message, ctx: Ctx, state: FSMContext) -> None:
    """The agreed action (the concrete-action rule): asks for its day."""
    data = await state.get_data()
    review, manager = await _active(ctx, int(data["review_id"]))
    action = " ".join((message.text or "").split())
    check = check_action(action, data.get("client_name"))
    if not check.ok:
        raise UserError(f"action-{check.problem}", client=data.get("client_name") or "")
    await state.update_data(action=action)
    await state.set_state(ReviewInput.due)
    await message.answer(ctx.t("rv-ask-due"), reply_markup=await due_keyboard(ctx, manager, review))


async def _create(answer: Message, due: date, ctx: Ctx, state: FSMContext) -> None:
    """The task agreed at the review, for ``due``: the manager is told."""
    data = await state.get_data()
    review, manager = await _active(ctx, int(data["review_id"]))
    if not data.get("client_id") or not data.get("action"):
        await state.clear()
        raise UserError("button-stale")
    repo, team, head, t = ctx.repo, ctx.team, ctx.member, ctx.t
    day = Day(repo, team, manager, ctx.clock)
    if due < day.today:
        raise DateError(DateErrorReason.PAST)
    client = await repo.clients.get(team.id, int(data["client_id"]))
    if client.owner_id != manager.id:
        raise UserError("not-found")
    task = await repo.tasks.create(
        team.id, manager.id, data["action"], due, client_id=client.id, created_by=head.id
    )
    task.review_id = review.id
    await state.clear()
    await state.update_data(review_id=review.id)
    added = len(await repo.heads.review_tasks(review))
    await answer.answer(
        t(
            "rv-task-added",
            name=manager.name,
            client=client.name,
            action=task.action,
            date=fmt_date(due, t),
            added=added,
        ),
        reply_markup=agenda_keyboard_short(review, t),
    )
    mt = ctx.translator.get(manager.locale)
    await tell(
        ctx.bot,
        manager,
        mt(
            "rv-task-notice",
            head=head.name,
            gender=grammatical_gender(head.name),
            date=fmt_date(due, mt),
            task=Html(mt("task-short", client=client.name, action=task.action)),
        ),
    )


async def ask_review_date(query: CallbackQuery, ctx: Ctx, callback_answer: CallbackAnswer) -> None:
    """«Другая дата»: the date is typed next (``set_review_due_typed``)."""
    callback_answer.text = ctx.t.plain("ask-move-text")
    await answer_under(query, ctx.t("ask-move-text"))


async def set_review_due(query: CallbackQuery, callback_data: ReviewDue, ctx: Ctx, state: FSMContext) -> None:
    """A day's button: the agreed task is set for it."""
    if int((await state.get_data()).get("review_id", 0)) != callback_data.review_id:
        raise UserError("button-stale")
    try:
        due = datetime.strptime(callback_data.to, "%Y%m%d").date()
    except ValueError:
        raise UserError("button-stale") from None
    message = pressed(query)
    if message is not None:
        await message.edit_reply_markup(reply_markup=None)
        await _create(message, due, ctx, state)


async def set_review_due_typed(message: Message, ctx: Ctx, state: FSMContext) -> None:
    due = parse_due_date(one_line(message.text), member_today(ctx))
    review, manager = await _in_dialog(ctx, state)
    offer = day_off_offer(await ctx.repo.days.calendar(ctx.team, manager), due, "add-day-off", ctx.t)
    if offer is not None:  # the manager's day off: say so, offer the next working day or that one
        text, days = offer
        await message.answer(text, reply_markup=await due_keyboard(ctx, manager, review, days))
        return
    await _create(message, due, ctx, state)


async def save_review_outcome(message: Message, ctx: Ctx, state: FSMContext) -> None:
    """The review's outcome: it is closed and kept."""
    review, manager = await _in_dialog(ctx, state)
    ctx.repo.heads.close_review(review, one_text(message.text), ctx.now())
    tasks = await ctx.repo.heads.review_tasks(review)
    await state.clear()
    await message.answer(
        ctx.t(
            "rv-closed",
            name=manager.name,
            date=fmt_date(review.held_on, ctx.t),
            outcome=review.outcome,
            count=len(tasks),
        )
    )


def build_router() -> Router:
    router = role_router("review", *HEAD)
    router.message.register(start_review, Command("review"))
    press = router.callback_query.register
    press(review_picked_manager, ReviewPick.filter())
    press(pick_review_client, ReviewAct.filter(F.action == ReviewAction.TASK))
    press(ask_in_review, ReviewAct.filter(F.action.in_(REVIEW_ASKS)))
    due = StateFilter(ReviewInput.due)
    press(ask_review_date, ReviewDue.filter(F.to == OTHER_DATE), due)
    press(set_review_due, ReviewDue.filter(F.to != OTHER_DATE), due)
    on_typed(
        router,
        {
            ReviewInput.client: find_review_client,
            ReviewInput.action: save_review_action,
            ReviewInput.due: set_review_due_typed,
            ReviewInput.outcome: save_review_outcome,
        },
    )
    return router


def agenda_keyboard_short(review: Review, t: Texts) -> InlineKeyboardMarkup:
    """After a task: another one, or finish."""
    kb = Keyboard()
    kb.button(text=t("btn-rv-other"), callback_data=ReviewAct(action=ReviewAction.OTHER, review_id=review.id))
    kb.button(text=t("btn-rv-end"), callback_data=ReviewAct(action=ReviewAction.END, review_id=review.id))
    kb.adjust(1)
    return kb.as_markup()
