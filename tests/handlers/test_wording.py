"""Issue 16, items 3–5, through the real dispatcher: verbs that agree with the person, the day named in the
morning digest, late joiners not listed as missing their report, wording of review and reports, «завтра»
on a Friday, notices that were missing, and no morning list after the evening."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from bot.config import Settings
from bot.i18n import default_translator
from bot.inprocess import Speaker
from botapi_emulator.models import SentMessage
from domain.enums import Role
from storage.models import HotEntry, Member, Task
from storage.repo import Repo
from tests.handlers.conftest import MONDAY, TeamWorld
from tests.handlers.test_head import FRIDAY, Seed, at, people, runner, submit

TUESDAY = MONDAY + timedelta(days=1)


async def rename(world: TeamWorld, member: Member, name: str) -> None:
    async with world.pool() as s, s.begin():
        row = await s.get(Member, member.id)
        assert row is not None
        row.name = name
    member.name = name


async def joined(world: TeamWorld, member: Member, when) -> None:  # type: ignore[no-untyped-def]
    async with world.pool() as s, s.begin():
        row = await s.get(Member, member.id)
        assert row is not None
        row.joined_at = when


@pytest.mark.parametrize(
    ("head_name", "expected"),
    [
        ("Иван Петров", "Иван Петров согласовал ваш план"),
        ("Ольга Петрова", "Ольга Петрова согласовала ваш план"),
        ("Саша", "согласован (Саша)"),
    ],
)
async def test_the_approval_notice_agrees_with_the_heads_gender(
    world: TeamWorld, head_name: str, expected: str
) -> None:
    await rename(world, world.head, head_name)
    anna_m = world.managers[0]
    async with world.pool() as s, s.begin():
        seed = Seed(s, world)
        await seed.task(anna_m, await seed.client(anna_m, "Ромашка"), "Отправить КП", TUESDAY)
    head, anna, _ = people(world)
    world.clock.set(at(MONDAY, 18))
    _, reached = await submit(anna)
    card = next(m for m in reached if m.chat_id == world.head.tg_id)
    ok = await head.press(card, "Согласовать всё")
    told = ok.to(anna_m.tg_id)
    assert len(told) == 1
    text = told[0].plain_text
    assert expected in text and "(а)" not in text, text


async def test_monday_digest_names_friday_and_skips_who_joined_after_the_evening(world: TeamWorld) -> None:
    head_m, anna_m, boris_m = world.head, *world.managers
    await joined(world, head_m, at(date(2026, 11, 2), 10))
    await joined(world, anna_m, at(date(2026, 11, 2), 10))
    await joined(world, boris_m, at(FRIDAY, 19))  # after Friday's evening time (18:00): never asked
    head, _, _ = people(world)
    before = len(head.inbox)
    world.clock.set(at(MONDAY, 9, 1))
    await runner(world, "digest_morning").tick()
    digest = next(m for m in head.inbox[before:] if "Утренняя сводка" in m.plain_text).plain_text
    assert f"Не сдали итоги дня в пятницу, 20.11: {anna_m.name}" in digest, digest
    assert "Вчера" not in digest and boris_m.name not in digest

    # on Tuesday it was yesterday, and Boris (asked on Monday) is listed now
    before = len(head.inbox)
    world.clock.set(at(TUESDAY, 9, 1))
    await runner(world, "digest_morning").tick()
    digest = next(m for m in head.inbox[before:] if "Утренняя сводка" in m.plain_text).plain_text
    assert "Вчера не сдали итоги дня:" in digest and boris_m.name in digest and anna_m.name in digest


async def test_evening_digest_does_not_list_who_joined_after_the_evening(world: TeamWorld) -> None:
    head_m, anna_m, boris_m = world.head, *world.managers
    await joined(world, anna_m, at(date(2026, 11, 2), 10))
    await joined(world, boris_m, at(MONDAY, 18, 30))
    head, _, _ = people(world)
    world.clock.set(at(MONDAY, 20))
    text = "\n".join(m.plain_text for m in (await head.send("/digest")).messages)
    missing = next(line for line in text.split("\n") if "Не сдали итоги дня" in line)
    assert anna_m.name in missing and boris_m.name not in missing, missing
    assert head_m.name not in missing


async def test_tomorrow_typed_on_a_friday_offers_the_next_working_day(world: TeamWorld) -> None:
    anna_m = world.managers[0]
    async with world.pool() as s, s.begin():
        await Seed(s, world).client(anna_m, "Ромашка")
    _, anna, _ = people(world)
    world.clock.set(at(FRIDAY, 10))
    asked = await anna.send("/add Ромашка: Позвонить директору завтра")
    offer = asked.messages[-1]
    assert "сб 21.11 — нерабочий день" in offer.plain_text and "пн 23.11" in offer.plain_text
    async with world.pool() as s:  # nothing saved until a day is picked
        assert await s.scalar(select(func.count(Task.id)).where(Task.assignee_id == anna_m.id)) == 0
    added = await anna.press(offer, "пн 23.11")
    assert "Задача добавлена на пн 23.11" in added.messages[-1].plain_text

    # the dialog's typed date too; and the day off itself when that is what was meant
    await anna.send("/add")
    await anna.send("Ромашка")
    await anna.send("Отправить КП")
    offer = (await anna.send("завтра")).messages[-1]
    assert "нерабочий день" in offer.plain_text
    added = await anna.press(offer, "сб 21.11")
    assert "Задача добавлена на сб 21.11" in added.messages[-1].plain_text


async def test_review_hint_names_the_button_there_is(world: TeamWorld) -> None:
    anna_m = world.managers[0]
    async with world.pool() as s, s.begin():
        await Seed(s, world).client(anna_m, "Ромашка")  # new today: neither stale nor stuck
    head, _, _ = people(world)
    text = (await head.send(f"/review {anna_m.name}")).messages[-1].plain_text
    assert "Нажмите на клиента" not in text and "«➕ Задача по другому клиенту»" in text, text


@pytest.mark.parametrize(
    ("first_name", "expected"),
    [
        ("Ольга", "Ольга присоединилась к команде — менеджер"),
        ("Пётр", "Пётр присоединился к команде — менеджер"),
        ("Sky", "В команде новый участник: Sky — менеджер"),
    ],
)
async def test_the_head_is_told_when_someone_joins(world: TeamWorld, first_name: str, expected: str) -> None:
    head, _, _ = people(world)
    async with world.pool() as s, s.begin():
        invite = await Repo(s).invites.create(world.team.id, Role.MANAGER, world.clock(), timedelta(hours=1))
        code = invite.code
    newcomer = world.app.user(5000, first_name)
    before = len(head.inbox)
    joined = await newcomer.send(f"/start {code}")
    assert "Добро пожаловать" in joined.to(5000)[0].plain_text
    told = head.inbox[before:]
    assert len(told) == 1 and expected in told[0].plain_text, [m.plain_text for m in told]
    # a wrong code tells nobody
    before = len(head.inbox)
    stranger = world.app.user(5001, "Вася")
    await stranger.send("/start nope")
    assert len(head.inbox) == before


async def test_a_manager_is_told_when_their_plan_is_approved_automatically(world: TeamWorld) -> None:
    anna_m = world.managers[0]
    async with world.pool() as s, s.begin():
        seed = Seed(s, world)
        await seed.task(anna_m, await seed.client(anna_m, "Ромашка"), "Отправить КП", TUESDAY)
        await seed.task(anna_m, await seed.client(anna_m, "Лютик"), "Позвонить ЛПР", TUESDAY)
    _, anna, boris = people(world)
    world.clock.set(at(MONDAY, 18))
    await submit(anna)
    before = len(anna.inbox)
    sched = runner(world, "approval", "plan_auto_approved")
    world.clock.set(at(MONDAY, 21, 0) + timedelta(seconds=30))
    await sched.tick()
    told = anna.inbox[before:]
    assert len(told) == 1, [m.plain_text for m in told]
    text = told[0].plain_text
    assert "план на вт 24.11 согласован автоматически" in text and "2 задачи" in text, text
    assert "Отправить КП" in text and "Позвонить ЛПР" in text
    await sched.tick()
    assert len(anna.inbox) == before + 1 and not boris.inbox  # once, and only to her


async def test_the_head_sees_tasks_added_after_the_plan_was_sent(world: TeamWorld) -> None:
    anna_m = world.managers[0]
    async with world.pool() as s, s.begin():
        seed = Seed(s, world)
        await seed.task(anna_m, await seed.client(anna_m, "Ромашка"), "Отправить КП", TUESDAY)
        await seed.client(anna_m, "Лютик")
    head, anna, _ = people(world)
    world.clock.set(at(MONDAY, 18))
    _, reached = await submit(anna)
    card = next(m for m in reached if m.chat_id == world.head.tg_id)
    assert "Вне плана" not in card.plain_text
    await anna.send("/add Лютик: Позвонить директору завтра")  # after the plan was sent
    ok = await head.press(card, "Согласовать всё")
    told = ok.to(anna_m.tg_id)[0].plain_text
    assert "Отправить КП" in told and "Позвонить директору" not in told  # the plan as it was sent
    now = next(m for m in world.app.emulator.sent(world.head.tg_id) if m.message_id == card.message_id)
    added = now.plain_text[now.plain_text.index("Вне плана") :]
    assert "Вне плана: 1 задача" in added and "Лютик" in added and "Позвонить директору" in added, added


async def test_the_outbox_command_shows_a_stuck_rows_error(
    world: TeamWorld, settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    from datetime import UTC, datetime

    from domain.enums import OutboxStatus
    from scheduler.ops import run_outbox_command
    from storage.models import Outbox

    today = datetime.now(UTC).date()
    async with world.pool() as s, s.begin():
        s.add(
            Outbox(
                team_id=world.team.id,
                member_id=world.managers[0].id,
                kind="morning",
                local_date=today,
                status=OutboxStatus.PENDING,
                attempts=3,
                next_attempt_at=datetime.now(UTC) + timedelta(minutes=5),
                error="TelegramServerError: 502 Bad Gateway",
            )
        )
    t = default_translator().get("ru", html=False)
    assert await run_outbox_command(settings, t, world.team.name) == 0
    out = capsys.readouterr().out
    assert "ждут отправки 1" in out
    line = next(x for x in out.splitlines() if "morning" in x and world.managers[0].name in x)
    assert "ждёт повтора" in line and "попыток 3" in line and "502 Bad Gateway" in line, out


async def test_a_task_moved_to_tomorrow_on_a_friday_is_offered_monday(world: TeamWorld) -> None:
    anna_m = world.managers[0]
    async with world.pool() as s, s.begin():
        seed = Seed(s, world)
        task = await seed.task(anna_m, await seed.client(anna_m, "Ромашка"), "Отправить КП", FRIDAY)
    _, anna, _ = people(world)
    world.clock.set(at(FRIDAY, 10))
    listing = (await anna.send("/today")).messages[0]
    await anna.press(listing, "📅 1")
    picker = next(m for m in anna.inbox if m.message_id == listing.message_id)
    await anna.press(picker, "Другая дата")
    offer = (await anna.send("завтра")).messages[-1]
    assert "сб 21.11 — нерабочий день" in offer.plain_text and "пн 23.11" in offer.plain_text
    async with world.pool() as s:  # nothing moved yet
        row = await s.get(Task, task.id)
        assert row is not None and row.due_date == FRIDAY and row.moves == 0
    await anna.press(offer, "пн 23.11")
    async with world.pool() as s:
        row = await s.get(Task, task.id)
        assert row is not None and row.due_date == MONDAY and row.moves == 1


SATURDAY = MONDAY + timedelta(days=5)  # сб 28.11; the next working day is пн 30.11
NEXT_MONDAY = MONDAY + timedelta(days=7)


async def saturday_typed(head: Speaker, picker: SentMessage) -> SentMessage:
    """«Другая дата» under ``picker``, then «28.11» typed: the day off is named and Monday offered."""
    await head.press(picker, "Другая дата")
    offer = (await head.send("28.11")).messages[-1]
    assert "сб 28.11 — нерабочий день" in offer.plain_text and "пн 30.11" in offer.plain_text
    return offer


async def test_a_review_task_typed_for_a_saturday_is_offered_monday(world: TeamWorld) -> None:
    anna_m = world.managers[0]
    async with world.pool() as s, s.begin():
        await Seed(s, world).client(anna_m, "Ромашка")
    head, _, _ = people(world)
    agenda = (await head.send(f"/review {anna_m.name}")).messages[-1]
    await head.press(agenda, "другому клиенту")
    await head.send("Ромашка")
    offer = await saturday_typed(head, (await head.send("Отправить КП со скидкой")).messages[-1])
    async with world.pool() as s:  # nothing set until a day is picked
        assert await s.scalar(select(func.count(Task.id)).where(Task.assignee_id == anna_m.id)) == 0
    added = await head.press(offer, "пн 30.11")
    assert "По итогам разбора" in added.to(anna_m.tg_id)[0].plain_text
    async with world.pool() as s:
        task = await s.scalar(select(Task).where(Task.assignee_id == anna_m.id))
        assert task is not None and task.due_date == NEXT_MONDAY and task.review_id is not None


async def test_a_hot_step_typed_for_a_saturday_is_offered_monday(world: TeamWorld) -> None:
    anna_m = world.managers[0]
    async with world.pool() as s, s.begin():
        client = await Seed(s, world).client(anna_m, "Ромашка")
    head, _, _ = people(world)
    await head.send("/hot Ромашка")
    await head.send("Директор готов подписать до конца месяца")
    offer = await saturday_typed(head, (await head.send("Провести встречу с директором")).messages[-1])
    async with world.pool() as s:  # nothing saved until a day is picked
        assert await s.scalar(select(func.count(HotEntry.id))) == 0
    # the day off itself, when that is what was meant
    saved = await head.press(offer, "сб 28.11")
    assert "Сохранено" in saved.text
    async with world.pool() as s:
        entry = await s.scalar(select(HotEntry).where(HotEntry.client_id == client.id))
        assert entry is not None and entry.next_date == SATURDAY
