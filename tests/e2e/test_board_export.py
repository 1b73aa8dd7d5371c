"""The results board and the Excel export against the real bot process over HTTP: /board sends a real PNG
of a phone-friendly size and the text beside it, a manager sees the board too, and /export sends an XLSX
that opens with openpyxl and holds the team's deals."""

from __future__ import annotations

import io
import struct
from collections.abc import AsyncIterator
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook
from PIL import Image
from sqlalchemy import select

from botapi_emulator import Emulator
from domain.enums import Stage
from reports.fmt import money
from storage.db import create_engine, create_session_pool
from storage.models import Client, Deal, Lead, Member, SalesPlan
from tests.conftest import TEST_TOKEN
from tests.e2e.harness import LiveBot, Person, running
from tests.e2e.test_onboarding import cli, invite_code

pytestmark = pytest.mark.e2e

MONDAY_NOON = "2026-11-23T12:00:00+03:00"  # 15 of November's 20 working days in Russia have begun


@pytest.fixture
async def board_bot(
    emulator: tuple[Emulator, str], sqlite_url: str, tmp_path: Path
) -> AsyncIterator[LiveBot]:
    async with running(emulator, sqlite_url, tmp_path, clock=MONDAY_NOON) as bot:
        yield bot


async def seed_deals(db_url: str) -> None:
    """What the managers recorded in November (written straight into the bot's database)."""
    engine = create_engine(db_url)
    try:
        async with create_session_pool(engine)() as s, s.begin():
            members = {m.tg_id: m for m in await s.scalars(select(Member))}
            anna, boris = members[201], members[202]
            client = Client(
                team_id=anna.team_id, owner_id=anna.id, name="Ромашка", name_key="ромашка", stage=Stage.WON
            )
            s.add(client)
            await s.flush()
            for who, on, amount in ((anna, 5, 200000), (anna, 20, 100000), (boris, 10, 50000)):
                s.add(
                    Deal(
                        team_id=who.team_id,
                        client_id=client.id,
                        member_id=who.id,
                        amount=amount,
                        on_date=date(2026, 11, on),
                    )
                )
            s.add(
                Lead(team_id=anna.team_id, client_id=client.id, member_id=anna.id, on_date=date(2026, 11, 2))
            )
            for who, revenue in ((anna, 600000), (boris, 400000)):
                s.add(
                    SalesPlan(
                        team_id=who.team_id,
                        member_id=who.id,
                        month=date(2026, 11, 1),
                        revenue=revenue,
                        deals=4,
                    )
                )
    finally:
        await engine.dispose()


def photo(m: object) -> bool:
    return getattr(m, "kind", None) == "photo"


async def test_board_and_export(board_bot: LiveBot, emulator: tuple[Emulator, str], sqlite_url: str) -> None:
    emu, _ = emulator
    head = Person(emu, 101, "Ирина")
    await head.send(
        f"/start {invite_code(await cli(board_bot, 'team', 'create', 'Продажи'))}", expect="Добро"
    )
    for user_id, name in ((201, "Анна"), (202, "Борис")):
        code = invite_code((await head.send("/invite", expect="Приглашение")).text)
        await Person(emu, user_id, name).send(f"/start {code}", expect="Добро")
    await seed_deals(sqlite_url)

    before = len(head.inbox)
    picture = await head.send("/board", expect=photo, within=30)
    data = picture.data
    assert data is not None and data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])  # the IHDR chunk
    assert width == 1080 and 600 <= height <= 4000
    with Image.open(io.BytesIO(data)) as image:
        image.verify()  # a whole, decodable image, not just a header
    assert "Доска результатов — ноябрь 2026" in picture.plain_text
    text = await head.wait("прошло рабочих дней", after=before)
    assert "15 из 20" in text.plain_text
    assert f"1. Анна — {money(Decimal(300000))} ₽ · 50% · прогноз 67%" in text.plain_text
    assert f"2. Борис — {money(Decimal(50000))} ₽ · 13%" in text.plain_text

    anna = Person(emu, 201, "Анна")
    assert "Доска результатов" in (await anna.send("/board неделя", expect=photo, within=30)).plain_text

    document = await head.send("/export", expect=lambda m: m.kind == "document", within=30)
    assert document.filename and document.filename.endswith(".xlsx")
    workbook = load_workbook(io.BytesIO(document.data))
    deals = sorted((r[2], r[3]) for r in workbook["Сделки"].iter_rows(min_row=2, values_only=True))
    assert deals == [("Анна", 100000), ("Анна", 200000), ("Борис", 50000)]
    assert [r[1] for r in workbook["Клиенты"].iter_rows(min_row=2, values_only=True)] == ["Ромашка"]
    assert [r[1] for r in workbook["Лиды"].iter_rows(min_row=2, values_only=True)] == ["Ромашка"]

    # the weekly report job (python -m bot job weekly_report) sends the picture and the text to the head
    from bot.config import load_settings
    from handlers.sales import weekly_report_job

    settings = load_settings(
        bot_token=TEST_TOKEN, database_url=sqlite_url, telegram_api_url=emulator[1], _env_file=None
    )
    before = len(head.inbox)
    assert await weekly_report_job(settings, team="Продажи", date="2026-11-27") == 0
    report_photo = await head.wait(photo, after=before)
    assert "неделя 23.11–29.11.2026" in report_photo.plain_text
    report = await head.wait("Отчёт: неделя", after=before)
    assert report.button("Excel")
    assert not [m for m in anna.inbox if "Отчёт:" in (m.text or "")]  # managers do not get it
