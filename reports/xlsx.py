"""Excel workbooks (openpyxl): the export of a period and the weekly or monthly report.

The export's column headers are the ones the importer recognises ("Название", "Ответственный", "Этап",
"Задача", "Срок"), so an exported workbook can be loaded back (into another team, say) and the same
file imported twice adds nothing. Dates are the team's local dates; instants (created, submitted) are
shown in the team's time zone without a zone (Excel has none).

No cell is ever a formula: every text (a client's name, a task, a result, a reason, a person's name) is
written by ``put_value`` as a string cell, and a text that a spreadsheet would read as a formula or a
command (beginning with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return: OWASP's "CSV injection")
also gets the quote-prefix style, so Excel and LibreOffice show it exactly as typed and never evaluate
it, not even when the cell is edited. Numbers, dates and times stay what they are.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from domain.sales import Period
from domain.zones import team_zone
from reports import fmt
from reports.data import TeamReport, report_deadline
from storage.models import Team
from storage.sales_repo import SalesRepo

T = Callable[..., str]
MONEY = "#,##0.00"
DATE = "DD.MM.YYYY"
DATETIME = "DD.MM.YYYY HH:MM"
PERCENT = "0%"
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def is_formula_like(text: str) -> bool:
    """Would a spreadsheet read ``text`` as a formula or a command (OWASP's "CSV injection")?"""
    return text.startswith(FORMULA_START)


def put_value(cell: Any, value: Any) -> None:
    """Write ``value`` into an openpyxl cell: text always as a string cell (never a formula), a text a
    spreadsheet would take for a formula also quote-prefixed; numbers, dates and ``None`` as they are."""
    if isinstance(value, str):
        cell.value = value
        cell.data_type = "s"  # openpyxl turns a text beginning with "=" into a formula: undo that
        if is_formula_like(value):
            cell.quotePrefix = True
    else:
        cell.value = value


@dataclass(frozen=True, slots=True)
class ExportCounts:
    clients: int
    tasks: int
    deals: int
    leads: int
    reports: int


def _workbook() -> Any:
    from openpyxl import Workbook

    wb = Workbook()
    wb.remove(wb.active)
    return wb


def _sheet(
    wb: Any, title: str, headers: Sequence[str], rows: Iterable[Sequence[Any]], formats: dict[int, str]
) -> int:
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    ws = wb.create_sheet(title=title[:31])
    for i, header in enumerate(headers):
        cell = ws.cell(row=1, column=i + 1)
        put_value(cell, header)
        cell.font = Font(bold=True)
    ws.freeze_panes = "A2"
    widths = [len(h) + 2 for h in headers]
    n = 0
    for row in rows:
        n += 1
        for i, value in enumerate(row):
            put_value(ws.cell(row=n + 1, column=i + 1), value)
            if value is not None:
                widths[i] = min(60, max(widths[i], len(str(value)) + 2))
    for col, number_format in formats.items():
        for cells in ws.iter_rows(min_row=2, min_col=col + 1, max_col=col + 1):
            for cell in cells:
                cell.number_format = number_format
    for i, width in enumerate(widths, 1):
        ws.column_dimensions[get_column_letter(i)].width = max(width, 10)
    return n


def _save(wb: Any) -> bytes:
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def _local(at: datetime | None, tz: ZoneInfo) -> datetime | None:
    return None if at is None else at.astimezone(tz).replace(tzinfo=None, microsecond=0)


def _money(value: Any) -> float | None:
    return None if value is None else float(Decimal(value))


async def export_workbook(
    session: AsyncSession, team: Team, start: date, end: date, t: T
) -> tuple[bytes, ExportCounts]:
    """Clients (all of the team), and the tasks due, deals, leads and evening reports of ``start..end``."""
    repo = SalesRepo(session)
    tz = team_zone(team)
    deadline = report_deadline(team)
    clients = await repo.export_clients(team.id)
    tasks = await repo.export_tasks(team.id, start, end)
    deals = await repo.export_deals(team.id, start, end)
    leads = await repo.export_leads(team.id, start, end)
    reports = await repo.export_day_reports(team.id, start, end)

    wb = _workbook()
    _sheet(
        wb,
        t("xlsx-sheet-clients"),
        [
            t("xlsx-col-id"),
            t("xlsx-col-client"),
            t("xlsx-col-owner"),
            t("xlsx-col-stage"),
            t("xlsx-col-created"),
            t("xlsx-col-notes"),
        ],
        (
            (cid, name, owner, t(f"stage-{stage}"), _local(created, tz), notes)
            for cid, name, owner, stage, created, notes in clients
        ),
        {4: DATETIME},
    )
    _sheet(
        wb,
        t("xlsx-sheet-tasks"),
        [
            t("xlsx-col-id"),
            t("xlsx-col-client"),
            t("xlsx-col-task"),
            t("xlsx-col-due"),
            t("xlsx-col-owner"),
            t("xlsx-col-task-status"),
            t("xlsx-col-result"),
            t("xlsx-col-reason"),
            t("xlsx-col-moves"),
            t("xlsx-col-created"),
            t("xlsx-col-closed"),
        ],
        (
            (
                tid,
                client,
                action,
                due,
                who,
                t(f"xlsx-status-{status}"),
                result,
                reason,
                moves,
                _local(created, tz),
                _local(closed, tz),
            )
            for tid, client, action, due, who, status, result, reason, moves, created, closed in tasks
        ),
        {3: DATE, 9: DATETIME, 10: DATETIME},
    )
    _sheet(
        wb,
        t("xlsx-sheet-deals"),
        [t("xlsx-col-date"), t("xlsx-col-client"), t("xlsx-col-manager"), t("xlsx-col-amount")],
        ((on, client, who, _money(amount)) for on, client, who, amount in deals),
        {0: DATE, 3: MONEY},
    )
    _sheet(
        wb,
        t("xlsx-sheet-leads"),
        [t("xlsx-col-date"), t("xlsx-col-client"), t("xlsx-col-manager"), t("xlsx-col-source")],
        leads,
        {0: DATE},
    )
    _sheet(
        wb,
        t("xlsx-sheet-reports"),
        [
            t("xlsx-col-date"),
            t("xlsx-col-manager"),
            t("xlsx-col-planned"),
            t("xlsx-col-done"),
            t("xlsx-col-percent"),
            t("xlsx-col-mood"),
            t("xlsx-col-submitted"),
            t("xlsx-col-on-time"),
        ],
        (
            (
                on,
                who,
                planned,
                done,
                (done / planned) if planned else None,
                mood,
                _local(submitted, tz),
                None if submitted is None else t("xlsx-yes" if submitted <= deadline(on) else "xlsx-no"),
            )
            for on, who, planned, done, mood, submitted in reports
        ),
        {0: DATE, 4: PERCENT, 6: DATETIME},
    )
    counts = ExportCounts(len(clients), len(tasks), len(deals), len(leads), len(reports))
    return _save(wb), counts


def report_workbook(report: TeamReport, t: T, names: dict[int, str], period: Period) -> bytes:
    """The weekly or monthly report: the board's numbers, reporting discipline and the overdue trend."""
    board = report.board
    wb = _workbook()

    def line(name: str, row: Any) -> list[Any]:
        plan = row.plan
        return [
            name,
            row.fact.leads,
            row.fact.deals,
            float(plan.deals) if plan else None,
            _money(row.fact.revenue),
            _money(plan.revenue) if plan else None,
            float(row.revenue_percent / 100) if row.revenue_percent is not None else None,
            _money(row.forecast_revenue),
            float(row.forecast_percent / 100) if row.forecast_percent is not None else None,
        ]

    _sheet(
        wb,
        t("xlsx-sheet-summary"),
        [
            t("xlsx-col-manager"),
            t("xlsx-col-leads"),
            t("xlsx-col-deals"),
            t("xlsx-col-deals-plan"),
            t("xlsx-col-revenue"),
            t("xlsx-col-revenue-plan"),
            t("xlsx-col-percent"),
            t("xlsx-col-forecast"),
            t("xlsx-col-forecast-percent"),
        ],
        [line(r.name, r) for r in board.rows] + [line(t("board-img-team"), board.team)],
        {4: MONEY, 5: MONEY, 6: PERCENT, 7: MONEY, 8: PERCENT},
    )
    _sheet(
        wb,
        t("xlsx-sheet-discipline"),
        [
            t("xlsx-col-manager"),
            t("xlsx-col-expected"),
            t("xlsx-col-on-time"),
            t("xlsx-col-late"),
            t("xlsx-col-missing"),
            t("xlsx-col-percent"),
        ],
        [
            (
                names.get(mid, f"#{mid}"),
                d.expected,
                d.on_time,
                d.late,
                d.missing,
                float(d.share) if d.share is not None else None,
            )
            for mid, d in sorted(report.discipline.items(), key=lambda kv: names.get(kv[0], ""))
        ],
        {5: PERCENT},
    )
    _sheet(
        wb,
        t("xlsx-sheet-overdue"),
        [t("xlsx-col-date"), t("xlsx-col-overdue")],
        report.overdue,
        {0: DATE},
    )
    wb.properties.title = fmt.period_label(period, t)
    return _save(wb)
