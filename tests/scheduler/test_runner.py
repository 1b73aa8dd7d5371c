"""The schedule lives in the database: a changed time counts at once, a restart loses nothing, a send
missed while the bot was down goes out the same local day and never the next one."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup
from sqlalchemy import update

from botapi_emulator import Fault
from domain.enums import OutboxStatus
from domain.text import utf16_len
from scheduler.compose import ComposeContext, Kind, Outgoing
from scheduler.delivery import split_parts
from scheduler.kinds import KINDS
from storage.models import Outbox, Team
from storage.outbox_repo import OutboxRepo
from tests.scheduler.conftest import World

MONDAY = date(2025, 10, 27)
TUESDAY = date(2025, 10, 28)


def msk(day: date, hh: int, mm: int = 0) -> datetime:
    """A Moscow wall time as a UTC instant (Moscow is UTC+3 all year)."""
    return datetime(day.year, day.month, day.day, hh - 3, mm, tzinfo=UTC)


async def set_team(world: World, team_id: int, **values: object) -> None:
    async with world.pool() as session, session.begin():
        await session.execute(update(Team).where(Team.id == team_id).values(**values))


async def test_changed_time_counts_at_once(sqlite_world: World) -> None:
    world = sqlite_world
    team, people = await world.team("Moscow", "Europe/Moscow", morning=time(10))
    runner = world.runner(("t_morning",))
    world.clock.set(msk(MONDAY, 9, 30))
    assert (await runner.tick()).stats.sent == 0
    assert await runner.next_wakeup() == msk(MONDAY, 10)

    await set_team(world, team.id, morning_at=time(9, 15))  # already past: due at once
    assert (await runner.tick()).stats.sent == 3
    await set_team(world, team.id, morning_at=time(11))  # the day's send is done: not again
    world.clock.set(msk(MONDAY, 11))
    assert (await runner.tick()).stats.sent == 0

    world.clock.set(msk(TUESDAY, 8))
    assert await runner.next_wakeup() == msk(TUESDAY, 11)
    await set_team(world, team.id, morning_at=time(8, 30))  # the head moves it earlier
    assert await runner.next_wakeup() == msk(TUESDAY, 8, 30)
    world.clock.set(msk(TUESDAY, 8, 29))
    assert (await runner.tick()).stats.sent == 0
    world.clock.set(msk(TUESDAY, 8, 30))
    assert (await runner.tick()).stats.sent == 3
    for m in people:
        assert world.texts(m.tg_id) == [f"t_morning {m.id} {MONDAY}", f"t_morning {m.id} {TUESDAY}"]


async def test_restart_loses_nothing(sqlite_world: World) -> None:
    world = sqlite_world
    _, people = await world.team("Moscow", "Europe/Moscow", managers=4)
    first = world.runner(("t_morning", "t_evening"))
    world.clock.set(msk(MONDAY, 9))
    assert await first.enqueue_due() == 5
    # the process dies: nothing sent, one row was in flight
    async with world.pool() as session, session.begin():
        claimed = await OutboxRepo(session).claim(world.clock(), 1, lease=first.deliverer.options.lease)
    assert len(claimed) == 1

    world.clock.set(msk(MONDAY, 9, 7))
    second = world.runner(("t_morning", "t_evening"))
    assert await second.recover() == 1
    result = await second.tick()
    assert (result.enqueued, result.stats.sent) == (0, 5)
    for m in people:
        assert world.texts(m.tg_id) == [f"t_morning {m.id} {MONDAY}"]
    rows = await world.rows()
    assert [r.status for r in rows] == [OutboxStatus.SENT] * 5
    assert all(r.message_ids and len(r.message_ids) == 1 for r in rows)


async def test_missed_send_goes_out_the_same_day_never_the_next(sqlite_world: World) -> None:
    world = sqlite_world
    _, people = await world.team("Moscow", "Europe/Moscow", managers=2)
    managers = people[1:]
    runner = world.runner(("t_morning", "t_evening"))
    # down from 08:00 to 12:00: the morning goes out when the bot is back
    world.clock.set(msk(MONDAY, 12))
    assert (await runner.tick()).stats.sent == 3
    # the evening is enqueued at 18:00, but the bot dies before sending it and is back on Tuesday 08:00
    world.clock.set(msk(MONDAY, 18))
    assert await runner.enqueue_due() == 2
    world.clock.set(msk(TUESDAY, 8))
    result = await runner.tick()
    assert (result.stats.sent, result.stats.skipped) == (0, 2)
    world.clock.set(msk(TUESDAY, 9))
    assert (await runner.tick()).stats.sent == 3
    for m in managers:
        assert world.texts(m.tg_id) == [f"t_morning {m.id} {MONDAY}", f"t_morning {m.id} {TUESDAY}"]
    evening = [r for r in await world.rows() if r.kind == "t_evening"]
    assert [r.status for r in evening] == [OutboxStatus.SKIPPED] * 2
    assert all("no longer due" in (r.error or "") for r in evening)


async def test_vacation_entered_after_queueing_is_honoured(sqlite_world: World) -> None:
    world = sqlite_world
    _, (_, m1, m2) = await world.team("Moscow", "Europe/Moscow")
    runner = world.runner(("t_morning",))
    world.clock.set(msk(MONDAY, 9))
    assert await runner.enqueue_due() == 3
    await world.vacation(m1, MONDAY, MONDAY)
    stats = (await runner.tick()).stats
    assert (stats.sent, stats.skipped) == (2, 1)
    assert world.texts(m1.tg_id) == []
    assert world.texts(m2.tg_id) == [f"t_morning {m2.id} {MONDAY}"]


async def test_long_text_split_in_order_with_the_keyboard_last(sqlite_world: World) -> None:
    world = sqlite_world
    _, (_, m1) = await world.team("Moscow", "Europe/Moscow", managers=1, head=True)
    keyboard = InlineKeyboardMarkup(inline_keyboard=[[InlineKeyboardButton(text="OK", callback_data="ok")]])
    lines = [f"<b>{i:04d}</b> задача — позвонить клиенту 👍" for i in range(400)]

    async def compose_long(ctx: ComposeContext) -> list[Outgoing]:
        return [Outgoing("\n".join(lines), keyboard)] if ctx.member.role == "manager" else []

    KINDS["t_long"] = Kind("t_long", compose_long, frozenset(), "morning_at")
    try:
        runner = world.runner(("t_long",))
        world.clock.set(msk(MONDAY, 9))
        stats = (await runner.tick()).stats
    finally:
        KINDS.pop("t_long")
    assert (stats.sent, stats.skipped) == (1, 1)  # the head had nothing to hear
    inbox = world.emulator.sent(m1.tg_id)
    assert len(inbox) >= 3
    assert all(utf16_len(m.text or "") <= 4096 for m in inbox)
    assert [m.reply_markup is not None for m in inbox] == [False] * (len(inbox) - 1) + [True]
    got = "\n".join(m.plain_text for m in inbox).split("\n")
    assert got == [line.replace("<b>", "").replace("</b>", "") for line in lines]
    (row,) = [r for r in await world.rows() if r.member_id == m1.id]
    assert row.message_ids == [m.message_id for m in inbox]


async def test_a_crashing_composer_is_retried_and_the_others_go_out(sqlite_world: World) -> None:
    world = sqlite_world
    _, (_, m1, m2) = await world.team("Moscow", "Europe/Moscow")
    calls = {"n": 0}

    async def flaky(ctx: ComposeContext) -> list[Outgoing]:
        if ctx.member.id == m1.id and calls["n"] == 0:
            calls["n"] += 1
            raise ConnectionResetError("the database hiccuped")  # transient: retried
        return [Outgoing(f"flaky {ctx.member.id}")]

    KINDS["t_flaky"] = Kind("t_flaky", flaky, frozenset({"manager"}), "morning_at")
    try:
        runner = world.runner(("t_flaky",))
        world.clock.set(msk(MONDAY, 9))
        stats = (await runner.tick()).stats
        assert (stats.sent, stats.retried) == (1, 1)
        retry_at = await runner.next_wakeup()
        assert retry_at is not None and retry_at <= msk(MONDAY, 9, 1)
        world.clock.set(retry_at)
        assert (await runner.tick()).stats.sent == 1
    finally:
        KINDS.pop("t_flaky")
    assert world.texts(m1.tg_id) == [f"flaky {m1.id}"]
    assert world.texts(m2.tg_id) == [f"flaky {m2.id}"]
    row = next(r for r in await world.rows() if r.member_id == m1.id)
    assert (row.status, row.attempts) == (OutboxStatus.SENT, 1)
    assert isinstance(row, Outbox)


PNG = b"\x89PNG\r\n\x1a\n" + bytes(64)  # the emulator stores what it is given


async def test_a_picture_goes_first_with_its_caption_and_is_retried_like_text(sqlite_world: World) -> None:
    world = sqlite_world
    _, (m1,) = await world.team("Moscow", "Europe/Moscow", managers=1, head=False)
    long_caption = "<b>Доска</b> " + "x" * 5000  # a caption is never split (the composer keeps it short)

    async def compose_picture(ctx: ComposeContext) -> list[Outgoing]:
        return [Outgoing("<b>Доска</b> недели", photo=PNG), Outgoing("Текст отчёта")]

    assert len(split_parts([Outgoing(long_caption, photo=PNG)])) == 1
    KINDS["t_picture"] = Kind("t_picture", compose_picture, frozenset({"manager"}), "morning_at")
    world.emulator.inject(m1.tg_id, Fault.server_error())  # the picture fails once
    try:
        runner = world.runner(("t_picture",))
        world.clock.set(msk(MONDAY, 9))
        assert (await runner.tick()).stats.retried == 1
        assert world.emulator.sent(m1.tg_id) == []
        retry_at = await runner.next_wakeup()
        assert retry_at is not None
        world.clock.set(retry_at)
        assert (await runner.tick()).stats.sent == 1
    finally:
        KINDS.pop("t_picture")
    picture, text = world.emulator.sent(m1.tg_id)
    assert (picture.kind, picture.caption, picture.data) == ("photo", "<b>Доска</b> недели", PNG)
    assert (text.kind, text.text) == ("text", "Текст отчёта")
    (row,) = await world.rows()
    assert (row.status, row.message_ids) == (OutboxStatus.SENT, [picture.message_id, text.message_id])
