"""/settings (head): the team's send times, time zone, working days and holiday calendar; a member's
vacation and time zone. One message is edited in place; typed answers (a time, a zone, vacation dates)
come through FSM states, and a mistake gets a polite explanation and changes nothing. Every change counts
at the scheduler's next tick, which it triggers at once."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from aiogram import F, Router, flags
from aiogram.dispatcher.flags import get_flag
from aiogram.filters import Command
from aiogram.filters.callback_data import CallbackData
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message, TelegramObject
from aiogram.utils.callback_answer import CallbackAnswer

from bot.context import Ctx
from bot.i18n import Texts
from bot.keyboard import Keyboard
from bot.middlewares.base import Next
from domain.calendar import parse_workdays
from domain.enums import Role
from domain.errors import UserError
from domain.settings_input import RU_ZONES, check_day_order, parse_time, parse_vacation, resolve_zone
from domain.zones import member_zone, team_zone, zone_for
from handlers.callbacks import show
from handlers.routing import on_actions, on_typed, role_router
from storage.models import Member
from storage.settings_repo import TIME_FIELDS, date_range

NO_MEMBER = 0
TEAM_ZONE = "-"

#: A text to say: its key and arguments (rendered for a message, or as plain text for a pop-up).
Said = tuple[str, dict[str, str]]
#: A view: its text and its buttons.
View = tuple[str, InlineKeyboardMarkup]


class SettingsAction(StrEnum):
    MAIN = "v"  # the main view
    CLOSE = "x"
    TIME = "t"  # f: the field; ask for a time
    ZONE = "z"  # ask for the team's zone
    WORKDAYS = "w"
    TOGGLE_WORKDAY = "wt"  # f: the weekday, 1-7
    HOLIDAYS = "h"  # the holiday calendar on/off
    PICK_ZONE_MEMBER = "zm"
    MEMBER_ZONE = "zp"  # m: ask for this member's zone
    SET_ZONE = "zs"  # f: a zone's index in RU_ZONES, or TEAM_ZONE; m: the member (0: the team)
    PICK_VACATION_MEMBER = "vm"
    MEMBER_VACATIONS = "vp"  # m
    ADD_VACATION = "va"  # m: ask for the dates
    DELETE_VACATION = "vd"  # f: the vacation id; m: its member


class SettingsCb(CallbackData, prefix="st"):
    """``action``; ``f``: its argument (a field, a weekday, a zone's index, a vacation id);
    ``m``: a member id (0: none, or the team)."""

    action: SettingsAction
    f: str = ""
    m: int = NO_MEMBER


class SettingsInput(StatesGroup):
    time = State()  # data: field
    zone = State()  # data: member_id (0: the team)
    vacation = State()  # data: member_id


def _button(kb: Keyboard, text: str, action: SettingsAction, f: str = "", m: int = NO_MEMBER) -> None:
    kb.button(text=text, callback_data=SettingsCb(action=action, f=f, m=m))


def _hhmm(value: Any) -> str:
    return f"{value:%H:%M}"


def _weekdays(days: frozenset[int], t: Texts) -> str:
    return ", ".join(t(f"settings-wd-{d}") for d in sorted(days))


# ---------------------------------------------------------------------- views


async def main_view(ctx: Ctx) -> View:
    """The settings' main view, read afresh (a change just made included)."""
    repo, t, now = ctx.repo.settings, ctx.t, ctx.now()
    team = await repo.team(ctx.team.id)
    today = now.astimezone(team_zone(team)).date()
    lines = [
        t("settings-title", team=team.name),
        t("settings-zone", zone=team.timezone, now=_hhmm(now.astimezone(team_zone(team)))),
        t("settings-workdays", days=_weekdays(parse_workdays(team.workdays), t)),
        t("settings-holidays-on", country=team.holiday_country)
        if team.holiday_country
        else t("settings-holidays-off"),
        t(
            "settings-times",
            morning=_hhmm(team.morning_at),
            evening=_hhmm(team.evening_at),
            approval=_hhmm(team.approval_at),
            digest=_hhmm(team.digest_at),
        ),
    ]
    members = {m.id: m for m in await repo.members(team.id)}
    vacations = await repo.vacations(team.id, today)
    if vacations:
        lines.append(t("settings-vacations"))
        lines += [
            t("settings-vacation-line", name=members[v.member_id].name, range=date_range(v.starts, v.ends))
            for v in vacations
        ]
    own = [m for m in members.values() if m.timezone]
    if own:
        lines.append(t("settings-zones"))
        lines += [t("settings-member-zone-line", name=m.name, zone=m.timezone) for m in own]
    lines.append(t("settings-hint"))
    label = t.plain
    kb = Keyboard()
    for field, column in TIME_FIELDS.items():
        time_label = label(f"settings-btn-{field}", time=_hhmm(getattr(team, column)))
        _button(kb, time_label, SettingsAction.TIME, field)
    _button(kb, label("settings-btn-zone"), SettingsAction.ZONE)
    _button(kb, label("settings-btn-workdays"), SettingsAction.WORKDAYS)
    holidays = "settings-btn-holidays-on" if team.holiday_country else "settings-btn-holidays-off"
    _button(kb, label(holidays), SettingsAction.HOLIDAYS)
    _button(kb, label("settings-btn-vacation"), SettingsAction.PICK_VACATION_MEMBER)
    _button(kb, label("settings-btn-member-zone"), SettingsAction.PICK_ZONE_MEMBER)
    _button(kb, label("settings-btn-close"), SettingsAction.CLOSE)
    kb.adjust(2, 2, 2, 1, 2, 1)
    return "\n".join(lines), kb.as_markup()


def back_keyboard(t: Texts) -> InlineKeyboardMarkup:
    kb = Keyboard()
    _button(kb, t.plain("settings-btn-back"), SettingsAction.MAIN)
    return kb.as_markup()


def zone_keyboard(t: Texts, member_id: int) -> InlineKeyboardMarkup:
    label = t.plain
    kb = Keyboard()
    for i, (_, ru, en, ahead) in enumerate(RU_ZONES):
        offset = label("settings-msk") if ahead == 0 else label("settings-msk-offset", hours=f"{ahead:+d}")
        city = ru if t.locale == "ru" else en
        _button(
            kb,
            label("settings-zone-button", city=city, offset=offset),
            SettingsAction.SET_ZONE,
            str(i),
            member_id,
        )
    if member_id != NO_MEMBER:
        _button(kb, label("settings-btn-team-zone"), SettingsAction.SET_ZONE, TEAM_ZONE, member_id)
    _button(kb, label("settings-btn-back"), SettingsAction.MAIN)
    kb.adjust(2)
    return kb.as_markup()


def workdays_keyboard(days: frozenset[int], t: Texts) -> InlineKeyboardMarkup:
    label = t.plain
    kb = Keyboard()
    for d in range(1, 8):
        mark = "✅" if d in days else "▫️"
        _button(kb, f"{mark} {label(f'settings-wd-{d}')}", SettingsAction.TOGGLE_WORKDAY, str(d))
    _button(kb, label("settings-btn-back"), SettingsAction.MAIN)
    kb.adjust(4, 3, 1)
    return kb.as_markup()


def members_keyboard(members: list[Member], action: SettingsAction, t: Texts) -> InlineKeyboardMarkup:
    kb = Keyboard()
    for m in members:
        _button(kb, m.name, action, m=m.id)
    _button(kb, t.plain("settings-btn-back"), SettingsAction.MAIN)
    kb.adjust(2)
    return kb.as_markup()


async def vacations_view(ctx: Ctx, member: Member, now: datetime) -> View:
    """A member's vacations from today on (in their zone at ``now``), each with its 🗑."""
    today = now.astimezone(zone_for(member.timezone, ctx.team.timezone)).date()
    vacations = await ctx.repo.settings.vacations(ctx.team.id, today, member.id)
    t = ctx.t
    lines = [t("settings-member-vacations", name=member.name)]
    if not vacations:
        lines.append(t("settings-no-vacations"))
    label = t.plain
    kb = Keyboard()
    for v in vacations:
        span = date_range(v.starts, v.ends)
        lines.append(t("settings-vacation-line", name=member.name, range=span))
        _button(
            kb,
            label("settings-btn-delete-vacation", range=span),
            SettingsAction.DELETE_VACATION,
            str(v.id),
            member.id,
        )
    _button(kb, label("settings-btn-add-vacation"), SettingsAction.ADD_VACATION, m=member.id)
    _button(kb, label("settings-btn-back"), SettingsAction.PICK_VACATION_MEMBER)
    kb.adjust(1)
    return "\n".join(lines), kb.as_markup()


@dataclass(frozen=True)
class MemberAsk:
    """What to ask about a member picked: the dialog's state, the prompt, the keyboard under it."""

    state: State
    prompt: str
    keyboard: Callable[[Texts, int], InlineKeyboardMarkup]


#: The member pickers: the action each name leads to, and the prompt above the names.
MEMBER_PICKERS: dict[SettingsAction, tuple[SettingsAction, str]] = {
    SettingsAction.PICK_ZONE_MEMBER: (SettingsAction.MEMBER_ZONE, "settings-pick-zone"),
    SettingsAction.PICK_VACATION_MEMBER: (SettingsAction.MEMBER_VACATIONS, "settings-pick-vacation"),
}

#: What is asked about a member picked.
MEMBER_ASKS: dict[SettingsAction, MemberAsk] = {
    SettingsAction.MEMBER_ZONE: MemberAsk(SettingsInput.zone, "settings-ask-member-zone", zone_keyboard),
    SettingsAction.ADD_VACATION: MemberAsk(
        SettingsInput.vacation, "settings-ask-vacation", lambda t, _member_id: back_keyboard(t)
    ),
}


async def _poke_after(handler: Next, event: TelegramObject, data: dict[str, Any]) -> Any:
    """After a handler flagged ``@flags.pokes_scheduler`` (a change of what the scheduler decides by) has
    made its change, the scheduler ticks at once, so the change counts now rather than at its next
    regular tick; a refused change raises and asks for nothing."""
    result = await handler(event, data)
    scheduler = data.get("scheduler")
    if scheduler is not None and get_flag(data, "pokes_scheduler"):
        scheduler.poke()
    return result


async def _end_dialog(handler: Next, event: TelegramObject, data: dict[str, Any]) -> Any:
    """A settings button ends a dialog that waits for a typed answer (a time, a zone, dates): that answer
    would no longer fit the screen. A button that asks for one starts its own after."""
    state: FSMContext = data["state"]
    await state.clear()
    return await handler(event, data)


def _above(done: str, view: View) -> View:
    """The view the head is left at, with what was just done above it."""
    text, markup = view
    return f"{done}\n\n{text}", markup


# ---------------------------------------------------------------------- router


async def show_settings(message: Message, ctx: Ctx, state: FSMContext) -> None:
    await state.clear()
    text, markup = await main_view(ctx)
    await message.answer(text, reply_markup=markup)


# ---------------------------------------------------------------------- buttons


async def main_menu(query: CallbackQuery, ctx: Ctx) -> None:
    await show(query, ctx.bot, *await main_view(ctx))


async def close(query: CallbackQuery, ctx: Ctx) -> None:
    await show(query, ctx.bot, ctx.t("settings-closed"))


async def ask_time(query: CallbackQuery, callback_data: SettingsCb, ctx: Ctx, state: FSMContext) -> None:
    field = callback_data.f
    if field not in TIME_FIELDS:
        raise UserError("button-stale")
    current = getattr(await ctx.repo.settings.team(ctx.team.id), TIME_FIELDS[field])
    await state.set_state(SettingsInput.time)
    await state.update_data(field=field)
    t = ctx.t
    prompt = t("settings-ask-time", what=t(f"settings-what-{field}"), time=_hhmm(current))
    await show(query, ctx.bot, prompt, back_keyboard(t))


async def ask_team_zone(query: CallbackQuery, ctx: Ctx, state: FSMContext) -> None:
    await state.set_state(SettingsInput.zone)
    await state.update_data(member_id=NO_MEMBER)
    await show(query, ctx.bot, ctx.t("settings-ask-zone"), zone_keyboard(ctx.t, NO_MEMBER))


async def pick_member(query: CallbackQuery, callback_data: SettingsCb, ctx: Ctx) -> None:
    """🌍 or 🏖: the team's members, each a button to what the picker leads to."""
    then, prompt = MEMBER_PICKERS[callback_data.action]
    members = list(await ctx.repo.settings.members(ctx.team.id))
    await show(query, ctx.bot, ctx.t(prompt), members_keyboard(members, then, ctx.t))


async def ask_for_member(
    query: CallbackQuery, callback_data: SettingsCb, ctx: Ctx, state: FSMContext
) -> None:
    """A member picked for a zone or a vacation: asks for it (the member kept in the dialog's data)."""
    target = await ctx.repo.settings.member(ctx.team.id, callback_data.m)
    ask = MEMBER_ASKS[callback_data.action]
    await state.set_state(ask.state)
    await state.update_data(member_id=target.id)
    await show(query, ctx.bot, ctx.t(ask.prompt, name=target.name), ask.keyboard(ctx.t, target.id))


@flags.pokes_scheduler
async def set_zone(
    query: CallbackQuery, callback_data: SettingsCb, ctx: Ctx, callback_answer: CallbackAnswer
) -> None:
    key, args = await _set_zone(ctx, callback_data.m, callback_data.f)
    callback_answer.text = ctx.t.plain(key, **args)
    await show(query, ctx.bot, *_above(ctx.t(key, **args), await main_view(ctx)))


async def show_workdays(query: CallbackQuery, ctx: Ctx) -> None:
    await _workdays_picker(query, ctx, parse_workdays((await ctx.repo.settings.team(ctx.team.id)).workdays))


@flags.pokes_scheduler
async def toggle_workday(query: CallbackQuery, callback_data: SettingsCb, ctx: Ctx) -> None:
    if not callback_data.f.isdigit():
        raise UserError("button-stale")
    days = await ctx.repo.settings.toggle_workday(ctx.team.id, int(callback_data.f))
    await _workdays_picker(query, ctx, days)


async def _workdays_picker(query: CallbackQuery, ctx: Ctx, days: frozenset[int]) -> None:
    """The week in place of the pressed message, each day marked working or not, a tap toggling it."""
    await show(query, ctx.bot, ctx.t("settings-ask-workdays"), workdays_keyboard(days, ctx.t))


@flags.pokes_scheduler
async def toggle_holidays(query: CallbackQuery, ctx: Ctx, callback_answer: CallbackAnswer) -> None:
    country = await ctx.repo.settings.toggle_holidays(ctx.team.id)
    saved = "settings-holidays-saved-on" if country else "settings-holidays-saved-off"
    callback_answer.text = ctx.t.plain(saved)
    await show(query, ctx.bot, *await main_view(ctx))


async def member_vacations(query: CallbackQuery, callback_data: SettingsCb, ctx: Ctx) -> None:
    target = await ctx.repo.settings.member(ctx.team.id, callback_data.m)
    await show(query, ctx.bot, *await vacations_view(ctx, target, ctx.now()))


@flags.pokes_scheduler
async def delete_vacation(
    query: CallbackQuery, callback_data: SettingsCb, ctx: Ctx, callback_answer: CallbackAnswer
) -> None:
    if not callback_data.f.isdigit():
        raise UserError("button-stale")
    settings = ctx.repo.settings
    target = await settings.member(ctx.team.id, callback_data.m)
    await settings.delete_vacation(ctx.team.id, int(callback_data.f))
    callback_answer.text = ctx.t.plain("settings-vacation-deleted")
    await show(query, ctx.bot, *await vacations_view(ctx, target, ctx.now()))


# ---------------------------------------------------------------------- typed answers


async def _answer_saved(message: Message, state: FSMContext, done: str, view: View) -> None:
    """A typed answer was saved: the dialog ends, and the head gets what was saved above the view it
    leads back to."""
    await state.clear()
    text, markup = _above(done, view)
    await message.answer(text, reply_markup=markup)


@flags.pokes_scheduler
async def typed_time(message: Message, ctx: Ctx, state: FSMContext) -> None:
    field = (await state.get_data()).get("field")
    if field not in TIME_FIELDS:
        await state.clear()
        raise UserError("button-stale")
    value = parse_time(message.text or "")
    team = ctx.team
    times = {"morning": team.morning_at, "evening": team.evening_at, field: value}
    check_day_order(times["morning"], times["evening"])
    await ctx.repo.settings.set_time(team.id, field, value)
    done = ctx.t("settings-time-saved", what=ctx.t(f"settings-what-{field}"), time=_hhmm(value))
    await _answer_saved(message, state, done, await main_view(ctx))


@flags.pokes_scheduler
async def typed_zone(message: Message, ctx: Ctx, state: FSMContext) -> None:
    member_id = int((await state.get_data()).get("member_id") or NO_MEMBER)
    zone = resolve_zone(message.text or "")
    key, args = await _apply_zone(ctx, member_id, zone)
    await _answer_saved(message, state, ctx.t(key, **args), await main_view(ctx))


@flags.pokes_scheduler
async def typed_vacation(message: Message, ctx: Ctx, state: FSMContext) -> None:
    settings, team = ctx.repo.settings, ctx.team
    target = await settings.member(team.id, int((await state.get_data()).get("member_id") or 0))
    now = ctx.now()
    today = now.astimezone(member_zone(team, target)).date()
    starts, ends = parse_vacation(message.text or "", today)
    await settings.add_vacation(team.id, target.id, starts, ends)
    done = ctx.t("settings-vacation-saved", name=target.name, range=date_range(starts, ends))
    await _answer_saved(message, state, done, await vacations_view(ctx, target, now))


# ---------------------------------------------------------------------- router


def build_router() -> Router:
    router = role_router("settings", Role.HEAD)
    router.message.middleware(_poke_after)
    router.callback_query.middleware(_poke_after)
    router.callback_query.middleware(_end_dialog)
    router.message.register(show_settings, Command("settings"))
    on_typed(
        router,
        {
            SettingsInput.time: typed_time,
            SettingsInput.zone: typed_zone,
            SettingsInput.vacation: typed_vacation,
        },
    )
    on_actions(
        router,
        SettingsCb,
        {
            SettingsAction.MAIN: main_menu,
            SettingsAction.CLOSE: close,
            SettingsAction.TIME: ask_time,
            SettingsAction.ZONE: ask_team_zone,
            SettingsAction.SET_ZONE: set_zone,
            SettingsAction.WORKDAYS: show_workdays,
            SettingsAction.TOGGLE_WORKDAY: toggle_workday,
            SettingsAction.HOLIDAYS: toggle_holidays,
            SettingsAction.MEMBER_VACATIONS: member_vacations,
            SettingsAction.DELETE_VACATION: delete_vacation,
        },
    )
    # a member picker, and what is asked about the member picked: one handler for several actions each
    router.callback_query.register(pick_member, SettingsCb.filter(F.action.in_(MEMBER_PICKERS)))
    router.callback_query.register(ask_for_member, SettingsCb.filter(F.action.in_(MEMBER_ASKS)))
    return router


async def _set_zone(ctx: Ctx, member_id: int, choice: str) -> Said:
    if choice == TEAM_ZONE:
        if member_id == NO_MEMBER:
            raise UserError("button-stale")
        return await _apply_zone(ctx, member_id, None)
    if not choice.isdigit() or int(choice) >= len(RU_ZONES):
        raise UserError("button-stale")
    return await _apply_zone(ctx, member_id, RU_ZONES[int(choice)][0])


async def _apply_zone(ctx: Ctx, member_id: int, zone: str | None) -> Said:
    """Set the team's zone, or a member's (None: as the team's); what to say about it."""
    if member_id == NO_MEMBER:
        assert zone is not None
        await ctx.repo.settings.set_timezone(ctx.team.id, zone)
        return "settings-zone-saved", {"zone": zone}
    target = await ctx.repo.settings.set_member_timezone(ctx.team.id, member_id, zone)
    if zone is None:
        return "settings-member-zone-reset", {"name": target.name}
    return "settings-member-zone-saved", {"name": target.name, "zone": zone}
