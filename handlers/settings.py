"""/settings (head): the team's send times, time zone, working days and holiday calendar; a member's
vacation and time zone. One message is edited in place; typed answers (a time, a zone, vacation dates)
come through FSM states, and a mistake gets a polite explanation and changes nothing. Every change counts
at the scheduler's next tick, which it triggers at once."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from aiogram import Bot, F, Router
from aiogram.filters import Command, StateFilter
from aiogram.filters.callback_data import CallbackData
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.callback_answer import CallbackAnswer

from bot.clock import Clock
from bot.filters import TYPED, role_router
from bot.i18n import Texts
from bot.keyboard import Keyboard
from domain.calendar import parse_workdays
from domain.enums import Role
from domain.errors import UserError
from domain.settings_input import RU_ZONES, check_day_order, parse_time, parse_vacation, resolve_zone
from domain.zones import member_zone, team_zone, zone_for
from handlers.callbacks import show
from storage.models import Member, Team
from storage.repo import Repo
from storage.settings_repo import TIME_FIELDS, SettingsRepo, date_range

NO_MEMBER = 0
TEAM_ZONE = "-"

#: A text to say: its key and arguments (rendered for a message, or as plain text for a pop-up).
Said = tuple[str, dict[str, str]]


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


async def main_view(
    repo: SettingsRepo, team: Team, t: Texts, now: datetime
) -> tuple[str, InlineKeyboardMarkup]:
    team = await repo.team(team.id)
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


async def vacations_view(
    repo: SettingsRepo, team_id: int, member: Member, t: Texts, now: datetime, team_zone: str
) -> tuple[str, InlineKeyboardMarkup]:
    today = now.astimezone(zone_for(member.timezone, team_zone)).date()
    vacations = await repo.vacations(team_id, today, member.id)
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


def _poke(scheduler: Any) -> None:
    if scheduler is not None:
        scheduler.poke()


# ---------------------------------------------------------------------- router


async def show_settings(
    message: Message, repo: Repo, team: Team, t: Texts, clock: Clock, state: FSMContext
) -> None:
    await state.clear()
    text, markup = await main_view(repo.settings, team, t, clock())
    await message.answer(text, reply_markup=markup)


# ---------------------------------------------------------------------- buttons


async def main_menu(
    query: CallbackQuery, repo: Repo, team: Team, t: Texts, clock: Clock, state: FSMContext, bot: Bot
) -> None:
    await state.clear()
    await show(query, bot, *await main_view(repo.settings, team, t, clock()))


async def close(query: CallbackQuery, t: Texts, state: FSMContext, bot: Bot) -> None:
    await state.clear()
    await show(query, bot, t("settings-closed"))


async def ask_time(
    query: CallbackQuery,
    callback_data: SettingsCb,
    repo: Repo,
    team: Team,
    t: Texts,
    state: FSMContext,
    bot: Bot,
) -> None:
    field = callback_data.f
    if field not in TIME_FIELDS:
        raise UserError("button-stale")
    current = getattr(await repo.settings.team(team.id), TIME_FIELDS[field])
    await state.set_state(SettingsInput.time)
    await state.update_data(field=field)
    prompt = t("settings-ask-time", what=t(f"settings-what-{field}"), time=_hhmm(current))
    await show(query, bot, prompt, back_keyboard(t))


async def ask_team_zone(query: CallbackQuery, t: Texts, state: FSMContext, bot: Bot) -> None:
    await state.set_state(SettingsInput.zone)
    await state.update_data(member_id=NO_MEMBER)
    await show(query, bot, t("settings-ask-zone"), zone_keyboard(t, NO_MEMBER))


async def pick_zone_member(
    query: CallbackQuery, repo: Repo, team: Team, t: Texts, state: FSMContext, bot: Bot
) -> None:
    await state.clear()
    members = list(await repo.settings.members(team.id))
    markup = members_keyboard(members, SettingsAction.MEMBER_ZONE, t)
    await show(query, bot, t("settings-pick-zone"), markup)


async def ask_member_zone(
    query: CallbackQuery,
    callback_data: SettingsCb,
    repo: Repo,
    team: Team,
    t: Texts,
    state: FSMContext,
    bot: Bot,
) -> None:
    target = await repo.settings.member(team.id, callback_data.m)
    await state.set_state(SettingsInput.zone)
    await state.update_data(member_id=target.id)
    await show(query, bot, t("settings-ask-member-zone", name=target.name), zone_keyboard(t, target.id))


async def set_zone(
    query: CallbackQuery,
    callback_data: SettingsCb,
    repo: Repo,
    team: Team,
    t: Texts,
    clock: Clock,
    state: FSMContext,
    callback_answer: CallbackAnswer,
    bot: Bot,
    scheduler: Any = None,
) -> None:
    await state.clear()
    settings = repo.settings
    key, args = await _set_zone(settings, team, callback_data.m, callback_data.f)
    done = t(key, **args)
    callback_answer.text = t.plain(key, **args)
    _poke(scheduler)
    text, markup = await main_view(settings, team, t, clock())
    await show(query, bot, f"{done}\n\n{text}", markup)


async def show_workdays(
    query: CallbackQuery, repo: Repo, team: Team, t: Texts, state: FSMContext, bot: Bot
) -> None:
    await state.clear()
    days = parse_workdays((await repo.settings.team(team.id)).workdays)
    await show(query, bot, t("settings-ask-workdays"), workdays_keyboard(days, t))


async def toggle_workday(
    query: CallbackQuery,
    callback_data: SettingsCb,
    repo: Repo,
    team: Team,
    t: Texts,
    state: FSMContext,
    bot: Bot,
    scheduler: Any = None,
) -> None:
    await state.clear()
    if not callback_data.f.isdigit():
        raise UserError("button-stale")
    days = await repo.settings.toggle_workday(team.id, int(callback_data.f))
    _poke(scheduler)
    await show(query, bot, t("settings-ask-workdays"), workdays_keyboard(days, t))


async def toggle_holidays(
    query: CallbackQuery,
    repo: Repo,
    team: Team,
    t: Texts,
    clock: Clock,
    state: FSMContext,
    callback_answer: CallbackAnswer,
    bot: Bot,
    scheduler: Any = None,
) -> None:
    await state.clear()
    country = await repo.settings.toggle_holidays(team.id)
    callback_answer.text = t.plain("settings-holidays-saved-on" if country else "settings-holidays-saved-off")
    _poke(scheduler)
    await show(query, bot, *await main_view(repo.settings, team, t, clock()))


async def pick_vacation_member(
    query: CallbackQuery, repo: Repo, team: Team, t: Texts, state: FSMContext, bot: Bot
) -> None:
    await state.clear()
    members = list(await repo.settings.members(team.id))
    markup = members_keyboard(members, SettingsAction.MEMBER_VACATIONS, t)
    await show(query, bot, t("settings-pick-vacation"), markup)


async def member_vacations(
    query: CallbackQuery,
    callback_data: SettingsCb,
    repo: Repo,
    team: Team,
    t: Texts,
    clock: Clock,
    state: FSMContext,
    bot: Bot,
) -> None:
    await state.clear()
    target = await repo.settings.member(team.id, callback_data.m)
    await show(query, bot, *await vacations_view(repo.settings, team.id, target, t, clock(), team.timezone))


async def ask_vacation(
    query: CallbackQuery,
    callback_data: SettingsCb,
    repo: Repo,
    team: Team,
    t: Texts,
    state: FSMContext,
    bot: Bot,
) -> None:
    target = await repo.settings.member(team.id, callback_data.m)
    await state.set_state(SettingsInput.vacation)
    await state.update_data(member_id=target.id)
    await show(query, bot, t("settings-ask-vacation", name=target.name), back_keyboard(t))


async def delete_vacation(
    query: CallbackQuery,
    callback_data: SettingsCb,
    repo: Repo,
    team: Team,
    t: Texts,
    clock: Clock,
    state: FSMContext,
    callback_answer: CallbackAnswer,
    bot: Bot,
    scheduler: Any = None,
) -> None:
    await state.clear()
    if not callback_data.f.isdigit():
        raise UserError("button-stale")
    settings = repo.settings
    target = await settings.member(team.id, callback_data.m)
    await settings.delete_vacation(team.id, int(callback_data.f))
    callback_answer.text = t.plain("settings-vacation-deleted")
    _poke(scheduler)
    await show(query, bot, *await vacations_view(settings, team.id, target, t, clock(), team.timezone))


# ---------------------------------------------------------------------- typed answers


async def typed_time(
    message: Message,
    repo: Repo,
    team: Team,
    t: Texts,
    clock: Clock,
    state: FSMContext,
    scheduler: Any = None,
) -> None:
    field = (await state.get_data()).get("field")
    if field not in TIME_FIELDS:
        await state.clear()
        raise UserError("button-stale")
    value = parse_time(message.text or "")
    times = {"morning": team.morning_at, "evening": team.evening_at, field: value}
    check_day_order(times["morning"], times["evening"])
    settings = repo.settings
    await settings.set_time(team.id, field, value)
    await state.clear()
    _poke(scheduler)
    done = t("settings-time-saved", what=t(f"settings-what-{field}"), time=_hhmm(value))
    text, markup = await main_view(settings, team, t, clock())
    await message.answer(f"{done}\n\n{text}", reply_markup=markup)


async def typed_zone(
    message: Message,
    repo: Repo,
    team: Team,
    t: Texts,
    clock: Clock,
    state: FSMContext,
    scheduler: Any = None,
) -> None:
    member_id = int((await state.get_data()).get("member_id") or NO_MEMBER)
    zone = resolve_zone(message.text or "")
    settings = repo.settings
    key, args = await _apply_zone(settings, team, member_id, zone)
    done = t(key, **args)
    await state.clear()
    _poke(scheduler)
    text, markup = await main_view(settings, team, t, clock())
    await message.answer(f"{done}\n\n{text}", reply_markup=markup)


async def typed_vacation(
    message: Message,
    repo: Repo,
    team: Team,
    t: Texts,
    clock: Clock,
    state: FSMContext,
    scheduler: Any = None,
) -> None:
    settings = repo.settings
    target = await settings.member(team.id, int((await state.get_data()).get("member_id") or 0))
    now = clock()
    today = now.astimezone(member_zone(team, target)).date()
    starts, ends = parse_vacation(message.text or "", today)
    await settings.add_vacation(team.id, target.id, starts, ends)
    await state.clear()
    _poke(scheduler)
    done = t("settings-vacation-saved", name=target.name, range=date_range(starts, ends))
    text, markup = await vacations_view(settings, team.id, target, t, now, team.timezone)
    await message.answer(f"{done}\n\n{text}", reply_markup=markup)


# ---------------------------------------------------------------------- router


def build_router() -> Router:
    router = role_router("settings", Role.HEAD)
    typed = TYPED
    router.message.register(show_settings, Command("settings"))
    router.message.register(typed_time, StateFilter(SettingsInput.time), *typed)
    router.message.register(typed_zone, StateFilter(SettingsInput.zone), *typed)
    router.message.register(typed_vacation, StateFilter(SettingsInput.vacation), *typed)
    on = router.callback_query.register
    on(main_menu, SettingsCb.filter(F.action == SettingsAction.MAIN))
    on(close, SettingsCb.filter(F.action == SettingsAction.CLOSE))
    on(ask_time, SettingsCb.filter(F.action == SettingsAction.TIME))
    on(ask_team_zone, SettingsCb.filter(F.action == SettingsAction.ZONE))
    on(pick_zone_member, SettingsCb.filter(F.action == SettingsAction.PICK_ZONE_MEMBER))
    on(ask_member_zone, SettingsCb.filter(F.action == SettingsAction.MEMBER_ZONE))
    on(set_zone, SettingsCb.filter(F.action == SettingsAction.SET_ZONE))
    on(show_workdays, SettingsCb.filter(F.action == SettingsAction.WORKDAYS))
    on(toggle_workday, SettingsCb.filter(F.action == SettingsAction.TOGGLE_WORKDAY))
    on(toggle_holidays, SettingsCb.filter(F.action == SettingsAction.HOLIDAYS))
    on(pick_vacation_member, SettingsCb.filter(F.action == SettingsAction.PICK_VACATION_MEMBER))
    on(member_vacations, SettingsCb.filter(F.action == SettingsAction.MEMBER_VACATIONS))
    on(ask_vacation, SettingsCb.filter(F.action == SettingsAction.ADD_VACATION))
    on(delete_vacation, SettingsCb.filter(F.action == SettingsAction.DELETE_VACATION))
    return router


async def _set_zone(settings: SettingsRepo, team: Team, member_id: int, choice: str) -> Said:
    if choice == TEAM_ZONE:
        if member_id == NO_MEMBER:
            raise UserError("button-stale")
        return await _apply_zone(settings, team, member_id, None)
    if not choice.isdigit() or int(choice) >= len(RU_ZONES):
        raise UserError("button-stale")
    return await _apply_zone(settings, team, member_id, RU_ZONES[int(choice)][0])


async def _apply_zone(settings: SettingsRepo, team: Team, member_id: int, zone: str | None) -> Said:
    """Set the team's zone, or a member's (None: as the team's); what to say about it."""
    if member_id == NO_MEMBER:
        assert zone is not None
        await settings.set_timezone(team.id, zone)
        return "settings-zone-saved", {"zone": zone}
    target = await settings.set_member_timezone(team.id, member_id, zone)
    if zone is None:
        return "settings-member-zone-reset", {"name": target.name}
    return "settings-member-zone-saved", {"name": target.name, "zone": zone}
