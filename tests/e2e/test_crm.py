"""A team with a CRM, end to end: the real bot process, the Bot API emulator, and a fake amoCRM or Bitrix24
over loopback, synced by ``python -m bot crm sync`` as the server's cron would run it.

For each CRM: a task made in the CRM before the morning is on the manager's list; a vague one is flagged
there and counted in the head's digest; done with a result → completed in the CRM with that text; moved →
the new deadline in the CRM; ``/add`` → a CRM task on the deal for the manager's CRM user; a deal won in
the CRM → on /board. Then the CRM goes down: the bot works on, the marks wait, and once it is back they
reach it, each once. No log of the run (the bot's, the CLI's) holds the CRM secret."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from cryptography.fernet import Fernet

from botapi_emulator import Emulator
from crm_fakes.amocrm import WON, FakeAmoCrm
from crm_fakes.bitrix24 import FakeBitrix24
from tests.e2e.harness import ROOT, LiveBot, Person, next_working_day, running
from tests.e2e.test_manager_day import latest
from tests.e2e.test_onboarding import invite_code

pytestmark = pytest.mark.e2e

MSK = ZoneInfo("Europe/Moscow")
AMO_TOKEN = "amo-e2e-Secret-Token-7Hq2Lx9Vb"
B24_TOKEN = "b24e2eSecretHook4Kd8Wq"
# the bot's clock stands 10 minutes behind the real one: a done mark's wait for its result line (the
# write-back's grace, counted on the real clock by the CLI) has passed when the sync runs
LAG = timedelta(minutes=10)


@dataclass
class Crm:
    """What the test needs of a fake CRM, the same for both."""

    kind: str
    fake: Any
    secret: str
    connect_args: list[str]
    add_user: Callable[[str], int]
    add_deal: Callable[[str, int, int, bool], int]
    add_task: Callable[[str, int, int, datetime], int]
    completed: Callable[[int], tuple[bool, str]]
    due: Callable[[int], datetime]
    tasks_of: Callable[[int, int], list[str]]  # wordings of the CRM tasks on a deal for a user


def amocrm() -> Crm:
    fake = FakeAmoCrm(AMO_TOKEN)

    def add_deal(name: str, user: int, price: int, won: bool) -> int:
        return fake.add_lead(name, user, price=price, status_id=WON if won else None)

    def completed(tid: int) -> tuple[bool, str]:
        task = fake.tasks[tid]
        result = task.get("result") or {}
        return bool(task["is_completed"]), str(result.get("text", "") if isinstance(result, dict) else "")

    def tasks_of(deal: int, user: int) -> list[str]:
        return [
            t["text"]
            for t in fake.tasks.values()
            if t["entity_id"] == deal and t["entity_type"] == "leads" and t["responsible_user_id"] == user
        ]

    return Crm(
        "amocrm",
        fake,
        AMO_TOKEN,
        [],
        lambda name: fake.add_user(name),
        add_deal,
        lambda text, user, deal, due: fake.add_task(text, user, due=int(due.timestamp()), entity_id=deal),
        completed,
        lambda tid: datetime.fromtimestamp(fake.tasks[tid]["complete_till"], UTC),
        tasks_of,
    )


def bitrix24() -> Crm:
    fake = FakeBitrix24(B24_TOKEN)

    def add_deal(name: str, user: int, price: int, won: bool) -> int:
        return fake.add_deal(name, user, amount=price, stage="WON" if won else "NEW")

    def completed(aid: int) -> tuple[bool, str]:
        activity = fake.activities[aid]
        return activity["COMPLETED"] == "Y", str(activity.get("RESULT_TEXT") or "")

    def tasks_of(deal: int, user: int) -> list[str]:
        return [
            a.get("DESCRIPTION") or a.get("SUBJECT") or ""
            for a in fake.activities.values()
            if a["OWNER_ID"] == str(deal) and a["OWNER_TYPE_ID"] == "2" and a["RESPONSIBLE_ID"] == str(user)
        ]

    return Crm(
        "bitrix24",
        fake,
        B24_TOKEN,
        [],
        lambda name: fake.add_user(name),
        add_deal,
        lambda text, user, deal, due: fake.add_activity(text, user, owner_id=deal, deadline=due.timestamp()),
        completed,
        lambda aid: datetime.fromisoformat(fake.activities[aid]["DEADLINE"]),
        tasks_of,
    )


@pytest.fixture(params=["amocrm", "bitrix24"])
async def crm(request: pytest.FixtureRequest) -> AsyncIterator[Crm]:
    made = amocrm() if request.param == "amocrm" else bitrix24()
    await made.fake.start()
    if made.kind == "amocrm":
        made.connect_args = ["amocrm", "--subdomain", made.fake.url, "--token", AMO_TOKEN]
    else:
        made.connect_args = ["bitrix24", "--webhook", made.fake.webhook]
    try:
        yield made
    finally:
        await made.fake.stop()


@pytest.fixture
async def crm_bot(emulator: tuple[Emulator, str], sqlite_url: str, tmp_path: Path) -> AsyncIterator[LiveBot]:
    start = (datetime.now(UTC) - LAG).isoformat()
    env = {"CRM_SECRET_KEY": Fernet.generate_key().decode()}
    async with running(emulator, sqlite_url, tmp_path, clock=start, env=env) as bot:
        yield bot


class Cli:
    """``python -m bot …`` with the bot's environment; keeps every output for the log scan."""

    def __init__(self, bot: LiveBot) -> None:
        self.bot = bot
        self.outputs: list[str] = []

    async def run(self, *args: str, ok: bool = True) -> str:
        proc = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot",
            *args,
            cwd=ROOT,
            env=self.bot.environment(),
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        out, err = await proc.communicate()
        text = out.decode() + err.decode()
        self.outputs.append(text)
        if ok:
            assert proc.returncode == 0, text
        return text


async def test_a_day_with_the_crm(crm_bot: LiveBot, emulator: tuple[Emulator, str], crm: Crm) -> None:
    emu, _ = emulator
    cli = Cli(crm_bot)
    today = (datetime.now(UTC) - LAG).astimezone(MSK).date()
    noon = datetime.combine(today, time(12, 0), MSK)

    head = Person(emu, 101, "Ирина")
    code = invite_code(await cli.run("team", "create", "Продажи", "--tz", "Europe/Moscow"))
    await head.send(f"/start {code}", expect="Добро")
    anna = Person(emu, 201, "Анна")
    invite = await head.send("/invite", expect="Приглашение")
    await anna.send(f"/start {invite_code(invite.text or '')}", expect="Добро")

    # in the CRM before the morning: Анна's deal with three tasks (one vague), and a deal she has won
    user = crm.add_user("Анна")
    deal = crm.add_deal("Ромашка", user, 50000, False)
    crm.add_deal("Василёк", user, 150000, True)
    call = crm.add_task("Позвонить ЛПР и согласовать договор", user, deal, noon)
    send = crm.add_task("Отправить КП с новыми ценами", user, deal, noon)
    vague_id = crm.add_task("Ромашка", user, deal, noon)

    connected = await cli.run("crm", "connect", "--team", "Продажи", *crm.connect_args)
    assert crm.secret[-4:] in connected
    await cli.run("crm", "sync", "--team", "Продажи")

    listing = await anna.send("/today", expect="Позвонить ЛПР")
    lines = listing.plain_text.split("\n")
    assert any("Отправить КП с новыми ценами" in line for line in lines)
    vague = next(i for i, line in enumerate(lines) if line.endswith(": Ромашка ⚠️"))
    assert "только название клиента" in lines[vague + 1]
    digest = await head.send("/digest утро", expect="Утренняя сводка")
    assert "не действие: 1" in digest.plain_text and "Анна: «Ромашка»" in digest.plain_text

    # done with a result, moved; /add on the deal
    numbers = {line.split(".")[0].strip(): line for line in lines if line[:1].isdigit()}
    n_call, n_send = (
        next(k for k, v in numbers.items() if "Позвонить ЛПР" in v),
        next(k for k, v in numbers.items() if "Отправить КП" in v),
    )
    await anna.press(listing, f"✅ {n_call}")
    await anna.send("Договорились о встрече в пятницу", expect="Результат записан")
    await anna.press(latest(anna, listing), f"📅 {n_send}")
    moved = latest(anna, listing)
    await anna.press(moved, moved.buttons[0]["text"])  # the first day offered
    # a working day: on the real clock this may run on a weekend, where a day off typed is questioned
    due = next_working_day(today)
    await anna.send(f"/add Ромашка: Отправить договор на подпись {due}", expect="Задача добавлена")

    pushed = await cli.run("crm", "sync", "--team", "Продажи")
    assert "отправлено: 3" in pushed, pushed
    assert crm.completed(call) == (True, "Договорились о встрече в пятницу")
    assert crm.due(send).astimezone(MSK).date() > today
    assert "Отправить договор на подпись" in crm.tasks_of(deal, user)

    # the picture is drawn in a worker process started on the first heavy job: seconds on a loaded machine
    board = await head.send("/board", expect="Доска результатов", within=90)
    assert "150\u202f000 ₽" in board.plain_text, board.plain_text  # the deal won in the CRM

    # the CRM down: the bot works as usual, the marks wait; back: they go, each once
    crm.fake.down = True
    listing = await anna.send("/today", expect="Ромашка")
    n_vague = next(
        (line.split(".")[0].strip() for line in listing.plain_text.split("\n") if line.endswith("Ромашка ⚠️")),
        None,
    )
    assert n_vague, listing.plain_text
    await anna.press(listing, f"✅ {n_vague}")
    await anna.send("Уточнили задачу с клиентом", expect="Результат записан")
    failed = await cli.run("crm", "sync", "--team", "Продажи", ok=False)
    assert "CRM не отвечает" in failed, failed
    crm.fake.down = False
    for _ in range(20):  # the queue's head waits out its backoff (seconds), then goes
        out = await cli.run("crm", "sync", "--team", "Продажи")
        if "отправлено: 1" in out:
            break
        await asyncio.sleep(2)
    else:
        raise AssertionError(out)
    assert crm.completed(vague_id) == (True, "Уточнили задачу с клиентом")
    again = await cli.run("crm", "sync", "--team", "Продажи")
    assert "отправлено: 0" in again and "ждут: 0" in again

    for text in [crm_bot.log_text(), *cli.outputs]:
        assert crm.secret not in text
    assert not emu.unanswered_callbacks()
