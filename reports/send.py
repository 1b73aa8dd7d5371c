"""Sending the board and the reports: the picture with a short caption, then the full text (split under
Telegram's limit), for handlers, scheduled jobs and the demo alike."""

from __future__ import annotations

from datetime import date

from aiogram import Bot
from aiogram.types import BufferedInputFile, InlineKeyboardMarkup
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from bot.i18n import Texts
from domain.sales import Board, Period
from domain.schedule import local_today
from domain.text import split_message
from domain.zones import team_zone
from reports.board import render_board_async, render_board_or_none
from reports.data import TeamReport, load_board
from reports.text import board_text, caption, report_text
from storage.models import Team


def team_today(team: Team, clock: Clock) -> date:
    return local_today(clock(), team_zone(team))


async def send_board(bot: Bot, chat_id: int, board: Board, t: Texts) -> None:
    """The picture with its caption (if it can be drawn), then the text."""
    png = await render_board_or_none(board, t.plain, t.locale)
    if png is not None:
        await bot.send_photo(chat_id, BufferedInputFile(png, "board.png"), caption=caption(board, t))
    for part in split_message(board_text(board, t, t.locale)):
        await bot.send_message(chat_id, part)


async def send_report(
    bot: Bot,
    chat_id: int,
    report: TeamReport,
    t: Texts,
    names: dict[int, str],
    markup: InlineKeyboardMarkup | None = None,
) -> None:
    png = await render_board_or_none(report.board, t.plain, t.locale)
    if png is not None:
        await bot.send_photo(chat_id, BufferedInputFile(png, "report.png"), caption=caption(report.board, t))
    parts = split_message(report_text(report, t, names, t.locale))
    for i, part in enumerate(parts):
        await bot.send_message(chat_id, part, reply_markup=markup if i == len(parts) - 1 else None)


async def board_snapshot(
    session: AsyncSession, team: Team, period: Period, today: date, t: Texts
) -> tuple[bytes, str]:
    """The board as PNG bytes and its HTML text, without sending: for the demo's end of day."""
    board = await load_board(session, team, period, today)
    return await render_board_async(board, t.plain, t.locale), board_text(board, t, t.locale)
