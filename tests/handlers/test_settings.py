"""/settings through the real dispatcher: the head changes the times, the zone, the working days, the
holiday calendar, a member's vacation and zone; a mistake gets a polite answer and changes nothing; a
manager, and a head of another team, can change none of it."""

from __future__ import annotations

from datetime import date, time

from sqlalchemy import select

from botapi_emulator.models import SentMessage
from handlers.settings import SettingsAction, SettingsCb
from storage.models import Member, Team, Vacation
from tests.handlers.conftest import TeamWorld, make_team


async def team_row(world: TeamWorld) -> Team:
    async with world.pool() as s:
        team = await s.get(Team, world.team.id)
        assert team is not None
        return team


async def member_row(world: TeamWorld, member_id: int) -> Member:
    async with world.pool() as s:
        member = await s.get(Member, member_id)
        assert member is not None
        return member


async def vacations(world: TeamWorld, member_id: int) -> list[tuple[date, date]]:
    async with world.pool() as s:
        rows = await s.execute(select(Vacation.starts, Vacation.ends).where(Vacation.member_id == member_id))
        return sorted((a, b) for a, b in rows)


def now_of(world: TeamWorld, message: SentMessage) -> SentMessage:
    """The message as it is now, after the bot edited it."""
    return next(m for m in world.app.emulator.sent(message.chat_id) if m.message_id == message.message_id)


async def test_times_zone_workdays_and_holidays(world: TeamWorld) -> None:
    head = world.speaker(world.head)
    view = (await head.send("/settings")).messages[-1]
    assert "Настройки команды" in view.plain_text and "09:00" in view.plain_text

    await head.press(view, "Утро 09:00")
    assert "Во сколько присылать утренний список" in now_of(world, view).plain_text
    refused = await head.send("25:61")
    assert "Не понял время" in refused.text
    assert (await team_row(world)).morning_at == time(9)
    late = await head.send("19:00")  # after the evening (18:00): refused, nothing changed
    assert "Утро должно быть раньше вечера" in late.text and "18:00" in late.text
    assert (await team_row(world)).morning_at == time(9)
    saved = await head.send("8.30")
    assert "утренний список — в 08:30" in saved.text
    assert (await team_row(world)).morning_at == time(8, 30)

    view = saved.messages[-1]
    await head.press(view, "Часовой пояс")
    await head.press(now_of(world, view), "Владивосток")
    assert (await team_row(world)).timezone == "Asia/Vladivostok"
    await head.press(now_of(world, view), "Часовой пояс")
    assert "Не знаю такого" in (await head.send("Марс")).text
    assert (await head.send("europe/kaliningrad")).messages
    assert (await team_row(world)).timezone == "Europe/Kaliningrad"

    view = head.inbox[-1]
    await head.press(view, "Рабочие дни")
    await head.press(now_of(world, view), "Сб")
    assert (await team_row(world)).workdays == "1,2,3,4,5,6"
    for day in ("Пн", "Вт", "Ср", "Чт", "Пт"):
        await head.press(now_of(world, view), day)
    assert (await team_row(world)).workdays == "6"
    answer = (await head.press(now_of(world, view), "Сб")).answer
    assert answer is not None and "хотя бы один" in (answer.text or "")
    assert (await team_row(world)).workdays == "6"

    await head.press(now_of(world, view), "Назад")
    await head.press(now_of(world, view), "Праздники: учитываются")
    assert (await team_row(world)).holiday_country is None
    await head.press(now_of(world, view), "Праздники: не учитываются")
    assert (await team_row(world)).holiday_country == "RU"


async def test_a_members_vacation_and_zone(world: TeamWorld) -> None:
    head = world.speaker(world.head)
    anna = world.managers[0]
    view = (await head.send("/settings")).messages[-1]
    await head.press(view, "Отпуск сотрудника")
    await head.press(now_of(world, view), anna.name)
    await head.press(now_of(world, view), "Добавить отпуск")
    assert "Не понял даты" in (await head.send("вчера")).text
    assert "Не понял даты" in (await head.send("14.12–01.12")).text
    assert "Слишком длинный" in (await head.send("01.12.2026–01.06.2027")).text
    assert await vacations(world, anna.id) == []
    saved = await head.send("с 1 декабря по 14 декабря")
    assert "01.12–14.12.2026" in saved.text
    assert await vacations(world, anna.id) == [(date(2026, 12, 1), date(2026, 12, 14))]

    listing = saved.messages[-1]
    await head.press(listing, "Добавить отпуск")
    assert "пересекается" in (await head.send("10.12–20.12")).text
    await head.press(now_of(world, listing), "Назад")
    await head.press(now_of(world, listing), "Отпуск сотрудника")
    await head.press(now_of(world, listing), anna.name)
    assert "01.12–14.12.2026" in now_of(world, listing).plain_text
    await head.press(now_of(world, listing), "🗑 01.12–14.12")
    assert await vacations(world, anna.id) == []

    view = (await head.send("/settings")).messages[-1]
    await head.press(view, "Пояс сотрудника")
    await head.press(now_of(world, view), anna.name)
    await head.press(now_of(world, view), "Новосибирск")
    assert (await member_row(world, anna.id)).timezone == "Asia/Novosibirsk"
    assert "Asia/Novosibirsk" in now_of(world, view).plain_text
    await head.press(now_of(world, view), "Пояс сотрудника")
    await head.press(now_of(world, view), anna.name)
    await head.press(now_of(world, view), "Как у команды")
    assert (await member_row(world, anna.id)).timezone is None


async def forged_press(world: TeamWorld, user_id: int, message: SentMessage, cb: SettingsCb) -> str:
    """A press with made-up data on ``message`` (in whatever chat it is): the answer's text."""
    query_id = world.app.emulator.press(
        user_id, message.message_id, cb.pack(), chat_id=message.chat_id, strict=False
    )
    await world.app.drain()
    answer = world.app.emulator.answer_for(query_id)
    assert answer is not None, "every press is answered"
    return answer.text or ""


async def test_nobody_else_can_change_settings(world: TeamWorld) -> None:
    manager = world.speaker(world.managers[0])
    assert "Настройки команды" not in (await manager.send("/settings")).text
    # the head's settings message forwarded to a manager: the buttons do nothing for them
    head = world.speaker(world.head)
    view = (await head.send("/settings")).messages[-1]
    await forged_press(world, world.managers[0].tg_id, view, SettingsCb(action=SettingsAction.HOLIDAYS))
    assert (await team_row(world)).holiday_country == "RU"

    # the head of another team cannot reach this team's members through forged buttons
    _, other_head, _ = await make_team(world.pool, "Другой отдел", 5000, managers=1)
    intruder = world.app.user(other_head.tg_id, other_head.name)
    await intruder.send("/settings")
    own = intruder.inbox[-1]
    anna = world.managers[0]
    for forged in (
        SettingsCb(action=SettingsAction.MEMBER_VACATIONS, m=anna.id),
        SettingsCb(action=SettingsAction.SET_ZONE, f="0", m=anna.id),
        SettingsCb(action=SettingsAction.ADD_VACATION, m=anna.id),
    ):
        assert "Не нашёл" in await forged_press(world, other_head.tg_id, own, forged)
    assert (await member_row(world, anna.id)).timezone is None
    assert await vacations(world, anna.id) == []
    assert (await team_row(world)).timezone == "Europe/Moscow"


class TickRequests:
    """Stands in for the scheduler's handle: counts the ticks asked for (``poke``)."""

    def __init__(self) -> None:
        self.count = 0

    def poke(self) -> None:
        self.count += 1


async def test_every_change_asks_the_scheduler_for_a_tick_and_nothing_else_does(world: TeamWorld) -> None:
    ticks = TickRequests()
    world.app.dp["scheduler"] = ticks
    head = world.speaker(world.head)
    # a typed text, or [a button] on the last message; whether the step changes a setting
    steps = [
        ("/settings", False),
        ("[Утро 09:00]", False),
        ("25:61", False),  # refused: nothing changed
        ("8.30", True),
        ("[Часовой пояс]", False),
        ("[Владивосток]", True),
        ("[Часовой пояс]", False),
        ("Марс", False),
        ("europe/kaliningrad", True),
        ("[Рабочие дни]", False),
        ("[Сб]", True),
        ("[Назад]", False),
        ("[Праздники: учитываются]", True),
        ("[Отпуск сотрудника]", False),
        (f"[{world.managers[0].name}]", False),
        ("[Добавить отпуск]", False),
        ("вчера", False),
        ("с 1 декабря по 14 декабря", True),
        ("[🗑 01.12–14.12]", True),
    ]
    for step, changes in steps:
        before = ticks.count
        if step.startswith("["):
            await head.press(now_of(world, head.inbox[-1]), step[1:-1])
        else:
            await head.send(step)
        assert ticks.count == before + changes, step
    assert ticks.count == 7


async def test_a_button_ends_the_dialog_waiting_for_a_typed_answer(world: TeamWorld) -> None:
    head = world.speaker(world.head)
    view = (await head.send("/settings")).messages[-1]
    await head.press(view, "Утро 09:00")
    await head.press(now_of(world, view), "Назад")
    await head.send("8.30")  # no longer the answer to "Во сколько…"
    assert (await team_row(world)).morning_at == time(9)

    await head.press(now_of(world, view), "Часовой пояс")
    await head.press(now_of(world, view), "Владивосток")  # the zone by a button instead of typed
    await head.send("europe/kaliningrad")
    assert (await team_row(world)).timezone == "Asia/Vladivostok"
