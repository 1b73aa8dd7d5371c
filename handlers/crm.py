"""/crm (head): the team's CRM from the chat. Connect amoCRM or Bitrix24 (the provider by a button, then
the account's address, then the secret, checked at once as ``crm connect`` checks it); the message that
carried a secret is deleted and the secret is never echoed or logged; a refused secret stores nothing.
Then: sync now (in the background, the report when it is done), disconnect (with a confirm; everything
synced stays), and the CRM users nobody matched by name: their open tasks shown, one tap makes each a
member of the team or «не сотрудник отдела»; the next sync then reads every open task again, so a matched
user's tasks come in. Every button re-checks the role (the router's filter) and the team (ids are looked
up within the presser's team only)."""

from __future__ import annotations

import logging
from datetime import datetime
from enum import StrEnum

from aiogram import Bot, Dispatcher, Router
from aiogram.exceptions import TelegramAPIError
from aiogram.filters import Command
from aiogram.filters.callback_data import CallbackData
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.callback_answer import CallbackAnswer
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.clock import Clock
from bot.config import Settings
from bot.context import Ctx
from bot.i18n import Texts
from bot.keyboard import Keyboard
from crm.base import CrmTask, ProviderKind
from crm.hooks import ensure_hook, hook_url
from crm.live import TeamTasks
from crm.oauth import OAUTH
from crm.service import (
    SyncOutcome,
    account_line,
    chat_secret,
    connect_in,
    connection_lines,
    normalise_address,
    open_provider,
    open_tasks_of,
    sync_lines,
    sync_team,
)
from crm.vault import Vault
from domain.enums import CrmConnectionStatus, LinkKind, Role
from domain.errors import NotFound, UserError
from domain.zones import team_zone
from handlers.callbacks import reply_to, show
from handlers.routing import on_actions, on_typed, role_router
from storage.models import CrmConnection, CrmUserLink, Member, Team
from storage.repo import Repo

log = logging.getLogger(__name__)

NOBODY = 0  # the «не сотрудник отдела» choice
TASKS_SHOWN = 5  # an unmatched user's open tasks listed before the choice
MATCHABLE = (Role.MANAGER, Role.HEAD)


class CrmAction(StrEnum):
    MAIN = "v"
    PICK = "p"  # f: the provider; ask for its address
    SYNC = "s"
    ASK_DISCONNECT = "d"
    DISCONNECT = "d!"
    PEOPLE = "u"  # the CRM users waiting for the head
    USER = "uu"  # u: a crm_users row: its open tasks and the choices
    MATCH = "m"  # u: a crm_users row; m: the member (NOBODY: not one of the department's people)
    DEALS = "w"  # f: the deals mode to set (DealsMode)
    CANCEL = "x"


class DealsMode(StrEnum):
    """What /deal does to the CRM (``crm deals win|record``)."""

    WIN = "win"
    RECORD = "record"


class CrmCb(CallbackData, prefix="crm"):
    """``action``; ``f``: a provider; ``u``: a CRM user (our row id); ``m``: a member id."""

    action: CrmAction
    f: str = ""
    u: int = 0
    m: int = 0


class CrmInput(StatesGroup):
    address = State()  # data: provider
    secret = State()  # data: provider, address


class CrmSyncs(TeamTasks):
    """The syncs the head's button started in this process, one per team at most; the dispatcher's shutdown
    cancels them."""


def syncs_of(dispatcher: Dispatcher) -> CrmSyncs:
    """The dispatcher's ``CrmSyncs``, made on first use (its shutdown stops them)."""
    syncs = dispatcher.workflow_data.get("crm_syncs")
    if not isinstance(syncs, CrmSyncs):
        syncs = CrmSyncs()
        dispatcher.workflow_data["crm_syncs"] = syncs
        dispatcher.shutdown.register(syncs.stop)
    return syncs


def vault_of(settings: Settings) -> Vault:
    key = settings.crm_secret_key
    return Vault(key.get_secret_value() if key else None)


def _button(kb: Keyboard, text: str, action: CrmAction, *, f: str = "", u: int = 0, m: int = 0) -> None:
    kb.button(text=text, callback_data=CrmCb(action=action, f=f, u=u, m=m))


def _when(at: datetime, team: Team) -> str:
    return f"{at.astimezone(team_zone(team)):%d.%m.%Y %H:%M}"


# ---------------------------------------------------------------------- views


def offer_view(t: Texts, vault: Vault) -> tuple[str, InlineKeyboardMarkup | None]:
    """No CRM (or a disconnected one): the choice of provider; without a key, what the operator does."""
    if not vault.ready:
        return t("crm-chat-no-key"), None
    label = t.plain
    kb = Keyboard()
    for kind in ProviderKind:
        _button(kb, label(f"crm-provider-{kind.value}"), CrmAction.PICK, f=kind.value)
    _button(kb, label("crm-btn-cancel"), CrmAction.CANCEL)
    kb.adjust(2, 1)
    return t("crm-chat-offer"), kb.as_markup()


async def hook_lines(ctx: Ctx, conn: CrmConnection, settings: Settings) -> list[str]:
    """The webhook address the head pastes into the CRM, or how to get one (no public address set)."""
    vault = vault_of(settings)
    try:
        secret = await ensure_hook(ctx.repo, ctx.team.id, vault)
    except UserError:  # the card must open anyway: no address lines then
        return []
    if secret is None:
        return []
    url = hook_url(settings.crm_public_url, settings.webhook_url, conn.provider, secret)
    t = ctx.t
    lines = [t("crm-chat-hook", url=url) if url else t("crm-chat-hook-no-base")]
    if url and conn.provider == ProviderKind.BITRIX24.value and not conn.hook_token_enc:
        lines.append(t("crm-chat-hook-no-token"))
    return lines


async def main_view(ctx: Ctx, settings: Settings) -> tuple[str, InlineKeyboardMarkup | None]:
    """The team's CRM card: the connection, its last sync and what it brought, the buttons for what the
    head may do now; with no connection, the offer to connect one."""
    crm, team, t = ctx.repo.crm, ctx.team, ctx.t
    vault = vault_of(settings)
    conn = await crm.connection(team.id)
    if conn is None:
        return offer_view(t, vault)
    lines = connection_lines(t, conn, "crm-chat-status")
    if conn.last_sync_at is None:
        lines.append(t("cli-crm-never-synced"))
    else:
        lines.append(t("crm-chat-last-sync", at=_when(conn.last_sync_at, team)))
    counts = await crm.link_counts(team.id, conn.provider)
    users = await crm.users(team.id, conn.provider)
    lines.append(
        t(
            "crm-chat-counts",
            tasks=counts.get(LinkKind.TASK, 0),
            open=await crm.open_task_count(team.id, conn.provider),
            clients=counts.get(LinkKind.CLIENT, 0),
            deals=counts.get(LinkKind.DEAL, 0),
        )
    )
    waiting = await crm.waiting_users(team.id, conn.provider)
    if users:
        matched = sum(1 for u in users.values() if u.member_id is not None)
        lines.append(t("crm-chat-people", matched=matched, users=len(users), waiting=len(waiting)))
    label = t.plain
    kb = Keyboard()
    if conn.status == CrmConnectionStatus.ACTIVE:
        mode, other = (
            (DealsMode.WIN, DealsMode.RECORD) if conn.win_deals else (DealsMode.RECORD, DealsMode.WIN)
        )
        lines.append(t(f"crm-chat-deals-{mode.value}"))
        lines += await hook_lines(ctx, conn, settings)
        _button(kb, label("crm-btn-sync"), CrmAction.SYNC)
        if waiting:
            _button(kb, label("crm-btn-people", count=len(waiting)), CrmAction.PEOPLE)
        _button(kb, label(f"crm-btn-deals-{other.value}"), CrmAction.DEALS, f=other.value)
        _button(kb, label("crm-btn-disconnect"), CrmAction.ASK_DISCONNECT)
    elif vault.ready:
        lines.append(t("crm-chat-reconnect"))
        for kind in ProviderKind:
            _button(kb, label(f"crm-provider-{kind.value}"), CrmAction.PICK, f=kind.value)
    _button(kb, label("crm-btn-close"), CrmAction.CANCEL)
    kb.adjust(1)
    return "\n".join(lines), kb.as_markup()


async def people_view(ctx: Ctx) -> tuple[str, InlineKeyboardMarkup]:
    conn = await _active(ctx)
    waiting = await ctx.repo.crm.waiting_users(ctx.team.id, conn.provider)
    t = ctx.t
    label = t.plain
    kb = Keyboard()
    if waiting:
        text = t("crm-people-title", count=len(waiting))
        for user in waiting:
            _button(kb, user.name, CrmAction.USER, u=user.id)
    else:
        text = t("crm-people-none")
        _button(kb, label("crm-btn-sync"), CrmAction.SYNC)
    _button(kb, label("crm-btn-back"), CrmAction.MAIN)
    kb.adjust(1)
    return text, kb.as_markup()


def user_view(
    user: CrmUserLink,
    count: int,
    first: list[CrmTask],
    choices: list[Member],
    team: Team,
    t: Texts,
    *,
    at_least: bool = False,
) -> tuple[str, InlineKeyboardMarkup]:
    lines = [t("crm-user-title-bound" if at_least else "crm-user-title", name=user.name, count=count)]
    zone = team_zone(team)
    lines += [
        t("crm-user-task", due=f"{task.due.astimezone(zone):%d.%m}", text=task.text or "—") for task in first
    ]
    if count > len(first):
        lines.append(t("crm-user-more-bound" if at_least else "crm-user-more", count=count - len(first)))
    lines.append(t("crm-user-ask"))
    label = t.plain
    kb = Keyboard()
    for member in choices:
        _button(kb, member.name, CrmAction.MATCH, u=user.id, m=member.id)
    _button(kb, label("crm-btn-not-ours"), CrmAction.MATCH, u=user.id, m=NOBODY)
    _button(kb, label("crm-btn-back"), CrmAction.PEOPLE)
    kb.adjust(2)
    return "\n".join(lines), kb.as_markup()


def sync_text(outcome: SyncOutcome, t: Texts) -> str:
    return "\n".join([t("crm-sync-done"), *sync_lines(outcome, t)])


async def _active(ctx: Ctx) -> CrmConnection:
    conn = await ctx.repo.crm.connection(ctx.team.id)
    if conn is None or conn.status != CrmConnectionStatus.ACTIVE:
        raise UserError("crm-not-connected")
    return conn


async def _crm_user(ctx: Ctx, link_id: int) -> tuple[CrmConnection, CrmUserLink]:
    """The active connection and one of its CRM users, looked up within the presser's team."""
    conn = await _active(ctx)
    user = await ctx.repo.crm.user_link(ctx.team.id, link_id)
    if user is None or user.provider != conn.provider:
        raise NotFound("crm-user")
    return conn, user


async def _choices(ctx: Ctx, provider: str) -> list[Member]:
    """The team's managers and heads not yet matched to a CRM user."""
    taken = set((await ctx.repo.crm.crm_user_of(ctx.team.id, provider)).keys())
    members = await ctx.repo.crm.members(ctx.team.id)
    return [m for m in members if m.role in MATCHABLE and m.id not in taken]


# ---------------------------------------------------------------------- the command and typed answers


async def show_crm(message: Message, ctx: Ctx, settings: Settings, state: FSMContext) -> None:
    await state.clear()
    text, markup = await main_view(ctx, settings)
    await message.answer(text, reply_markup=markup)


async def typed_answer(message: Message, ctx: Ctx, settings: Settings, state: FSMContext) -> None:
    """The dialog's typed step. amoCRM: the account's address, then the token is asked for; the token:
    checked and stored at once. Bitrix24: the webhook URL is the secret itself (and its address)."""
    stored = await state.get_data()
    t = ctx.t
    kind = ProviderKind(stored.get("provider", ProviderKind.AMOCRM.value))
    if kind is ProviderKind.AMOCRM and await state.get_state() == CrmInput.address.state:
        address = normalise_address(kind, message.text or "")
        await state.update_data(address=address)
        await state.set_state(CrmInput.secret)
        await message.answer(t("crm-ask-token", address=address))
        return
    text = message.text or ""
    address = "" if kind is ProviderKind.BITRIX24 else str(stored.get("address", ""))
    await state.clear()
    # the secret leaves the chat before anything else happens, whatever the check says
    notes = []
    try:
        await ctx.bot.delete_message(message.chat.id, message.message_id)
    except TelegramAPIError as exc:
        log.warning("could not delete the message with a CRM secret: %s", type(exc).__name__)
        notes.append(t("crm-delete-failed"))
    vault = vault_of(settings)
    try:
        address, secret = chat_secret(kind, address, text)
        summary = await connect_in(ctx.repo, vault, ctx.team.id, kind, address, secret, ctx.now())
    except UserError as refusal:  # nothing was stored: the head may start again at once
        notes.insert(0, t(refusal.key, **refusal.args_))
        notes.append(t("crm-try-again"))
        await message.answer("\n\n".join(notes))
        return
    connected = t("crm-chat-connected", summary=account_line(t, summary))
    text, markup = await main_view(ctx, settings)
    await message.answer("\n\n".join([connected, *notes, text]), reply_markup=markup)


# ---------------------------------------------------------------------- buttons


async def main_menu(query: CallbackQuery, ctx: Ctx, settings: Settings, state: FSMContext) -> None:
    await state.clear()
    await show(query, ctx.bot, *await main_view(ctx, settings))


async def cancel(query: CallbackQuery, ctx: Ctx, state: FSMContext) -> None:
    await state.clear()
    await show(query, ctx.bot, ctx.t("crm-closed"))


async def pick_provider(
    query: CallbackQuery, callback_data: CrmCb, ctx: Ctx, settings: Settings, state: FSMContext
) -> None:
    try:
        kind = ProviderKind(callback_data.f)
    except ValueError:
        raise UserError("button-stale") from None
    if not vault_of(settings).ready:
        await show(query, ctx.bot, ctx.t("crm-chat-no-key"))
        return
    conn = await ctx.repo.crm.connection(ctx.team.id)
    if conn is not None and conn.status == CrmConnectionStatus.ACTIVE:  # a stale offer: disconnect first
        raise UserError("crm-already-connected")
    await state.set_state(CrmInput.address)
    await state.set_data({"provider": kind.value})
    await show(query, ctx.bot, ctx.t(f"crm-ask-address-{kind.value}"))


async def sync_now(
    query: CallbackQuery,
    ctx: Ctx,
    settings: Settings,
    session_pool: async_sessionmaker[AsyncSession],
    dispatcher: Dispatcher,
    callback_answer: CallbackAnswer,
) -> None:
    await _active(ctx)
    team, t = ctx.team, ctx.t
    syncs = syncs_of(dispatcher)
    if syncs.running(team.id):
        callback_answer.text = t.plain("crm-sync-running")
        return
    callback_answer.text = t.plain("crm-sync-started")
    await reply_to(query, ctx.bot, t("crm-sync-started"))
    vault, chat_id = vault_of(settings), ctx.member.tg_id
    syncs.start(team.id, _sync_and_tell(ctx.bot, session_pool, vault, team, chat_id, t, ctx.clock))


async def _sync_and_tell(
    bot: Bot,
    pool: async_sessionmaker[AsyncSession],
    vault: Vault,
    team: Team,
    chat_id: int,
    t: Texts,
    clock: Clock,
) -> None:
    """The sync, after the pressing update's transaction (it takes its own), and its report to the head."""
    markup: InlineKeyboardMarkup | None = None
    try:
        outcome = await sync_team(pool, vault, team.id, clock, t)
    except UserError as refusal:
        text = t(refusal.key, **refusal.args_)
    except Exception:
        log.exception("the CRM sync of team %s failed", team.id)
        text = t("error-unexpected")
    else:
        text = sync_text(outcome, t)
        async with pool() as session:
            repo = Repo(session)
            conn = await repo.crm.connection(team.id)
            waiting = await repo.crm.waiting_users(team.id, conn.provider) if conn else []
        if waiting:
            lines = [t("crm-sync-waiting", count=len(waiting))]
            unmatched = outcome.report.unmatched
            lines += [t("crm-sync-unmatched", name=u.name, tasks=unmatched.get(u.name, 0)) for u in waiting]
            text += "\n\n" + "\n".join(lines)
            kb = Keyboard()
            _button(kb, t.plain("crm-btn-people", count=len(waiting)), CrmAction.PEOPLE)
            markup = kb.as_markup()
    try:
        await bot.send_message(chat_id, text, reply_markup=markup)
    except TelegramAPIError as exc:
        log.warning("could not send the CRM sync report to %s: %s", chat_id, exc)


async def ask_disconnect(query: CallbackQuery, ctx: Ctx) -> None:
    await _active(ctx)
    label = ctx.t.plain
    kb = Keyboard()
    _button(kb, label("crm-btn-disconnect-yes"), CrmAction.DISCONNECT)
    _button(kb, label("crm-btn-disconnect-no"), CrmAction.MAIN)
    kb.adjust(1)
    await show(query, ctx.bot, ctx.t("crm-disconnect-ask"), kb.as_markup())


async def disconnect(query: CallbackQuery, ctx: Ctx, settings: Settings) -> None:
    await _active(ctx)
    await ctx.repo.crm.disconnect(ctx.team.id)
    text, markup = await main_view(ctx, settings)
    await show(query, ctx.bot, f"{ctx.t('crm-disconnected')}\n\n{text}", markup)


async def set_deals_mode(query: CallbackQuery, callback_data: CrmCb, ctx: Ctx, settings: Settings) -> None:
    """The team's deals setting from the card: the button carries the mode it sets, so a stale one sets
    what it said (pressing it twice changes nothing more)."""
    try:
        mode = DealsMode(callback_data.f)
    except ValueError:
        raise UserError("button-stale") from None
    await _active(ctx)
    await ctx.repo.crm.set_win_deals(ctx.team.id, mode is DealsMode.WIN)
    text, markup = await main_view(ctx, settings)
    await show(query, ctx.bot, f"{ctx.t('crm-deals-saved')}\n\n{text}", markup)


async def people(query: CallbackQuery, ctx: Ctx) -> None:
    await show(query, ctx.bot, *await people_view(ctx))


async def crm_user(query: CallbackQuery, callback_data: CrmCb, ctx: Ctx, settings: Settings) -> None:
    conn, user = await _crm_user(ctx, callback_data.u)
    if user.member_id is not None or user.ignored:
        await show(query, ctx.bot, *await people_view(ctx))
        return
    # read with the stored token as it is: no OAuth refresh inside this update's transaction (on SQLite it
    # would wait for this update's own write lock); an expired one is refreshed by the scheduled sync
    provider = open_provider(conn, vault_of(settings), None)
    refused = "crm-token-stale" if conn.auth == OAUTH else "crm-bad-secret"
    try:
        count, at_least, first = await open_tasks_of(provider, user.crm_user_id, TASKS_SHOWN, refused=refused)
    finally:
        await provider.close()
    choices = await _choices(ctx, conn.provider)
    await show(query, ctx.bot, *user_view(user, count, first, choices, ctx.team, ctx.t, at_least=at_least))


async def match(query: CallbackQuery, callback_data: CrmCb, ctx: Ctx) -> None:
    conn, user = await _crm_user(ctx, callback_data.u)
    if user.member_id is not None or user.ignored:
        raise UserError("crm-user-decided", name=user.name)
    if callback_data.m == NOBODY:
        await ctx.repo.crm.match_user(user, None)
        done = ctx.t("crm-user-not-ours", name=user.name)
    else:
        chosen = next((m for m in await _choices(ctx, conn.provider) if m.id == callback_data.m), None)
        if chosen is None:
            raise NotFound("member")
        await ctx.repo.crm.match_user(user, chosen.id)
        done = ctx.t("crm-user-matched", name=user.name, member=chosen.name)
    text, markup = await people_view(ctx)
    await show(query, ctx.bot, f"{done}\n\n{text}", markup)


# ---------------------------------------------------------------------- router


def build_router() -> Router:
    router = role_router("crm", Role.HEAD)
    router.message.register(show_crm, Command("crm"))
    on_actions(
        router,
        CrmCb,
        {
            CrmAction.MAIN: main_menu,
            CrmAction.CANCEL: cancel,
            CrmAction.PICK: pick_provider,
            CrmAction.SYNC: sync_now,
            CrmAction.ASK_DISCONNECT: ask_disconnect,
            CrmAction.DISCONNECT: disconnect,
            CrmAction.PEOPLE: people,
            CrmAction.USER: crm_user,
            CrmAction.MATCH: match,
            CrmAction.DEALS: set_deals_mode,
        },
    )
    on_typed(router, {CrmInput.address: typed_answer, CrmInput.secret: typed_answer})
    return router
