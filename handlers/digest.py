"""The head's digests: the morning one at the team's morning time, the evening one at the digest time
(numbers from ``domain.digest``, rendered here), ``/digest`` [утро] on demand, and the one-tap reminder to
a manager who has not reported (🔔 under the evening digest: the manager gets their evening report)."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from aiogram import Router
from aiogram.filters import Command, CommandObject
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.callback_answer import CallbackAnswer

from bot.context import Ctx
from bot.i18n import Html, Texts
from bot.keyboard import Keyboard
from domain.calendar import WorkCalendar
from domain.digest import (
    FALL_DAYS,
    SHARE_WINDOW_DAYS,
    Count,
    EveningDigest,
    MorningDigest,
    VagueTask,
    evening_digest,
    morning_digest,
)
from domain.enums import PlanStatus, Role
from domain.errors import UserError
from domain.gender import grammatical_gender
from domain.hot import HotItem
from handlers.day import Day
from handlers.day_views import abnormal_text, fmt_date, fmt_money, local_date
from handlers.head_callbacks import Nudge
from handlers.head_common import HEAD, answer_split, fact_args, percent_text, tell
from handlers.routing import role_router
from scheduler.compose import ComposeContext, Outgoing
from storage.models import Member, Team
from storage.repo import Repo

NAMES_SHOWN = 5  # names per manager in a list line; the rest are counted
MORNING_WORDS = frozenset({"утро", "утренняя", "morning", "am"})


def _names(names: tuple[str, ...] | list[str], t: Texts) -> str:
    shown = ", ".join(names[:NAMES_SHOWN])
    rest = len(names) - NAMES_SHOWN
    return shown + (t("dg-more", count=rest) if rest > 0 else "")


def _short(d: date) -> str:
    return f"{d.day:02d}.{d.month:02d}"


def hot_line(item: HotItem, today: date, t: Texts) -> str:
    when = t("dg-hot-today") if item.next_date == today else t("dg-hot-overdue", date=_short(item.next_date))
    if item.next_date > today:
        when = fmt_date(item.next_date, t)
    return t("dg-hot-line", client=item.client, owner=item.owner, step=item.step, when=when)


def render_morning(dg: MorningDigest, today: date, t: Texts) -> str:
    parts = [t("dg-morning-title", date=fmt_date(today, t))]
    if dg.overdue:
        lines = [t("dg-overdue-title", count=dg.overdue_total)]
        lines += [t("dg-count-line", count=c.count, name=c.name) for c in dg.overdue]
        parts.append("\n".join(lines))
    else:
        parts.append(t("dg-overdue-none"))
    if dg.idle:
        lines = [t("dg-idle-title", count=dg.idle_total)]
        lines += [
            t("dg-count-names-line", count=c.count, name=c.name, names=_names(c.names, t)) for c in dg.idle
        ]
        parts.append("\n".join(lines))
    if dg.hot_due:
        lines = [t("dg-hot-title", count=len(dg.hot_due))]
        lines += [hot_line(h, today, t) for h in dg.hot_due]
        parts.append("\n".join(lines))
    if dg.not_reported:
        names = ", ".join(c.name for c in dg.not_reported)
        day = dg.reported_day
        if day is None or day == today - timedelta(days=1):
            parts.append(t("dg-yesterday-missing", names=names))
        else:  # Friday's reports, read on Monday: name the day
            parts.append(t("dg-day-missing", weekday=day.isoweekday(), date=_short(day), names=names))
    if dg.not_actions:
        parts.append(not_actions_text(dg.not_actions, t))
    if dg.abnormal:
        parts.append(abnormal_text(dg.abnormal, t))
    return "\n\n".join(parts)


def not_actions_text(counts: list[Count], t: Texts) -> str:
    """Vague CRM tasks per manager, with the wordings to fix (``domain.digest.not_actions``)."""
    lines = [t("dg-not-action-title", count=sum(c.count for c in counts))]
    for c in counts:
        wordings = tuple(t("dg-not-action-wording", action=a[:60]) for a in c.names)
        # each wording is escaped by its own line; the list goes in as it is
        lines.append(t("dg-count-names-line", count=c.count, name=c.name, names=Html(_names(wordings, t))))
    lines.append(t("dg-not-action-hint"))
    return "\n".join(lines)


def render_evening(dg: EveningDigest, today: date, waiting: int, t: Texts) -> str:
    team = dg.team
    parts = [
        t("dg-evening-title", date=fmt_date(today, t))
        + "\n"
        + t(
            "dg-team-line",
            **fact_args(team),
            overdue=dg.overdue_total,
            leads=dg.leads_total,
            deals=dg.deals_total,
            revenue=fmt_money(dg.revenue_total),
        )
    ]
    if dg.rows:
        rows = []
        for m in dg.rows:
            line = t(
                "dg-manager-line",
                name=m.name,
                **fact_args(m.fact),
                overdue=m.overdue,
                leads=m.leads,
                deals=m.deals,
            )
            if m.deals:
                line += t("dg-manager-revenue", revenue=fmt_money(m.revenue))
            if not m.working:
                line += t("dg-manager-off")
            rows.append(line)
        parts.append("\n".join(rows))
    if dg.not_reported:
        parts.append(t("dg-not-reported", names=", ".join(c.name for c in dg.not_reported)))
    elif dg.rows:
        parts.append(t("dg-all-reported"))
    if dg.frozen:
        lines = [t("dg-frozen-title")]
        for f in dg.frozen:
            if f.tasks:
                lines.append(t("dg-frozen-tasks", name=f.name, count=len(f.tasks), items=_names(f.tasks, t)))
            if f.clients:
                lines.append(
                    t("dg-frozen-clients", name=f.name, count=len(f.clients), items=_names(f.clients, t))
                )
        parts.append("\n".join(lines))
    if dg.falling:
        lines = [t("dg-falling-title", days=FALL_DAYS)]
        for fall in dg.falling:
            if fall.percents:
                run = " → ".join(f"{v}%" for v in fall.percents)
                lines.append(t("dg-falling-percent", name=fall.name, run=run))
            if fall.moods:
                lines.append(t("dg-falling-mood", name=fall.name, run=" → ".join(str(v) for v in fall.moods)))
        lines.append(t("dg-falling-hint"))
        parts.append("\n".join(lines))
    if dg.head_share is not None:
        s = dg.head_share
        parts.append(
            t(
                "dg-head-share",
                own=s.own,
                total=s.total,
                percent=percent_text(s.percent),
                days=SHARE_WINDOW_DAYS,
            )
        )
    if dg.not_actions:
        parts.append(not_actions_text(dg.not_actions, t))
    if dg.abnormal:
        parts.append(abnormal_text(dg.abnormal, t))
    if waiting:
        parts.append(t("dg-plans-waiting", count=waiting))
    return "\n\n".join(parts)


def nudge_keyboard(dg: EveningDigest, t: Texts) -> InlineKeyboardMarkup | None:
    if not dg.not_reported:
        return None
    label = t.plain
    kb = Keyboard()
    for c in dg.not_reported[:40]:
        kb.button(text=label("btn-dg-nudge", name=c.name[:40]), callback_data=Nudge(member_id=c.member_id))
    kb.adjust(2)
    return kb.as_markup()


async def vague_tasks(repo: Repo, team: Team, managers: list[Member], today: date) -> list[VagueTask]:
    """The managers' open CRM tasks due by today whose wording names no action."""
    names = {m.id: m.name for m in managers}
    return [
        VagueTask(member_id, names[member_id], action, client, problem)
        for member_id, action, client, problem in await repo.crm.vague_open(team.id, today)
        if member_id in names
    ]


async def build_morning(repo: Repo, team: Team, today: date, now: datetime) -> MorningDigest | None:
    heads = repo.heads
    await heads.settle(team, now)  # a late plan is approved before the day starts
    managers = await heads.members(team.id, Role.MANAGER)
    if not managers:
        return None
    facts = await heads.morning_facts(team, managers, today)
    previous = WorkCalendar.from_db(team.workdays, team.holiday_country).previous_working_day(today)
    vague = await vague_tasks(repo, team, managers, today)
    return morning_digest(facts, await heads.hot_items(team), today, previous, vague)


async def build_evening(
    repo: Repo, team: Team, head: Member, today: date
) -> tuple[EveningDigest, int] | None:
    heads = repo.heads
    managers = await heads.members(team.id, Role.MANAGER)
    if not managers:
        return None
    facts = await heads.evening_facts(team, managers, today)
    history = await heads.history(team, managers, today, FALL_DAYS + 1)
    frozen = await heads.frozen_facts(team.id, managers)
    share = await heads.head_share(team.id, head, today)
    waiting = len(await heads.plans(team.id, (PlanStatus.SUBMITTED,)))
    vague = await vague_tasks(repo, team, managers, today)
    return evening_digest(facts, history, frozen, share, vague), waiting


async def compose_morning_digest(ctx: ComposeContext) -> list[Outgoing]:
    dg = await build_morning(ctx.repo, ctx.team, ctx.local_date, ctx.clock())
    if dg is None:
        return []
    return [Outgoing(render_morning(dg, ctx.local_date, ctx.t))]


async def compose_evening_digest(ctx: ComposeContext) -> list[Outgoing]:
    built = await build_evening(ctx.repo, ctx.team, ctx.member, ctx.local_date)
    if built is None:
        return []
    dg, waiting = built
    return [Outgoing(render_evening(dg, ctx.local_date, waiting, ctx.t), nudge_keyboard(dg, ctx.t))]


async def digest(message: Message, command: CommandObject, ctx: Ctx) -> None:
    now = ctx.now()
    today = local_date(now, ctx.team, ctx.member)
    if (command.args or "").strip().lower() in MORNING_WORDS:
        morning = await build_morning(ctx.repo, ctx.team, today, now)
        if morning is None:
            raise UserError("no-managers")
        await answer_split(message, render_morning(morning, today, ctx.t))
        return
    built = await build_evening(ctx.repo, ctx.team, ctx.member, today)
    if built is None:
        raise UserError("no-managers")
    evening, waiting = built
    await answer_split(
        message, render_evening(evening, today, waiting, ctx.t), nudge_keyboard(evening, ctx.t)
    )


async def nudge(
    query: CallbackQuery, callback_data: Nudge, ctx: Ctx, callback_answer: CallbackAnswer
) -> None:
    """🔔: the manager gets the head's reminder and their evening report, unless they already reported."""
    manager = await ctx.repo.heads.manager(ctx.team.id, callback_data.member_id)
    answer = ctx.t.plain  # a pop-up is plain text
    day = Day(ctx.repo, ctx.team, manager, ctx.clock)
    report = await day.days.report(manager, day.today)
    if report is not None and report.submitted_at is not None:
        callback_answer.text = answer(
            "dg-nudge-already", name=manager.name, gender=grammatical_gender(manager.name)
        )
        return
    mt = ctx.translator.get(manager.locale)
    pages = await day.view("r", mt)
    delivered = await tell(ctx.bot, manager, mt("dg-nudge-text", head=ctx.member.name))
    for page in pages if delivered else []:
        await tell(ctx.bot, manager, page.text, page.markup)
    callback_answer.text = (
        answer("dg-nudge-sent", name=manager.name)
        if delivered
        else answer("appr-not-delivered", name=manager.name, gender=grammatical_gender(manager.name))
    )
    callback_answer.show_alert = not delivered


def build_router() -> Router:
    router = role_router("digest", *HEAD)
    router.message.register(digest, Command("digest"))
    router.callback_query.register(nudge, Nudge.filter())
    return router
