"""Names are shown as people typed them: message texts are HTML-escaped exactly once, button labels and
pop-ups (plain text for Telegram) never. And a button pressed on a message Telegram no longer lets the bot
edit (older than 48 hours, deleted: an "inaccessible" message) is answered with a new message."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select, update

from bot.inprocess import Reply, Speaker
from botapi_emulator.models import SentMessage
from domain.enums import Stage
from storage.models import Client, DayReport, HotEntry, Member
from tests.handlers.conftest import MONDAY, TeamWorld

EVIL = "<b>Зло</b> & &lt; $x$"
EVIL_CLIENT = "<i>Ромашка</i> & Co"
MSK = ZoneInfo("Europe/Moscow")


def at(d: date, hh: int, mm: int = 0) -> datetime:
    return datetime.combine(d, time(hh, mm), MSK).astimezone(UTC)


async def evil_manager(world: TeamWorld) -> Member:
    """The first manager, renamed; everyone has started the bot."""
    evil = world.managers[0]
    async with world.pool() as s, s.begin():
        # joined weeks before the test's Monday (the row's default is the real now): asked for reports
        joined = datetime(2026, 11, 2, 7, tzinfo=UTC)
        await s.execute(update(Member).where(Member.id == evil.id).values(name=EVIL, joined_at=joined))
    evil.name = EVIL
    for m in [world.head, *world.managers]:
        world.app.emulator.add_user(m.tg_id, first_name=m.name, started=True)
    return evil


def labels(message: SentMessage) -> list[str]:
    return [b["text"] for b in message.buttons]


def no_entities_leaked(*texts: str) -> None:
    for text in texts:
        assert "&lt;" not in text.replace(EVIL, "") and "&amp;" not in text, text


async def press_inaccessible(world: TeamWorld, who: Speaker, message: SentMessage, label: str) -> Reply:
    """Press ``label`` as Telegram delivers a press on a message it no longer lets the bot edit: the
    callback query carries an inaccessible message (only the chat and the id, date 0)."""
    data = message.button(label)["callback_data"]
    app = world.app

    async def act() -> Any:
        query_id = app.emulator.press(who.user_id, message.message_id, data)
        for raw in app.emulator.take_updates():
            query = raw.get("callback_query")
            if query is not None:
                shown = query["message"]
                query["message"] = {"message_id": shown["message_id"], "chat": shown["chat"], "date": 0}
            await app.dp.feed_raw_update(app.bot, raw, **app.dp.workflow_data)
        return app.emulator.answer_for(query_id)

    return await app.collect(act)


# ---------------------------------------------------------------------- /team


async def test_team_shows_a_name_once_escaped_and_labels_it_as_typed(world: TeamWorld) -> None:
    evil = await evil_manager(world)
    head = world.speaker(world.head)
    listing = (await head.send("/team")).messages[-1]
    assert f"• {EVIL} — менеджер" in listing.plain_text
    assert f"Отключить: {EVIL}" in labels(listing)
    asked = await head.press(listing, f"Отключить: {EVIL}")
    confirm = asked.messages[-1]
    assert f"Отключить сотрудника {EVIL}?" in confirm.plain_text
    confirm_data = confirm.button("Да, отключить")["callback_data"]
    done = await head.press(confirm, "Да, отключить")
    assert done.answer is not None and done.answer.text == f"Сотрудник {EVIL} отключён."
    edited = next(m for m in head.inbox if m.message_id == confirm.message_id)
    assert edited.plain_text == f"Сотрудник {EVIL} отключён."
    async with world.pool() as s:
        assert (await s.get(Member, evil.id)).active is False  # type: ignore[union-attr]
    # a second press on the stale confirmation: the polite pop-up names them as typed too
    again = await head.press_data(confirm.message_id, confirm_data, strict=False)
    assert again.answer is not None and EVIL in (again.answer.text or ""), again.answer
    no_entities_leaked(*(m.plain_text for m in head.inbox), *(b for m in head.inbox for b in labels(m)))


async def test_team_buttons_on_an_inaccessible_message_answer_with_a_new_one(world: TeamWorld) -> None:
    evil = await evil_manager(world)
    head = world.speaker(world.head)
    listing = (await head.send("/team")).messages[-1]
    confirm = (await press_inaccessible(world, head, listing, "Отключить:")).messages[-1]
    assert f"Отключить сотрудника {EVIL}?" in confirm.plain_text
    kept = await press_inaccessible(world, head, confirm, "Отмена")
    assert [m.plain_text for m in kept.messages] == ["Хорошо, ничего не меняю."]
    assert confirm.edit_date is None  # nothing was edited in place
    done = await press_inaccessible(world, head, confirm, "Да, отключить")
    assert [m.plain_text for m in done.messages] == [f"Сотрудник {EVIL} отключён."]
    async with world.pool() as s:
        assert (await s.get(Member, evil.id)).active is False  # type: ignore[union-attr]


async def test_lang_on_an_inaccessible_message_answers_with_a_new_one(world: TeamWorld) -> None:
    head = world.speaker(world.head)
    world.app.emulator.add_user(world.head.tg_id, first_name=world.head.name, started=True)
    menu = (await head.send("/lang")).messages[-1]
    assert "🇷🇺 Русский" in labels(menu)
    chosen = await press_inaccessible(world, head, menu, "English")
    assert len(chosen.messages) == 1 and "English" in chosen.messages[0].plain_text
    async with world.pool() as s:
        assert (await s.get(Member, world.head.id)).locale == "en"  # type: ignore[union-attr]


# ---------------------------------------------------------------------- the hot list, /status, digests


async def seed_hot(world: TeamWorld, owner: Member) -> int:
    async with world.pool() as s, s.begin():
        client = Client(
            team_id=world.team.id,
            owner_id=owner.id,
            name=EVIL_CLIENT,
            name_key=EVIL_CLIENT.casefold(),
            stage=Stage.PROPOSAL,
        )
        s.add(client)
        await s.flush()
        entry = HotEntry(
            team_id=world.team.id,
            client_id=client.id,
            reason="верю: <u>тендер</u> & бюджет",
            next_step="созвон с закупками",
            next_date=MONDAY,
            touched_at=at(MONDAY - timedelta(days=10), 10),
        )
        s.add(entry)
        await s.flush()
        return entry.id


async def test_hot_list_names_are_escaped_once_and_labels_are_plain(world: TeamWorld) -> None:
    evil = await evil_manager(world)
    entry_id = await seed_hot(world, evil)
    head = world.speaker(world.head)
    listing = (await head.send("/hot")).messages[-1]
    assert f"🔥 {EVIL_CLIENT} ({EVIL})" in listing.plain_text
    assert "верю: <u>тендер</u> & бюджет" in listing.plain_text
    assert f"1. {EVIL_CLIENT}" in labels(listing)
    opened = (await head.press(listing, f"1. {EVIL_CLIENT}")).messages[-1]
    assert f"🔥 {EVIL_CLIENT} ({EVIL})" in opened.plain_text
    # on a message that can no longer be edited: asked again in a new message, then taken off
    asked = (await press_inaccessible(world, head, opened, "Убрать из списка")).messages
    assert len(asked) == 1 and EVIL_CLIENT in asked[0].plain_text and "Да, убрать" in labels(asked[0])
    removed = await press_inaccessible(world, head, asked[0], "Да, убрать")
    assert removed.answer is not None and removed.answer.text == "Клиент убран из горячего списка."
    async with world.pool() as s:
        assert (await s.get(HotEntry, entry_id)).closed_at is not None  # type: ignore[union-attr]
    no_entities_leaked(*(m.plain_text for m in head.inbox), *(b for m in head.inbox for b in labels(m)))


async def test_hot_reminder_and_digests_and_status_escape_once(world: TeamWorld) -> None:
    from tests.handlers.test_head import runner

    evil = await evil_manager(world)
    await seed_hot(world, evil)
    head = world.speaker(world.head)
    before = len(head.inbox)
    world.clock.set(at(MONDAY, 9) + timedelta(seconds=5))
    await runner(world, "hot_reminder", "digest_morning").tick()
    sent = head.inbox[before:]
    reminder = next(m for m in sent if "напоминание" in m.plain_text)
    assert f"🔥 {EVIL_CLIENT} ({EVIL})" in reminder.plain_text
    assert f"🔥 {EVIL_CLIENT}" in labels(reminder)
    morning = next(m for m in sent if "Утренняя сводка" in m.plain_text)
    assert EVIL_CLIENT in morning.plain_text

    # the evening: the manager did not report; 🔔 is labelled with the name as typed
    async with world.pool() as s, s.begin():
        other = world.managers[1]
        s.add(
            DayReport(
                team_id=world.team.id,
                member_id=other.id,
                on_date=MONDAY,
                planned=0,
                done=0,
                mood=4,
                submitted_at=at(MONDAY, 18),
            )
        )
    world.clock.set(at(MONDAY, 19) + timedelta(seconds=5))
    before = len(head.inbox)
    await runner(world, "digest_evening").tick()
    digest = head.inbox[before]
    assert f"Не сдали итоги дня: {EVIL}" in digest.plain_text
    assert f"🔔 Напомнить: {EVIL}" in labels(digest)
    nudged = await head.press(digest, "🔔 Напомнить:")
    assert nudged.answer is not None and nudged.answer.text == f"🔔 Напоминание отправлено: {EVIL}"

    status = (await head.send("/status")).messages[-1]
    assert f"{EVIL}: " in status.plain_text and EVIL in labels(status)
    opened = await press_inaccessible(world, head, status, EVIL)
    assert opened.messages and EVIL in opened.messages[0].plain_text
    async with world.pool() as s, s.begin():
        await s.execute(update(Member).where(Member.id == world.managers[1].id).values(name="Злой двойник"))
    picker = (await head.send("/status Зло")).messages[-1]  # both managers match: a picker
    assert picker.plain_text.startswith("Кого показать") and EVIL in labels(picker)
    no_entities_leaked(*(m.plain_text for m in head.inbox), *(b for m in head.inbox for b in labels(m)))


# ---------------------------------------------------------------------- /settings


async def test_settings_show_names_as_typed_and_survive_an_inaccessible_message(world: TeamWorld) -> None:
    evil = await evil_manager(world)
    head = world.speaker(world.head)
    view = (await head.send("/settings")).messages[-1]
    await head.press(view, "Пояс сотрудника")
    shown = next(m for m in head.inbox if m.message_id == view.message_id)
    assert EVIL in labels(shown)
    await head.press(shown, EVIL)
    shown = next(m for m in head.inbox if m.message_id == view.message_id)
    assert EVIL in shown.plain_text
    saved = await head.press(shown, "Новосибирск")
    assert saved.answer is not None and saved.answer.text == f"{EVIL}: часовой пояс Asia/Novosibirsk."
    shown = next(m for m in head.inbox if m.message_id == view.message_id)
    assert f"{EVIL}: часовой пояс Asia/Novosibirsk." in shown.plain_text
    # the same menu on a message that can no longer be edited: each step comes as a new message
    fresh = await press_inaccessible(world, head, shown, "Отпуск сотрудника")
    assert len(fresh.messages) == 1 and EVIL in labels(fresh.messages[0])
    picked = await press_inaccessible(world, head, fresh.messages[0], EVIL)
    assert len(picked.messages) == 1 and EVIL in picked.messages[0].plain_text
    closed = await press_inaccessible(world, head, shown, "Готово")
    assert [m.plain_text for m in closed.messages] == ["Настройки сохранены."]
    async with world.pool() as s:
        row = await s.scalar(select(Member).where(Member.id == evil.id))
        assert row is not None and row.timezone == "Asia/Novosibirsk"
    no_entities_leaked(*(m.plain_text for m in head.inbox), *(b for m in head.inbox for b in labels(m)))
