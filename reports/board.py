"""The results board as a picture: a PNG 1080 px wide, big type, readable on a phone.

Drawn with matplotlib's object API (no pyplot, no global backend switch: ``Figure`` renders PNG with
Agg by itself) in DejaVu Sans, which matplotlib ships and which has Cyrillic and the ruble sign. One
figure at a time (a lock), so it may run in a worker thread (``render_board_async``).

Layout, top to bottom: the title and the period; the team's card (revenue against plan, a progress bar
with the forecast marked, leads and deals); one card per manager, best revenue first. The bars share one
scale so they compare; a thin line marks 100% of plan; the colour tells the forecast: green at 100% or
more, amber from 70%, red below, grey without a plan.

Every text is drawn literally (``parse_math=False``): names and labels come from people, and a ``$`` in
one must show as a dollar sign, not start matplotlib's mathtext (which raises on unbalanced ``$``).
"""

from __future__ import annotations

import asyncio
import io
import logging
import threading
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from domain.sales import Board, BoardRow
from reports import fmt
from reports.data import row_status

WIDTH = 1080
DPI = 100
MAX_ROWS = 40  # more managers than this: the picture shows the first ones, the text has them all

HEADER_H = 170
TEAM_H = 270
ROW_H = 190
FOOTER_H = 30
MARGIN = 40

COLOURS = {
    "good": "#2e9d5b",
    "warn": "#e0a526",
    "bad": "#d9534f",
    "none": "#9aa3ad",
}
INK = "#1f2933"
MUTED = "#616e7c"
TRACK = "#e4e7eb"
CARD = "#f5f7fa"
FONT = "DejaVu Sans"

_lock = threading.Lock()
log = logging.getLogger(__name__)


def _scale(board: Board) -> Decimal:
    """The percentage at the right end of every bar: at least 120%, room for the best fact (up to 200%);
    a forecast beyond it is marked at the end."""
    top = Decimal(120)
    for row in (board.team, *board.rows):
        if row.revenue_percent is not None:
            top = max(top, min(row.revenue_percent, Decimal(200)) + 10)
    return top


def render_board_png(board: Board, t: Callable[..., str], locale: str = "ru") -> bytes:
    """The board as PNG bytes; ``t`` renders plain-text labels (``translator.get(locale, html=False)``)."""
    from matplotlib.figure import Figure
    from matplotlib.patches import FancyBboxPatch, Rectangle

    rows = board.rows[:MAX_ROWS]
    height = HEADER_H + TEAM_H + ROW_H * len(rows) + FOOTER_H
    scale = _scale(board)
    finished = board.today > board.period.end

    with _lock:
        fig = Figure(figsize=(WIDTH / DPI, height / DPI), dpi=DPI, facecolor="white")
        ax = fig.add_axes((0, 0, 1, 1))
        ax.set_xlim(0, WIDTH)
        ax.set_ylim(height, 0)
        ax.set_axis_off()

        def text(x: float, y: float, s: str, size: float, **kw: Any) -> None:
            kw.setdefault("color", INK)
            # literal text: a "$" in a name is a dollar sign, never mathtext (which raises on "$\\frac$")
            ax.text(
                x, y, s, fontsize=size, fontfamily=FONT, va="center", parse_math=False, usetex=False, **kw
            )

        def card(y: float, h: float, rounding: int) -> None:
            ax.add_patch(
                FancyBboxPatch(
                    (MARGIN, y),
                    WIDTH - 2 * MARGIN,
                    h,
                    boxstyle=f"round,pad=0,rounding_size={rounding}",
                    color=CARD,
                    lw=0,
                )
            )

        def value(y: float, s: str, size: float, row: BoardRow) -> None:
            """A card's figure, right-aligned, in the colour of the row's status."""
            text(
                WIDTH - MARGIN - 20, y, s, size, fontweight="bold", ha="right", color=COLOURS[row_status(row)]
            )

        def bar(y: float, row: BoardRow, h: float) -> None:
            left, right = MARGIN + 20, WIDTH - MARGIN - 20
            span = right - left
            ax.add_patch(Rectangle((left, y), span, h, color=TRACK, lw=0))
            colour = COLOURS[row_status(row)]
            if row.revenue_percent is not None:
                filled = float(min(row.revenue_percent, scale) / scale) * span
                ax.add_patch(Rectangle((left, y), filled, h, color=colour, lw=0))
            if row.forecast_percent is not None and not finished:
                x = left + float(min(row.forecast_percent, scale) / scale) * span
                ax.plot([x, x], [y - 8, y + h + 8], color=colour, lw=4, solid_capstyle="butt")
            x100 = left + float(Decimal(100) / scale) * span
            ax.plot([x100, x100], [y - 6, y + h + 6], color=INK, lw=2, ls=(0, (2, 2)))

        # header
        text(MARGIN, 60, t("board-img-title"), 32, fontweight="bold")
        sub = fmt.period_label(board.period, t)
        if finished:
            sub += " · " + t("board-img-final")
        else:
            sub += " · " + t(
                "board-img-asof",
                date=fmt.day_month(board.today),
                elapsed=str(board.pace.elapsed),
                total=str(board.pace.total),
            )
        text(MARGIN, 122, sub, 20, color=MUTED)

        # the team
        y0 = HEADER_H
        team = board.team
        card(y0, TEAM_H - 20, 18)
        text(MARGIN + 20, y0 + 45, t("board-img-team"), 26, fontweight="bold")
        value(y0 + 45, fmt.pct(team.revenue_percent), 30, team)
        text(MARGIN + 20, y0 + 100, revenue_line(team, t), 24)
        bar(y0 + 135, team, 34)
        text(MARGIN + 20, y0 + 215, _stats(team, t, locale, finished), 19, color=MUTED)

        # managers
        for i, row in enumerate(rows):
            y = HEADER_H + TEAM_H + i * ROW_H
            card(y, ROW_H - 16, 14)
            name = _clip(f"{i + 1}. {row.name}", 26)
            text(MARGIN + 20, y + 38, name, 24, fontweight="bold")
            right = fmt.money(row.fact.revenue, fmt.locale_of(t)) + " ₽  " + fmt.pct(row.revenue_percent)
            value(y + 38, right, 24, row)
            bar(y + 72, row, 26)
            text(MARGIN + 20, y + 140, _stats(row, t, locale, finished), 19, color=MUTED)

        buffer = io.BytesIO()
        fig.savefig(buffer, format="png", dpi=DPI, facecolor="white")
    return buffer.getvalue()


def revenue_line(row: BoardRow, t: Callable[..., str]) -> str:
    """ "102 100 000 ₽ из 120 000 000 ₽"; without a plan the fact alone (the stats line says so)."""
    locale = fmt.locale_of(t)
    if row.plan is None:
        return t("board-img-revenue-no-plan", fact=fmt.money(row.fact.revenue, locale))
    return t(
        "board-img-revenue",
        fact=fmt.money(row.fact.revenue, locale),
        plan=fmt.money(row.plan.revenue, locale),
    )


def _stats(row: BoardRow, t: Callable[..., str], locale: str, finished: bool) -> str:
    deals_plan = row.plan.deals if row.plan else None
    parts = [t("board-img-leads", leads=str(row.fact.leads))]
    if deals_plan is None:
        parts.append(t("board-img-deals-no-plan", deals=str(row.fact.deals)))
    else:
        parts.append(t("board-img-deals", deals=str(row.fact.deals), plan=fmt.count(deals_plan, locale)))
    if row.plan is None:
        parts.append(t("board-img-no-plan"))
    elif not finished:
        parts.append(fmt.forecast(t, "board-img-forecast", row.forecast_percent, row.forecast_revenue))
    return "  ·  ".join(parts)


def _clip(s: str, limit: int) -> str:
    return s if len(s) <= limit else s[: limit - 1] + "…"


def render_board_png_or_none(board: Board, t: Callable[..., str], locale: str = "ru") -> bytes | None:
    """``render_board_png``, or ``None`` when the picture cannot be drawn (logged): the caller sends the
    text alone, which says everything the picture shows."""
    try:
        return render_board_png(board, t, locale)
    except Exception:  # matplotlib raises many kinds; the text must go out regardless
        log.exception("the board picture could not be drawn; sending the text alone")
        return None


async def render_board_async(board: Board, t: Callable[..., str], locale: str = "ru") -> bytes:
    """``render_board_png`` in a worker thread, so the bot keeps answering while it draws."""
    return await asyncio.to_thread(render_board_png, board, t, locale)


async def render_board_or_none(board: Board, t: Callable[..., str], locale: str = "ru") -> bytes | None:
    """``render_board_png_or_none`` in a worker thread, so the bot keeps answering while it draws."""
    return await asyncio.to_thread(render_board_png_or_none, board, t, locale)
