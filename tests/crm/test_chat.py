"""/crm through the real dispatcher and the in-process Bot API emulator, against the fake amoCRM and
Bitrix24 over loopback: the head connects each from the chat; a wrong secret is refused and nothing is
stored; the message that carried a secret is deleted and the secret appears in no message and no log
line; sync and disconnect buttons; CRM users nobody matched by name get a one-tap choice with their
tasks listed, and the next sync brings their tasks; a manager, and another team's head, can do none of
it."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta

import pytest
from pydantic import SecretStr
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.clock import ManualClock
from bot.config import Settings
from bot.inprocess import InProcessBot, Speaker
from botapi_emulator.models import SentMessage, UserMessage
from crm.vault import Vault, generate_key
from crm_fakes.amocrm import FakeAmoCrm
from crm_fakes.bitrix24 import FakeBitrix24
from domain.enums import CrmConnectionStatus, Role
from handlers.crm import CrmAction, CrmCb, CrmSyncs
from storage.models import CrmConnection, CrmUserLink, Member, Task, Team
from storage.repo import Repo
from tests.crm.conftest import AMO_TOKEN, B24_TOKEN

NOW = datetime(2026, 12, 4, 6, 0, tzinfo=UTC)  # Friday 09:00 in Moscow
WRONG_TOKEN = "amo-wrong-token-Yy55Qq0Ww1"


@dataclass
class ChatWorld:
    app: InProcessBot
    clock: ManualClock
    pool: async_sessionmaker[AsyncSession]
    key: str
    team: Team
    head: Member
    anna: Member
    boris: Member
    vika: Member
    owner: Member

    def speaker(self, member: Member) -> Speaker:
        return self.app.user(member.tg_id, member.name)

    async def syncs_done(self) -> None:
        syncs = self.app.dp.workflow_data.get("crm_syncs")
        assert isinstance(syncs, CrmSyncs), "a sync was started"
        await syncs.wait()

    async def connection(self) -> CrmConnection | None:
        async with self.pool() as s:
            return await s.scalar(select(CrmConnection).where(CrmConnection.team_id == self.team.id))


async def make_team(pool: async_sessionmaker[AsyncSession], name: str, base_tg: int) -> list[Member]:
    async with pool() as session, session.begin():
        team = Team(name=name, timezone="Europe/Moscow", morning_at=time(9), evening_at=time(18))
        session.add(team)
        await session.flush()
        people = [
            Member(team_id=team.id, tg_id=base_tg + i, name=person, role=role, locale="ru")
            for i, (person, role) in enumerate(
                (
                    ("Ирина Петрова", Role.HEAD),
                    ("Анна Смирнова", Role.MANAGER),
                    ("Борис Ёлкин", Role.MANAGER),
                    ("Вика Новикова", Role.MANAGER),
                    ("Олег Хозяинов", Role.OWNER),
                )
            )
        ]
        session.add_all(people)
        await session.flush()
        session.expunge_all()
        return [team, *people]  # type: ignore[list-item]


def _world(app: InProcessBot, clock: ManualClock, pool, key: str, rows: list) -> ChatWorld:  # type: ignore[no-untyped-def,type-arg]
    return ChatWorld(app, clock, pool, key, *rows)


async def _start(pool, settings: Settings, key: str | None) -> tuple[InProcessBot, ManualClock]:  # type: ignore[no-untyped-def]
    clock = ManualClock(NOW)
    update: dict[str, object] = {"throttle_rate": 1000.0, "throttle_burst": 1000}
    update["crm_secret_key"] = SecretStr(key) if key else None
    app = InProcessBot(settings.model_copy(update=update), pool, clock)
    await app.start()
    return app, clock


@pytest.fixture
async def world(
    session_pool: async_sessionmaker[AsyncSession], settings: Settings
) -> AsyncIterator[ChatWorld]:
    key = generate_key()
    app, clock = await _start(session_pool, settings, key)
    rows = await make_team(session_pool, "Отдел продаж", 7000)
    try:
        yield _world(app, clock, session_pool, key, rows)
    finally:
        await app.close()


@pytest.fixture
async def amo(world: ChatWorld) -> AsyncIterator[FakeAmoCrm]:
    fake = FakeAmoCrm(AMO_TOKEN, clock=lambda: world.clock().timestamp())
    await fake.start()
    try:
        yield fake
    finally:
        await fake.stop()


@pytest.fixture
async def b24(world: ChatWorld) -> AsyncIterator[FakeBitrix24]:
    fake = FakeBitrix24(B24_TOKEN, clock=lambda: world.clock().timestamp())
    await fake.start()
    try:
        yield fake
    finally:
        await fake.stop()


def now_of(world: ChatWorld, message: SentMessage) -> SentMessage:
    """The message as it is now, after the bot edited it."""
    return next(m for m in world.app.emulator.sent(message.chat_id) if m.message_id == message.message_id)


def secret_message(world: ChatWorld, user_id: int) -> UserMessage:
    """The user's latest message (the one that carried a secret)."""
    return [m for m in world.app.emulator.received if m.chat_id == user_id][-1]


def every_call(world: ChatWorld) -> str:
    """Every request the bot made of Telegram: messages, edits, pop-ups, all of it."""
    return "\n".join(str(call.params) for call in world.app.emulator.calls)


async def _count(world: ChatWorld, model: type) -> int:
    async with world.pool() as s:
        return await s.scalar(select(func.count()).select_from(model)) or 0


def _amo_people(amo: FakeAmoCrm) -> tuple[int, int, int]:
    anna = amo.add_user("Смирнова Анна")  # matched by name: word order and case do not matter
    boris = amo.add_user("Борис Елкин")  # ё written as е
    viktoria = amo.add_user("Виктория Н.")  # nobody by this name: the head chooses
    lead = amo.add_lead("ООО Ромашка", anna, price=50000)
    amo.add_task("Позвонить и согласовать договор", anna, entity_id=lead)
    amo.add_task("Отправить КП по доставке", boris, entity_id=lead)
    amo.add_task("Перезвонить по счёту", viktoria, entity_id=lead)
    amo.add_task("Согласовать дату демо", viktoria, entity_id=lead)
    return anna, boris, viktoria


async def _connect_amo(world: ChatWorld, amo: FakeAmoCrm, token: str = AMO_TOKEN) -> str:
    head = world.speaker(world.head)
    offer = (await head.send("/crm")).messages[-1]
    await head.press(offer, "amoCRM")
    assert "адрес аккаунта amoCRM" in now_of(world, offer).plain_text
    asked = await head.send(amo.url)
    assert "долгосрочный токен" in asked.text
    return (await head.send(token)).text


async def test_connect_amocrm_from_the_chat(world: ChatWorld, amo: FakeAmoCrm, caplog) -> None:  # type: ignore[no-untyped-def]
    caplog.set_level(logging.DEBUG)
    _amo_people(amo)
    head = world.speaker(world.head)

    refused = await _connect_amo(world, amo, WRONG_TOKEN)
    assert "CRM отклонила ключ" in refused and "ничего не сохранено" in refused
    assert secret_message(world, world.head.tg_id).deleted
    assert await world.connection() is None

    connected = await _connect_amo(world, amo)
    assert secret_message(world, world.head.tg_id).deleted
    assert "CRM подключена" in connected
    assert "3 пользователя" in connected and "4 открытые задачи" in connected
    assert f"…{AMO_TOKEN[-4:]}" in connected
    conn = await world.connection()
    assert conn is not None and conn.status == CrmConnectionStatus.ACTIVE and conn.provider == "amocrm"
    assert conn.address == amo.url and conn.secret_tail == AMO_TOKEN[-4:]
    assert AMO_TOKEN not in conn.secret_enc and Vault(world.key).decrypt(conn.secret_enc) == AMO_TOKEN

    # the status on /crm later: provider, address, the secret's tail only
    status = (await head.send("/crm")).messages[-1]
    assert "amoCRM" in status.plain_text and f"ключ …{AMO_TOKEN[-4:]}" in status.plain_text
    assert "Синхронизаций ещё не было" in status.plain_text
    assert AMO_TOKEN[-4:] in every_call(world)  # the check below would see the secret if it were there
    for secret in (AMO_TOKEN, WRONG_TOKEN):
        assert secret not in every_call(world)
        assert secret not in caplog.text


async def test_connect_bitrix24_from_the_chat(world: ChatWorld, b24: FakeBitrix24, caplog) -> None:  # type: ignore[no-untyped-def]
    caplog.set_level(logging.DEBUG)
    anna = b24.add_user("Анна", "Смирнова")
    b24.add_user("Борис", "Ёлкин")
    company = b24.add_company("АО Тюльпан", anna)
    b24.add_task("Отправить договор", anna, bindings=[f"CO_{company}"])
    head = world.speaker(world.head)

    wrong = b24.webhook.replace(B24_TOKEN, "b24hook-Wrong-0000aaaa")
    offer = (await head.send("/crm")).messages[-1]
    await head.press(offer, "Битрикс24")
    assert "входящего вебхука" in now_of(world, offer).plain_text
    refused = await head.send(wrong)
    assert secret_message(world, world.head.tg_id).deleted
    assert "ничего не сохранено" in refused.text.lower()
    assert await world.connection() is None

    offer = (await head.send("/crm")).messages[-1]
    await head.press(offer, "Битрикс24")
    connected = await head.send(b24.webhook)
    assert secret_message(world, world.head.tg_id).deleted
    assert "CRM подключена" in connected.text and "2 пользователя" in connected.text
    conn = await world.connection()
    assert conn is not None and conn.provider == "bitrix24" and conn.status == CrmConnectionStatus.ACTIVE
    assert B24_TOKEN not in conn.address and B24_TOKEN not in conn.secret_enc
    assert Vault(world.key).decrypt(conn.secret_enc) == b24.webhook
    for secret in (B24_TOKEN, "b24hook-Wrong-0000aaaa"):
        assert secret not in every_call(world)
        assert secret not in caplog.text


async def test_connect_amocrm_by_oauth_from_the_chat(world: ChatWorld, amo: FakeAmoCrm, caplog) -> None:  # type: ignore[no-untyped-def]
    caplog.set_level(logging.DEBUG)
    _amo_people(amo)
    client_id, client_secret = "5c1c0f2a-7d3e-4b8a-9f61-0e2d4c6b8a10", "integration-Secret-77QwErTy"
    redirect = "https://bot.example.com/oauth"
    code = amo.oauth.add_client(client_id, client_secret, redirect)

    half = await _connect_amo(world, amo, f"{client_id}\n{client_secret}")
    assert "четыре строки" in half and "Ничего не сохранено" in half
    assert secret_message(world, world.head.tg_id).deleted
    assert await world.connection() is None and amo.requests == 0

    connected = await _connect_amo(world, amo, "\n".join((client_id, client_secret, redirect, code)))
    assert secret_message(world, world.head.tg_id).deleted
    assert "CRM подключена" in connected and "4 открытые задачи" in connected
    conn = await world.connection()
    assert conn is not None and conn.auth == "oauth2" and conn.secret_tail == client_secret[-4:]
    assert amo.oauth.granted == {"authorization_code": 1}

    status = (await world.speaker(world.head).send("/crm")).messages[-1]
    assert f"amoCRM · {amo.url} · OAuth, секрет приложения …{client_secret[-4:]}" in status.plain_text
    assert len(amo.oauth.issued) == 3
    for secret in (client_secret, *amo.oauth.issued):
        assert secret not in every_call(world)
        assert secret not in caplog.text


async def test_a_secret_telegram_will_not_delete_is_pointed_out(world: ChatWorld, amo: FakeAmoCrm) -> None:
    _amo_people(amo)
    world.app.emulator.refuse("deleteMessage", 400, "Bad Request: message can't be deleted", times=1)
    connected = await _connect_amo(world, amo)
    assert "CRM подключена" in connected
    assert "удалите его, пожалуйста, сами" in connected
    assert not secret_message(world, world.head.tg_id).deleted
    assert AMO_TOKEN not in every_call(world)


async def test_without_a_key_the_head_is_told_what_the_operator_does(
    session_pool: async_sessionmaker[AsyncSession], settings: Settings
) -> None:
    app, _ = await _start(session_pool, settings, None)
    try:
        rows = await make_team(session_pool, "Без ключа", 7100)
        head = app.user(rows[1].tg_id, rows[1].name)
        reply = await head.send("/crm")
        assert "CRM_SECRET_KEY" in reply.text and "python -m bot crm keygen" in reply.text
        assert not reply.messages[-1].buttons
    finally:
        await app.close()


async def test_sync_then_match_the_unmatched_user_then_sync_brings_their_tasks(
    world: ChatWorld, amo: FakeAmoCrm
) -> None:
    _amo_people(amo)
    await _connect_amo(world, amo)
    head = world.speaker(world.head)
    view = head.inbox[-1]

    started = await head.press(view, "🔄 Синхронизировать сейчас")
    assert "Синхронизирую" in started.text
    await world.syncs_done()
    report = head.inbox[-1]
    assert "Синхронизация с CRM закончена" in report.plain_text
    assert "Виктория Н. — 2 открытые задачи" in report.plain_text
    async with world.pool() as s:
        assignees = sorted((await s.scalars(select(Task.assignee_id))).all())
    assert assignees == sorted([world.anna.id, world.boris.id])  # Виктория's tasks wait, not dropped

    await head.press(report, "👤 Сотрудники CRM: ждут 1")
    await head.press(now_of(world, report), "Виктория Н.")
    card = now_of(world, report).plain_text
    assert "Виктория Н. — в CRM 2 открытые задачи" in card
    assert "Перезвонить по счёту" in card and "Согласовать дату демо" in card
    names = [b["text"] for b in now_of(world, report).buttons]
    assert "Вика Новикова" in names and "Не сотрудник отдела" in names
    assert "Анна Смирнова" not in names  # already someone's
    assert "Олег Хозяинов" not in names  # an owner has no task list

    await head.press(now_of(world, report), "Вика Новикова")
    assert "Виктория Н. — это Вика Новикова" in now_of(world, report).plain_text
    await head.press(now_of(world, report), "🔄 Синхронизировать сейчас")
    await world.syncs_done()
    assert "новые задачи: 2" in head.inbox[-1].plain_text
    async with world.pool() as s:
        vika_tasks = sorted(
            (await s.scalars(select(Task.action).where(Task.assignee_id == world.vika.id))).all()
        )
    assert vika_tasks == ["Перезвонить по счёту", "Согласовать дату демо"]
    conn = await world.connection()
    assert conn is not None and not conn.full_sync_due


async def test_sync_now_while_another_process_syncs_says_so_and_syncs_nothing(
    world: ChatWorld, amo: FakeAmoCrm
) -> None:
    head, now = world.speaker(world.head), world.clock()
    _amo_people(amo)
    await _connect_amo(world, amo)
    async with world.pool() as s, s.begin():
        assert await Repo(s).crm.claim_sync(world.team.id, "host:77:other", now, now + timedelta(minutes=2))
    seen = amo.requests
    await head.press(head.inbox[-1], "🔄 Синхронизировать сейчас")
    await world.syncs_done()
    assert "Синхронизация CRM этой команды уже идёт" in head.inbox[-1].plain_text
    assert amo.requests == seen and await _count(world, Task) == 0
    conn = await world.connection()
    assert conn is not None and conn.sync_owner == "host:77:other"  # not taken, not released


async def test_not_in_the_department_is_not_asked_again(world: ChatWorld, amo: FakeAmoCrm) -> None:
    _amo_people(amo)
    await _connect_amo(world, amo)
    head = world.speaker(world.head)
    await head.press(head.inbox[-1], "🔄 Синхронизировать сейчас")
    await world.syncs_done()
    report = head.inbox[-1]
    await head.press(report, "👤 Сотрудники CRM: ждут 1")
    await head.press(now_of(world, report), "Виктория Н.")
    await head.press(now_of(world, report), "Не сотрудник отдела")
    assert "Все сотрудники CRM сопоставлены" in now_of(world, report).plain_text
    async with world.pool() as s:
        link = await s.scalar(select(CrmUserLink).where(CrmUserLink.name == "Виктория Н."))
    assert link is not None and link.ignored and link.member_id is None
    status = (await head.send("/crm")).messages[-1]
    assert "ждут вашего выбора: 0" in status.plain_text


async def test_disconnect_asks_first_and_keeps_everything(world: ChatWorld, amo: FakeAmoCrm) -> None:
    _amo_people(amo)
    await _connect_amo(world, amo)
    head = world.speaker(world.head)
    await head.press(head.inbox[-1], "🔄 Синхронизировать сейчас")
    await world.syncs_done()
    tasks = await _count(world, Task)
    assert tasks == 2

    view = (await head.send("/crm")).messages[-1]
    await head.press(view, "Отключить")
    assert "Отключить CRM?" in now_of(world, view).plain_text
    await head.press(now_of(world, view), "Нет, оставить")
    assert (conn := await world.connection()) is not None and conn.status == CrmConnectionStatus.ACTIVE
    await head.press(now_of(world, view), "Отключить")
    await head.press(now_of(world, view), "Да, отключить")
    assert "CRM отключена" in now_of(world, view).plain_text
    assert (conn := await world.connection()) is not None and conn.status == CrmConnectionStatus.DISCONNECTED
    assert await _count(world, Task) == tasks
    assert "Подключить снова" in now_of(world, view).plain_text
    assert now_of(world, view).button("amoCRM")
    # a sync button pressed on an old message now does nothing
    answer = (
        await head.press_data(view.message_id, CrmCb(action=CrmAction.SYNC).pack(), strict=False)
    ).answer
    assert answer is not None and "нет подключённой CRM" in (answer.text or "")


async def forged_press(world: ChatWorld, user_id: int, message: SentMessage, data: CrmCb) -> str:
    """A press of ``data`` on ``message`` by ``user_id``, as a forged client would send it."""
    query_id = world.app.emulator.press(user_id, message.message_id, data.pack(), strict=False)
    await world.app.drain()
    answer = world.app.emulator.answer_for(query_id)
    assert answer is not None, "every press is answered"
    return answer.text or ""


async def test_managers_owners_and_other_teams_can_do_none_of_it(world: ChatWorld, amo: FakeAmoCrm) -> None:
    _amo_people(amo)
    await _connect_amo(world, amo)
    head = world.speaker(world.head)
    await head.press(head.inbox[-1], "🔄 Синхронизировать сейчас")
    await world.syncs_done()
    async with world.pool() as s:
        link = await s.scalar(select(CrmUserLink).where(CrmUserLink.name == "Виктория Н."))
    assert link is not None

    for member in (world.anna, world.owner):
        who = world.speaker(member)
        assert "доступна другой роли" in (await who.send("/crm")).text
        own = who.inbox[-1]
        for forged in (
            CrmCb(action=CrmAction.MATCH, u=link.id, m=member.id),
            CrmCb(action=CrmAction.MATCH, u=link.id, m=0),
            CrmCb(action=CrmAction.DISCONNECT),
            CrmCb(action=CrmAction.SYNC),
            CrmCb(action=CrmAction.PICK, f="bitrix24"),
            CrmCb(action=CrmAction.USER, u=link.id),
        ):
            assert "кнопка уже не действует" in await forged_press(world, member.tg_id, own, forged)

    # the head of another team with a CRM of its own: this team's CRM user is not found from there
    rows = await make_team(world.pool, "Другой отдел", 8000)
    other_head = rows[1]
    async with world.pool() as s, s.begin():
        vault = Vault(world.key)
        summary: dict[str, object] = {"users": 0, "pipelines": 0, "open_tasks": 0}
        await Repo(s).crm.connect(
            rows[0].id, "amocrm", amo.url, vault.encrypt("x" * 20), "xxxx", "Другой", summary, NOW
        )
    intruder = world.app.user(other_head.tg_id, other_head.name)
    own = (await intruder.send("/crm")).messages[-1]
    for forged in (
        CrmCb(action=CrmAction.MATCH, u=link.id, m=other_head.id),
        CrmCb(action=CrmAction.MATCH, u=link.id, m=0),
        CrmCb(action=CrmAction.USER, u=link.id),
    ):
        assert "Не нашёл" in await forged_press(world, other_head.tg_id, own, forged)

    # and the head of this team cannot match to another team's member
    anna_link = link.id
    assert "Не нашёл" in await forged_press(
        world, world.head.tg_id, head.inbox[-1], CrmCb(action=CrmAction.MATCH, u=anna_link, m=other_head.id)
    )
    async with world.pool() as s:
        after = await s.get(CrmUserLink, link.id)
        conn = await s.scalar(select(CrmConnection).where(CrmConnection.team_id == world.team.id))
    assert after is not None and after.member_id is None and not after.ignored
    assert conn is not None and conn.status == CrmConnectionStatus.ACTIVE


async def test_a_mistyped_address_is_explained_and_nothing_stored(world: ChatWorld) -> None:
    head = world.speaker(world.head)
    offer = (await head.send("/crm")).messages[-1]
    await head.press(offer, "amoCRM")
    assert "Не понял адрес CRM" in (await head.send("my company")).text
    assert "долгосрочный токен" in (await head.send("mycompany")).text  # the dialog goes on

    offer = (await head.send("/crm")).messages[-1]
    await head.press(offer, "Битрикс24")
    refused = await head.send("https://company.bitrix24.ru/not-a-webhook")
    assert "Не понял адрес CRM" in refused.text and "/crm" in refused.text
    assert secret_message(world, world.head.tg_id).deleted  # it may have been a secret all the same
    assert await world.connection() is None


async def test_an_expired_oauth_token_is_not_refreshed_inside_the_cards_update(
    world: ChatWorld, amo: FakeAmoCrm
) -> None:
    """The user card reads the CRM inside the press's transaction: an OAuth refresh there would write the
    connection's row in a transaction of its own, which on SQLite waits for the press's own write lock
    (15 s, then "database is locked"). The card says the token will be renewed; the sync renews it."""
    _amo_people(amo)
    client_id, client_secret = "5c1c0f2a-7d3e-4b8a-9f61-0e2d4c6b8a10", "integration-Secret-77QwErTy"
    redirect = "https://bot.example.com/oauth"
    code = amo.oauth.add_client(client_id, client_secret, redirect)
    await _connect_amo(world, amo, "\n".join((client_id, client_secret, redirect, code)))
    head = world.speaker(world.head)
    await head.press(head.inbox[-1], "🔄 Синхронизировать сейчас")
    await world.syncs_done()
    report = head.inbox[-1]
    await head.press(report, "👤 Сотрудники CRM: ждут 1")
    refreshes = amo.oauth.granted.get("refresh_token", 0)

    amo.oauth.expire()
    answer = await head.press(now_of(world, report), "Виктория Н.")
    assert answer.answer is not None and answer.answer.text is not None
    assert answer.answer.text.startswith("Токен доступа CRM истёк, бот обновит его при синхронизации")
    assert answer.answer.text.endswith("откройте карточку снова.")  # whole: an alert shows 200 characters
    assert amo.oauth.granted.get("refresh_token", 0) == refreshes  # nothing refreshed in the press

    await head.press(now_of(world, report), "Назад")
    await head.press(now_of(world, report), "🔄 Синхронизировать сейчас")
    await world.syncs_done()
    assert amo.oauth.granted.get("refresh_token", 0) == refreshes + 1
    report = head.inbox[-1]
    await head.press(report, "👤 Сотрудники CRM: ждут 1")
    await head.press(now_of(world, report), "Виктория Н.")
    assert "Виктория Н. — в CRM 2 открытые задачи" in now_of(world, report).plain_text
