"""Importing a messy file (extra columns, a bad date, duplicates, Cyrillic in CP1251 and UTF-8, XLSX):
the good rows go in, the bad ones are reported with reasons, and a second import adds nothing."""

from __future__ import annotations

import asyncio
import io
from collections.abc import Iterable
from datetime import date, datetime

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from domain.enums import Stage, TaskEventKind, TaskStatus
from importer.read import read_file
from importer.service import apply, apply_staged, prepare
from storage.import_repo import STAGE_ROWS, ImportRepo, StagedTask
from storage.models import Client, SalesPlan, Task, TaskEvent, Team
from storage.repo import name_key
from tests.handlers.conftest import make_team

HEADER = ["Название", "Ответственный", "Этап", "Задача", "Срок", "Телефон", "Лишний столбец"]
ROWS = [
    [
        "ООО Ромашка",
        "Менеджер2001",
        "Переговоры",
        "Согласовать условия договора",
        "15.12.2026",
        "+7 900",
        "x",
    ],
    [
        "ООО Ромашка",
        "Менеджер2001",
        "Переговоры",
        "Согласовать условия договора",
        "15.12.2026",
        "+7 900",
        "x",
    ],
    ["Бета", "Менеджер2002", "Первичный контакт", "Отправить КП", "32.13.2026", "", ""],
    ["", "Менеджер2001", "", "Позвонить", "10.12.2026", "", ""],
    ["Гамма", "Неизвестный Человек", "", "", "", "", ""],
    [
        "Дельта",
        "менеджер2002",
        "Какой-то свой этап",
        "Позвонить и узнать потребность",
        "2026-12-10 10:00",
        "",
        "",
    ],
    ["Ёлка", "", "КП отправлено", "Отправить договор", "11.12.26", "", ""],
    ["Эпсилон", "Менеджер2001", "", "Эпсилон", "12.12.2026", "", ""],
    ["Зета", "Менеджер2001", "Успешно реализовано", "", "", "", ""],
    ["", "", "", "", "", "", ""],
]
TODAY = date(2026, 11, 20)


def csv_bytes(encoding: str, delimiter: str) -> bytes:
    def cell(v: str) -> str:
        return f'"{v}"' if delimiter in v or '"' in v else v

    lines = [delimiter.join(cell(v) for v in row) for row in [HEADER, *ROWS]]
    text = "\r\n".join(lines) + "\r\n"
    return ("\ufeff" if encoding == "utf-8-sig" else "").encode() + text.encode(
        "utf-8" if encoding == "utf-8-sig" else encoding
    )


def xlsx_bytes() -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "Сделки"
    ws.append(HEADER)
    for row in ROWS:
        values: list[object] = list(row)
        if row[4] == "15.12.2026":
            values[4] = datetime(2026, 12, 15, 0, 0)  # a real date cell
        ws.append(values)
    other = wb.create_sheet("Справочник")  # a sheet the importer does not understand
    other.append(["Телефон", "Email"])
    other.append(["+7", "a@b.c"])
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


FILES = {
    "cp1251-semicolon": lambda: csv_bytes("cp1251", ";"),
    "utf8-bom-comma": lambda: csv_bytes("utf-8-sig", ","),
    "utf8-comma": lambda: csv_bytes("utf-8", ","),
    "xlsx": xlsx_bytes,
}


async def counts(session: AsyncSession, team_id: int) -> tuple[int, int, int]:
    clients = await session.scalar(select(func.count()).select_from(Client).where(Client.team_id == team_id))
    tasks = await session.scalar(select(func.count()).select_from(Task).where(Task.team_id == team_id))
    events = await session.scalar(select(func.count()).select_from(TaskEvent))
    return clients or 0, tasks or 0, events or 0


@pytest.mark.parametrize("kind", list(FILES))
async def test_a_messy_file_twice(session_pool: async_sessionmaker[AsyncSession], kind: str) -> None:
    team_row, head, managers = await make_team(session_pool, "Импорт", 2000)
    data = FILES[kind]()
    tables = read_file(data, f"crm.{'xlsx' if kind == 'xlsx' else 'csv'}")

    async with session_pool() as session, session.begin():
        team = await session.get(Team, team_row.id)
        plan = await prepare(session, team, tables, TODAY, default_owner_id=head.id)
        assert plan.understood and plan.rows == 9  # the blank row is not counted
        assert [c.name for c in plan.new_clients] == ["ООО Ромашка", "Дельта", "Ёлка", "Зета"]
        assert [(t.action, t.due) for t in plan.new_tasks] == [
            ("Согласовать условия договора", date(2026, 12, 15)),
            ("Позвонить и узнать потребность", date(2026, 12, 10)),
            ("Отправить договор", date(2026, 12, 11)),
        ]
        assert plan.duplicates == 1 and plan.unknown_stages == 1
        assert [(r.row, r.reason) for r in plan.rejected] == [
            (4, "bad-date"),
            (5, "no-client"),
            (6, "unknown-owner"),
            (9, "vague-task"),
        ]
        assert "Телефон" in plan.ignored and "Лишний столбец" in plan.ignored
        written = await apply(session, team, plan, head.id)
        assert (written.clients, written.tasks, written.plans) == (4, 3, 0)

    async with session_pool() as session:
        clients = {
            c.name: c for c in await session.scalars(select(Client).where(Client.team_id == team_row.id))
        }
        assert clients["ООО Ромашка"].stage is Stage.NEGOTIATION
        assert clients["ООО Ромашка"].owner_id == managers[0].id
        assert clients["Дельта"].stage is Stage.NEW and clients["Дельта"].owner_id == managers[1].id
        assert clients["Ёлка"].owner_id == head.id and clients["Ёлка"].name_key == "елка"
        assert clients["Зета"].stage is Stage.WON
        tasks = (await session.scalars(select(Task).where(Task.team_id == team_row.id))).all()
        assert {t.status for t in tasks} == {TaskStatus.OPEN}
        assert {(clients_by_id := {c.id: n for n, c in clients.items()})[t.client_id] for t in tasks} == {
            "ООО Ромашка",
            "Дельта",
            "Ёлка",
        }
        assert all(t.assignee_id == clients[clients_by_id[t.client_id]].owner_id for t in tasks)
        before = await counts(session, team_row.id)
    assert before[:2] == (4, 3)

    # the same file again: nothing new, nothing written
    async with session_pool() as session, session.begin():
        team = await session.get(Team, team_row.id)
        again = await prepare(session, team, read_file(data, "crm"), TODAY, default_owner_id=head.id)
        assert again.nothing_new and again.known_clients == 4 and again.known_tasks == 4
        assert len(again.rejected) == 4
        written = await apply(session, team, again, head.id)
        assert (written.clients, written.tasks) == (0, 0)
    async with session_pool() as session:
        assert await counts(session, team_row.id) == before


async def test_a_failure_mid_write_leaves_nothing(session_pool: async_sessionmaker[AsyncSession]) -> None:
    team_row, head, _ = await make_team(session_pool, "Откат", 3000)
    tables = read_file(csv_bytes("utf-8", ";"), "crm.csv")
    with pytest.raises(RuntimeError):
        async with session_pool() as session, session.begin():
            team = await session.get(Team, team_row.id)
            plan = await prepare(session, team, tables, TODAY, default_owner_id=head.id)
            await apply(session, team, plan, head.id)
            raise RuntimeError("the bot died before the commit")
    async with session_pool() as session:
        assert (await counts(session, team_row.id))[:2] == (0, 0)


async def test_a_plan_sheet_sets_plans_once(session_pool: async_sessionmaker[AsyncSession]) -> None:
    team_row, head, managers = await make_team(session_pool, "Планы", 4000)
    text = "Менеджер;Месяц;Выручка;Сделки\nМенеджер4001;2026-12;500 000;5\nМенеджер4002;декабрь;300000;3\n"
    tables = read_file(text.encode("cp1251"), "plan.csv")
    async with session_pool() as session, session.begin():
        team = await session.get(Team, team_row.id)
        plan = await prepare(session, team, tables, TODAY, default_owner_id=head.id)
        assert [(p.member_id, p.month, p.target.revenue) for p in plan.new_plans] == [
            (managers[0].id, date(2026, 12, 1), 500000),
            (managers[1].id, date(2026, 12, 1), 300000),
        ]
        assert (await apply(session, team, plan, head.id)).plans == 2
    async with session_pool() as session, session.begin():
        team = await session.get(Team, team_row.id)
        again = await prepare(session, team, tables, TODAY, default_owner_id=head.id)
        assert again.nothing_new and again.known_plans == 2
        rows = (await session.scalars(select(SalesPlan).where(SalesPlan.team_id == team_row.id))).all()
        assert sorted((r.deals, int(r.revenue)) for r in rows) == [(3, 300000), (5, 500000)]


class Turn:
    """The writer's turn as the bot gives it (``HeavyJobs.turns``): asked for, then given when the test
    says so."""

    def __init__(self) -> None:
        self.asked = asyncio.Event()
        self.given = asyncio.Event()

    async def __aenter__(self) -> None:
        self.asked.set()
        await self.given.wait()

    async def __aexit__(self, *exc: object) -> None:
        return None


def many_rows(rows: int, owner: str) -> bytes:
    lines = ["Компания;Ответственный;Задача;Срок"]
    lines += [f"Клиент {i};{owner};Отправить договор {i};{1 + i % 28:02d}.12.2026" for i in range(rows)]
    return ("\n".join(lines) + "\n").encode()


async def test_the_bot_stages_rows_in_batches_without_the_writer_and_publishes_them_at_once(
    session_pool: async_sessionmaker[AsyncSession], monkeypatch: pytest.MonkeyPatch
) -> None:
    """``apply_staged``: while someone else holds the database's writer (SQLite's one write lock), the
    import still reads and stages all its rows, a bounded batch a statement; nothing is visible until
    its turn at the writer, and then all of it is, each task with its "created" event."""
    team_row, head, managers = await make_team(session_pool, "Пачки", 5000)
    rows = 2 * STAGE_ROWS + 7
    tables = read_file(many_rows(rows, managers[0].name), "big.csv")
    async with session_pool() as session, session.begin():
        team = await session.get(Team, team_row.id)
        assert team is not None
        plan = await prepare(session, team, tables, TODAY, default_owner_id=head.id)
    batches: list[int] = []
    real_stage = ImportRepo.stage_tasks

    async def counted(repo: ImportRepo, staged: Iterable[StagedTask]) -> None:
        staged = list(staged)
        batches.append(len(staged))
        await real_stage(repo, staged)

    monkeypatch.setattr(ImportRepo, "stage_tasks", counted)
    turn = Turn()
    async with session_pool() as other, other.begin():  # holds the writer while the import stages
        await other.execute(update(Team).where(Team.id == team_row.id).values(name="Пачки и ещё"))
        write = asyncio.create_task(apply_staged(session_pool, team_row.id, plan, head.id, turn=turn))
        # below SQLite's busy timeout (15 s): staging that waited for the write lock would fail here
        await asyncio.wait_for(turn.asked.wait(), 10)
    assert batches == [STAGE_ROWS, STAGE_ROWS, 7]
    async with session_pool() as session:
        assert await counts(session, team_row.id) == (0, 0, 0)  # staged rows are nobody's to see
    turn.given.set()
    written = await asyncio.wait_for(write, 30)
    assert (written.clients, written.tasks, written.plans) == (rows, rows, 0)
    async with session_pool() as session:
        assert await counts(session, team_row.id) == (rows, rows, rows)
        task, event = (
            await session.execute(
                select(Task, TaskEvent)
                .join(TaskEvent, TaskEvent.task_id == Task.id)
                .join(Client, Client.id == Task.client_id)
                .where(Client.name == "Клиент 30")
            )
        ).one()
        assert (task.action, task.due_date, task.status, task.assignee_id) == (
            "Отправить договор 30",
            date(2026, 12, 3),
            TaskStatus.OPEN,
            managers[0].id,
        )
        assert (event.kind, event.actor_id, event.from_date, event.data) == (
            TaskEventKind.CREATED,
            head.id,
            date(2026, 12, 3),
            {"due": "2026-12-03"},
        )
    again = await apply_staged(session_pool, team_row.id, plan, head.id)  # the same plan again: nothing
    assert (again.clients, again.tasks) == (0, 0)


async def test_a_staged_import_that_fails_publishing_leaves_nothing_and_can_be_sent_again(
    session_pool: async_sessionmaker[AsyncSession], monkeypatch: pytest.MonkeyPatch
) -> None:
    team_row, head, managers = await make_team(session_pool, "Сбой", 6000)
    tables = read_file(many_rows(STAGE_ROWS + 1, managers[0].name), "big.csv")
    async with session_pool() as session, session.begin():
        team = await session.get(Team, team_row.id)
        assert team is not None
        plan = await prepare(session, team, tables, TODAY, default_owner_id=head.id)
    real = ImportRepo.member_plans

    async def broken(repo: ImportRepo, team_id: int) -> dict[tuple[int, date], SalesPlan]:
        raise RuntimeError("the database went away mid-publish")

    monkeypatch.setattr(ImportRepo, "member_plans", broken)  # after the clients, tasks and events
    with pytest.raises(RuntimeError):
        await apply_staged(session_pool, team_row.id, plan, head.id)
    async with session_pool() as session:
        assert (await counts(session, team_row.id))[:2] == (0, 0)
    monkeypatch.setattr(ImportRepo, "member_plans", real)
    written = await apply_staged(session_pool, team_row.id, plan, head.id)
    assert (written.clients, written.tasks) == (STAGE_ROWS + 1, STAGE_ROWS + 1)
    async with session_pool() as session:
        assert await counts(session, team_row.id) == (STAGE_ROWS + 1, STAGE_ROWS + 1, STAGE_ROWS + 1)


@pytest.mark.parametrize("staged", [False, True], ids=["apply", "apply_staged"])
async def test_a_task_for_a_name_two_clients_share_goes_to_one_of_them(
    session_pool: async_sessionmaker[AsyncSession], staged: bool
) -> None:
    """A name key is not unique within a team (a CRM sync may bring two «Ромашка», one per manager): a file
    row for «Ромашка» is one task, on the client ``client_ids`` maps the key to (the highest id), not one
    task per same-named client; the same file again adds nothing."""
    team_row, head, managers = await make_team(session_pool, "Тёзки", 7000)
    async with session_pool() as session, session.begin():
        twins = [
            Client(team_id=team_row.id, owner_id=m.id, name="Ромашка", name_key=name_key("Ромашка"))
            for m in managers
        ]
        session.add_all(twins)
        await session.flush()
        chosen = (await ImportRepo(session).client_ids(team_row.id))[name_key("Ромашка")]
    assert chosen == max(t.id for t in twins)
    data = f"Компания;Ответственный;Задача;Срок\nРомашка;{managers[0].name};Отправить договор;10.12.2026\n"

    async def load() -> tuple[int, int]:
        async with session_pool() as session:
            async with session.begin():
                team = await session.get(Team, team_row.id)
                assert team is not None
                plan = await prepare(session, team, read_file(data.encode(), "crm.csv"), TODAY, head.id)
                if not staged:
                    written = await apply(session, team, plan, head.id)
            if staged:
                written = await apply_staged(session_pool, team_row.id, plan, head.id)
        return written.clients, written.tasks

    assert await load() == (0, 1)
    async with session_pool() as session:
        tasks = (await session.scalars(select(Task).where(Task.team_id == team_row.id))).all()
        assert [(t.client_id, t.action) for t in tasks] == [(chosen, "Отправить договор")]
    assert await load() == (0, 0)
    async with session_pool() as session:
        assert (await counts(session, team_row.id))[:2] == (2, 1)
