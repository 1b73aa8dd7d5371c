"""Import in the chat (the head): send a CSV or XLSX → a preview (counts, the first rows, the rejected rows
with reasons) with "Load" and "Cancel"; "Load" reads the file again and writes the good rows in one
transaction. The file id waits in the dialog state, so a forged or stale button loads nothing."""

from __future__ import annotations

from aiogram import Bot, F, Router
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, Document, Message
from aiogram.utils.callback_answer import CallbackAnswer

from bot.clock import Clock
from bot.filters import RoleFilter
from bot.i18n import Texts
from bot.keyboard import Keyboard
from domain.enums import Role
from domain.errors import UserError
from domain.text import split_message
from handlers.sales_callbacks import ImportStep
from importer.read import MAX_BYTES, read_file
from importer.service import ImportPlan, apply, prepare
from reports import fmt
from reports.send import team_today
from storage.models import Member, Team
from storage.repo import Repo

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


async def _load(
    bot: Bot, file_id: str, file_name: str, repo: Repo, team: Team, member: Member, clock: Clock
) -> ImportPlan:
    buffer = await bot.download(file_id)
    if buffer is None:
        raise UserError("import-expired")
    tables = read_file(buffer.read(), file_name)
    plan = await prepare(repo.session, team, tables, team_today(team, clock), default_owner_id=member.id)
    if not plan.understood:
        raise UserError("import-not-understood")
    return plan


def build_router() -> Router:
    router = Router(name="importing")
    router.message.filter(RoleFilter(Role.HEAD))
    router.callback_query.filter(RoleFilter(Role.HEAD))

    @router.message(Command("import"))
    async def how(message: Message, t: Texts) -> None:
        await message.answer(t("import-how"))

    @router.message(F.document)
    async def received(
        message: Message,
        state: FSMContext,
        repo: Repo,
        team: Team,
        member: Member,
        t: Texts,
        clock: Clock,
        bot: Bot,
    ) -> None:
        document: Document = message.document  # type: ignore[assignment]
        if document.file_size is not None and document.file_size > MAX_BYTES:
            raise UserError("import-too-big", mb=MAX_BYTES // (1024 * 1024))
        name = document.file_name or "file"
        plan = await _load(bot, document.file_id, name, repo, team, member, clock)
        parts = split_message(render_preview(plan, name, t))
        if plan.nothing_new:
            await state.clear()
            for part in parts:
                await message.answer(part)
            await message.answer(t("import-nothing"))
            return
        await state.set_state(ImportFlow.confirm)
        await state.set_data({"file_id": document.file_id, "file_name": name})
        for part in parts:
            await message.answer(part)
        kb = Keyboard()
        kb.button(text=t("btn-import-go"), callback_data=ImportStep(a="go"))
        kb.button(text=t("btn-import-cancel"), callback_data=ImportStep(a="no"))
        kb.adjust(2)
        await message.answer(t("import-confirm"), reply_markup=kb.as_markup())

    @router.callback_query(ImportStep.filter())
    async def confirm(
        query: CallbackQuery,
        callback_data: ImportStep,
        state: FSMContext,
        repo: Repo,
        team: Team,
        member: Member,
        t: Texts,
        clock: Clock,
        bot: Bot,
        callback_answer: CallbackAnswer,
    ) -> None:
        data = await state.get_data()
        if await state.get_state() != ImportFlow.confirm.state or "file_id" not in data:
            raise UserError("import-expired")
        if callback_data.a != "go":
            await state.clear()
            await query.message.edit_text(t("import-cancelled"))
            return
        plan = await _load(bot, data["file_id"], data["file_name"], repo, team, member, clock)
        written = await apply(repo.session, team, plan, member.id)
        await state.clear()
        done = t(
            "import-done", clients=str(written.clients), tasks=str(written.tasks), plans=str(written.plans)
        )
        callback_answer.text = done[:200]
        await query.message.edit_text(done)

    return router
