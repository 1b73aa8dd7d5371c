"""What the manager's day looks like in the chat: the day list, the evening report and tomorrow's plan,
as (HTML text, keyboard) pages. Pure rendering over what ``storage.day_repo`` read; no I/O here.

A view longer than one Telegram message is split into pages of at most ``PAGE_TASKS`` tasks and
``PAGE_CHARS`` characters, each page its own message with the buttons of its own tasks; a button carries
its view and page, so a press re-renders just that message. A task's status never moves it in the list
(``domain.ordering``), so the pages stay put while the day is marked.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from aiogram.types import InlineKeyboardMarkup

from bot.i18n import Html, Texts
from bot.keyboard import Keyboard
from domain import zones
from domain.enums import PlanStatus, TaskStatus
from domain.money import format_money
from domain.ordering import ClientItem, TaskItem
from domain.text import MESSAGE_LIMIT, split_message, utf16_len
from handlers.day_callbacks import (
    VIEW_REPORT,
    VIEW_TODAY,
    ClientAddTask,
    Mood,
    ReportAct,
    TaskAct,
    TaskMove,
    TaskReason,
)
from storage.day_repo import DayList, EveningReport
from storage.models import Member, Team

PAGE_TASKS = 12
PAGE_CHARS = 3300  # leaves room for a header and a footer under Telegram's 4,096
QUICK_REASONS = 4  # reason-1 … reason-4 in the locale files
OTHER_REASON = 9

STATUS_ICON = {
    TaskStatus.OPEN: "▫️",
    TaskStatus.DONE: "✅",
    TaskStatus.NOT_DONE: "❌",
    TaskStatus.CANCELLED: "🚫",
}


@dataclass(frozen=True)
class Page:
    text: str
    markup: InlineKeyboardMarkup | None = None


def member_zone(team: Team, member: Member) -> ZoneInfo:
    return zones.member_zone(team, member)


def local_date(now: datetime, team: Team, member: Member) -> date:
    return now.astimezone(member_zone(team, member)).date()


def fmt_date(d: date, t: Texts) -> str:
    return t("date-short", weekday=t(f"weekday-{d.weekday()}"), date=f"{d.day:02d}.{d.month:02d}")


def fmt_money(amount: Decimal) -> str:
    return format_money(amount)


def paginate(sizes: Sequence[int], max_chars: int = PAGE_CHARS, max_items: int = PAGE_TASKS) -> list[range]:
    """Consecutive ranges of items, each at most ``max_items`` long and ``max_chars`` in total (an item
    longer than ``max_chars`` alone still gets its own page). Always at least one page."""
    pages: list[range] = []
    start, used = 0, 0
    for i, size in enumerate(sizes):
        if i > start and (i - start >= max_items or used + size > max_chars):
            pages.append(range(start, i))
            start, used = i, 0
        used += size
    pages.append(range(start, len(sizes)))
    return pages


def task_line(n: int, item: TaskItem, today: date, frozen_clients: frozenset[int], t: Texts) -> str:
    marks = []
    if item.hot:
        marks.append("🔥")
    if item.frozen or (item.client_id is not None and item.client_id in frozen_clients):
        marks.append("🧊")
    due = ""
    if item.status is TaskStatus.OPEN and item.due < today:
        due = t("task-overdue-since", date=f"{item.due.day:02d}.{item.due.month:02d}")
    elif item.status is TaskStatus.OPEN and item.due > today:
        due = t("task-moved-to", date=fmt_date(item.due, t))
    return t(
        "task-line",
        n=n,
        icon=STATUS_ICON[item.status],
        client=item.client_name or t("task-no-client"),
        action=item.action,
        marks=(" " + " ".join(marks)) if marks else "",
        due=Html(due),
    )


def task_buttons(kb: Keyboard, n: int, task_id: int, view: str, page: int, t: Texts) -> None:
    for act in ("d", "n", "m", "c"):
        kb.button(
            text=t(f"btn-task-{act}", n=n), callback_data=TaskAct(a=act, task_id=task_id, v=view, p=page)
        )


def _pages_of(
    items: Sequence[TaskItem], today: date, frozen: frozenset[int], t: Texts, buttons_for: set[int], view: str
) -> list[tuple[str, InlineKeyboardMarkup | None]]:
    lines = [task_line(n, item, today, frozen, t) for n, item in enumerate(items, 1)]
    result = []
    for p, rng in enumerate(paginate([utf16_len(line) + 1 for line in lines])):
        kb = Keyboard()
        rows = 0
        for i in rng:
            if items[i].task_id in buttons_for:
                task_buttons(kb, i + 1, items[i].task_id, view, p, t)
                rows += 1
        kb.adjust(*([4] * rows))
        result.append(("\n".join(lines[i] for i in rng), kb.as_markup() if rows else None))
    return result


def fit(text: str) -> list[str]:
    """The text as messages: itself when it fits in one (the usual case, and splitting costs), else split."""
    return [text] if utf16_len(text) <= MESSAGE_LIMIT else split_message(text)


def render_today(day: DayList, t: Texts) -> list[Page]:
    """The day list: header, tasks with their buttons, then clients with no open task."""
    open_ids = {i.task_id for i in day.tasks if i.status is TaskStatus.OPEN and i.due <= day.day}
    overdue = sum(1 for i in day.tasks if i.status is TaskStatus.OPEN and i.due < day.day)
    header = t("today-title", date=fmt_date(day.day, t), open=len(open_ids), overdue=overdue)
    if not day.tasks:
        header = t("today-empty", date=fmt_date(day.day, t))
    chunks = _pages_of(day.tasks, day.day, day.frozen_clients, t, open_ids, VIEW_TODAY) if day.tasks else []
    pages = []
    total = len(chunks)
    for p, (body, markup) in enumerate(chunks):
        head = header if p == 0 else t("page-continued", page=p + 1, pages=total)
        parts = [head, body]
        if p == total - 1 and open_ids:
            parts.append(t("today-legend"))
        pages.append(Page("\n\n".join(parts), markup))
    if not pages:
        pages.append(Page(header))
    if day.idle_clients:
        pages.extend(Page(text) for text in fit(idle_text(day.idle_clients, t)))
    return pages


def idle_text(clients: Sequence[ClientItem], t: Texts) -> str:
    lines = [t("idle-title", count=len(clients))]
    lines += [
        t("idle-line", name=c.name, stage=t(f"stage-{c.stage}"), hot=" 🔥" if c.hot else "") for c in clients
    ]
    lines.append(t("idle-hint"))
    return "\n".join(lines)


def render_today_page(day: DayList, t: Texts, page: int) -> Page | None:
    """One page of the day list (after a press on it), or None when the list no longer has that page."""
    pages = render_today(day, t)  # the task pages come first, in order
    return pages[page] if page < len(pages) else None


def render_report(rep: EveningReport, t: Texts) -> list[Page]:
    """The evening: plan-vs-fact of the day, what still needs a verdict, leads, deals."""
    f = rep.fact
    percent = "—" if f.percent is None else f"{f.percent}%"
    header = t("report-title", date=fmt_date(rep.day, t), done=f.done, planned=f.planned, percent=percent)
    counts = t("report-counts", not_done=f.not_done, moved=f.moved, cancelled=f.cancelled, open=f.open)
    missing = set(rep.missing)
    chunks = _pages_of(rep.tasks, rep.day, rep.frozen_clients, t, missing, VIEW_REPORT) if rep.tasks else []
    pages = []
    for p, (body, markup) in enumerate(chunks):
        head = f"{header}\n{counts}" if p == 0 else t("page-continued", page=p + 1, pages=len(chunks))
        parts = [head, body]
        if p == len(chunks) - 1:
            parts.append(t("report-missing", count=len(missing)) if missing else t("report-all-marked"))
        pages.append(Page("\n\n".join(parts), markup))
    if not pages:
        pages.append(Page(f"{header}\n{t('report-nothing-planned')}"))
    extra = []
    kb = Keyboard()
    if rep.leads:
        extra.append(t("report-leads-title", count=len(rep.leads)))
        for lead in rep.leads:
            key = "report-lead-line" if lead.has_next_task else "report-lead-line-missing"
            extra.append(t(key, name=lead.client_name, source=lead.source or "—"))
            if not lead.has_next_task:
                kb.button(
                    text=t("btn-lead-task", name=lead.client_name[:40]),
                    callback_data=ClientAddTask(client_id=lead.client_id, due=rep.day.strftime("%Y%m%d")),
                )
    if rep.deals:
        total = sum((d.amount for d in rep.deals), Decimal(0))
        extra.append(t("report-deals-title", count=len(rep.deals), total=fmt_money(total)))
        extra += [t("report-deal-line", name=d.client_name, amount=fmt_money(d.amount)) for d in rep.deals]
    if extra:
        kb.adjust(1)
        for i, text in enumerate(fit("\n".join(extra))):
            pages.append(Page(text, kb.as_markup() if i == 0 and list(kb.buttons) else None))
    pages.append(render_plan(rep, t))
    return pages


def render_plan(rep: EveningReport, t: Texts) -> Page:
    """Tomorrow's plan: its tasks, add and submit buttons, and the optional mood mark."""
    lines = [t("plan-title", date=fmt_date(rep.tomorrow, t))]
    if rep.tomorrow_tasks:
        lines += [
            task_line(n, item, rep.tomorrow, rep.frozen_clients, t)
            for n, item in enumerate(rep.tomorrow_tasks, 1)
        ]
    else:
        lines.append(t("plan-empty"))
    status = rep.plan.status if rep.plan else PlanStatus.DRAFT
    submitted = rep.report is not None and rep.report.submitted_at is not None
    if status in (PlanStatus.APPROVED, PlanStatus.AUTO_APPROVED):
        lines.append(t("plan-approved"))
    elif status is PlanStatus.SUBMITTED:
        lines.append(t("plan-submitted"))
    elif status is PlanStatus.RETURNED:
        lines.append(t("plan-returned", comment=(rep.plan.comment if rep.plan else "") or "—"))
    else:
        lines.append(t("plan-hint"))
    mood = rep.report.mood if rep.report else None
    lines.append(t("mood-ask") if mood is None else t("mood-set", value=mood))
    kb = Keyboard()
    kb.button(text=t("btn-plan-add"), callback_data=ReportAct(a="add"))
    if not submitted or status is PlanStatus.RETURNED:
        kb.button(text=t("btn-plan-send"), callback_data=ReportAct(a="send"))
    for value in range(1, 6):
        kb.button(text=("●" if mood == value else "") + str(value), callback_data=Mood(value=value))
    kb.adjust(2 if not submitted or status is PlanStatus.RETURNED else 1, 5)
    text = "\n".join(lines)
    return Page(split_message(text)[0] if utf16_len(text) > 4000 else text, kb.as_markup())


def reasons_keyboard(task_id: int, view: str, page: int, t: Texts) -> InlineKeyboardMarkup:
    kb = Keyboard()
    for code in range(1, QUICK_REASONS + 1):
        kb.button(
            text=t(f"reason-{code}"), callback_data=TaskReason(task_id=task_id, code=code, v=view, p=page)
        )
    kb.button(
        text=t("reason-other"), callback_data=TaskReason(task_id=task_id, code=OTHER_REASON, v=view, p=page)
    )
    kb.button(text=t("btn-back"), callback_data=TaskAct(a="b", task_id=task_id, v=view, p=page))
    kb.adjust(2, 2, 2)
    return kb.as_markup()


def move_keyboard(task_id: int, days: Sequence[date], view: str, page: int, t: Texts) -> InlineKeyboardMarkup:
    kb = Keyboard()
    for d in days:
        kb.button(
            text=fmt_date(d, t),
            callback_data=TaskMove(task_id=task_id, to=d.strftime("%Y%m%d"), v=view, p=page),
        )
    kb.button(text=t("btn-other-date"), callback_data=TaskMove(task_id=task_id, to="x", v=view, p=page))
    kb.button(text=t("btn-back"), callback_data=TaskAct(a="b", task_id=task_id, v=view, p=page))
    kb.adjust(2, 2, 2)
    return kb.as_markup()


def cancel_keyboard(task_id: int, view: str, page: int, t: Texts) -> InlineKeyboardMarkup:
    kb = Keyboard()
    kb.button(text=t("btn-cancel-task"), callback_data=TaskAct(a="y", task_id=task_id, v=view, p=page))
    kb.button(text=t("btn-back"), callback_data=TaskAct(a="b", task_id=task_id, v=view, p=page))
    return kb.as_markup()
