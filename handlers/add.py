"""Adding a task: ``/add`` opens a short dialog (client → action → date); ``/add Клиент: действие [дата]``
does it in one line. The action must be something one can do (``domain.actions``); an unknown client is
offered to be created. The same dialog serves a client card's "➕ Задача", a new lead's first step and
tomorrow's plan (those fix the client or the date and skip the question)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from aiogram import F, Router
from aiogram.filters import Command, CommandObject, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.callback_answer import CallbackAnswer

from bot.clock import Clock
from bot.i18n import Texts
from bot.keyboard import Keyboard
from domain.actions import check_action
from domain.dates import DateError, DateErrorReason, parse_due_date, split_trailing_date
from domain.enums import Role
from domain.errors import UserError
from domain.text import clean_text, name_key
from handlers.day import WORKERS, Day, one_line
from handlers.day_callbacks import ClientAddTask, NewClient, NewClientAction, PickClient, PickDue
from handlers.day_views import fmt_date
from handlers.routing import on_typed, provide, role_router
from storage.models import Client, Member, Team
from storage.repo import ClientRepo, Repo

PICK_LIMIT = 8


class AddTask(StatesGroup):
    client = State()
    action = State()
    due = State()


async def candidates(repo: Repo, member: Member, query: str) -> list[Client]:
    """Clients matching ``query``: a manager's own; the head's own first, then the team's."""
    owner = member.id if member.role is Role.MANAGER else None
    found = list(await repo.clients.find(member.team_id, query, owner_id=owner, limit=PICK_LIMIT + 1))
    if member.role is not Role.MANAGER:
        found.sort(key=lambda c: c.owner_id != member.id)
    return found


def client_name_ok(name: str) -> str:
    """The name as a client would be stored (``ClientRepo.clean``); refused when empty or too long."""
    return ClientRepo.clean(name)


def due_keyboard(days: list[date], t: Texts) -> InlineKeyboardMarkup:
    kb = Keyboard()
    for d in days:
        kb.button(text=fmt_date(d, t), callback_data=PickDue(to=d.strftime("%Y%m%d")))
    kb.adjust(3)
    return kb.as_markup()


CREATE = NewClient(action=NewClientAction.CREATE)


class Flow:
    """One step of the dialog: reads what is known from the FSM data and asks for the next piece or
    creates the task. The dialog's handlers get it as ``flow``."""

    def __init__(
        self, repo: Repo, team: Team, member: Member, clock: Clock, t: Texts, state: FSMContext
    ) -> None:
        self.repo, self.member, self.t, self.state = repo, member, t, state
        self.day = Day(repo, team, member, clock)
        self.client: Client | None = None  # the client settled in this update, if any

    async def settle(self, client: Client, **more: Any) -> None:
        """``client`` is the task's (read with its team and owner checked); kept, so the task is added in the
        same update without reading the client again."""
        self.client = client
        await self.state.update_data(client_id=client.id, client_name=client.name, **more)

    async def resolve_client(self, answer: Message, name: str) -> bool:
        """Settle the client by name; False when the user has to pick or confirm a new one first."""
        name = client_name_ok(name)
        found = await candidates(self.repo, self.member, name)
        exact = [c for c in found if c.name_key == name_key(name)]
        if not exact:  # one client per company: a teammate's is named, not copied
            other = await self.repo.clients.by_exact_name(self.member.team_id, name)
            if other is not None:
                owner = await self.repo.clients.owner_name(other)
                raise UserError("client-of-other-add", name=other.name, owner=owner)
        if len(exact) == 1 or len(found) == 1:
            await self.settle(exact[0] if len(exact) == 1 else found[0])
            return True
        if found:
            kb = Keyboard()
            for c in found[:PICK_LIMIT]:
                kb.button(text=c.name[:60], callback_data=PickClient(client_id=c.id))
            kb.button(text=self.t.plain("btn-new-client", name=name[:40]), callback_data=CREATE)
            kb.adjust(1)
            await self.state.update_data(new_name=name)
            await answer.answer(self.t("add-pick-client", query=name), reply_markup=kb.as_markup())
            return False
        kb = Keyboard()
        kb.button(text=self.t.plain("btn-new-client", name=name[:40]), callback_data=CREATE)
        kb.button(text=self.t.plain("btn-cancel"), callback_data=NewClient(action=NewClientAction.DROP))
        kb.adjust(1)
        await self.state.update_data(new_name=name)
        await answer.answer(self.t("add-unknown-client", name=name), reply_markup=kb.as_markup())
        return False

    async def advance(self, answer: Message) -> None:
        data = await self.state.get_data()
        if "client_id" not in data:
            await self.state.set_state(AddTask.client)
            await answer.answer(self.t("add-ask-client"))
            return
        if "action" not in data:
            await self.state.set_state(AddTask.action)
            await answer.answer(self.t("add-ask-action", client=data["client_name"]))
            return
        if "due" not in data and data.get("off_due"):  # a typed day off: say so, offer the next working day
            off = date.fromisoformat(data.pop("off_due"))
            await self.state.set_data(data)
            await self.state.set_state(AddTask.due)
            calendar = await self.day.days.calendar(self.day.team, self.member)
            working = calendar.next_working_day(off)
            await answer.answer(
                self.t("add-day-off", date=fmt_date(off, self.t), next=fmt_date(working, self.t)),
                reply_markup=due_keyboard([working, off], self.t),
            )
            return
        if "due" not in data:
            await self.state.set_state(AddTask.due)
            days = [self.day.today, *await self.day.next_days(5)]
            await answer.answer(self.t("add-ask-due"), reply_markup=due_keyboard(days, self.t))
            return
        client = self.client
        if client is None or client.id != int(data["client_id"]):  # settled in an earlier update
            client = await self.repo.clients.get(self.member.team_id, int(data["client_id"]))
        due = date.fromisoformat(data["due"])
        task = await self.repo.tasks.create(
            self.member.team_id,
            self.member.id,
            data["action"],
            due,
            client_id=client.id,
            created_by=self.member.id,
        )
        await self.state.clear()
        await answer.answer(
            self.t("add-done", client=client.name, action=task.action, date=fmt_date(due, self.t))
        )

    async def set_action(self, text: str) -> None:
        """Check the action (with a trailing date peeled off) and keep it; refusals explain with examples."""
        data = await self.state.get_data()
        text = clean_text(text)
        action, due = split_trailing_date(text, self.day.today)  # a past date is refused, not ignored
        check = check_action(action, data.get("client_name"))
        if not check.ok:
            raise UserError(f"action-{check.problem}", client=data.get("client_name") or "")
        if due is not None and "due" not in data:
            self.check_due(due)
            await self.keep_typed_due(due)
        await self.state.update_data(action=action)

    async def keep_typed_due(self, due: date) -> None:
        """A typed date is kept; one on a day off (a Friday's «завтра») waits for a tap (``advance``):
        the next working day, or that day after all. A date picked by a button is taken as it is."""
        calendar = await self.day.days.calendar(self.day.team, self.member)
        if calendar.is_working_day(due):
            await self.state.update_data(due=due.isoformat(), off_due=None)
        else:
            await self.state.update_data(off_due=due.isoformat())

    def check_due(self, due: date) -> None:
        if due < self.day.today:
            raise DateError(DateErrorReason.PAST)


async def start_add(message: Message, command: CommandObject, flow: Flow) -> None:
    await flow.state.clear()
    args = (command.args or "").strip()
    if not args:
        await flow.advance(message)
        return
    if ":" not in args:
        raise UserError("add-format")
    name, rest = args.split(":", 1)
    if not rest.strip():
        raise UserError("add-format")
    if not await flow.resolve_client(message, name):
        await flow.state.update_data(pending_action=rest)
        return
    await flow.set_action(rest)
    await flow.advance(message)


async def own_client(repo: Repo, member: Member, client_id: int) -> Client:
    """A client of the member's team that the member may add tasks for (a manager: their own)."""
    client = await repo.clients.get(member.team_id, client_id)
    if member.role is Role.MANAGER and client.owner_id != member.id:
        raise UserError("not-found")
    return client


async def add_for_client(query: CallbackQuery, callback_data: ClientAddTask, flow: Flow) -> None:
    client = await own_client(flow.repo, flow.member, callback_data.client_id)
    due = None
    if callback_data.due:
        try:
            due = datetime.strptime(callback_data.due, "%Y%m%d").date()
        except ValueError:
            raise UserError("button-stale") from None
    await flow.state.clear()
    await flow.settle(client)
    if due is not None:
        await flow.state.update_data(due=max(due, flow.day.today).isoformat())
    if isinstance(query.message, Message):
        await flow.advance(query.message)


async def pick_client(query: CallbackQuery, callback_data: PickClient, flow: Flow) -> None:
    client = await own_client(flow.repo, flow.member, callback_data.client_id)
    await continue_with(flow, query, client)


async def create_pending_client(
    query: CallbackQuery, flow: Flow, t: Texts, callback_answer: CallbackAnswer
) -> None:
    pending = (await flow.state.get_data()).get("new_name")
    if not pending:
        raise UserError("button-stale")
    clients, member = flow.repo.clients, flow.member
    client = await clients.by_exact_name(member.team_id, pending, owner_id=member.id)
    client = client or await clients.create(member.team_id, member.id, pending)
    callback_answer.text = t.plain("client-created", name=client.name)
    await continue_with(flow, query, client)


async def drop_pending_client(
    query: CallbackQuery, t: Texts, state: FSMContext, callback_answer: CallbackAnswer
) -> None:
    if not (await state.get_data()).get("new_name"):
        raise UserError("button-stale")
    await state.clear()
    callback_answer.text = t.plain("add-cancelled")
    if isinstance(query.message, Message):
        await query.message.edit_reply_markup(reply_markup=None)


async def client_text(message: Message, flow: Flow) -> None:
    if await flow.resolve_client(message, message.text or ""):
        await flow.advance(message)


async def action_text(message: Message, flow: Flow) -> None:
    await flow.set_action(message.text or "")
    await flow.advance(message)


async def due_text(message: Message, flow: Flow) -> None:
    due = parse_due_date(one_line(message.text), flow.day.today)
    await flow.keep_typed_due(due)
    await flow.advance(message)


async def due_pick(query: CallbackQuery, callback_data: PickDue, flow: Flow) -> None:
    try:
        due = datetime.strptime(callback_data.to, "%Y%m%d").date()
    except ValueError:
        raise UserError("button-stale") from None
    flow.check_due(due)
    await flow.state.update_data(due=due.isoformat())
    if isinstance(query.message, Message):
        await query.message.edit_reply_markup(reply_markup=None)
        await flow.advance(query.message)


def build_router() -> Router:
    router = role_router("add", *WORKERS)
    provide(router, "flow", _flow)
    router.message.register(start_add, Command("add"))
    router.callback_query.register(add_for_client, ClientAddTask.filter())
    router.callback_query.register(pick_client, PickClient.filter())
    router.callback_query.register(
        create_pending_client, NewClient.filter(F.action == NewClientAction.CREATE)
    )
    router.callback_query.register(drop_pending_client, NewClient.filter(F.action == NewClientAction.DROP))
    on_typed(router, {AddTask.client: client_text, AddTask.action: action_text, AddTask.due: due_text})
    router.callback_query.register(due_pick, PickDue.filter(), StateFilter(AddTask.due))
    return router


async def continue_with(f: Flow, query: CallbackQuery, client: Client) -> None:
    state = f.state
    await f.settle(client, new_name=None)
    data = await state.get_data()
    if not isinstance(query.message, Message):
        return
    await query.message.edit_reply_markup(reply_markup=None)
    if data.get("pending_action"):
        pending = data["pending_action"]
        await state.update_data(pending_action=None)
        try:
            await f.set_action(pending)
        except UserError as exc:
            await state.set_state(AddTask.action)
            await query.message.answer(f.t(exc.key, **exc.args_))
            return
    await f.advance(query.message)


def _flow(data: dict[str, Any]) -> Flow:
    return Flow(data["repo"], data["team"], data["member"], data["clock"], data["t"], data["state"])
