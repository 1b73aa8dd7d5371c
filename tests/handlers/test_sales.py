"""Plans, the board, bonuses, reports, export and import through the real dispatcher (in-process
emulator). Monday 23 November 2026 in Moscow: November has 20 working days in Russia (4 November is a
holiday) and 15 of them have elapsed, today included."""

from __future__ import annotations

import asyncio
import io
import struct
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from bot.i18n import default_translator
from domain.enums import Stage
from handlers.sales import compose_monthly, compose_weekly
from reports.fmt import money
from scheduler.compose import ComposeContext
from storage.models import Client, DayReport, Deal, Lead, Member, SalesPlan, Task, Team
from storage.repo import Repo
from storage.sales_repo import SalesRepo
from tests.handlers.conftest import TeamWorld

PNG = b"\x89PNG\r\n\x1a\n"
NOV = date(2026, 11, 1)


async def forged(world: TeamWorld, user_id: int, message_id: int, data: str):
    """A press of a button that is not (or no longer) on the message: a double tap or a forgery."""

    async def act():
        query_id = world.app.emulator.press(user_id, message_id, data, strict=False)
        await world.app.drain()
        return world.app.emulator.answer_for(query_id)

    return await world.app.collect(act)


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == PNG
    return struct.unpack(">II", data[16:24])


async def seed(world: TeamWorld, plans: bool = True) -> None:
    m0, m1 = world.managers
    async with world.pool() as s, s.begin():
        a = Client(team_id=world.team.id, owner_id=m0.id, name="Альфа", name_key="альфа", stage=Stage.WON)
        b = Client(team_id=world.team.id, owner_id=m1.id, name="Бета", name_key="бета", stage=Stage.WON)
        s.add_all([a, b])
        await s.flush()
        for who, client, on, amount in (
            (m0, a, date(2026, 11, 5), 200000),
            (m0, a, date(2026, 11, 20), 100000),
            (m1, b, date(2026, 11, 10), 50000),
            (m0, a, date(2026, 10, 15), 400000),  # October: only on the October board
        ):
            s.add(
                Deal(team_id=world.team.id, client_id=client.id, member_id=who.id, amount=amount, on_date=on)
            )
        for who, client, n in ((m0, a, 3), (m1, b, 1)):
            for i in range(n):
                s.add(
                    Lead(
                        team_id=world.team.id,
                        client_id=client.id,
                        member_id=who.id,
                        on_date=date(2026, 11, 2 + i),
                    )
                )
        for who in (m0, m1):  # they joined long before November
            (await s.get(Member, who.id)).joined_at = datetime(2026, 10, 1, tzinfo=UTC)
        # Anna's evening reports: 2 Nov at 20:00 Moscow (on time), 3 Nov at 22:00 (after the 21:00 deadline)
        s.add(
            DayReport(
                team_id=world.team.id,
                member_id=m0.id,
                on_date=date(2026, 11, 2),
                submitted_at=datetime(2026, 11, 2, 17, 0, tzinfo=UTC),
                planned=3,
                done=3,
            )
        )
        s.add(
            DayReport(
                team_id=world.team.id,
                member_id=m0.id,
                on_date=date(2026, 11, 3),
                submitted_at=datetime(2026, 11, 3, 19, 0, tzinfo=UTC),
                planned=3,
                done=1,
            )
        )
        if plans:
            s.add(SalesPlan(team_id=world.team.id, member_id=m0.id, month=NOV, revenue=600000, deals=4))
            s.add(SalesPlan(team_id=world.team.id, member_id=m1.id, month=NOV, revenue=400000, deals=4))


async def test_the_board_picture_and_text_for_everyone(world: TeamWorld) -> None:
    await seed(world)
    head, anna = world.speaker(world.head), world.speaker(world.managers[0])
    reply = await head.send("/board")
    preparing, photo, text = reply.messages  # the picture is drawn as a job (bot/heavy.py)
    assert "Готовлю картинку" in preparing.plain_text
    assert photo.kind == "photo"
    width, height = png_size(photo.data)
    assert width == 1080 and 600 <= height <= 3000
    assert "Доска результатов — ноябрь 2026" in photo.plain_text
    body = text.plain_text
    assert "прошло рабочих дней: 15 из 20" in body
    assert f"Команда: {money(Decimal(350000))} ₽ из {money(Decimal(1000000))} ₽ — 35%" in body
    # 300 000 at 15 of 20 working days: 400 000 at the month's end, 67% of 600 000
    assert f"1. Менеджер1001 — {money(Decimal(300000))} ₽ · 50% · прогноз 67%" in body
    assert "лиды 3 · сделки 2 из 4" in body
    assert f"2. Менеджер1002 — {money(Decimal(50000))} ₽ · 13% · прогноз 17%" in body

    # a manager sees the whole board too; a past month is final, with its own deals
    past = await anna.send("/board 2026-10")
    assert past.messages[1].kind == "photo"
    assert "итоги периода" in past.messages[2].plain_text
    assert f"Менеджер1001 — {money(Decimal(400000))} ₽ · плана нет" in past.messages[2].plain_text

    bad = await anna.send("/board послезавтра")
    assert "Не понял период" in bad.text


async def test_the_plan_dialog(world: TeamWorld) -> None:
    head = world.speaker(world.head)
    ask = (await head.send("/plan_month")).messages[-1]
    assert "На какой месяц" in ask.plain_text
    first = (await head.press(ask, "ноябрь 2026")).messages[-1]
    assert "Менеджер1001" in first.plain_text and "1 из 2" in first.plain_text
    refused = await head.send("много денег")
    assert "два числа" in refused.text
    second = (await head.send("1,5 млн 12")).messages[-1]
    assert "Менеджер1002" in second.plain_text
    # the first prompt's button no longer speaks for anyone: it does not skip the second manager
    old = await head.press(first, "Оставить как есть")
    assert old.answer is not None and old.answer.show_alert and not old.messages
    team_step = (await head.press(second, "Оставить как есть")).messages[-1]
    assert f"Сумма по менеджерам: {money(Decimal(1500000))} ₽, сделок 12" in team_step.plain_text
    saved = (await head.press(team_step, "Команда = сумма")).messages[-1]
    assert "План на ноябрь 2026 сохранён" in saved.plain_text
    assert "Менеджер1002: плана нет" in saved.plain_text

    async with world.pool() as s:
        rows = (await s.scalars(select(SalesPlan).where(SalesPlan.team_id == world.team.id))).all()
        assert [(r.member_id, r.month, int(r.revenue), r.deals) for r in rows] == [
            (world.managers[0].id, NOV, 1500000, 12)
        ]

    # again, with the team's own plan, by typing the month
    await head.send("/plan_month")
    await head.send("ноябрь")
    await head.send("500000 5")
    await head.send("600000 6")
    saved = (await head.send("2 млн 20")).messages[-1]
    assert f"Команда: {money(Decimal(2000000))} ₽, сделок 20" in saved.plain_text
    async with world.pool() as s:
        plans = await SalesRepo(s).month_plans(world.team.id, [NOV])
        assert plans[(None, NOV)].revenue == Decimal(2000000)
        assert plans[(world.managers[0].id, NOV)].revenue == Decimal(500000)

    # a manager cannot plan; a stale button changes nothing
    anna = world.speaker(world.managers[0])
    assert "другой роли" in (await anna.send("/plan_month")).text
    stale = await forged(world, world.head.tg_id, saved.message_id, "spm:sum:")
    assert stale.answer is not None and stale.answer.text


async def test_bonus_scheme_and_bonuses(world: TeamWorld) -> None:
    await seed(world)
    head, anna = world.speaker(world.head), world.speaker(world.managers[0])
    assert "Схема премии не задана" in (await anna.send("/bonus")).text
    assert "Проценты шкалы должны расти" in (await head.send("/bonus_scheme 50000 70:1 60:2")).text
    saved = (await head.send("/bonus_scheme 50000 0:0 70:1 100:1.5")).text
    assert "шкала 0:0 70:1 100:1.5" in saved
    assert f"при 85% — {money(Decimal(42500))} ₽" in saved and "При 69% плана — 0 ₽" in saved
    assert "другой роли" in (await anna.send("/bonus_scheme 1 0:1")).text

    # Anna: 50% of plan → nothing; at the pace, 67% → still nothing; she sees only herself
    own = (await anna.send("/bonus")).text
    assert "Менеджер1001: выполнено 50% плана → 0 ₽" in own and "Менеджер1002" not in own
    everyone = (await head.send("/bonus")).text
    assert "Менеджер1001" in everyone and "Менеджер1002" in everyone


async def test_export_and_the_report_with_excel(world: TeamWorld) -> None:
    await seed(world)
    head, anna = world.speaker(world.head), world.speaker(world.managers[0])
    preparing, doc = (await head.send("/export")).messages
    assert preparing.plain_text.startswith("Готовлю файл…")
    assert doc.kind == "document" and doc.filename.endswith(".xlsx")
    assert "сделок 3" in doc.plain_text
    wb = load_workbook(io.BytesIO(doc.data))
    deals = [row for row in wb["Сделки"].iter_rows(min_row=2, values_only=True)]
    assert sorted((r[1], r[2], r[3]) for r in deals) == [
        ("Альфа", "Менеджер1001", 100000),
        ("Альфа", "Менеджер1001", 200000),
        ("Бета", "Менеджер1002", 50000),
    ]
    assert {r[1] for r in wb["Клиенты"].iter_rows(min_row=2, values_only=True)} == {"Альфа", "Бета"}
    assert "другой роли" in (await anna.send("/export")).text

    reply = await head.send("/sales_report месяц")
    photo, text = reply.messages[1], reply.messages[-1]
    assert photo.kind == "photo" and png_size(photo.data)[0] == 1080
    assert "Отчёт: ноябрь 2026" in text.plain_text
    # 14 working days from 2 to 20 November for each of two managers (today's report is not due yet)
    assert "Вечерние отчёты вовремя: 4% (1 из 28; с опозданием 1, не сдано 26)" in text.plain_text
    assert "• Менеджер1001: 7% (1 из 14)" in text.plain_text
    _, xlsx = (await head.press(text, "Excel")).messages
    sheet = load_workbook(io.BytesIO(xlsx.data))["Итоги"]
    assert [r[0] for r in sheet.iter_rows(min_row=2, values_only=True)] == [
        "Менеджер1001",
        "Менеджер1002",
        "Команда",
    ]


async def test_import_in_the_chat(world: TeamWorld) -> None:
    head = world.speaker(world.head)
    data = (
        "Компания;Ответственный;Задача;Срок;Бюджет\n"
        "Ромашка;Менеджер1001;Согласовать условия договора;15.12.2026;100\n"
        "Лотос;Кто-то;Отправить КП;16.12.2026;200\n"
    ).encode("cp1251")

    async def upload() -> list:
        async def act() -> None:
            world.app.emulator.send_document(world.head.tg_id, data, "amo.csv")
            await world.app.drain()

        return (await world.app.collect(act)).messages

    preview = await upload()
    text = "\n".join(m.plain_text for m in preview)
    assert "Новых клиентов: 1" in text and "Отклонено строк: 1" in text
    assert "строка 3: ответственный «Кто-то» не найден" in text and "Не использую: Бюджет" in text
    assert "Читаю файл" in preview[0].plain_text
    done = await head.press(preview[-1], "Загрузить")
    assert "Загружено: клиентов 1, задач 1" in done.messages[-1].plain_text
    async with world.pool() as s:
        names = (await s.scalars(select(Client.name).where(Client.team_id == world.team.id))).all()
        assert names == ["Ромашка"]
    again = await upload()
    assert "Нового в файле нет" in again[-1].plain_text and not again[-1].buttons
    # the button of the first preview is spent
    spent = await forged(world, world.head.tg_id, preview[-1].message_id, "imp:go")
    assert "не найден" in spent.answer.text


async def test_scheduled_reports_only_on_their_day(world: TeamWorld) -> None:
    await seed(world)
    t = default_translator().get("ru")
    async with world.pool() as s:
        team = await s.get(Team, world.team.id)

        def ctx(day: date) -> ComposeContext:
            return ComposeContext(Repo(s), team, world.head, day, t, world.clock)

        assert await compose_weekly(ctx(date(2026, 11, 26))) == []  # Thursday
        friday = await compose_weekly(ctx(date(2026, 11, 27)))
        # the board's picture with its caption first, then the text, the Excel button on the last part
        picture, *text = friday
        assert picture.photo is not None and picture.photo.startswith(b"\x89PNG")
        assert "неделя 23.11–29.11.2026" in picture.text and len(picture.text) < 1024
        assert text and all(m.photo is None for m in text) and text[-1].reply_markup is not None
        assert "неделя 23.11–29.11.2026" in text[0].text
        assert await compose_monthly(ctx(date(2026, 12, 2))) == []
        december = await compose_monthly(ctx(date(2026, 12, 1)))  # the first working day: November
        assert december[0].photo is not None
        assert "Отчёт: ноябрь 2026" in december[1].text
        assert money(Decimal(350000)) in december[1].text


async def test_export_again_while_one_is_prepared_gets_already_preparing(
    world: TeamWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The heavy work is a job (bot/heavy.py): "Готовлю файл…" at once, the file when ready, and a second
    /export meanwhile starts no second job."""
    import threading

    import handlers.sales as sales

    gate = threading.Event()
    real = sales.export_workbook
    builds = []

    async def held(*args, **kwargs):
        builds.append(threading.current_thread().name)
        await asyncio.to_thread(gate.wait, 30)
        return await real(*args, **kwargs)

    monkeypatch.setattr(sales, "export_workbook", held)
    await seed(world)
    head = world.speaker(world.head)

    async def send_only(text: str):
        async def act() -> None:
            world.app.emulator.send_text(world.head.tg_id, text)
            await world.app.feed()  # handled, the job left running

        return await world.app.collect(act)

    first = await send_only("/export")
    assert [m.plain_text[:13] for m in first.messages] == ["Готовлю файл…"]
    second = await send_only("/export")
    assert second.text.startswith("Уже готовлю")
    # someone else is answered meanwhile: the job holds neither the loop nor a write lock
    assert "/today" in (await world.speaker(world.managers[0]).send("/help")).text
    gate.set()
    await world.app.heavy.wait_idle()
    documents = [m for m in head.inbox if m.kind == "document"]
    assert len(documents) == 1 and len(builds) == 1
    assert builds[0].startswith("heavy")  # in a worker thread, not on the bot's loop
    # and once it is sent, /export works again
    again = await head.send("/export")
    assert again.messages[-1].kind == "document"


async def test_import_of_mostly_overdue_tasks_offers_to_move_them(world: TeamWorld) -> None:
    head = world.speaker(world.head)
    data = (
        "Компания;Ответственный;Задача;Срок\n"
        "Ромашка;Менеджер1001;Согласовать условия договора;02.11.2026\n"
        "Лотос;Менеджер1001;Отправить КП;05.11.2026\n"
        "Астра;Менеджер1002;Позвонить ЛПР;10.11.2026\n"
        "Вектор;Менеджер1002;Провести встречу;15.12.2026\n"
    ).encode()

    async def upload(payload: bytes) -> list:
        async def act() -> None:
            world.app.emulator.send_document(world.head.tg_id, payload, "amo.csv")
            await world.app.drain()

        return (await world.app.collect(act)).messages

    preview = await upload(data)
    text = "\n".join(m.plain_text for m in preview)
    assert "Просрочено 3 из 4 новых задач" in text
    # Monday 23 November: the next working day is Tuesday the 24th; a typed date moves the offer
    assert preview[-1].button("24.11.2026")
    typed = await head.send("пятница")
    assert typed.messages[-1].button("27.11.2026")
    done = await head.press(typed.messages[-1], "27.11.2026")
    assert "Загружено: клиентов 4, задач 4" in done.messages[-1].plain_text
    async with world.pool() as s:
        dues = dict((await s.execute(select(Task.action, Task.due_date))).all())
    assert dues == {
        "Согласовать условия договора": date(2026, 11, 27),
        "Отправить КП": date(2026, 11, 27),
        "Позвонить ЛПР": date(2026, 11, 27),
        "Провести встречу": date(2026, 12, 15),
    }
    # the same file again: the moved tasks are known, nothing new
    again = await upload(data)
    assert "Нового в файле нет" in again[-1].plain_text

    # a file with few overdue tasks says nothing of them and offers no move
    few = (
        "Компания;Ответственный;Задача;Срок\n"
        "Сирень;Менеджер1001;Отправить КП;02.11.2026\n"
        "Сирень;Менеджер1001;Провести встречу;15.12.2026\n"
        "Сирень;Менеджер1001;Подписать договор;16.12.2026\n"
    ).encode()
    other = await upload(few)
    assert "Просрочено" not in "\n".join(m.plain_text for m in other)
    assert [b["text"] for b in other[-1].buttons] == ["✅ Загрузить", "Отмена"]
    assert "Переносить нечего" in (await head.send("пятница")).text


async def test_a_file_the_import_cannot_read_is_told_politely_after_the_job(world: TeamWorld) -> None:
    world.speaker(world.head)

    async def act() -> None:
        world.app.emulator.send_document(world.head.tg_id, "Цвет;Вкус\nкрасный;сладкий\n".encode(), "x.csv")
        await world.app.drain()

    reply = await world.app.collect(act)
    reading, refusal = reply.messages
    assert reading.plain_text == "Читаю файл…"
    assert refusal.plain_text.startswith("Не нашёл в файле столбца с названием клиента")
    # nothing waits for a press: a button of another preview loads nothing
    spent = await forged(world, world.head.tg_id, refusal.message_id, "imp:go")
    assert "не найден" in spent.answer.text


async def test_a_manager_is_answered_while_an_import_is_written(
    world: TeamWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The import's rows are staged without SQLite's writer (``importer.service.apply_staged``): held midway
    through its staging, the import holds nobody up: a manager's /help is answered, none of its rows is
    visible yet, and once let go all of them are."""
    from storage.import_repo import STAGE_ROWS, ImportRepo

    rows = STAGE_ROWS + 10
    data = (
        "Компания;Ответственный;Задача;Срок\n"
        + "".join(f"Клиент {i};Менеджер1001;Отправить договор {i};15.12.2026\n" for i in range(rows))
    ).encode()
    reached, go = asyncio.Event(), asyncio.Event()
    real = ImportRepo.stage_tasks
    batches: list[int] = []

    async def held(repo: ImportRepo, staged: list) -> None:
        batches.append(len(staged))
        if len(batches) == 2:  # one batch staged, the second waits
            reached.set()
            await go.wait()
        await real(repo, staged)

    monkeypatch.setattr(ImportRepo, "stage_tasks", held)
    world.speaker(world.head), world.speaker(world.managers[0])  # known to the emulator
    emu = world.app.emulator

    async def upload() -> None:
        emu.send_document(world.head.tg_id, data, "big.csv")
        await world.app.drain()

    preview = (await world.app.collect(upload)).messages
    emu.press(world.head.tg_id, preview[-1].message_id, preview[-1].button("Загрузить")["callback_data"])
    await world.app.feed()  # "Загружаю…", the job left running
    await asyncio.wait_for(reached.wait(), 60)

    async def ask() -> None:
        emu.send_text(world.managers[0].tg_id, "/help")
        await asyncio.wait_for(world.app.feed(), 10)  # waiting for the writer would time out here

    try:
        assert "/today" in (await world.app.collect(ask)).text
        async with world.pool() as s:
            assert not (await s.scalars(select(Client.id).where(Client.team_id == world.team.id))).all()
    finally:
        go.set()  # a failure above still lets the import finish, so the test ends
    await world.app.heavy.wait_idle()
    assert batches == [STAGE_ROWS, 10]
    assert f"Загружено: клиентов {rows}, задач {rows}" in emu.sent(world.head.tg_id)[-1].plain_text
