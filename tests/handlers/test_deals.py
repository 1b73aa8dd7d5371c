"""Money that can be corrected: /deal asks about an unusual, repeated or lost-client deal before counting
it, offers the similar client for a mistyped name, and every deal can be corrected or cancelled (by its
author for a day, by the head always) with its history kept; the board and the bonus count only live
deals with their corrected amounts. Monday 23 November 2026, 09:00 in Moscow."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import select

from domain.deals import CORRECTION_WINDOW
from domain.enums import Stage
from domain.money import format_money
from storage.models import Client, Deal, DealEvent, SalesPlan
from tests.handlers.conftest import TeamWorld

NOV = date(2026, 11, 1)


async def deals(world: TeamWorld) -> list[Deal]:
    async with world.pool() as s:
        return list(
            (await s.scalars(select(Deal).where(Deal.team_id == world.team.id).order_by(Deal.id))).all()
        )


async def events(world: TeamWorld, deal_id: int) -> list[tuple[str, Decimal | None, Decimal | None]]:
    async with world.pool() as s:
        rows = await s.scalars(select(DealEvent).where(DealEvent.deal_id == deal_id).order_by(DealEvent.id))
        return [(e.kind, e.old_amount, e.new_amount) for e in rows]


async def add_client(world: TeamWorld, name: str, owner_index: int = 0, stage: Stage = Stage.NEW) -> int:
    async with world.pool() as s, s.begin():
        c = Client(
            team_id=world.team.id,
            owner_id=world.managers[owner_index].id,
            name=name,
            name_key=name.casefold(),
            stage=stage,
        )
        s.add(c)
        await s.flush()
        return c.id


async def plan(world: TeamWorld, revenue: int) -> None:
    async with world.pool() as s, s.begin():
        s.add(
            SalesPlan(
                team_id=world.team.id, member_id=world.managers[0].id, month=NOV, revenue=revenue, deals=4
            )
        )


def rub(amount: int) -> str:
    return format_money(Decimal(amount))


async def test_a_negative_amount_says_it_must_be_positive(world: TeamWorld) -> None:
    anna = world.speaker(world.managers[0])
    for text in ("/deal Ромашка -5", "/deal Ромашка 0"):
        reply = await anna.send(text)
        assert "Сумма должна быть больше нуля" in reply.text and "Формат" not in reply.text
    assert await deals(world) == []


async def test_an_ordinary_deal_counts_at_once_and_can_be_corrected_and_cancelled(world: TeamWorld) -> None:
    await add_client(world, "Альфа")
    await plan(world, 600000)
    anna, head = world.speaker(world.managers[0]), world.speaker(world.head)
    [msg] = (await anna.send("/deal Альфа 150 000")).messages
    assert "Сделка: Альфа — " + rub(150000) + " ₽" in msg.plain_text
    [deal] = await deals(world)
    assert deal.state == "live"
    assert f"Команда: {rub(150000)} ₽" in (await head.send("/board")).messages[1].plain_text

    # ✏️ then the right amount: the deal, its history and the board change
    ask = (await anna.press(msg, "Исправить")).messages[-1]
    assert "Напишите правильную сумму" in ask.plain_text
    refused = await anna.send("много")
    assert "Не понял сумму" in refused.text
    ask = (await anna.press(msg, "Исправить")).messages[-1]
    done = (await anna.send("15 000")).messages[-1]
    assert f"было {rub(150000)} ₽, стало {rub(15000)} ₽" in done.plain_text
    [deal] = await deals(world)
    assert deal.amount == Decimal(15000)
    assert await events(world, deal.id) == [
        ("recorded", None, Decimal(150000)),
        ("corrected", Decimal(150000), Decimal(15000)),
    ]
    assert f"Команда: {rub(15000)} ₽" in (await head.send("/board")).messages[1].plain_text

    # 🗑 asks, then cancels: off the board, kept in the history
    ask = (await anna.press(done, "Отменить")).messages[-1]
    assert "Отменить сделку" in ask.plain_text
    sure = ask.button("Да, отменить")["callback_data"]
    await anna.press(ask, "Да, отменить")
    assert "отменена" in ask.plain_text
    [deal] = await deals(world)
    assert deal.state == "void" and deal.voided_by == world.managers[0].id
    assert [k for k, _, _ in await events(world, deal.id)] == ["recorded", "corrected", "voided"]
    board = (await head.send("/board")).messages[1].plain_text
    assert "Команда: 0 ₽" in board
    assert not ask.buttons
    again = await anna.press_data(ask.message_id, sure, strict=False)  # a double tap
    assert again.answer is not None and "уже подтверждена, отменена" in again.answer.text


async def test_an_unusual_deal_waits_for_a_tap(world: TeamWorld) -> None:
    await add_client(world, "Луч")
    await plan(world, 600000)
    anna, head = world.speaker(world.managers[0]), world.speaker(world.head)
    [ask] = (await anna.send("/deal Луч 100 000 000")).messages
    assert "необычно большая" in ask.plain_text and "Пока вы не подтвердите" in ask.plain_text
    [deal] = await deals(world)
    assert deal.state == "pending"
    assert "Команда: 0 ₽" in (await head.send("/board")).messages[1].plain_text
    await head.send("/bonus_scheme 50000 0:0 70:1 100:1.5")
    assert "Менеджер1001: выполнено 0% плана → 0 ₽" in (await head.send("/bonus")).text
    _, doc = (await head.send("/export")).messages  # "Готовлю файл…", then the file
    assert "сделок 0" in doc.plain_text  # the export counts only live deals

    # Boris may not confirm Anna's deal, not even by a forged press (on a message of his own chat)
    boris = world.speaker(world.managers[1])
    own = (await boris.send("/deals")).messages[-1]
    forged = await boris.press_data(own.message_id, ask.button("Да, записать")["callback_data"], strict=False)
    assert forged.answer is not None and "может изменить её автор" in forged.answer.text
    assert (await deals(world))[0].state == "pending"

    await anna.press(ask, "Да, записать")
    assert "Сделка: Луч" in ask.plain_text
    [deal] = await deals(world)
    assert deal.state == "live"
    assert [k for k, _, _ in await events(world, deal.id)] == ["recorded", "confirmed"]
    async with world.pool() as s:
        assert (await s.scalar(select(Client.stage).where(Client.name == "Луч"))) is Stage.WON
    assert f"Команда: {rub(100_000_000)} ₽" in (await head.send("/board")).messages[1].plain_text
    assert "выполнено 16667% плана" in (await head.send("/bonus")).text  # confirmed: now it counts

    # "Не записывать" on another unusual one: nothing counted, kept as void
    [ask2] = (await anna.send("/deal Луч 50 000 000")).messages
    await anna.press(ask2, "Не записывать")
    assert "не записана" in ask2.plain_text
    assert [d.state for d in await deals(world)] == ["live", "void"]


async def test_the_same_deal_again_asks_whether_it_is_a_second_one(world: TeamWorld) -> None:
    await add_client(world, "Альфа")
    anna = world.speaker(world.managers[0])
    await anna.send("/deal Альфа 1000")
    [ask] = (await anna.send("/deal Альфа 1000")).messages
    assert "это вторая сделка?" in ask.plain_text
    await anna.press(ask, "Не записывать")
    assert [d.state for d in await deals(world)] == ["live", "void"]
    [ask] = (await anna.send("/deal Альфа 1000")).messages
    await anna.press(ask, "Да, записать")
    assert [d.state for d in await deals(world)] == ["live", "void", "live"]
    # another amount, or later than the window: no question
    assert "Сделка: Альфа" in (await anna.send("/deal Альфа 2000")).messages[-1].plain_text
    world.clock.advance(timedelta(minutes=11))
    assert "Сделка: Альфа" in (await anna.send("/deal Альфа 1000")).messages[-1].plain_text


async def test_a_mistyped_client_is_offered_before_a_new_one(world: TeamWorld) -> None:
    client_id = await add_client(world, "Ромашка")
    anna = world.speaker(world.managers[0])
    [ask] = (await anna.send("/deal Ромашкаа 1000")).messages
    assert "Клиента «Ромашкаа» нет" in ask.plain_text
    pick = ask.button("Это «Ромашка»")["callback_data"]
    await anna.press(ask, "Это «Ромашка»")
    assert "Сделка: Ромашка" in ask.plain_text
    [deal] = await deals(world)
    assert deal.client_id == client_id
    async with world.pool() as s:
        assert (await s.scalars(select(Client.name).where(Client.team_id == world.team.id))).all() == [
            "Ромашка"
        ]
    # the button is spent
    spent = await anna.press_data(ask.message_id, pick, strict=False)
    assert spent.answer is not None and "устарела" in spent.answer.text

    # or a new client after all
    [ask] = (await anna.send("/deal Ромашко 2000")).messages
    await anna.press(ask, "Новый клиент")
    assert "новым клиентом" in ask.plain_text
    async with world.pool() as s:
        names = (await s.scalars(select(Client.name).where(Client.team_id == world.team.id))).all()
    assert sorted(names) == ["Ромашка", "Ромашко"]


async def test_a_manager_is_offered_only_their_own_clients(world: TeamWorld) -> None:
    await add_client(world, "Ромашка", owner_index=1)  # Boris's client
    anna, head = world.speaker(world.managers[0]), world.speaker(world.head)
    [msg] = (await anna.send("/deal Ромашкаа 1000")).messages
    assert "Ромашка" not in msg.plain_text.replace("Ромашкаа", "") and "новым клиентом" in msg.plain_text
    [ask] = (await head.send("/deal Ромашкк 1000")).messages
    assert "Это «Ромашка»" in str(ask.buttons)


async def test_a_lost_clients_deal_is_asked_about(world: TeamWorld) -> None:
    await add_client(world, "Гамма", stage=Stage.LOST)
    anna = world.speaker(world.managers[0])
    [ask] = (await anna.send("/deal Гамма 1000")).messages
    assert "«проигран»" in ask.plain_text
    assert (await deals(world))[0].state == "pending"
    await anna.press(ask, "Да, записать")
    async with world.pool() as s:
        assert (await s.scalar(select(Client.stage).where(Client.name == "Гамма"))) is Stage.WON


async def test_who_may_change_a_deal_and_for_how_long(world: TeamWorld) -> None:
    await add_client(world, "Альфа")
    anna, boris, head = (world.speaker(m) for m in (*world.managers, world.head))
    [msg] = (await anna.send("/deal Альфа 1000")).messages
    edit = msg.button("Исправить")["callback_data"]
    void = msg.button("Отменить")["callback_data"]
    own = (await boris.send("/deals")).messages[-1]
    for data in (edit, void):
        forged = await boris.press_data(own.message_id, data, strict=False)
        assert forged.answer is not None and "может изменить её автор" in forged.answer.text
    # a day later Anna no longer may, the head still may
    world.clock.advance(CORRECTION_WINDOW)
    late = await anna.press(msg, "Исправить")
    assert late.answer is not None and "может изменить её автор" in late.answer.text
    listing = (await anna.send("/deals")).messages[-1]
    assert "Альфа" in listing.plain_text and not listing.buttons  # listed, no buttons for her now
    head_list = (await head.send("/deals")).messages[-1]
    assert "Альфа" in head_list.plain_text and "Менеджер1001" in head_list.plain_text
    ask = (await head.press(head_list, "🗑 1")).messages[-1]
    await head.press(ask, "Да, отменить")
    [deal] = await deals(world)
    assert deal.state == "void" and deal.voided_by == world.head.id
    # a forged deal id of nobody's deal changes nothing and tells nothing
    ghost = await head.press_data(msg.message_id, void.replace(str(deal.id), "999999"), strict=False)
    assert ghost.answer is not None and ghost.answer.text


async def open_card(who, name: str):  # type: ignore[no-untyped-def]
    card = (await who.send(f"/clients {name}")).messages[-1]
    if "Проигран" not in str(card.buttons):  # a list first: open the card
        opened = (await who.press(card, name)).messages
        card = opened[-1] if opened else card
    return card


async def test_moving_a_client_to_lost_asks_about_its_deals(world: TeamWorld) -> None:
    await add_client(world, "Альфа")
    anna, head = world.speaker(world.managers[0]), world.speaker(world.head)
    await anna.send("/deal Альфа 150 000")
    card = await open_card(anna, "Альфа")
    moved = await anna.press(card, "Проигран")
    [ask] = [m for m in moved.messages if "Отменить" in m.plain_text]
    assert "Альфа" in ask.plain_text and "всё ещё в плане" in ask.plain_text
    sure = (await anna.press(ask, "🗑 1")).messages[-1]
    await anna.press(sure, "Да, отменить")
    assert [d.state for d in await deals(world)] == ["void"]
    assert "Команда: 0 ₽" in (await head.send("/board")).messages[1].plain_text
    # a client with no deal this month: nothing to ask
    await add_client(world, "Бета")
    card = await open_card(anna, "Бета")
    moved = await anna.press(card, "Проигран")
    assert not [m for m in moved.messages if "всё ещё в плане" in m.plain_text]
