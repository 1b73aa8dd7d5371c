"""``python -m bot import`` and ``python -m bot export`` as an operator runs them (the same ``main`` the
module runs, in-process so the test stays fast): a preview with rejected rows, a write, a second import
that adds nothing, a dry run, and an export that opens in openpyxl."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from bot.cli import main
from domain.enums import Role
from storage.db import create_engine, create_session_pool
from storage.migrate import upgrade
from storage.models import Client, Deal, Member, Task, Team

CSV = (
    "Компания;Ответственный;Задача;Срок;Бюджет\n"
    "Ромашка;Анна Петрова;Согласовать условия договора;15.12.2026;100\n"
    "Лотос;Борис;Отправить КП;16.12.2026;200\n"
    "Ромашка;Анна Петрова;Согласовать условия договора;15.12.2026;100\n"
    "Гранит;;Отправить договор;35.12.2026;\n"
    "Зенит;;Отправить договор;17.12.2026;\n"
)


@pytest.fixture(autouse=True)
def keep_logging() -> Iterator[None]:
    """``main`` sets up the root logger for a process; put pytest's back afterwards."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


@pytest.fixture
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"sqlite+aiosqlite:///{tmp_path}/cli.sqlite3"
    upgrade(url)
    for name in ("BOT_TOKEN", "TELEGRAM_API_URL", "REDIS_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("DEFAULT_LOCALE", "ru")
    monkeypatch.chdir(tmp_path)  # no stray .env

    async def setup() -> None:
        engine = create_engine(url)
        async with create_session_pool(engine)() as s, s.begin():
            team = Team(name="Продажи", timezone="Europe/Moscow")
            s.add(team)
            await s.flush()
            anna = Member(team_id=team.id, tg_id=1, name="Анна Петрова", role=Role.MANAGER)
            s.add_all([anna, Member(team_id=team.id, tg_id=2, name="Ирина", role=Role.HEAD)])
            await s.flush()
            client = Client(team_id=team.id, owner_id=anna.id, name="Альфа", name_key="альфа")
            s.add(client)
            await s.flush()
            s.add(
                Deal(
                    team_id=team.id,
                    client_id=client.id,
                    member_id=anna.id,
                    amount=150000,
                    on_date=date(2026, 11, 5),
                )
            )
        await engine.dispose()

    asyncio.run(setup())
    return url


def count(url: str, model: type) -> int:
    async def go() -> int:
        engine = create_engine(url)
        async with create_session_pool(engine)() as s:
            n = await s.scalar(select(func.count()).select_from(model))
        await engine.dispose()
        return n or 0

    return asyncio.run(go())


def test_import_twice_and_export(db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "amo.csv"
    path.write_bytes(CSV.encode("cp1251"))

    assert main(["import", str(path), "--team", "Продажи", "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "новых клиентов 1" in out and "отклонено 3" in out and "повторов 1" in out
    assert "Строка 3: ответственный «Борис» не найден" in out
    assert "Строка 5: срок «35.12.2026» — не дата" in out
    assert "Строка 6: не указан ответственный" in out
    assert "Пробный запуск" in out
    assert count(db, Client) == 1 and count(db, Task) == 0

    # the good rows are written; --owner names who gets rows that name nobody
    assert main(["import", str(path), "--team", "Продажи", "--owner", "Анна"]) == 0
    out = capsys.readouterr().out
    assert "отклонено 2" in out and "Записано: клиентов 2, задач 2" in out
    assert count(db, Client) == 3 and count(db, Task) == 2

    assert main(["import", str(path), "--team", "Продажи", "--owner", "Анна"]) == 0
    assert "Записано: клиентов 0, задач 0" in capsys.readouterr().out
    assert count(db, Client) == 3 and count(db, Task) == 2

    assert main(["import", str(path), "--team", "Нет такой"]) == 1
    assert "Команды «Нет такой» нет" in capsys.readouterr().err

    out_file = tmp_path / "out.xlsx"
    code = main(
        ["export", "--team", "Продажи", "--from", "2026-11-01", "--to", "2026-12-31", "--out", str(out_file)]
    )
    assert code == 0
    assert "клиентов 3, задач 2, сделок 1" in capsys.readouterr().out
    wb = load_workbook(out_file)
    assert [r[1:4] for r in wb["Сделки"].iter_rows(min_row=2, values_only=True)] == [
        ("Альфа", "Анна Петрова", 150000)
    ]
    tasks = [r[2] for r in wb["Задачи"].iter_rows(min_row=2, values_only=True)]
    assert tasks == ["Согласовать условия договора", "Отправить договор"]  # by due date
