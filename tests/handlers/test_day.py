"""The manager's day through the real dispatcher: the list in its order, marking by buttons, /add with a
vague and a concrete action, /lead, /deal, the evening report and tomorrow's plan; bad input changes
nothing."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import func, select

from domain.enums import PlanStatus, Stage, TaskStatus
from storage.models import Client, Deal, HotEntry, Lead, Member, Plan, Task
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
        first.message_id, f"tk:d:{ids['late']}:t:0", strict=False
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
    assert "нет" in offer.plain_text
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
    assert "150" in deal.text

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
    for data in (f"tk:d:{ids['nego']}:t:0", f"tr:{ids['nego']}:1:t:0", f"tm:{ids['nego']}:20261124:t:0"):
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
    for data in (f"tk:d:{ids['plain']}:t:0", cyrillic, "tk:d:notanumber:t:0", "tk:zz:1:t:0", "md:99"):
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
    reply = await world.speaker(anna).send("/today")
    pages = [m for m in reply.messages if m.buttons]
    assert len(pages) >= 4
    text = "\n".join(m.plain_text for m in pages)
    assert all(f"Клиент {n:02d}" in text for n in range(40))
    assert all(len(m.plain_text) <= 4096 for m in reply.messages)
    assert sum(len(m.buttons) for m in pages) == 40 * 4
    # a press on the last page re-renders that page only, with the same numbering
    last = pages[-1]
    label = last.buttons[0]["text"]
    await world.speaker(anna).press(last, label)
    after = next(m for m in world.app.emulator.sent(anna.tg_id) if m.message_id == last.message_id)
    assert "40." in after.plain_text and "1. " not in after.plain_text.split("\n")[1]


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
