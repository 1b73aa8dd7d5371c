"""What a row of an imported spreadsheet means: columns by name, values, reasons to reject a row.

Columns are recognised by their header, case-, ё- and punctuation-insensitively, in Russian and English
as amoCRM and Bitrix24 export them ("Название", "Компания", "Ответственный", "Этап", "Задача", "Срок",
"Company name", "Responsible user", "Stage", "Due date", …); unknown columns are ignored and listed. The
first column of a kind wins. A sheet is

* a sheet of clients (and their open tasks) when it has a client column;
* a sheet of plans when it has a month, a manager and a revenue or deals column.

A client row is rejected, with the reason, when it has no client name or one longer than 200
characters; when it has a task without a due date, with a due date that is not a date, or with a task
that is not a concrete action (``domain.actions.check_action``). A due date without a task is ignored.
A task whose status says it is done or cancelled is left out (only open tasks are imported); the client
still is. Blank rows are skipped silently. Dates: ``date``/``datetime`` cells, Excel serial numbers,
"2026-10-15", "15.10.2026", "15.10.26", "15/10/2026", with or without a time.

A stage is mapped from the stage names of the bot, amoCRM and Bitrix24 ("Первичный контакт" → new,
"Переговоры" → negotiation, "Успешно реализовано" → won, …); an unknown stage is "new" and is counted.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from enum import StrEnum
from typing import Any

from domain.actions import check_action
from domain.enums import Stage
from domain.sales import PeriodError, parse_number, parse_period

MAX_NAME = 200
MAX_ACTION = 500
EXCEL_EPOCH = date(1899, 12, 30)


class Column(StrEnum):
    CLIENT = "client"
    OWNER = "owner"
    STAGE = "stage"
    TASK = "task"
    DUE = "due"
    TASK_STATUS = "task_status"
    NOTES = "notes"
    MONTH = "month"
    REVENUE = "revenue"
    DEALS = "deals"


_HEADERS: dict[Column, tuple[str, ...]] = {
    Column.CLIENT: (
        "название",
        "клиент",
        "компания",
        "название компании",
        "наименование",
        "контрагент",
        "организация",
        "название клиента",
        "клиент компания",
        "компания клиент",
        "client",
        "company",
        "company name",
        "account",
        "account name",
        "customer",
        "name",
        "organization",
        "organisation",
    ),
    Column.OWNER: (
        "ответственный",
        "ответственный менеджер",
        "менеджер",
        "ответственный за сделку",
        "ответственный за задачу",
        "ответственный сотрудник",
        "исполнитель",
        "owner",
        "responsible",
        "responsible user",
        "responsible person",
        "manager",
        "assigned to",
        "assignee",
        "sales rep",
    ),
    Column.STAGE: (
        "этап",
        "этап сделки",
        "стадия",
        "стадия сделки",
        "статус",
        "статус сделки",
        "воронка этап",
        "stage",
        "deal stage",
        "status",
        "pipeline stage",
        "lead status",
    ),
    Column.TASK: (
        "задача",
        "текст задачи",
        "описание задачи",
        "следующий шаг",
        "следующее действие",
        "действие",
        "task",
        "task text",
        "next step",
        "next action",
        "action",
        "to do",
        "todo",
    ),
    Column.DUE: (
        "срок",
        "срок выполнения",
        "срок задачи",
        "крайний срок",
        "дата выполнения",
        "дата задачи",
        "дедлайн",
        "выполнить до",
        "due",
        "due date",
        "deadline",
        "task due",
        "complete till",
        "date due",
    ),
    Column.TASK_STATUS: (
        "статус задачи",
        "задача выполнена",
        "выполнена",
        "task status",
        "completed",
        "done",
    ),
    Column.NOTES: (
        "примечание",
        "комментарий",
        "заметка",
        "описание",
        "notes",
        "note",
        "comment",
        "description",
    ),
    Column.MONTH: ("месяц", "период", "month", "period"),
    Column.REVENUE: (
        "план выручка",
        "выручка",
        "план по выручке",
        "план",
        "сумма плана",
        "revenue",
        "revenue plan",
        "plan",
        "plan revenue",
        "target",
    ),
    Column.DEALS: (
        "план сделки",
        "сделки",
        "сделок",
        "план по сделкам",
        "число сделок",
        "количество сделок",
        "deals",
        "deals plan",
        "plan deals",
        "number of deals",
    ),
}
HEADER_INDEX: dict[str, Column] = {h: col for col, names in _HEADERS.items() for h in names}


def normalize_header(header: object) -> str:
    text = "" if header is None else str(header)
    text = text.casefold().replace("ё", "е").replace("_", " ")
    text = re.sub(r"[^\w\s]", " ", text)
    return " ".join(text.split())


@dataclass(frozen=True, slots=True)
class ColumnMap:
    columns: dict[Column, int]  # column kind -> index in the row
    headers: tuple[str, ...]
    ignored: tuple[str, ...]  # headers not used

    @property
    def kind(self) -> str | None:
        """ "plans", "clients" or None (nothing this importer understands)."""
        c = self.columns
        if Column.MONTH in c and Column.OWNER in c and (Column.REVENUE in c or Column.DEALS in c):
            return "plans"
        if Column.CLIENT in c:
            return "clients"
        return None

    def get(self, row: Sequence[Any], column: Column) -> Any:
        index = self.columns.get(column)
        if index is None or index >= len(row):
            return None
        return row[index]


def map_columns(headers: Sequence[object]) -> ColumnMap:
    columns: dict[Column, int] = {}
    ignored = []
    shown = []
    for i, header in enumerate(headers):
        label = "" if header is None else str(header).strip()
        shown.append(label)
        column = HEADER_INDEX.get(normalize_header(header))
        if column is None or column in columns:
            if label:
                ignored.append(label)
            continue
        columns[column] = i
    return ColumnMap(columns, tuple(shown), tuple(ignored))


# ---------------------------------------------------------------------------------------------- values


def cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return " ".join(str(value).split())


_DATE_RES = (
    (re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})"), ("y", "m", "d")),
    (re.compile(r"(\d{1,2})[./](\d{1,2})[./](\d{4})"), ("d", "m", "y")),
    (re.compile(r"(\d{1,2})\.(\d{1,2})\.(\d{2})"), ("d", "m", "yy")),
)
_TIME_TAIL = re.compile(r"(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?")


def parse_date_cell(value: Any) -> date:
    """A due date from a cell (rules in the module docstring); raises ``ValueError``."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        if 20000 <= value <= 80000:  # an Excel serial day number (1954..2119)
            return EXCEL_EPOCH + timedelta(days=int(value))
        raise ValueError(value)
    text = cell_text(value)
    for pattern, order in _DATE_RES:
        m = re.fullmatch(pattern.pattern + _TIME_TAIL.pattern, text)
        if m:
            parts = dict(zip(order, (int(g) for g in m.groups()[:3]), strict=True))
            year = parts.get("y") or 2000 + parts["yy"]
            result = date(year, parts["m"], parts["d"])  # ValueError for 31.02
            if not (1990 <= result.year <= 2100):
                raise ValueError(text)
            return result
    raise ValueError(text)


_STAGE_WORDS: tuple[tuple[Stage, tuple[str, ...]], ...] = (
    (
        Stage.LOST,
        (
            "не реализовано",
            "не успешно",
            "проигран",
            "отказ",
            "провал",
            "lost",
            "closed lost",
            "junk",
            "failed",
        ),
    ),
    (
        Stage.WON,
        ("успешно", "реализовано", "выигран", "оплачен", "сделка заключена", "won", "closed won", "success"),
    ),
    (
        Stage.NEGOTIATION,
        ("переговор", "решение", "согласование", "договор", "negotiat", "decision", "contract"),
    ),
    (
        Stage.PROPOSAL,
        ("кп", "коммерческое предложение", "предложение", "счет", "счёт", "proposal", "quote", "invoice"),
    ),
    (
        Stage.QUALIFIED,
        (
            "квалифи",
            "выявление потребност",
            "потребност",
            "встреча",
            "презентац",
            "qualif",
            "needs",
            "meeting",
            "demo",
        ),
    ),
    (Stage.NEW, ("нов", "первичный контакт", "неразобранное", "лид", "new", "lead", "contact", "incoming")),
)


def parse_stage(value: Any) -> Stage | None:
    """The funnel stage a stage name means; ``None`` when blank or unknown."""
    text = normalize_header(value)
    if not text:
        return None
    for stage in Stage:
        if text == stage.value:
            return stage
    for stage, words in _STAGE_WORDS:
        if any(w in text for w in words):
            return stage
    return None


_CLOSED_TASK = ("выполн", "сделан", "заверш", "закрыт", "отмен", "done", "complete", "closed", "cancel")
_YES = frozenset({"да", "yes", "true", "1", "x", "v"})


def task_is_closed(value: Any) -> bool:
    """Whether a task status cell says the task is done or cancelled ("Выполнена", "Да", "Done")."""
    text = normalize_header(value)
    if not text or text.startswith(("не ", "not ", "un", "in progress", "open", "открыт", "в работе")):
        return False
    return text in _YES or text.startswith(_CLOSED_TASK)


# ---------------------------------------------------------------------------------------------- rows


@dataclass(frozen=True, slots=True)
class Rejected:
    row: int  # the row's number in the file (the header is row 1)
    reason: str  # the text key's tail: import-reason-<reason>
    value: str = ""


@dataclass(frozen=True, slots=True)
class ClientRow:
    row: int
    client: str
    owner: str | None
    stage: Stage | None
    stage_text: str
    task: str | None
    due: date | None
    notes: str | None


@dataclass(frozen=True, slots=True)
class PlanRow:
    row: int
    manager: str
    month: date
    revenue: Decimal
    deals: int


def _filled(rows: Iterable[tuple[int, Sequence[Any]]]) -> Iterator[tuple[int, Sequence[Any]]]:
    """The rows with something in them (a blank row is passed over, not rejected)."""
    return ((number, row) for number, row in rows if any(cell_text(v) for v in row))


def client_rows(
    rows: Iterable[tuple[int, Sequence[Any]]], columns: ColumnMap, *, check_tasks: bool = True
) -> list[ClientRow | Rejected]:
    """Each row validated on its own (no database): a ``ClientRow`` or the reason it is rejected."""
    return [_client_row(number, row, columns, check_tasks) for number, row in _filled(rows)]


def _client_row(
    number: int, row: Sequence[Any], columns: ColumnMap, check_tasks: bool
) -> ClientRow | Rejected:
    client = cell_text(columns.get(row, Column.CLIENT))
    if not client:
        return Rejected(number, "no-client")
    if len(client) > MAX_NAME:
        return Rejected(number, "name-too-long", client[:40] + "…")
    task = cell_text(columns.get(row, Column.TASK)) or None
    if task is not None and task_is_closed(columns.get(row, Column.TASK_STATUS)):
        task = None
    due: date | None = None
    if task is not None:
        raw_due = columns.get(row, Column.DUE)
        if not cell_text(raw_due):
            return Rejected(number, "no-date", task[:60])
        try:
            due = parse_date_cell(raw_due)
        except ValueError:
            return Rejected(number, "bad-date", cell_text(raw_due)[:40])
        if len(task) > MAX_ACTION:
            return Rejected(number, "vague-task", task[:60] + "…")
        if check_tasks and not check_action(task, client).ok:
            return Rejected(number, "vague-task", task[:60])
    stage_text = cell_text(columns.get(row, Column.STAGE))
    owner = cell_text(columns.get(row, Column.OWNER)) or None
    notes = cell_text(columns.get(row, Column.NOTES)) or None
    return ClientRow(number, client, owner, parse_stage(stage_text), stage_text, task, due, notes)


def plan_rows(
    rows: Iterable[tuple[int, Sequence[Any]]], columns: ColumnMap, today: date
) -> list[PlanRow | Rejected]:
    """Each row of a plan sheet validated on its own: a ``PlanRow`` or the reason it is rejected."""
    return [_plan_row(number, row, columns, today) for number, row in _filled(rows)]


def _plan_row(number: int, row: Sequence[Any], columns: ColumnMap, today: date) -> PlanRow | Rejected:
    manager = cell_text(columns.get(row, Column.OWNER))
    if not manager:
        return Rejected(number, "no-owner")
    raw_month = columns.get(row, Column.MONTH)
    try:
        if isinstance(raw_month, date | datetime):
            month = parse_date_cell(raw_month).replace(day=1)
        else:
            period = parse_period(cell_text(raw_month), today, future=True)
            if period.kind.value != "month" or not cell_text(raw_month):
                raise PeriodError(cell_text(raw_month))
            month = period.start
    except (PeriodError, ValueError):
        return Rejected(number, "bad-month", cell_text(raw_month)[:40])
    try:
        revenue = _number(columns.get(row, Column.REVENUE))
        deals = _number(columns.get(row, Column.DEALS))
    except ValueError as error:
        return Rejected(number, "bad-number", str(error)[:40])
    if revenue < 0 or deals < 0 or deals != int(deals):
        return Rejected(number, "bad-number", cell_text(columns.get(row, Column.DEALS)))
    return PlanRow(number, manager, month, revenue.quantize(Decimal("0.01")), int(deals))


def _number(value: Any) -> Decimal:
    if value is None or cell_text(value) == "":
        return Decimal(0)
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        return Decimal(str(value))
    try:
        return parse_number(cell_text(value))
    except ValueError:
        raise ValueError(cell_text(value)) from None


# ---------------------------------------------------------------------------------------------- people


@dataclass(frozen=True, slots=True)
class Person:
    member_id: int
    name: str
    username: str | None = None


def _key(text: str) -> str:
    return " ".join(text.casefold().replace("ё", "е").split())


def match_person(text: str, people: Sequence[Person]) -> int | None:
    """The member a cell names: the full name (any word order), "@username", or a first word (a first
    name, a surname) that only one member has. ``None`` when nobody or several match."""
    key = _key(text)
    if not key:
        return None
    handle = key.removeprefix("@")
    for p in people:
        if p.username and p.username.casefold() == handle:
            return p.member_id
    words = sorted(key.split())
    exact = [p for p in people if _key(p.name) == key or sorted(_key(p.name).split()) == words]
    if len(exact) == 1:
        return exact[0].member_id
    if exact:
        return None
    partial = [
        p
        for p in people
        if set(key.split()) <= set(_key(p.name).split()) or set(_key(p.name).split()) <= set(key.split())
    ]
    return partial[0].member_id if len(partial) == 1 else None
