"""The /crm card's deals setting (a button, head only, the presser's team only) and the webhook address
the head pastes into the CRM (or, without a public address, how to get one)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.config import Settings
from crm.vault import Vault, generate_key
from crm_fakes.amocrm import FakeAmoCrm
from handlers.crm import CrmAction, CrmCb, DealsMode
from storage.models import CrmConnection
from storage.repo import Repo
from tests.crm import test_chat
from tests.crm.test_chat import (
    NOW,
    ChatWorld,
    _amo_people,
    _connect_amo,
    _start,
    _world,
    forged_press,
    make_team,
    now_of,
)

world, amo = test_chat.world, test_chat.amo  # the fixtures
PUBLIC = "https://bot.example.com/sales"


async def _win_deals(world: ChatWorld, team_id: int) -> bool:
    async with world.pool() as s:
        conn = await s.scalar(select(CrmConnection).where(CrmConnection.team_id == team_id))
    assert conn is not None
    return conn.win_deals


async def test_the_head_switches_the_deals_setting_on_the_card(world: ChatWorld, amo: FakeAmoCrm) -> None:
    _amo_people(amo)
    await _connect_amo(world, amo)
    head = world.speaker(world.head)
    card = (await head.send("/crm")).messages[-1]
    assert "Сделки из /deal: переводятся в CRM" in card.plain_text
    await head.press(card, "💼 Сделки из /deal: только в боте")
    assert "Настройка сделок сохранена" in now_of(world, card).plain_text
    assert "Сделки из /deal: только записываются в боте" in now_of(world, card).plain_text
    assert not await _win_deals(world, world.team.id)
    # a stale press of the button that said "only in the bot" sets what it said: nothing more changes
    assert "кнопка уже не действует" not in await forged_press(
        world, world.head.tg_id, card, CrmCb(action=CrmAction.DEALS, f=DealsMode.RECORD.value)
    )
    assert not await _win_deals(world, world.team.id)
    await head.press(now_of(world, card), "💼 Сделки из /deal: выигрывать в CRM")
    assert await _win_deals(world, world.team.id)
    assert "кнопка уже не действует" in await forged_press(
        world, world.head.tg_id, card, CrmCb(action=CrmAction.DEALS, f="lose")
    )
    assert await _win_deals(world, world.team.id)


async def test_only_the_head_and_only_for_their_own_team(world: ChatWorld, amo: FakeAmoCrm) -> None:
    _amo_people(amo)
    await _connect_amo(world, amo)
    record = CrmCb(action=CrmAction.DEALS, f=DealsMode.RECORD.value)
    for member in (world.anna, world.owner):
        who = world.speaker(member)
        await who.send("/crm")
        assert "кнопка уже не действует" in await forged_press(world, member.tg_id, who.inbox[-1], record)
    assert await _win_deals(world, world.team.id)

    rows = await make_team(world.pool, "Другой отдел", 8000)
    other_head = rows[1]
    intruder = world.app.user(other_head.tg_id, other_head.name)
    own = (await intruder.send("/crm")).messages[-1]
    assert "нет подключённой CRM" in await forged_press(world, other_head.tg_id, own, record)
    async with world.pool() as s, s.begin():
        summary: dict[str, object] = {"users": 0, "pipelines": 0, "open_tasks": 0}
        await Repo(s).crm.connect(
            rows[0].id, "amocrm", amo.url, Vault(world.key).encrypt("x" * 20), "xxxx", "Другой", summary, NOW
        )
    await forged_press(world, other_head.tg_id, own, record)
    assert not await _win_deals(world, rows[0].id)  # their own team's setting
    assert await _win_deals(world, world.team.id)  # not this one's


async def test_without_a_public_address_the_card_says_how_to_set_one(
    world: ChatWorld, amo: FakeAmoCrm
) -> None:
    _amo_people(amo)
    await _connect_amo(world, amo)
    card = (await world.speaker(world.head).send("/crm")).messages[-1].plain_text
    assert "Адреса для вебхуков пока нет" in card and "CRM_PUBLIC_URL" in card
    assert "/crm/amocrm/" not in card


@pytest.fixture
async def public(
    session_pool: async_sessionmaker[AsyncSession], settings: Settings
) -> AsyncIterator[ChatWorld]:
    key = generate_key()
    app, clock = await _start(session_pool, settings.model_copy(update={"crm_public_url": PUBLIC}), key)
    rows = await make_team(session_pool, "Отдел продаж", 7000)
    try:
        yield _world(app, clock, session_pool, key, rows)
    finally:
        await app.close()


async def test_the_card_shows_the_webhook_address_to_paste_into_the_crm(public: ChatWorld) -> None:
    fake = FakeAmoCrm("amo-token-Xx11Zz22Cc33Vv44", clock=lambda: public.clock().timestamp())
    await fake.start()
    try:
        from tests.crm.conftest import AMO_TOKEN

        fake.token = AMO_TOKEN
        _amo_people(fake)
        await _connect_amo(public, fake)
        card = (await public.speaker(public.head).send("/crm")).messages[-1].plain_text
    finally:
        await fake.stop()
    conn = await public.connection()
    assert conn is not None and conn.hook_enc
    secret = Vault(public.key).decrypt(conn.hook_enc)
    assert f"{PUBLIC}/crm/amocrm/{secret}" in card
    assert "Адреса для вебхуков пока нет" not in card


def test_the_address_comes_from_crm_public_url_or_the_webhook_origin() -> None:
    from crm.hooks import hook_url

    assert (
        hook_url("https://crm.example.com/p/", None, "amocrm", "s")
        == "https://crm.example.com/p/crm/amocrm/s"
    )
    assert (
        hook_url(None, "https://bot.example.com/tg", "bitrix24", "s")
        == "https://bot.example.com/crm/bitrix24/s"
    )
    assert hook_url("  ", "not a url", "amocrm", "s") is None
