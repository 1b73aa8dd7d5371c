"""The board, the bonuses and the reports as HTML text (Telegram's HTML parse mode), through ``t``."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from domain.sales import Board, BoardRow, whole_percent
from reports import fmt
from reports.data import Bonuses, TeamReport, row_status
from storage.sales_repo import Scheme

MARKS = {"good": "🟢", "warn": "🟡", "bad": "🔴", "none": "⚪"}

T = Callable[..., str]


def _finished(board: Board) -> bool:
    return board.today > board.period.end


def board_text(board: Board, t: T, locale: str = "ru") -> str:
    finished = _finished(board)
    lines = [t("board-title", period=fmt.period_label(board.period, t))]
    if finished:
        lines.append(t("board-final"))
    else:
        lines.append(
            t(
                "board-asof",
                date=fmt.full_date(board.today),
                elapsed=str(board.pace.elapsed),
                total=str(board.pace.total),
            )
        )
    lines.append("")
    team = board.team
    if team.plan is None:
        lines.append(t("board-team-no-plan", fact=fmt.money(team.fact.revenue, fmt.locale_of(t))))
        lines.append(t("board-counts-no-plan", leads=str(team.fact.leads), deals=str(team.fact.deals)))
    else:
        lines.append(
            t(
                "board-team",
                fact=fmt.money(team.fact.revenue, fmt.locale_of(t)),
                plan=fmt.money(team.plan.revenue, fmt.locale_of(t)),
                percent=fmt.pct(team.revenue_percent),
            )
        )
        if not finished and team.forecast_revenue is not None:
            lines.append(fmt.forecast(t, "board-forecast", team.forecast_percent, team.forecast_revenue))
        lines.append(
            t(
                "board-counts",
                leads=str(team.fact.leads),
                deals=str(team.fact.deals),
                plan=fmt.count(team.plan.deals, locale),
            )
        )
    if not board.rows:
        lines += ["", t("board-empty")]
        return "\n".join(lines)
    lines.append("")
    for n, row in enumerate(board.rows, 1):
        lines.append(_row_line(n, row, t, finished))
        if row.plan is None:
            lines.append(t("board-line-counts-no-plan", leads=str(row.fact.leads), deals=str(row.fact.deals)))
        else:
            lines.append(
                t(
                    "board-line-counts",
                    leads=str(row.fact.leads),
                    deals=str(row.fact.deals),
                    plan=fmt.count(row.plan.deals, locale),
                )
            )
    return "\n".join(lines)


def _row_line(n: int, row: BoardRow, t: T, finished: bool) -> str:
    args = {
        "mark": MARKS[row_status(row)],
        "n": str(n),
        "name": row.name,
        "revenue": fmt.money(row.fact.revenue, fmt.locale_of(t)),
        "percent": fmt.pct(row.revenue_percent),
    }
    if row.plan is None:
        return t("board-line-no-plan", **args)
    if finished or row.forecast_percent is None:
        return t("board-line-final", **args)
    return t("board-line", forecast=fmt.pct(row.forecast_percent), **args)


def caption(board: Board, t: T) -> str:
    """A short caption for the picture: the title and the team's line."""
    team = board.team
    head = t("board-title", period=fmt.period_label(board.period, t))
    if team.plan is None:
        return head + "\n" + t("board-team-no-plan", fact=fmt.money(team.fact.revenue, fmt.locale_of(t)))
    return (
        head
        + "\n"
        + t(
            "board-team",
            fact=fmt.money(team.fact.revenue, fmt.locale_of(t)),
            plan=fmt.money(team.plan.revenue, fmt.locale_of(t)),
            percent=fmt.pct(team.revenue_percent),
        )
    )


# ---------------------------------------------------------------------------------------------- bonuses


def scheme_text(scheme: Scheme, t: T) -> str:
    return t("bonus-scheme-line", base=fmt.money(scheme.base, fmt.locale_of(t)), scale=str(scheme.scale))


def bonuses_text(bonuses: Bonuses, t: T, member_id: int | None = None) -> str:
    """Everyone's expected bonus, or only ``member_id``'s (a manager asking for their own)."""
    lines = [t("bonus-title", period=fmt.period_label(bonuses.period, t))]
    if bonuses.scheme is None:
        lines.append(t("bonus-no-scheme"))
        return "\n".join(lines)
    lines.append(scheme_text(bonuses.scheme, t))
    lines.append("")
    chosen = [b for b in bonuses.lines if member_id is None or b.member_id == member_id]
    if member_id is not None and not chosen:
        lines.append(t("bonus-not-on-board"))
    for b in chosen:
        if b.fulfilment is None:
            lines.append(t("bonus-line-no-plan", name=b.name))
            continue
        lines.append(
            t(
                "bonus-line",
                name=b.name,
                percent=fmt.pct(b.fulfilment),
                amount=fmt.money(b.bonus, fmt.locale_of(t)),
            )
        )
        if b.forecast_fulfilment is not None and b.forecast_bonus is not None:
            lines.append(fmt.forecast(t, "bonus-line-forecast", b.forecast_fulfilment, b.forecast_bonus))
    return "\n".join(lines)


# ---------------------------------------------------------------------------------------------- reports


def _change(now: Decimal, before: Decimal) -> str:
    if before <= 0:
        return "—"
    delta = whole_percent((now - before) * 100 / before)
    return f"+{delta}%" if delta and delta > 0 else f"{delta}%"


def report_text(report: TeamReport, t: T, names: dict[int, str], locale: str = "ru") -> str:
    board = report.board
    lines = [t("salesreport-title", period=fmt.period_label(board.period, t)), ""]
    lines.append(board_text(board, t, locale).split("\n", 1)[1].lstrip("\n"))
    lines.append("")
    lines.append(
        t(
            "salesreport-vs-previous",
            fact=fmt.money(board.team.fact.revenue, fmt.locale_of(t)),
            previous=fmt.money(report.previous.revenue, fmt.locale_of(t)),
            change=_change(board.team.fact.revenue, report.previous.revenue),
            leads=str(report.previous.leads),
            deals=str(report.previous.deals),
        )
    )
    if report.overdue:
        first, last = report.overdue_first or 0, report.overdue_last or 0
        trend = "▼" if last < first else "▲" if last > first else "="
        lines.append(t("salesreport-overdue", first=str(first), last=str(last), trend=trend))
    d = report.team_discipline
    if d.expected:
        lines.append(
            t(
                "salesreport-discipline",
                percent=fmt.pct(d.share * 100 if d.share is not None else None),
                on_time=str(d.on_time),
                expected=str(d.expected),
                late=str(d.late),
                missing=str(d.missing),
            )
        )
        for member_id, md in sorted(report.discipline.items(), key=lambda kv: names.get(kv[0], "")):
            if md.expected:
                lines.append(
                    t(
                        "salesreport-discipline-line",
                        name=names.get(member_id, f"#{member_id}"),
                        percent=fmt.pct(md.share * 100 if md.share is not None else None),
                        on_time=str(md.on_time),
                        expected=str(md.expected),
                    )
                )
    else:
        lines.append(t("salesreport-discipline-none"))
    return "\n".join(lines)
