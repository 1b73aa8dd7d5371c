"""The manager's day through the real dispatcher: the list in its order, marking by buttons, /add with a
vague and a concrete action, /lead, /deal, the evening report and tomorrow's plan; bad input changes
nothing."""

from __future__ import annotations

import re
from datetime import date, timedelta

from sqlalchemy import func, insert, select

from bot.i18n import default_translator
from botapi_emulator.models import SentMessage
from domain.enums import PlanStatus, Stage, TaskEventKind, TaskStatus
from handlers.day_views import member_zone
from handlers.digest import compose_evening_digest, compose_morning_digest
from handlers.report import compose_evening, compose_morning
from scheduler.compose import ComposeContext
from storage.models import Client, Deal, HotEntry, Lead, Member, Plan, Task, TaskEvent, Team
from storage.repo import Repo
from tests.handlers.conftest import MONDAY, TeamWorld


async def seed(world: TeamWorld) -> dict[str, int]:
    """Anna's clients and tasks: one overdue, one hot, one by stage, one plain."""
    anna = world.managers[0]
    async with world.pool() as s, s.begin():

        def client(name: str, stage: Stage) -> Client:
            c = Client(
                team_id=world.team.id, owner_id=anna.id, name=name, name_key=name.casefold(), stage=stage
            )
            s.add(c)
            return c

        plain = client("Альфа", Stage.NEW)
        nego = client("Бета", Stage.NEGOTIATION)
        hot = client("Гамма", Stage.QUALIFIED)
        late = client("Дельта", Stage.NEW)
        idle = client("Эпсилон", Stage.PROPOSAL)
        await s.flush()
        s.add(
            HotEntry(
                team_id=world.team.id,
                client_id=hot.id,
                reason="бюджет есть",
                next_step="звонок",
                next_date=MONDAY,
            )
        )

        def task(c: Client, action: str, due: date) -> Task:
            t = Task(
                team_id=world.team.id,
                assignee_id=anna.id,
                client_id=c.id,
                action=action,
                due_date=due,
                moves=0,
            )
            s.add(t)
            return t

        tasks = {
            "plain": task(plain, "Позвонить и узнать потребность", MONDAY),
            "nego": task(nego, "Согласовать условия договора", MONDAY),
            "hot": task(hot, "Отправить КП", MONDAY),
            "late": task(late, "Перезвонить ЛПР", MONDAY - timedelta(days=3)),
        }
        await s.flush()
        ids = {k: v.id for k, v in tasks.items()}
        ids["idle"] = idle.id
    return ids


async def test_morning_list_order_and_marks(world: TeamWorld) -> None:
    ids = await seed(world)
    anna = world.speaker(world.managers[0])
    reply = await anna.send("/today")
    first = reply.messages[0]
    text = first.plain_text
    order = [text.index(name) for name in ("Дельта", "Гамма", "Бета", "Альфа")]
    assert order == sorted(order), text  # overdue, hot, nearest to a decision, the rest
    assert "просрочено" in text and "🔥" in text
    idle = reply.messages[-1].plain_text
    assert "Эпсилон" in idle and "Альфа" not in idle

    # ✅ on the overdue task: one tap, the list is re-rendered in place
    done = await anna.press(first, "✅ 1")
    assert done.answer is not None and "Сделано" in (done.answer.text or "")
    result = await anna.send("Договорились о встрече в четверг")
    assert "Результат записан" in result.text
    # ❌ → a quick reason: two taps
    menu = await anna.press(first, "❌ 2")
    edited = anna.inbox[-1] if not menu.messages else menu.messages[-1]
    assert edited is not None
    msg = next(m for m in anna.inbox if m.message_id == first.message_id)
    await anna.press(msg, "Не дозвонился")
    # 📅 → tomorrow
    msg = next(m for m in anna.inbox if m.message_id == first.message_id)
    await anna.press(msg, "📅 3")
    msg = next(m for m in anna.inbox if m.message_id == first.message_id)
    tomorrow_label = next(b["text"] for b in msg.buttons if b["text"].startswith("вт"))
    await anna.press(msg, tomorrow_label)
    # 🗑 → confirm
    msg = next(m for m in anna.inbox if m.message_id == first.message_id)
    ask = await anna.press(msg, "🗑 4")
    assert ask.answer is not None
    msg = next(m for m in anna.inbox if m.message_id == first.message_id)
    assert "Отменить задачу?" in msg.plain_text and "Альфа" in msg.plain_text, msg.plain_text
    confirm = await anna.press(msg, "Да, отменить задачу")
    assert confirm.answer is not None and "Задача отменена" in (confirm.answer.text or ""), confirm.answer

    async with world.pool() as s:
        tasks = {t.id: t for t in (await s.scalars(select(Task))).all()}
    print({k: (tasks[v].status, tasks[v].due_date) for k, v in ids.items() if k != "idle"})
    assert tasks[ids["late"]].status is TaskStatus.DONE
    assert tasks[ids["late"]].result == "Договорились о встрече в четверг"
    assert tasks[ids["hot"]].status is TaskStatus.NOT_DONE and tasks[ids["hot"]].reason == "Не дозвонился"
    assert tasks[ids["nego"]].due_date == MONDAY + timedelta(days=1) and tasks[ids["nego"]].moves == 1
    assert tasks[ids["plain"]].status is TaskStatus.CANCELLED

    # a double press of a done task changes nothing and is answered politely
    again = await anna.app.user(world.managers[0].tg_id, "Анна").press_data(
        first.message_id, f"tk:d:{ids['late']}:t:0:0", strict=False
    )
    assert again.answer is not None and "уже отмечена" in (again.answer.text or "")


async def test_add_refuses_vague_and_accepts_concrete(world: TeamWorld) -> None:
    await seed(world)
    anna = world.speaker(world.managers[0])
    vague = await anna.send("/add Альфа: Альфа")
    assert "клиент, а не действие" in vague.text
    vague = await anna.send("/add Альфа: по Альфе")
    assert "нет действия" in vague.text or "клиент, а не действие" in vague.text
    ok = await anna.send("/add Альфа: отправить договор завтра")
    assert "Задача добавлена" in ok.text and "вт 24.11" in ok.text
    async with world.pool() as s:
        count = await s.scalar(
            select(func.count()).select_from(Task).where(Task.action == "отправить договор")
        )
    assert count == 1

    # the dialog: client → action → date by button; an unknown client is offered to be created
    await anna.send("/add")
    await anna.send("Новая Компания")
    offer = anna.inbox[-1]
    assert "Клиента «Новая Компания» нет. Создать?" in offer.plain_text
    await anna.press(offer, "Новый клиент")
    await anna.send("клиент")  # no action in it
    assert "нет действия" in anna.inbox[-1].plain_text or "не похоже" in anna.inbox[-1].plain_text
    await anna.send("Позвонить директору и договориться о встрече")
    ask_due = anna.inbox[-1]
    await anna.press(ask_due, ask_due.buttons[0]["text"])
    assert "Задача добавлена" in anna.inbox[-1].plain_text


async def test_lead_deal_evening_and_plan(world: TeamWorld) -> None:
    await seed(world)
    anna = world.speaker(world.managers[0])
    lead = await anna.send("/lead ООО Ромашка, сайт")
    assert "первый шаг" in lead.text
    await anna.send("Позвонить и квалифицировать потребность")
    deal = await anna.send("/deal Бета 150 000")
    assert "Бета</b> — 150\u202f000 ₽" in deal.text

    world.clock.set(world.clock() + timedelta(hours=9))  # 18:00 in Moscow
    report = await anna.send("/report")
    assert "Итоги дня" in report.text
    plan_msg = report.messages[-1]
    refused = await anna.press(plan_msg, "Отправить план")
    assert refused.answer is not None and "Сначала отметьте" in (refused.answer.text or "")
    # mark every unmarked task from the report, then plan tomorrow and submit
    for message in list(report.messages):
        while True:
            current = next(m for m in anna.inbox if m.message_id == message.message_id)
            done_buttons = [b["text"] for b in current.buttons if b["text"].startswith("✅")]
            if not done_buttons:
                break
            await anna.press(current, done_buttons[0])
    await anna.press(plan_msg, "Задача на завтра")
    await anna.send("Альфа")
    await anna.send("Провести демонстрацию продукта")
    assert "Задача добавлена" in anna.inbox[-1].plain_text
    current = next(m for m in anna.inbox if m.message_id == plan_msg.message_id)
    sent = await anna.press(current, "Отправить план")
    assert sent.answer is not None and "отправлен" in (sent.answer.text or ""), sent.answer
    async with world.pool() as s:
        plan = await s.scalar(select(Plan))
        assert plan is not None and plan.status is PlanStatus.SUBMITTED  # the head decides (test_head.py)
        assert await s.scalar(select(func.count()).select_from(Lead)) == 1
        assert await s.scalar(select(func.count()).select_from(Deal)) == 1
        beta = await s.scalar(select(Client).where(Client.name == "Бета"))
        assert beta is not None and beta.stage is Stage.WON


async def test_bad_input_changes_nothing(world: TeamWorld) -> None:
    ids = await seed(world)
    anna = world.speaker(world.managers[0])
    boris = world.speaker(world.managers[1])
    await anna.send("/today")
    async with world.pool() as s:
        before = [
            (t.id, t.status, t.due_date) for t in (await s.scalars(select(Task).order_by(Task.id))).all()
        ]
    for text in ("/add", "/add " + "я" * 5000, "/add 😀😀😀: 😀", "/deal Альфа много", "/lead", "/add :"):
        reply = await anna.send(text)
        assert reply.messages, text
        assert "пошло не так" not in reply.text, (text, reply.text)
    # Boris presses buttons on Anna's task (forged callbacks): refused politely, nothing changes
    reply = await boris.send("/today")
    assert "задач на сегодня нет" in reply.text
    for data in (
        f"tk:d:{ids['nego']}:t:0:0",
        f"tr:{ids['nego']}:1:t:0:0",
        f"tm:{ids['nego']}:20261124:t:0:0",
    ):
        forged = await boris.press_data(reply.messages[0].message_id, data, strict=False)
        assert forged.answer is not None and "Не нашёл" in (forged.answer.text or ""), (data, forged.answer)
    async with world.pool() as s:
        after = [
            (t.id, t.status, t.due_date) for t in (await s.scalars(select(Task).order_by(Task.id))).all()
        ]
    assert after == before


async def test_stale_forged_and_oversized_presses_are_answered(world: TeamWorld) -> None:
    ids = await seed(world)
    anna = world.speaker(world.managers[0])
    listing = (await anna.send("/today")).messages[0]
    async with world.pool() as s, s.begin():
        await s.delete(await s.get(Task, ids["plain"]))  # a task deleted after the list went out
    cyrillic = "я" * 32  # 64 bytes of Cyrillic: the most callback_data can hold
    for data in (f"tk:d:{ids['plain']}:t:0:0", cyrillic, "tk:d:notanumber:t:0:0", "tk:zz:1:t:0:0", "md:99"):
        reply = await anna.press_data(listing.message_id, data, strict=False)
        assert reply.answer is not None, data
        assert "пошло не так" not in (reply.answer.text or ""), (data, reply.answer.text)
    assert not world.app.emulator.unanswered_callbacks()


async def test_a_long_list_is_paged_never_cut(world: TeamWorld) -> None:
    anna = world.managers[0]
    long_action = "Позвонить финансовому директору и согласовать " + "условия поставки и оплаты " * 15
    async with world.pool() as s, s.begin():
        for n in range(40):
            c = Client(
                team_id=world.team.id, owner_id=anna.id, name=f"Клиент {n:02d}", name_key=f"клиент {n:02d}"
            )
            s.add(c)
            await s.flush()
            s.add(
                Task(
                    team_id=world.team.id,
                    assignee_id=anna.id,
                    client_id=c.id,
                    action=long_action.strip(),
                    due_date=MONDAY,
                    moves=0,
                )
            )
    speaker = world.speaker(anna)
    reply = await speaker.send("/today")
    assert len(reply.messages) == 1  # one message, paged in place
    listing = reply.messages[0]

    def current() -> SentMessage:
        return next(m for m in speaker.inbox if m.message_id == listing.message_id)

    seen: list[str] = []
    task_buttons = 0
    pages = 0
    while True:
        message = current()
        pages += 1
        assert len(message.plain_text) <= 4096
        seen.append(message.plain_text)
        task_buttons += sum(1 for b in message.buttons if b["callback_data"].startswith("tk:"))
        if not any("Дальше" in b["text"] for b in message.buttons):
            break
        await speaker.press(message, "Дальше")
    assert pages >= 4
    text = "\n".join(seen)
    assert all(f"Клиент {n:02d}" in text for n in range(40))
    assert task_buttons == 40 * 4
    assert "ещё" not in seen[-1]  # nothing after the last page
    # a press on the last page re-renders that page only, with the same numbering
    last = current()
    await speaker.press(last, last.buttons[0]["text"])
    after = current()
    assert "40." in after.plain_text and "\n1. " not in after.plain_text
    # ◀ goes back a page
    await speaker.press(after, "◀")
    assert "40." not in current().plain_text


async def test_frozen_task_and_client_are_marked(world: TeamWorld) -> None:
    anna = world.managers[0]
    async with world.pool() as s, s.begin():
        c = Client(
            team_id=world.team.id, owner_id=anna.id, name="Сигма", name_key="сигма", stage=Stage.PROPOSAL
        )
        s.add(c)
        await s.flush()
        for _ in range(3):
            s.add(
                Task(
                    team_id=world.team.id,
                    assignee_id=anna.id,
                    client_id=c.id,
                    action="Позвонить",
                    due_date=MONDAY - timedelta(days=5),
                    status=TaskStatus.NOT_DONE,
                    moves=0,
                )
            )
        s.add(
            Task(
                team_id=world.team.id,
                assignee_id=anna.id,
                client_id=c.id,
                action="Получить решение по КП",
                due_date=MONDAY,
                moves=3,
            )
        )
    reply = await world.speaker(anna).send("/today")
    line = next(x for x in reply.messages[0].plain_text.split("\n") if "Сигма" in x)
    assert "🧊" in line


async def test_clients_search_card_and_stage(world: TeamWorld) -> None:
    await seed(world)
    anna = world.speaker(world.managers[0])
    boris = world.speaker(world.managers[1])
    created = await anna.send("/newclient ООО «Ёлка-Ромашка»")
    assert "создан" in created.text
    found = await anna.send("/clients ёлка-РОМ")  # case and ё/е do not matter
    assert found.messages[0].buttons and "Ёлка-Ромашка" in found.messages[0].buttons[0]["text"]
    assert "не нашёл" in (await boris.send("/clients ёлка")).text.casefold()  # not Boris's client
    card = (await anna.press(found.messages[0], "Ёлка-Ромашка")).messages[0]
    assert "новый лид" in card.plain_text and "Открытых задач нет" in card.plain_text
    moved = await anna.press(card, "Квалифицирован")
    assert moved.answer is not None and "квалифицирован" in (moved.answer.text or "")
    again = await anna.send("/newclient ООО «Ёлка-Ромашка»")
    assert "уже есть" in again.text
    async with world.pool() as s:
        client = await s.scalar(select(Client).where(Client.name == "ООО «Ёлка-Ромашка»"))
        assert client is not None and client.stage is Stage.QUALIFIED
        assert (
            await s.scalar(select(func.count()).select_from(Client).where(Client.name_key == client.name_key))
            == 1
        )


async def test_a_past_date_is_refused_with_a_message(world: TeamWorld) -> None:
    await seed(world)
    anna = world.speaker(world.managers[0])
    reply = await anna.send("/add Альфа: позвонить директору 01.01.2026")
    assert "уже прошла" in reply.text
    async with world.pool() as s:
        assert (
            await s.scalar(select(func.count()).select_from(Task).where(Task.action.like("позвонить%"))) == 0
        )


async def test_refusals_come_in_the_users_language(world: TeamWorld) -> None:
    await seed(world)
    async with world.pool() as s, s.begin():
        anna = await s.get(Member, world.managers[0].id)
        assert anna is not None
        anna.locale = "en"
    reply = await world.speaker(world.managers[0]).send("/add Альфа: Альфа")
    assert "is a client, not an action" in reply.text
    # and the next sender, in Russian, is not answered in Anna's English
    boris = await world.speaker(world.managers[1]).send("/deal Альфа много")
    assert "Формат: /deal" in boris.text


# ---------------------------------------------------------------------- lists at real size

BIG = 5003
BIG_OVERDUE = 4980  # the rest, 23, are due today


async def seed_big(world: TeamWorld) -> None:
    """An import whose dates had passed: 5,003 open tasks over 500 clients, 4,980 of them overdue."""
    anna = world.managers[0]
    async with world.pool() as s, s.begin():
        await s.execute(
            insert(Client),
            [
                {
                    "team_id": world.team.id,
                    "owner_id": anna.id,
                    "name": f"Импорт {n:03d}",
                    "name_key": f"импорт {n:03d}",
                    "stage": Stage.NEW,
                }
                for n in range(500)
            ],
        )
        ids = list(await s.scalars(select(Client.id).order_by(Client.id)))
        await s.execute(
            insert(Task),
            [
                {
                    "team_id": world.team.id,
                    "assignee_id": anna.id,
                    "client_id": ids[n % len(ids)],
                    "action": f"Позвонить по счёту №{n}",
                    "due_date": MONDAY - timedelta(days=1 + n % 60) if n < BIG_OVERDUE else MONDAY,
                    "status": TaskStatus.OPEN,
                    "moves": 0,
                }
                for n in range(BIG)
            ],
        )


def digits(text: str) -> str:
    """The text with the spaces inside numbers (4 991, 4\u00a0991) taken out."""
    return re.sub(r"(?<=\d)[\s\u00a0\u202f](?=\d)", "", text)


async def test_five_thousand_tasks_make_one_message_per_list(world: TeamWorld) -> None:
    await seed_big(world)
    anna_member = world.managers[0]
    anna = world.speaker(anna_member)
    reply = await anna.send("/today")
    assert len(reply.messages) == 1  # the list; every client has an open task, so no idle list
    listing = reply.messages[0]
    text = digits(listing.plain_text)
    assert f"Открытых задач: {BIG}" in text and f"просрочено: {BIG_OVERDUE}" in text
    shown = [line for line in text.split("\n") if re.match(r"\d+\. ", line)]
    assert [int(line.split(".")[0]) for line in shown] == list(range(1, len(shown) + 1))
    rest = BIG - len(shown)
    assert f"и ещё {rest} задач" in text and f"{BIG_OVERDUE - len(shown)} просрочено" in text, text
    assert sum(1 for b in listing.buttons if b["callback_data"].startswith("tk:")) == 4 * len(shown)

    # the first page is the first tasks of the one documented order
    async with world.pool() as s:
        member = await s.get(Member, anna_member.id)
        team = await s.get(Team, world.team.id)
        assert member is not None and team is not None
        day = await Repo(s).days.day_list(member, MONDAY, member_zone(team, member))
    assert len(day.tasks) == BIG
    for line, item in zip(shown, day.tasks, strict=False):
        assert f"Позвонить по счёту №{item.action.split('№')[1]}" in line
        assert line.endswith(")") or item.due == MONDAY

    # the page buttons work: the same message shows the next page
    await anna.press(listing, "Дальше")
    page2 = digits(next(m for m in anna.inbox if m.message_id == listing.message_id).plain_text)
    assert f"Задачи {len(shown) + 1}–" in page2 and f"из {BIG}" in page2
    assert f"{len(shown) + 1}. " in page2 and "\n1. " not in page2

    # the morning composer sends the same single message
    t = default_translator().get("ru")
    async with world.pool() as s:
        member = await s.get(Member, anna_member.id)
        team = await s.get(Team, world.team.id)
        assert member is not None and team is not None
        morning = await compose_morning(ComposeContext(Repo(s), team, member, MONDAY, t, world.clock))
        assert len(morning) == 1 and morning[0].reply_markup is not None
        world.clock.set(world.clock() + timedelta(hours=9))
        evening = await compose_evening(ComposeContext(Repo(s), team, member, MONDAY, t, world.clock))
    # the day's list, then tomorrow's plan: two messages, not hundreds
    assert len(evening) == 2, [m.text[:80] for m in evening]
    assert "и ещё" in evening[0].text and all(len(m.text) <= 4096 for m in evening)


async def test_the_head_digest_flags_an_abnormal_overdue_count(world: TeamWorld) -> None:
    await seed_big(world)
    t = default_translator().get("ru")
    async with world.pool() as s:
        team = await s.get(Team, world.team.id)
        head = await s.get(Member, world.head.id)
        assert team is not None and head is not None
        ctx = ComposeContext(Repo(s), team, head, MONDAY, t, world.clock)
        morning = "\n".join(m.text for m in await compose_morning_digest(ctx))
        evening = "\n".join(m.text for m in await compose_evening_digest(ctx))
    for text in (morning, evening):
        assert "Аномально много просроченных" in text
        assert f"{world.managers[0].name}: <b>{BIG_OVERDUE}</b>" in digits(text), text
        assert world.managers[1].name not in text.split("Аномально")[1]


# ---------------------------------------------------------------------- stale screens and typed answers


async def test_a_typed_date_brings_the_list_back_and_the_old_picker_is_dead(world: TeamWorld) -> None:
    ids = await seed(world)
    anna = world.speaker(world.managers[0])
    listing = (await anna.send("/today")).messages[0]

    def current() -> SentMessage:
        return next(m for m in anna.inbox if m.message_id == listing.message_id)

    await anna.press(listing, "📅 3")  # Бета: negotiation
    picker = current()
    stale_label = next(b["text"] for b in picker.buttons if b["text"].startswith("вт"))
    stale_data = picker.button(stale_label)["callback_data"]
    await anna.press(picker, "Другая дата")
    asked = current()
    assert "Напишите дату" in asked.plain_text and not any(b["text"].startswith("вт") for b in asked.buttons)
    saved = await anna.send("в пятницу")
    assert "Перенесено на 27.11.2026" in saved.text
    back = current()  # the list is back in the same message, with its buttons
    assert "План на" in back.plain_text and any(b["text"] == "✅ 1" for b in back.buttons)
    # the stale «вт 24.11» from the superseded picker does nothing
    stale = await anna.press_data(listing.message_id, stale_data, strict=False)
    assert stale.answer is not None and "уже не действует" in (stale.answer.text or "")
    async with world.pool() as s:
        task = await s.get(Task, ids["nego"])
        assert task is not None and task.moves == 1 and task.due_date == date(2026, 11, 27)


async def test_a_stale_done_press_changes_nothing(world: TeamWorld) -> None:
    """✅ drawn before the task was moved is refused, and the refused mark writes nothing (no status, no
    event); another member's ✅ on it is "not found"."""
    ids = await seed(world)
    anna = world.speaker(world.managers[0])
    listing = (await anna.send("/today")).messages[0]
    stale_done = listing.button("✅ 3")["callback_data"]  # Бета, drawn at version 0
    assert stale_done == f"tk:d:{ids['nego']}:t:0:0"
    msg = next(m for m in anna.inbox if m.message_id == listing.message_id)
    await anna.press(msg, "📅 3")
    msg = next(m for m in anna.inbox if m.message_id == listing.message_id)
    await anna.press(msg, next(b["text"] for b in msg.buttons if b["text"].startswith("вт")))
    stale = await anna.press_data(listing.message_id, stale_done, strict=False)
    assert stale.answer is not None and "уже не действует" in (stale.answer.text or "")
    boris = world.speaker(world.managers[1])
    mine = (await boris.send("/today")).messages[0]
    forged = await boris.press_data(mine.message_id, f"tk:d:{ids['nego']}:t:0:1", strict=False)
    assert forged.answer is not None and "уже не действует" not in (forged.answer.text or "")
    async with world.pool() as s:
        task = await s.get(Task, ids["nego"])
        assert task is not None and task.status is TaskStatus.OPEN and task.closed_at is None
        kinds = (await s.scalars(select(TaskEvent.kind).where(TaskEvent.task_id == task.id))).all()
        assert TaskEventKind.DONE not in kinds


async def test_the_list_read_alone_is_the_full_reads_list(world: TeamWorld) -> None:
    """A press draws the list again from ``day_list(..., idle=False)``: the same tasks in the same order,
    frozen clients and vague tasks as the full read, and no idle clients (not read)."""
    await seed(world)
    anna = world.managers[0]
    speaker = world.speaker(anna)
    listing = (await speaker.send("/today")).messages[0]
    await speaker.press(listing, "✅ 2")
    async with world.pool() as s:
        days = Repo(s).days
        zone = member_zone(world.team, anna)
        full = await days.day_list(anna, MONDAY, zone)
        alone = await days.day_list(anna, MONDAY, zone, idle=False)
    assert full.idle_clients and not alone.idle_clients
    assert [t.status for t in full.tasks].count(TaskStatus.DONE) == 1
    assert (alone.day, alone.tasks, alone.frozen_clients, alone.vague) == (
        full.day,
        full.tasks,
        full.frozen_clients,
        full.vague,
    )


async def test_a_task_loaded_in_the_session_is_marked_through_the_orm(world: TeamWorld) -> None:
    """``mark_own_done`` writes nothing for a task this session holds already (the ORM's ``mark_done`` then
    marks it, so the object stays current and loaded); for one it does not hold, it marks it."""
    ids = await seed(world)
    anna = world.managers[0]
    now = world.clock()
    async with world.pool() as s, s.begin():
        days = Repo(s).days
        task = await days.own_task(anna, ids["nego"])
        assert await days.mark_own_done(anna, task.id, now) is None
        await days.mark_done(anna, task, now)
        assert task.status is TaskStatus.DONE  # loaded, and current
    async with world.pool() as s, s.begin():
        days = Repo(s).days
        task_ids = [
            t.task_id for t in (await days.day_list(anna, MONDAY, member_zone(world.team, anna))).tasks
        ]
        other = next(i for i in task_ids if i != ids["nego"])
        assert await days.mark_own_done(anna, other, now) == 0
    async with world.pool() as s:
        marked = await s.scalars(
            select(Task.id).where(Task.status == TaskStatus.DONE, Task.assignee_id == anna.id)
        )
        assert {ids["nego"], other} <= set(marked.all())


async def test_a_typed_reason_brings_the_list_back(world: TeamWorld) -> None:
    ids = await seed(world)
    anna = world.speaker(world.managers[0])
    listing = (await anna.send("/today")).messages[0]

    def current() -> SentMessage:
        return next(m for m in anna.inbox if m.message_id == listing.message_id)

    await anna.press(listing, "❌ 2")
    picker = current()
    quick = picker.button("Не дозвонился")["callback_data"]
    await anna.press(picker, "Другая причина")
    saved = await anna.send("ЛПР в отпуске до понедельника")
    assert "причина записана" in saved.text
    back = current()
    assert "План на" in back.plain_text and not any(b["text"] == "✅ 2" for b in back.buttons)
    assert any(b["text"] == "✅ 1" for b in back.buttons)
    again = await anna.press_data(listing.message_id, quick, strict=False)
    assert again.answer is not None and "уже отмечена" in (again.answer.text or "")
    async with world.pool() as s:
        task = await s.get(Task, ids["hot"])
        assert task is not None and task.status is TaskStatus.NOT_DONE
        assert task.reason == "ЛПР в отпуске до понедельника"


async def test_a_picker_button_then_a_typed_date_moves_once(world: TeamWorld) -> None:
    ids = await seed(world)
    anna = world.speaker(world.managers[0])
    listing = (await anna.send("/today")).messages[0]
    await anna.press(listing, "📅 3")
    picker = next(m for m in anna.inbox if m.message_id == listing.message_id)
    other = picker.button("Другая дата")["callback_data"]
    date_data = picker.button("вт")["callback_data"]
    await anna.press_data(listing.message_id, other)
    # the picker's date pressed in a race with the question (a double tap): it moves the task once
    moved = await anna.press_data(listing.message_id, date_data, strict=False)
    assert moved.answer is not None
    late = await anna.send("в пятницу")  # the question is for a version of the task that is gone
    assert "изменилась" in late.text
    async with world.pool() as s:
        task = await s.get(Task, ids["nego"])
        assert task is not None and task.moves == 1


# ---------------------------------------------------------------------- one client per company, escaping


async def test_a_company_is_one_client_on_every_path(world: TeamWorld) -> None:
    anna = world.speaker(world.managers[0])
    boris = world.speaker(world.managers[1])
    assert "создан" in (await boris.send("/newclient Луч")).text
    # /add: the teammate's client is named, not copied
    reply = await anna.send("/add Луч: позвонить директору завтра")
    assert "уже есть у сотрудника" in reply.text and world.managers[1].name in reply.text
    # invisible and bidi characters do not make another company
    for name in ("Луч\u200b", "\u200bЛуч", "Л\u00aduч".replace("u", "у"), "\u202eЛуч", "ЛУЧ\u2060"):
        refused = await anna.send(f"/newclient {name}")
        assert "уже есть" in refused.text, (name, refused.text)
    # a name of nothing visible is refused
    empty = await anna.send("/newclient \u200b\u2060\u00ad")
    assert "не может быть пустым" in empty.text
    # /lead and /deal reuse the company (a teammate's one is refused politely by leads.py)
    await anna.send("/lead \u200bЛуч, сайт")
    async with world.pool() as s:
        names = list(await s.scalars(select(Client.name)))
    assert names == ["Луч"], names


async def test_client_names_are_escaped_once_in_text_and_plain_on_buttons(world: TeamWorld) -> None:
    evil = "<b>Зло</b> & &lt; $x$"
    anna = world.speaker(world.managers[0])
    created = await anna.send(f"/newclient {evil}")
    assert created.messages and all(evil in m.plain_text for m in created.messages), created.text
    added = await anna.send(f"/add {evil}: позвонить директору и договориться о встрече сегодня")
    assert "Задача добавлена" in added.text and evil in added.messages[0].plain_text, added.text
    listing = (await anna.send("/today")).messages[0]
    assert evil in listing.plain_text  # the raw HTML was escaped exactly once
    raw = listing.text or ""
    assert "&amp;lt;" in raw and "<b>Зло</b>" not in raw
    found = (await anna.send("/clients Зло")).messages[0]
    assert found.buttons[0]["text"].startswith(evil)  # a label is plain text
    # a new client offered by /add: the label is the name as typed
    offer = (await anna.send(f"/add {evil} 2: отправить КП")).messages[0]
    assert any(b["text"] == f"➕ Новый клиент «{evil} 2»" for b in offer.buttons), offer.buttons
    # the evening report's «➕ Шаг» for a lead has a plain label too
    await anna.send(f"/lead {evil} 3, сайт")
    await anna.send("/today")  # leave the lead's step dialog
    world.clock.set(world.clock() + timedelta(hours=9))
    report = await anna.send("/report")
    step = [b["text"] for m in report.messages for b in m.buttons if b["text"].startswith("➕ Шаг")]
    assert step == [f"➕ Шаг для «{evil} 3»"], step
