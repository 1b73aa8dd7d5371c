"""The demo's manager's day scenes play through and show their key moments."""

from __future__ import annotations

import contextlib
import io

from bot.config import load_settings
from bot.demo import run_demo

MOMENTS = (
    "План на вт 17.11",  # the morning list
    "Результат записан",  # a done task with its result
    "перенесено на ср 18.11",  # a moved task keeps its place
    "клиент, а не действие",  # a vague task refused
    "Задача добавлена",  # a concrete one accepted
    "Новый клиент и лид",
    "Сделка",
    "Итоги дня",  # the evening plan-vs-fact
    "Сделано 3 из 4 — 75%",
    "План отправлен",  # tomorrow's plan submitted
    "Утренняя сводка",  # the head's morning digest
    "Горячий список: напоминание",
    "Возвращён на доработку",  # a plan returned with a comment …
    "Исправлен после возврата",  # … rewritten …
    "План сотрудника Анна согласован",  # … and approved
    "Итоги дня отдела",  # the evening digest
    "Коммерческий разбор",
    "Доска результатов",  # the board, its picture saved to a file
    "подключила amoCRM",  # the next morning with a CRM: connected …
    "задач из CRM — 2, из них не действие — 1, выигранных в CRM сделок — 1",  # … synced …
    "Позвонить финдиректору и согласовать график оплаты",  # … its tasks on Anna's list …
    "Сириус ⚠️",  # … the vague one flagged …
    "Задачи из CRM — не действие: 1",  # … and counted in the head's digest
    "Задача в amoCRM закрыта с результатом менеджера: «График согласован",  # a mark completed it there
    "Борис — 960\u202f000 ₽",  # the deal won in the CRM (320 000) on the board: 640 000 before
)


async def test_the_demo_plays_the_managers_day() -> None:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert await run_demo(load_settings(_env_file=None), "ru") == 0
    text = out.getvalue()
    missing = [m for m in MOMENTS if m not in text]
    assert not missing, (missing, text[-3000:])
    assert "<b>" not in text and "Traceback" not in text
    # the review tells the month the board does: Anna's 610 000 ₽ before the demo's day
    start = text.index("Коммерческий разбор: Анна")
    review = text[start : text.index("Доска результатов", start)]
    assert "сделок пока нет" not in review and "610" in review, review
    from bot.config import ROOT

    png = (ROOT / "data" / "demo-board.png").read_bytes()
    assert png.startswith(b"\x89PNG") and len(png) > 10_000
