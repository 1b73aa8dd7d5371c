"""/settings (head): the team's send times, time zone, working days and holiday calendar; a member's
vacation and time zone. One message is edited in place; typed answers (a time, a zone, vacation dates)
come through FSM states, and a mistake gets a polite explanation and changes nothing. Every change counts
at the scheduler's next tick, which it triggers at once."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from aiogram import F, Router
from aiogram.exceptions import TelegramBadRequest
from aiogram.filters import Command, StateFilter
from aiogram.filters.callback_data import CallbackData
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.callback_answer import CallbackAnswer

from bot.clock import Clock
from bot.filters import RoleFilter
from bot.i18n import Texts
from bot.keyboard import Keyboard
from domain.calendar import parse_workdays
from domain.enums import Role
from domain.errors import UserError
from domain.settings_input import RU_ZONES, parse_time, parse_vacation, resolve_zone
from domain.zones import member_zone, team_zone, zone_for
from storage.models import Member, Team
from storage.repo import Repo
from storage.settings_repo import TIME_FIELDS, SettingsRepo, date_range

NO_MEMBER = 0
TEAM_ZONE = "-"


class SettingsCb(CallbackData, prefix="st"):
    """``a``: the action; ``f``: its argument (a field, a weekday, a zone's index, a vacation id);
    ``m``: a member id (0: none, or the team)."""

    a: str
    f: str = ""
    m: int = NO_MEMBER


class SettingsInput(StatesGroup):
    time = State()  # data: field
    zone = State()  # data: member_id (0: the team)
    vacation = State()  # data: member_id


def _button(kb: Keyboard, text: str, a: str, f: str = "", m: int = NO_MEMBER) -> None:
    kb.button(text=text, callback_data=SettingsCb(a=a, f=f, m=m))


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
    kb = Keyboard()
    for field, column in TIME_FIELDS.items():
        _button(kb, t(f"settings-btn-{field}", time=_hhmm(getattr(team, column))), "t", field)
    _button(kb, t("settings-btn-zone"), "z")
    _button(kb, t("settings-btn-workdays"), "w")
    _button(kb, t("settings-btn-holidays-on" if team.holiday_country else "settings-btn-holidays-off"), "h")
    _button(kb, t("settings-btn-vacation"), "vm")
    _button(kb, t("settings-btn-member-zone"), "zm")
    _button(kb, t("settings-btn-close"), "x")
    kb.adjust(2, 2, 2, 1, 2, 1)
    return "\n".join(lines), kb.as_markup()


def back_keyboard(t: Texts) -> InlineKeyboardMarkup:
    kb = Keyboard()
    _button(kb, t("settings-btn-back"), "v")
    return kb.as_markup()


def zone_keyboard(t: Texts, member_id: int) -> InlineKeyboardMarkup:
    kb = Keyboard()
    for i, (_, ru, en, ahead) in enumerate(RU_ZONES):
        offset = t("settings-msk") if ahead == 0 else t("settings-msk-offset", hours=f"{ahead:+d}")
        _button(
            kb,
            t("settings-zone-button", city=ru if t.locale == "ru" else en, offset=offset),
            "zs",
            str(i),
            member_id,
        )
    if member_id != NO_MEMBER:
        _button(kb, t("settings-btn-team-zone"), "zs", TEAM_ZONE, member_id)
    _button(kb, t("settings-btn-back"), "v")
    kb.adjust(2)
    return kb.as_markup()


def workdays_keyboard(days: frozenset[int], t: Texts) -> InlineKeyboardMarkup:
    kb = Keyboard()
    for d in range(1, 8):
        mark = "✅" if d in days else "▫️"
        _button(kb, f"{mark} {t(f'settings-wd-{d}')}", "wt", str(d))
    _button(kb, t("settings-btn-back"), "v")
    kb.adjust(4, 3, 1)
    return kb.as_markup()


def members_keyboard(members: list[Member], action: str, t: Texts) -> InlineKeyboardMarkup:
    kb = Keyboard()
    for m in members:
        _button(kb, m.name, action, m=m.id)
    _button(kb, t("settings-btn-back"), "v")
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
    kb = Keyboard()
    for v in vacations:
        span = date_range(v.starts, v.ends)
        lines.append(t("settings-vacation-line", name=member.name, range=span))
        _button(kb, t("settings-btn-delete-vacation", range=span), "vd", str(v.id), member.id)
    _button(kb, t("settings-btn-add-vacation"), "va", m=member.id)
    _button(kb, t("settings-btn-back"), "vm")
    kb.adjust(1)
    return "\n".join(lines), kb.as_markup()


async def _edit(query: CallbackQuery, text: str, markup: InlineKeyboardMarkup | None) -> None:
    if query.message is None:
        return
    try:
        await query.message.edit_text(text, reply_markup=markup)
    except TelegramBadRequest as exc:
        if "not modified" not in str(exc):
            raise


def _poke(scheduler: Any) -> None:
    if scheduler is not None:
        scheduler.poke()


# ---------------------------------------------------------------------- router


def build_router() -> Router:
    router = Router(name="settings")
    router.message.filter(RoleFilter(Role.HEAD))
    router.callback_query.filter(RoleFilter(Role.HEAD))

    @router.message(Command("settings"))
    async def show(
        message: Message, repo: Repo, team: Team, t: Texts, clock: Clock, state: FSMContext
    ) -> None:
        await state.clear()
        text, markup = await main_view(SettingsRepo(repo.session), team, t, clock())
        await message.answer(text, reply_markup=markup)

    @router.callback_query(SettingsCb.filter())
    async def act(
        query: CallbackQuery,
        callback_data: SettingsCb,
        repo: Repo,
        team: Team,
        t: Texts,
        clock: Clock,
        state: FSMContext,
        callback_answer: CallbackAnswer,
        scheduler: Any = None,
    ) -> None:
        settings = SettingsRepo(repo.session)
        a, f, m = callback_data.a, callback_data.f, callback_data.m
        now = clock()
        if a not in {"t", "z", "va", "zp"}:
            await state.clear()
        if a == "v":
            await _edit(query, *await main_view(settings, team, t, now))
        elif a == "x":
            await _edit(query, t("settings-closed"), None)
        elif a == "t":
            if f not in TIME_FIELDS:
                raise UserError("button-stale")
            current = getattr(await settings.team(team.id), TIME_FIELDS[f])
            await state.set_state(SettingsInput.time)
            await state.update_data(field=f)
            prompt = t("settings-ask-time", what=t(f"settings-what-{f}"), time=_hhmm(current))
            await _edit(query, prompt, back_keyboard(t))
        elif a == "z":
            await state.set_state(SettingsInput.zone)
            await state.update_data(member_id=NO_MEMBER)
            await _edit(query, t("settings-ask-zone"), zone_keyboard(t, NO_MEMBER))
        elif a == "zm":
            members = list(await settings.members(team.id))
            await _edit(query, t("settings-pick-zone"), members_keyboard(members, "zp", t))
        elif a == "zp":
            target = await settings.member(team.id, m)
            await state.set_state(SettingsInput.zone)
            await state.update_data(member_id=target.id)
            await _edit(query, t("settings-ask-member-zone", name=target.name), zone_keyboard(t, target.id))
        elif a == "zs":
            done = await _set_zone(settings, team, m, f, t)
            callback_answer.text = done
            _poke(scheduler)
            text, markup = await main_view(settings, team, t, now)
            await _edit(query, f"{done}\n\n{text}", markup)
        elif a == "w":
            days = parse_workdays((await settings.team(team.id)).workdays)
            await _edit(query, t("settings-ask-workdays"), workdays_keyboard(days, t))
        elif a == "wt":
            if not f.isdigit():
                raise UserError("button-stale")
            days = await settings.toggle_workday(team.id, int(f))
            _poke(scheduler)
            await _edit(query, t("settings-ask-workdays"), workdays_keyboard(days, t))
        elif a == "h":
            country = await settings.toggle_holidays(team.id)
            callback_answer.text = t(
                "settings-holidays-saved-on" if country else "settings-holidays-saved-off"
            )
            _poke(scheduler)
            await _edit(query, *await main_view(settings, team, t, now))
        elif a == "vm":
            members = list(await settings.members(team.id))
            await _edit(query, t("settings-pick-vacation"), members_keyboard(members, "vp", t))
        elif a == "vp":
            target = await settings.member(team.id, m)
            await _edit(query, *await vacations_view(settings, team.id, target, t, now, team.timezone))
        elif a == "va":
            target = await settings.member(team.id, m)
            await state.set_state(SettingsInput.vacation)
            await state.update_data(member_id=target.id)
            await _edit(query, t("settings-ask-vacation", name=target.name), back_keyboard(t))
        elif a == "vd":
            if not f.isdigit():
                raise UserError("button-stale")
            target = await settings.member(team.id, m)
            await settings.delete_vacation(team.id, int(f))
            callback_answer.text = t("settings-vacation-deleted")
            _poke(scheduler)
            await _edit(query, *await vacations_view(settings, team.id, target, t, now, team.timezone))
        else:
            raise UserError("button-stale")

    @router.message(StateFilter(SettingsInput.time), F.text, ~F.text.startswith("/"))
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
        settings = SettingsRepo(repo.session)
        await settings.set_time(team.id, field, value)
        await state.clear()
        _poke(scheduler)
        done = t("settings-time-saved", what=t(f"settings-what-{field}"), time=_hhmm(value))
        text, markup = await main_view(settings, team, t, clock())
        await message.answer(f"{done}\n\n{text}", reply_markup=markup)

    @router.message(StateFilter(SettingsInput.zone), F.text, ~F.text.startswith("/"))
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
        settings = SettingsRepo(repo.session)
        done = await _apply_zone(settings, team, member_id, zone, t)
        await state.clear()
        _poke(scheduler)
        text, markup = await main_view(settings, team, t, clock())
        await message.answer(f"{done}\n\n{text}", reply_markup=markup)

    @router.message(StateFilter(SettingsInput.vacation), F.text, ~F.text.startswith("/"))
    async def typed_vacation(
        message: Message,
        repo: Repo,
        team: Team,
        t: Texts,
        clock: Clock,
        state: FSMContext,
        scheduler: Any = None,
    ) -> None:
        settings = SettingsRepo(repo.session)
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

    return router


async def _set_zone(settings: SettingsRepo, team: Team, member_id: int, choice: str, t: Texts) -> str:
    if choice == TEAM_ZONE:
        if member_id == NO_MEMBER:
            raise UserError("button-stale")
        return await _apply_zone(settings, team, member_id, None, t)
    if not choice.isdigit() or int(choice) >= len(RU_ZONES):
        raise UserError("button-stale")
    return await _apply_zone(settings, team, member_id, RU_ZONES[int(choice)][0], t)


async def _apply_zone(settings: SettingsRepo, team: Team, member_id: int, zone: str | None, t: Texts) -> str:
    if member_id == NO_MEMBER:
        assert zone is not None
        await settings.set_timezone(team.id, zone)
        return t("settings-zone-saved", zone=zone)
    target = await settings.set_member_timezone(team.id, member_id, zone)
    if zone is None:
        return t("settings-member-zone-reset", name=target.name)
    return t("settings-member-zone-saved", name=target.name, zone=zone)
