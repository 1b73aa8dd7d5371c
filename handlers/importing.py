"""Import in the chat (the head): send a CSV or XLSX → a preview (counts, the first rows, the rejected rows
with reasons) with "Load" and "Cancel"; "Load" reads the file again and writes the good rows in one
transaction. The file id waits in the dialog state, so a forged or stale button loads nothing.

Both the preview and the load are heavy jobs (``bot/heavy.py``): "Читаю файл…" / "Загружаю…" at once,
the result when ready, off the bot's loop. When most new tasks are overdue, the preview says so and a
third button writes them due on the next working day; a date typed instead of pressing moves the offer
to that date."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date
from functools import partial
from typing import Any

from aiogram import Bot, F, Router
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, Document, InlineKeyboardMarkup, Message
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.context import Ctx
from bot.filters import Magic
from bot.heavy import HeavyJobs, job_team, start_job
from bot.i18n import Texts
from bot.keyboard import Keyboard
from domain.dates import parse_due_date
from domain.enums import Role
from domain.errors import UserError
from domain.text import split_message
from handlers.routing import on_typed, role_router
from handlers.sales_callbacks import ImportAction, ImportStep
from importer.read import MAX_BYTES, read_file
from importer.service import ImportPlan, apply_staged, prepare
from reports import fmt
from reports.data import team_calendar
from reports.send import team_today

MAX_REJECTED_SHOWN = 15


class ImportFlow(StatesGroup):
    confirm = State()


def render_preview(plan: ImportPlan, file_name: str, t: Texts) -> str:
    lines = [
        t("import-preview-title", file=file_name, rows=str(plan.rows)),
        t(
            "import-preview-counts",
            clients_new=str(len(plan.new_clients)),
            clients_known=str(plan.known_clients),
            tasks_new=str(len(plan.new_tasks)),
            tasks_known=str(plan.known_tasks),
            duplicates=str(plan.duplicates),
            rejected=str(len(plan.rejected)),
        ),
    ]
    if plan.new_plans or plan.known_plans:
        lines.append(
            t("import-preview-plans", plans_new=str(len(plan.new_plans)), plans_known=str(plan.known_plans))
        )
    if plan.mostly_overdue:
        lines.append(t("import-preview-overdue", count=plan.overdue, total=len(plan.new_tasks)))
    if plan.unknown_stages:
        lines.append(t("import-preview-stages", count=str(plan.unknown_stages)))
    if plan.columns:
        lines.append(t("import-columns", columns=", ".join(dict.fromkeys(h for h, _ in plan.columns))))
    if plan.ignored:
        lines.append(t("import-columns-ignored", columns=", ".join(dict.fromkeys(plan.ignored))))
    if plan.samples:
        lines += ["", t("import-sample-title")]
        for s in plan.samples:
            if s.task and s.due:
                lines.append(
                    t(
                        "import-sample-task",
                        client=s.client,
                        owner=s.owner,
                        task=s.task,
                        due=fmt.full_date(s.due),
                    )
                )
            else:
                lines.append(t("import-sample", client=s.client, owner=s.owner))
    if plan.rejected:
        lines += ["", t("import-rejected-title")]
        for r in plan.rejected[:MAX_REJECTED_SHOWN]:
            lines.append(
                t(
                    "import-rejected-line",
                    row=str(r.row),
                    reason=t(f"import-reason-{r.reason}", value=r.value),
                )
            )
        if len(plan.rejected) > MAX_REJECTED_SHOWN:
            lines.append(t("import-rejected-more", count=str(len(plan.rejected) - MAX_REJECTED_SHOWN)))
    return "\n".join(lines)


def confirm_keyboard(t: Texts, move_to: date | None) -> InlineKeyboardMarkup:
    kb = Keyboard()
    kb.button(text=t("btn-import-go"), callback_data=ImportStep(a=ImportAction.GO))
    if move_to is not None:
        kb.button(
            text=t("btn-import-move", date=fmt.full_date(move_to)),
            callback_data=ImportStep(a=ImportAction.MOVE),
        )
    kb.button(text=t("btn-import-cancel"), callback_data=ImportStep(a=ImportAction.CANCEL))
    kb.adjust(1)
    return kb.as_markup()


async def _download(bot: Bot, file_id: str) -> bytes:
    buffer = await bot.download(file_id)
    if buffer is None:
        raise UserError("import-expired")
    return buffer.read()


async def preview_job(
    team_id: int, data: bytes, file_name: str, today: date, owner_id: int, session: AsyncSession
) -> ImportPlan:
    """In a worker: read the file (CPU work, off the bot's loop) and compare it with the team's data."""
    tables = read_file(data, file_name)  # before the first statement: no transaction (lock) yet
    team = await job_team(session, team_id)
    plan = await prepare(session, team, tables, today, default_owner_id=owner_id)
    if not plan.understood:
        raise UserError("import-not-understood")
    return plan


# ------------------------------------------------------------------------------------------------ handlers


async def how(message: Message, ctx: Ctx) -> None:
    await message.answer(ctx.t("import-how"))


async def received(message: Message, state: FSMContext, ctx: Ctx, heavy: HeavyJobs) -> None:
    """A file: the preview is prepared as a job (reading 5,000 rows takes seconds)."""
    document: Document = message.document  # type: ignore[assignment]
    if document.file_size is not None and document.file_size > MAX_BYTES:
        raise UserError("import-too-big", mb=MAX_BYTES // (1024 * 1024))
    name = document.file_name or "file"
    await state.clear()  # an older preview's buttons stop working
    bot, team, t = ctx.bot, ctx.team, ctx.t
    data = await _download(bot, document.file_id)
    today = team_today(team, ctx.clock)
    chat_id = message.chat.id

    async def deliver(plan: ImportPlan) -> None:
        for part in split_message(render_preview(plan, name, t)):
            await bot.send_message(chat_id, part)
        if plan.nothing_new:
            await bot.send_message(chat_id, t("import-nothing"))
            return
        move_to = team_calendar(team).next_working_day(today) if plan.mostly_overdue else None
        await state.set_state(ImportFlow.confirm)
        await state.set_data(
            {"file_id": document.file_id, "file_name": name, "move_to": move_to and move_to.isoformat()}
        )
        await bot.send_message(chat_id, t("import-confirm"), reply_markup=confirm_keyboard(t, move_to))

    await _read_in_worker(ctx, heavy, chat_id, data, name, today, deliver, preparing="heavy-reading")


async def move_date_typed(message: Message, state: FSMContext, ctx: Ctx) -> None:
    """While the preview waits: a typed date is where the overdue tasks go."""
    data = await state.get_data()
    if not data.get("move_to"):
        raise UserError("import-no-overdue")
    move_to = parse_due_date(message.text or "", team_today(ctx.team, ctx.clock))
    await state.update_data(move_to=move_to.isoformat())
    await message.answer(ctx.t("import-confirm"), reply_markup=confirm_keyboard(ctx.t, move_to))


async def cancel_pressed(query: CallbackQuery, state: FSMContext, ctx: Ctx) -> None:
    await _confirming(state)
    await state.clear()
    if isinstance(query.message, Message):
        await query.message.edit_text(ctx.t("import-cancelled"))


#: The buttons that load the file: as it is, or with its overdue tasks moved.
LOADS = (ImportAction.GO, ImportAction.MOVE)


async def _confirming(state: FSMContext) -> dict[str, Any]:
    data = await state.get_data()
    if await state.get_state() != ImportFlow.confirm.state or "file_id" not in data:
        raise UserError("import-expired")
    return data


async def load_pressed(
    query: CallbackQuery,
    callback_data: ImportStep,
    state: FSMContext,
    ctx: Ctx,
    heavy: HeavyJobs,
    session_pool: async_sessionmaker[AsyncSession],
) -> None:
    """ "Load" (or "load, the overdue tasks moved"): the file is read again and compared in a worker (the
    long part), then its good rows are staged on the bot's side and published in one short transaction, in
    turn with the updates (SQLite's one writer; ``importer.service.apply_staged``); the dialog ends now, so a
    second press finds nothing to load."""
    move = callback_data.a == ImportAction.MOVE
    data = await _confirming(state)
    move_to = date.fromisoformat(data["move_to"]) if move and data.get("move_to") else None
    if move and move_to is None:
        raise UserError("import-no-overdue")
    content = await _download(ctx.bot, data["file_id"])
    await state.clear()
    if isinstance(query.message, Message):
        await query.message.edit_reply_markup(reply_markup=None)
    chat_id = query.from_user.id

    async def deliver(plan: ImportPlan) -> None:
        written = await apply_staged(
            session_pool, ctx.team.id, plan, ctx.member.id, move_to, turn=heavy.turns
        )
        done = ctx.t(
            "import-done",
            clients=str(written.clients),
            tasks=str(written.tasks),
            plans=str(written.plans),
        )
        await ctx.bot.send_message(chat_id, done)

    today = team_today(ctx.team, ctx.clock)
    await _read_in_worker(
        ctx, heavy, chat_id, content, data["file_name"], today, deliver, preparing="heavy-writing"
    )


async def _read_in_worker(
    ctx: Ctx,
    heavy: HeavyJobs,
    chat_id: int,
    content: bytes,
    name: str,
    today: date,
    deliver: Callable[[ImportPlan], Awaitable[None]],
    *,
    preparing: str,
) -> None:
    """The file read and compared with the team's data as of ``today`` in a worker (``preview_job``), the
    presser told ``preparing`` meanwhile; the plan then goes to ``deliver``."""
    work = partial(preview_job, ctx.team.id, content, name, today, ctx.member.id)
    await start_job(heavy, ctx.bot, chat_id, "import", ctx.t, work, deliver, preparing=preparing)


def build_router() -> Router:
    router = role_router("importing", Role.HEAD)
    router.message.register(how, Command("import"))
    router.message.register(received, Magic(F.document))
    on_typed(router, {ImportFlow.confirm: move_date_typed})
    router.callback_query.register(load_pressed, ImportStep.filter(F.a.in_(LOADS)))
    router.callback_query.register(cancel_pressed, ImportStep.filter(F.a == ImportAction.CANCEL))
    return router
