"""The approval round trip against the real bot process over HTTP, with its own scheduler: a manager's
plan reaches the head as a card; the head returns it with a comment, the manager takes a task off and
sends it again; the head gives a task to another manager and approves; the other manager's plan, left
undecided, is approved automatically at the team's approval time and the head is told so."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from botapi_emulator import Emulator
from botapi_emulator.models import SentMessage
from tests.e2e.harness import LiveBot, Person, running
from tests.e2e.test_onboarding import cli, invite_code

pytestmark = pytest.mark.e2e

MONDAY_AFTERNOON = "2026-11-23T17:00:00+03:00"
MONDAY_EVENING = "2026-11-23T18:05:00+03:00"
AFTER_DEADLINE = "2026-11-23T21:00:30+03:00"  # the team's approval time is 21:00


@pytest.fixture
async def head_bot(emulator: tuple[Emulator, str], sqlite_url: str, tmp_path: Path) -> AsyncIterator[LiveBot]:
    env = {"SCHEDULER_TICK_SECONDS": "0.3"}
    async with running(emulator, sqlite_url, tmp_path, clock=MONDAY_AFTERNOON, env=env) as bot:
        yield bot


def latest(person: Person, message: SentMessage) -> SentMessage:
    return next(m for m in person.inbox if m.message_id == message.message_id)


def plan_page(date: str):  # type: ignore[no-untyped-def]
    def match(m: SentMessage) -> bool:
        return f"План на {date}" in m.plain_text and any("Отправить план" in b["text"] for b in m.buttons)

    return match


async def submit(person: Person) -> None:
    before = len(person.inbox)
    await person.send("/report")
    plan = await person.wait(plan_page("вт 24.11"), after=before)
    answer = await person.press(plan, "Отправить план")
    assert "отправлен" in (answer.text or ""), answer


async def test_approval_round_trip(head_bot: LiveBot, emulator: tuple[Emulator, str]) -> None:
    emu, _ = emulator
    head = Person(emu, 101, "Ирина")
    await head.send(f"/start {invite_code(await cli(head_bot, 'team', 'create', 'Продажи'))}", expect="Добро")
    anna, boris = Person(emu, 201, "Анна"), Person(emu, 202, "Борис")
    for person in (anna, boris):
        code = invite_code((await head.send("/invite", expect="Приглашение")).text)
        await person.send(f"/start {code}", expect="Добро")
    for name in ("Ромашка", "Лютик"):
        await anna.send(f"/newclient {name}", expect="создан")
    await anna.send("/add Ромашка: отправить КП завтра", expect="Задача добавлена")
    await anna.send("/add Лютик: позвонить ЛПР и договориться о встрече завтра", expect="Задача добавлена")
    await boris.send("/newclient Сирень", expect="создан")
    await boris.send("/add Сирень: провести встречу с директором завтра", expect="Задача добавлена")

    # the evening: Anna's plan reaches the head as one card
    head_bot.clock_file.write_text(MONDAY_EVENING)  # type: ignore[attr-defined]
    before = len(head.inbox)
    await submit(anna)
    card = await head.wait("План: Анна", after=before)
    assert "2 задачи" in card.plain_text and "Ромашка" in card.plain_text and "Лютик" in card.plain_text

    # returned with a comment: Anna gets it with the plan, takes Лютик off and sends it again
    await head.press(card, "Вернуть")
    await head.wait("Что поправить", after=before)
    before_anna = len(anna.inbox)
    await head.send("Лютику звоним после среды, остальное ок", expect="возвращён")
    rewrite = await anna.wait("вернул", after=before_anna)
    assert "Лютику звоним после среды" in rewrite.plain_text
    answer = await anna.press(rewrite, "🗑 2")
    assert "убрана" in (answer.text or "")
    before = len(head.inbox)
    answer = await anna.press(latest(anna, rewrite), "Отправить план")
    assert "отправлен" in (answer.text or "")
    card = await head.wait("Исправлен после возврата", after=before)
    assert "🚫" in next(
        line for line in card.plain_text.split("\n") if "Лютик" in line and line[:1].isdigit()
    )

    # the head gives Ромашка's task to Boris, then approves; each one concerned is told
    before_boris, before_anna = len(boris.inbox), len(anna.inbox)
    await head.press(card, "⚙️ 1")
    await head.press(latest(head, card), "Передать")
    answer = await head.press(latest(head, card), "Борис")
    assert "Борис" in (answer.text or "")
    await boris.wait("поручил", after=before_boris)
    await anna.wait("передал", after=before_anna)
    answer = await head.press(latest(head, card), "Согласовать всё")
    assert "согласован" in (answer.text or "")
    await anna.wait("согласовал", after=before_anna)

    # Boris's plan (his task and the one given to him) is left undecided until the deadline
    before = len(head.inbox)
    await submit(boris)
    boris_card = await head.wait("План: Борис", after=before)
    assert "2 задачи" in boris_card.plain_text and "Ромашка" in boris_card.plain_text
    head_bot.clock_file.write_text(AFTER_DEADLINE)  # type: ignore[attr-defined]
    notice = await head.wait("Согласованы автоматически", after=before)
    assert "Борис" in notice.plain_text and "Анна" not in notice.plain_text
    before_boris = len(boris.inbox)
    await boris.send("/report")
    assert (
        "согласован"
        in (await boris.wait(lambda m: "План на вт 24.11" in m.plain_text, after=before_boris)).plain_text
    )

    assert not emu.unanswered_callbacks()
    refused_calls = [(c.method, c.description) for c in emu.calls if c.status not in (None, 200)]
    assert refused_calls == []
