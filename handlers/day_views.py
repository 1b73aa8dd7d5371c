"""What the manager's day looks like in the chat: the day list, the evening report and tomorrow's plan,
as (HTML text, keyboard) pages. Pure rendering over what ``storage.day_repo`` read; no I/O here.

A list is ONE message whatever its length: one page of at most ``PAGE_TASKS`` tasks and ``PAGE_CHARS``
characters with the buttons of its tasks, then a summary of the rest (how many, how many overdue) and
◀ ▶ buttons that show another page in the same message. A task button carries its view and page, so a
press re-renders that page. A task's status never moves it in the list (``domain.ordering``), so the pages
stay put while the day is marked. Lists of names (idle clients, leads, deals, tomorrow's plan) show the
first ``NAMES_SHOWN`` and count the rest.

Escaping: every text goes through ``Texts``, which HTML-escapes its string arguments exactly once; button
labels and toasts are plain text for Telegram, so they are formatted with ``label`` (no escaping).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache
from zoneinfo import ZoneInfo

from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

from bot.i18n import Html, Texts, Translator
from bot.keyboard import Keyboard
from domain import zones
from domain.calendar import MemberCalendar, WorkCalendar
from domain.digest import Count
from domain.enums import PlanStatus, TaskStatus
from domain.money import format_money
from domain.ordering import ClientItem, TaskItem
from domain.text import MESSAGE_LIMIT, split_message, utf16_len
from handlers.day_callbacks import (
    ClientAddTask,
    ListPage,
    Mood,
    ReportAct,
    ReportAction,
    TaskAct,
    TaskAction,
    TaskMove,
    TaskReason,
    View,
    pack_task_act,
    task_version,
)
from storage.day_repo import DayList, EveningReport
from storage.models import Member, Team

PAGE_TASKS = 12
PAGE_CHARS = 3300  # leaves room for a header and a footer under Telegram's 4,096
QUICK_REASONS = 4  # reason-1 … reason-4 in the locale files
NAMES_SHOWN = 20  # idle clients, leads, deals, tomorrow's tasks named in one message
TASK_ROWS_KEPT = 1024  # memoised rows of task buttons (``task_row``): about 4.6 kB each, 85 lists of 12

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


def day_off_offer(
    calendar: WorkCalendar | MemberCalendar, typed: date, key: str, t: Texts
) -> tuple[str, list[date]] | None:
    """A typed date on a day off (a Friday's «завтра») is questioned, not taken: the ``key`` text naming
    it and the next working day, and the days to offer (that working day, then the typed day after all).
    None when ``typed`` is a working day."""
    if calendar.is_working_day(typed):
        return None
    working = calendar.next_working_day(typed)
    return t(key, date=fmt_date(typed, t), next=fmt_date(working, t)), [working, typed]


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


def task_line(
    n: int, item: TaskItem, today: date, frozen_clients: frozenset[int], t: Texts, vague: str | None = None
) -> str:
    """One task of a list; ``vague``: the problem with a CRM task's wording (``crm_links.vague``), shown
    as ⚠️ and a hint while the task is open."""
    marks = []
    vague = vague if item.status is TaskStatus.OPEN else None
    if vague:
        marks.append("⚠️")
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
        due=Html(due + (t("task-vague", problem=vague) if vague else "")),
    )


def task_buttons(kb: Keyboard, n: int, item: TaskItem, view: View, page: int, t: Texts) -> None:
    kb.add(*task_row(t.translator, t.locale, t.html, n, item.task_id, view, page, task_version(item.moves)))


@lru_cache(maxsize=TASK_ROWS_KEPT)
def task_row(
    translator: Translator, locale: str, html: bool, n: int, task_id: int, view: View, page: int, ver: int
) -> tuple[InlineKeyboardButton, ...]:
    """The four buttons of task ``n`` of a list: a pure memo (the same arguments make the same buttons,
    frozen models; nothing is read from the database). A list is drawn again at every mark, with the
    same buttons on every task but the marked one: four labels, four packed datas and four validated
    models a task cost more than the rest of the page."""
    t = translator.get(locale, html=html)
    return tuple(
        InlineKeyboardButton(
            text=t(f"btn-task-{act}", n=n),
            callback_data=pack_task_act(act, task_id, view, page, ver),  # TaskAct(...).pack()
        )
        for act in (TaskAction.DONE, TaskAction.NOT_DONE, TaskAction.MOVE, TaskAction.CANCEL)
    )


@dataclass(frozen=True)
class ListPart:
    """One page of a list: its text, the keyboard of its tasks and paging, and what is left out."""

    body: str
    markup: InlineKeyboardMarkup | None
    page: int  # the page shown (the last one when the asked one no longer exists)
    first: int  # 1-based number of its first task
    last: int
    after: int  # tasks after this page
    after_overdue: int  # of them, open and overdue


def _page_ranges(lines: Iterator[str]) -> Iterator[range]:
    """Consecutive pages over the lines as ``paginate`` cuts them, computed lazily: page ``p`` costs the
    lines up to it, not the whole list (a list may hold thousands of tasks). At least one page."""
    start, used, n = 0, 0, 0
    for i, line in enumerate(lines):
        size = utf16_len(line) + 1
        if i > start and (i - start >= PAGE_TASKS or used + size > PAGE_CHARS):
            yield range(start, i)
            start, used = i, 0
        used += size
        n = i + 1
    yield range(start, n)


def list_part(
    items: Sequence[TaskItem],
    today: date,
    frozen: frozenset[int],
    t: Texts,
    buttons_for: set[int],
    view: View,
    page: int,
    vague: Mapping[int, str] | None = None,
) -> ListPart:
    """Page ``page`` of the list (the last page if the list is shorter now), with the buttons of the
    tasks in ``buttons_for`` and ◀ ▶ when there is more."""
    lines: list[str] = []

    def render() -> Iterator[str]:
        for n, item in enumerate(items, 1):
            lines.append(task_line(n, item, today, frozen, t, (vague or {}).get(item.task_id)))
            yield lines[-1]

    chosen = range(0)
    number = 0
    for number, rng in enumerate(_page_ranges(render())):
        chosen = rng
        if number >= page:
            break
    page = number
    kb = Keyboard()
    rows = 0
    for i in chosen:
        if items[i].task_id in buttons_for:
            task_buttons(kb, i + 1, items[i], view, page, t)
            rows += 1
    after = len(items) - chosen.stop
    sizes = [4] * rows
    paging = 0
    if page > 0:
        kb.button(text=t.plain("btn-page-prev"), callback_data=ListPage(v=view, p=page - 1))
        paging += 1
    if after > 0:
        kb.button(text=t.plain("btn-page-next"), callback_data=ListPage(v=view, p=page + 1))
        paging += 1
    if paging:
        sizes.append(paging)
    if sizes:
        kb.adjust(*sizes)
    overdue = sum(1 for i in items[chosen.stop :] if i.status is TaskStatus.OPEN and i.due < today)
    return ListPart(
        body="\n".join(lines[i] for i in chosen),
        markup=kb.as_markup() if sizes else None,
        page=page,
        first=chosen.start + 1,
        last=chosen.stop,
        after=after,
        after_overdue=overdue,
    )


def _paged_text(head: str, part: ListPart, total: int, tail: str, t: Texts) -> str:
    """The list message: the header, which tasks of how many (past the first page), the page, the
    summary of the rest, the tail."""
    parts = [head]
    if part.page > 0:
        parts.append(t("list-range", first=part.first, last=part.last, total=total))
    parts.append(part.body)
    if part.after:
        parts.append(t("list-more", count=part.after, overdue=part.after_overdue))
    if tail:
        parts.append(tail)
    return "\n\n".join(parts)


def fit(text: str) -> list[str]:
    """The text as messages: itself when it fits in one (the usual case, and splitting costs), else split."""
    return [text] if utf16_len(text) <= MESSAGE_LIMIT else split_message(text)


def today_page(day: DayList, t: Texts, page: int = 0) -> Page:
    """The day list as one message: header, one page of tasks with their buttons, a summary of the rest."""
    open_ids = {i.task_id for i in day.tasks if i.status is TaskStatus.OPEN and i.due <= day.day}
    overdue = sum(1 for i in day.tasks if i.status is TaskStatus.OPEN and i.due < day.day)
    if not day.tasks:
        return Page(t("today-empty", date=fmt_date(day.day, t)))
    header = t("today-title", date=fmt_date(day.day, t), open=len(open_ids), overdue=overdue)
    part = list_part(day.tasks, day.day, day.frozen_clients, t, open_ids, View.TODAY, page, day.vague)
    legend = t("today-legend") if open_ids else ""
    return Page(_paged_text(header, part, len(day.tasks), legend, t), part.markup)


def render_today(day: DayList, t: Texts, page: int = 0) -> list[Page]:
    """The day list (one message), then the clients with no open task (one message, when there are any)."""
    pages = [today_page(day, t, page)]
    if day.idle_clients:
        pages.extend(Page(text) for text in fit(idle_text(day.idle_clients, t)))
    return pages


def more_line(total: int, t: Texts) -> list[str]:
    """ "…and N more" under a list of names cut at ``NAMES_SHOWN``; nothing when nothing was cut."""
    return [t("names-more", count=total - NAMES_SHOWN)] if total > NAMES_SHOWN else []


def idle_text(clients: Sequence[ClientItem], t: Texts) -> str:
    lines = [t("idle-title", count=len(clients))]
    lines += [
        t("idle-line", name=c.name, stage=t(f"stage-{c.stage}"), hot=" 🔥" if c.hot else "")
        for c in clients[:NAMES_SHOWN]
    ]
    lines += more_line(len(clients), t)
    lines.append(t("idle-hint"))
    return "\n".join(lines)


def abnormal_text(counts: Sequence[Count], t: Texts) -> str:
    """The head's digest: managers whose overdue count is abnormal (``domain.digest.abnormal_load``)."""
    lines = [t("dg-abnormal-title")]
    lines += [t("dg-abnormal-line", name=c.name, count=c.count) for c in counts]
    lines.append(t("dg-abnormal-hint"))
    return "\n".join(lines)


def report_page(rep: EveningReport, t: Texts, page: int = 0) -> Page:
    """The evening's list as one message: plan-vs-fact, one page of the day's tasks with buttons on those
    waiting for a verdict, a summary of the rest."""
    f = rep.fact
    percent = "—" if f.percent is None else f"{f.percent}%"
    header = t("report-title", date=fmt_date(rep.day, t), done=f.done, planned=f.planned, percent=percent)
    if not rep.tasks:
        return Page(f"{header}\n{t('report-nothing-planned')}")
    counts = t("report-counts", not_done=f.not_done, moved=f.moved, cancelled=f.cancelled, open=f.open)
    missing = set(rep.missing)
    part = list_part(rep.tasks, rep.day, rep.frozen_clients, t, missing, View.REPORT, page, rep.vague)
    tail = t("report-missing", count=len(missing)) if missing else t("report-all-marked")
    return Page(_paged_text(f"{header}\n{counts}", part, len(rep.tasks), tail, t), part.markup)


def render_report(rep: EveningReport, t: Texts, page: int = 0) -> list[Page]:
    """The evening: the day's list (one message), leads and deals, tomorrow's plan."""
    pages = [report_page(rep, t, page)]
    extra = []
    kb = Keyboard()
    if rep.leads:
        extra.append(t("report-leads-title", count=len(rep.leads)))
        for lead in rep.leads[:NAMES_SHOWN]:
            key = "report-lead-line" if lead.has_next_task else "report-lead-line-missing"
            extra.append(t(key, name=lead.client_name, source=lead.source or "—"))
        extra += more_line(len(rep.leads), t)
        for lead in rep.leads_without_task[:NAMES_SHOWN]:
            kb.button(
                text=t.plain("btn-lead-task", name=lead.client_name[:40]),
                callback_data=ClientAddTask(client_id=lead.client_id, due=rep.day.strftime("%Y%m%d")),
            )
    if rep.deals:
        total = sum((d.amount for d in rep.deals), Decimal(0))
        extra.append(t("report-deals-title", count=len(rep.deals), total=fmt_money(total)))
        shown = rep.deals[:NAMES_SHOWN]
        extra += [t("report-deal-line", name=d.client_name, amount=fmt_money(d.amount)) for d in shown]
        extra += more_line(len(rep.deals), t)
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
            task_line(n, item, rep.tomorrow, rep.frozen_clients, t, rep.vague.get(item.task_id))
            for n, item in enumerate(rep.tomorrow_tasks[:NAMES_SHOWN], 1)
        ]
        lines += more_line(len(rep.tomorrow_tasks), t)
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
    kb.button(text=t.plain("btn-plan-add"), callback_data=ReportAct(a=ReportAction.ADD))
    if not submitted or status is PlanStatus.RETURNED:
        kb.button(text=t.plain("btn-plan-send"), callback_data=ReportAct(a=ReportAction.SEND))
    for value in range(1, 6):
        kb.button(text=("●" if mood == value else "") + str(value), callback_data=Mood(value=value))
    kb.adjust(2 if not submitted or status is PlanStatus.RETURNED else 1, 5)
    text = "\n".join(lines)
    return Page(split_message(text)[0] if utf16_len(text) > 4000 else text, kb.as_markup())


def reasons_keyboard(task_id: int, ver: int, view: View, page: int, t: Texts) -> InlineKeyboardMarkup:
    kb = Keyboard()
    for code in range(1, QUICK_REASONS + 1):
        kb.button(
            text=t.plain(f"reason-{code}"),
            callback_data=TaskReason(task_id=task_id, code=code, v=view, p=page, ver=ver),
        )
    return _last_two(kb, "reason-other", TaskAction.TYPE_REASON, task_id, ver, view, page, t)


def move_keyboard(
    task_id: int, ver: int, days: Sequence[date], view: View, page: int, t: Texts
) -> InlineKeyboardMarkup:
    kb = Keyboard()
    for d in days:
        kb.button(
            text=fmt_date(d, t),
            callback_data=TaskMove(task_id=task_id, to=d.strftime("%Y%m%d"), v=view, p=page, ver=ver),
        )
    return _last_two(kb, "btn-other-date", TaskAction.TYPE_DATE, task_id, ver, view, page, t)


def cancel_keyboard(task_id: int, ver: int, view: View, page: int, t: Texts) -> InlineKeyboardMarkup:
    return _last_two(Keyboard(), "btn-cancel-task", TaskAction.CANCEL_CONFIRMED, task_id, ver, view, page, t)


def _last_two(
    kb: Keyboard, label: str, action: TaskAction, task_id: int, ver: int, view: View, page: int, t: Texts
) -> InlineKeyboardMarkup:
    """The last row of a choice about a task: ``action`` (type a reason or a date, confirm) and back to the
    list; the choices above it two a row."""
    for text, act in ((t.plain(label), action), (t.plain("btn-back"), TaskAction.BACK)):
        kb.button(text=text, callback_data=TaskAct(action=act, task_id=task_id, v=view, p=page, ver=ver))
    kb.adjust(2, 2, 2)
    return kb.as_markup()
