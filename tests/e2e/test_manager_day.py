"""A whole manager's day against the real bot process over HTTP: tasks set on Friday become Monday's list
in the documented order, every kind of mark by buttons, a vague task refused and a concrete one accepted,
a lead and a deal, the evening report with the right counts and percentage, tomorrow's plan submitted."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from botapi_emulator import Emulator
from botapi_emulator.models import SentMessage
from tests.e2e.harness import LiveBot, Person, running
from tests.e2e.test_onboarding import cli, invite_code

pytestmark = pytest.mark.e2e

FRIDAY_MORNING = "2026-11-20T09:30:00+03:00"
MONDAY_MORNING = "2026-11-23T09:05:00+03:00"
MONDAY_EVENING = "2026-11-23T18:10:00+03:00"


@pytest.fixture
async def day_bot(emulator: tuple[Emulator, str], sqlite_url: str, tmp_path: Path) -> AsyncIterator[LiveBot]:
    async with running(emulator, sqlite_url, tmp_path, clock=FRIDAY_MORNING) as bot:
        yield bot


def latest(person: Person, message: SentMessage) -> SentMessage:
    """The message as it is now (after the bot edited it)."""
    return next(m for m in person.inbox if m.message_id == message.message_id)


async def test_a_whole_manager_day(day_bot: LiveBot, emulator: tuple[Emulator, str]) -> None:
    emu, _ = emulator
    head = Person(emu, 101, "Ирина")
    await head.send(f"/start {invite_code(await cli(day_bot, 'team', 'create', 'Продажи'))}", expect="Добро")
    anna = Person(emu, 201, "Анна")
    code = invite_code((await head.send("/invite", expect="Приглашение")).text)
    await anna.send(f"/start {code}", expect="Добро")

    # Friday: clients and tasks; the Дельта task stays undone and is overdue on Monday
    for name in ("Альфа", "Бета", "Гамма", "Дельта", "Эпсилон"):
        await anna.send(f"/newclient {name}", expect="создан")
    await anna.send("/add Дельта: перезвонить ЛПР сегодня", expect="Задача добавлена")
    # a vague task is refused with examples; a concrete one is accepted
    await anna.send("/add Альфа: Альфа", expect="клиент, а не действие")
    await anna.send("/add Альфа: по Альфе", expect=lambda m: "действи" in m.plain_text)
    await anna.send("/add Альфа: позвонить и узнать потребность 23.11", expect="Задача добавлена")
    await anna.send("/add Бета: согласовать условия договора в понедельник", expect="Задача добавлена")
    await anna.send("/add Гамма: отправить КП 23.11", expect="Задача добавлена")
    # Бета moves to negotiation: nearest to a decision
    cards = await anna.send("/clients Бета", expect="Клиентов")
    before = len(anna.inbox)
    await anna.press(cards, "Бета")
    card = await anna.wait("Этап", after=before)
    await anna.press(card, "Переговоры")

    day_bot.clock_file.write_text(MONDAY_MORNING)  # type: ignore[attr-defined]
    listing = await anna.send("/today", expect="План на пн 23.11")
    text = listing.plain_text
    positions = [text.index(name) for name in ("Дельта", "Бета", "Альфа")]
    assert positions == sorted(positions), text  # overdue first, then nearest to a decision, then the rest
    assert "просрочено" in text
    idle = await anna.wait("без следующего шага", after=len(anna.inbox) - 1)
    assert "Эпсилон" in idle.plain_text

    # every mark by buttons: done (+ result line), not done (reason), moved (date), cancelled (confirm)
    answer = await anna.press(listing, "✅ 1")
    assert "Сделано" in (answer.text or "")
    await anna.send("Договорились о встрече", expect="Результат записан")
    await anna.press(latest(anna, listing), "❌ 2")
    await anna.press(latest(anna, listing), "Клиент перенёс")
    await anna.press(latest(anna, listing), "📅 3")
    moved = latest(anna, listing)
    await anna.press(moved, next(b["text"] for b in moved.buttons if b["text"].startswith("вт")))
    await anna.press(latest(anna, listing), "🗑 4")
    answer = await anna.press(latest(anna, listing), "Да, отменить задачу")
    assert "отменена" in (answer.text or "")
    final = latest(anna, listing)
    assert not final.buttons  # nothing left to mark
    assert final.plain_text.count("✅") >= 1 and "❌" in final.plain_text and "🚫" in final.plain_text

    # a lead (its first step asked at once) and a deal
    await anna.send("/lead ООО Ромашка, сайт", expect="первый шаг")
    await anna.send("Позвонить и квалифицировать потребность", expect="Задача добавлена")
    deal = await anna.send("/deal Бета 150 000", expect="Сделка")
    assert "Сделка: Бета — 150" in deal.plain_text and "000 ₽" in deal.plain_text, deal.plain_text

    # the evening: counts and percentage, then tomorrow's plan submitted
    day_bot.clock_file.write_text(MONDAY_EVENING)  # type: ignore[attr-defined]
    before = len(anna.inbox)
    await anna.send("/report", expect="Итоги дня")
    plan = await anna.wait("План на вт 24.11", after=before)  # the last message of the report
    report = anna.inbox[before:]
    summary = report[0].plain_text
    # planned 5 (4 from the list + the lead's step), done 1 so far: 20 %
    assert "Сделано 1 из 5" in summary and "20%" in summary, summary
    refused = await anna.press(plan, "Отправить план")
    assert "Сначала отметьте" in (refused.text or "")
    lead_task = latest(anna, report[0])
    await anna.press(lead_task, next(b["text"] for b in lead_task.buttons if b["text"].startswith("✅")))
    after = latest(anna, report[0])
    assert "Сделано <b>2</b> из 5" in after.text and "40%" in after.plain_text, after.plain_text
    await anna.press(plan, "Задача на завтра")
    await anna.send("Эпсилон", expect="Что конкретно")
    await anna.send("Провести демонстрацию продукта", expect="Задача добавлена на вт 24.11")
    answer = await anna.press(latest(anna, plan), "4")  # the mood mark
    assert "Оценка дня: 4" in (answer.text or ""), answer.text
    answer = await anna.press(latest(anna, plan), "Отправить план")
    assert "отправлен" in (answer.text or "")
    assert "отправлен руководителю" in latest(anna, plan).plain_text  # the head decides: test_approvals.py

    assert not emu.unanswered_callbacks()
    refused_calls = [(c.method, c.description) for c in emu.calls if c.status not in (None, 200)]
    assert refused_calls == []
