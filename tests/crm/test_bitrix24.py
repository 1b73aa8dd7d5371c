"""Bitrix24: the client against the fake portal over HTTP, and the same sync as amoCRM's."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from crm.base import CrmAuthError, CrmError, EntityKind, EntityRef, ProviderKind, Semantic
from crm.bitrix24 import Bitrix24, webhook_url
from crm.http import Transport
from crm.service import connect
from crm.sync import CrmSync
from crm.vault import Vault, generate_key
from crm_fakes.bitrix24 import FakeBitrix24, parse_query
from domain.enums import LinkKind, Stage, TaskStatus
from storage.models import Client, Deal, Task, TaskEvent
from storage.repo import Repo
from tests.crm.conftest import Clock, b24_client, make_team


def _ts(y: int, m: int, d: int, h: int = 12) -> float:
    return datetime(y, m, d, h, tzinfo=UTC).timestamp()


def test_php_style_query_keys() -> None:
    query = "filter%5B%3E%3DDATE_MODIFY%5D=x&select%5B%5D=ID&select[]=TITLE&start=50"  # as urlencode sends it
    assert parse_query(query) == {
        "filter": {">=DATE_MODIFY": "x"},
        "select": ["ID", "TITLE"],
        "start": "50",
    }


def test_webhook_shape() -> None:
    assert webhook_url("https://co.bitrix24.ru/rest/1/abc") == "https://co.bitrix24.ru/rest/1/abc/"
    with pytest.raises(ValueError):
        webhook_url("https://co.bitrix24.ru/crm/")


async def test_lists_page_by_50_then_batch_the_rest(b24: FakeBitrix24) -> None:
    uid = b24.add_user("Анна", "Смирнова")
    deal = b24.add_deal("Ромашка", uid)
    for i in range(130):
        b24.add_activity(f"Позвонить {i}", uid, owner_id=deal)
    b24.add_task("Подготовить договор", uid, bindings=[f"D_{deal}"])
    b24.add_task("Без привязки к CRM", uid, bindings=[])
    client = b24_client(b24)
    try:
        pages = [page async for page in client.tasks(None, open_only=True)]
        pipelines = await client.pipelines()
        summary = await client.summary()
    finally:
        await client.close()
    assert [len(p) for p in pages] == [50, 80, 1]  # the first page, one batch of two pages, the tasks
    assert [m for m, _ in b24.log[:3]] == ["crm.activity.list", "batch", "tasks.task.list"]
    task = pages[-1][0]
    assert task.id.startswith("t") and task.entity == EntityRef(EntityKind.DEAL, str(deal))
    assert pages[0][0].id.startswith("a") and pages[0][0].entity == EntityRef(EntityKind.DEAL, str(deal))
    semantics = {s.id: s.semantic for s in pipelines[0].stages}
    assert semantics["WON"] is Semantic.WON and semantics["LOSE"] is Semantic.LOST
    assert (summary.users, summary.pipelines, summary.open_tasks) == (1, 1, 131)


async def test_a_wrong_webhook_is_an_auth_error(b24: FakeBitrix24) -> None:
    client = b24_client(b24, b24.webhook.replace(b24.token, "wrong"))
    try:
        with pytest.raises(CrmAuthError) as err:
            await client.users()
    finally:
        await client.close()
    assert "INVALID_CREDENTIALS" in str(err.value) and b24.log == [("user.get", 401)]


async def test_query_limit_exceeded_is_retried_until_through(clock: Clock) -> None:
    fake = FakeBitrix24("tok-123456789", capacity=5, drain=10.0, clock=clock.timestamp)
    await fake.start()

    class Unlimited:
        async def acquire(self) -> None:
            return None

        def answered(self) -> None:
            return None

        def backoff(self, seconds: float) -> None:
            return None

        def block(self, seconds: float) -> None:
            return None

        def blocked_for(self) -> float:
            return 0.0

    transport = Transport(Unlimited(), attempts=8, base_delay=0.1, max_delay=0.5, limit_pause=0.2)
    client = Bitrix24(fake.webhook, transport=transport)
    try:
        results = await asyncio.gather(*(client.call("profile") for _ in range(12)))
    finally:
        await client.close()
        await fake.stop()
    assert all(r["result"]["ADMIN"] for r in results)
    assert fake.limited > 0 and ("profile", 503) in fake.log


async def test_operating_time_limit_is_a_limit_error(clock: Clock) -> None:
    fake = FakeBitrix24("tok-123456789", operating_budget=1.0, operating_cost=0.6, clock=clock.timestamp)
    await fake.start()
    transport = Transport(b24_client(fake).transport.limiter, attempts=2, base_delay=0.01, limit_pause=0.01)
    client = Bitrix24(fake.webhook, transport=transport)
    try:
        await client.call("profile")
        with pytest.raises(CrmError) as err:
            await client.call("profile")
    finally:
        await client.close()
        await fake.stop()
    assert "OPERATION_TIME_LIMIT" in str(err.value) and transport.limited == 2


async def test_writes_reach_the_portal(b24: FakeBitrix24) -> None:
    uid = b24.add_user("Анна", "Смирнова")
    deal = b24.add_deal("Ромашка", uid, amount=1000)
    activity = b24.add_activity("Позвонить", uid, owner_id=deal)
    task = b24.add_task("Договор", uid, bindings=[f"D_{deal}"])
    due = datetime(2026, 12, 10, 9, 0, tzinfo=UTC)
    client = b24_client(b24)
    try:
        await client.complete_task(f"a{activity}", "Договорились")
        await client.complete_task(f"t{task}", "Подписан")
        new = await client.create_task(EntityRef(EntityKind.DEAL, str(deal)), str(uid), "Отправить счёт", due)
        await client.move_task(new, due.replace(day=11))
        await client.add_note(EntityRef(EntityKind.DEAL, str(deal)), "Не дозвонился: занято")
        await client.win_deal(str(deal), Decimal("250000"))
    finally:
        await client.close()
    assert (
        b24.activities[activity]["COMPLETED"] == "Y"
        and b24.activities[activity]["RESULT_TEXT"] == "Договорились"
    )
    assert (
        b24.tasks[task]["status"] == "5" and {"TASKID": str(task), "POST_MESSAGE": "Подписан"} in b24.comments
    )
    created = b24.activities[int(new[1:])]
    assert created["OWNER_ID"] == str(deal) and created["DEADLINE"] == "2026-12-11T09:00:00+00:00"
    assert any(c.get("COMMENT") == "Не дозвонился: занято" for c in b24.comments)
    assert b24.deals[deal]["STAGE_SEMANTIC_ID"] == "S" and b24.deals[deal]["OPPORTUNITY"] == "250000.00"


async def test_sync_from_bitrix24(session_pool, b24: FakeBitrix24, clock: Clock) -> None:
    team = await make_team(session_pool)
    anna = b24.add_user("Анна", "Смирнова")
    boris = b24.add_user("Борис", "Елкин")
    stranger = b24.add_user("Виктор", "Неизвестный")
    romashka = b24.add_deal("ООО Ромашка", anna, amount=50000, stage="S1")
    won = b24.add_deal("Василёк", boris, amount=150000, stage="WON")
    company = b24.add_company("АО Тюльпан")
    call = b24.add_activity(
        "Позвонить и согласовать договор", anna, owner_id=romashka, deadline=_ts(2026, 12, 4, 20)
    )
    vague = b24.add_activity("Ромашка", anna, owner_id=romashka, deadline=_ts(2026, 12, 5))
    b24.add_activity("Отправить КП", boris, owner_type=4, owner_id=company, deadline=_ts(2026, 12, 8))
    task = b24.add_task("Подготовить договор", anna, bindings=[f"D_{romashka}"], deadline=_ts(2026, 12, 7))
    b24.add_activity("Перезвонить", stranger, owner_id=romashka)
    vault = Vault(generate_key())
    client = b24_client(b24)
    try:
        summary = await connect(
            session_pool, vault, team.team_id, ProviderKind.BITRIX24, b24.webhook, b24.webhook, clock, client
        )
        first = await CrmSync(session_pool, client, team.team_id, clock).run()
        second = await CrmSync(session_pool, client, team.team_id, clock).run()
        counts = [await _count(session_pool, m) for m in (Task, TaskEvent, Client, Deal)]
        clock.advance(minutes=10)
        b24.complete_activity(call, "Согласовали")
        b24.move_activity(vague, _ts(2026, 12, 9))
        third = await CrmSync(session_pool, client, team.team_id, clock).run()
    finally:
        await client.close()

    assert (summary.users, summary.open_tasks) == (3, 5)
    assert (first.matched, first.tasks_created, first.tasks_vague, first.deals_won) == (2, 4, 1, 1)
    assert first.unmatched == {"Виктор Неизвестный": 1}
    assert (second.tasks_created, second.tasks_updated, second.deals_won) == (0, 0, 0)
    assert counts[0] == 4 and counts[3] == 1
    assert (third.tasks_created, third.tasks_updated, third.tasks_completed) == (0, 2, 1)
    async with session_pool() as session:
        repo = Repo(session)
        links = await repo.crm.links(
            team.team_id, "bitrix24", LinkKind.TASK, [f"a{call}", f"a{vague}", f"t{task}"]
        )
        rows = await repo.crm.tasks_by_id(team.team_id, [link.local_id for link in links.values()])
        clients = {c.name: c for c in (await session.scalars(select(Client))).all()}
        deal = (await session.scalars(select(Deal))).one()
        conn = await repo.crm.connection(team.team_id)
    done = rows[links[f"a{call}"].local_id]
    assert (
        done.status is TaskStatus.DONE and done.result == "Согласовали" and done.due_date == date(2026, 12, 4)
    )
    assert rows[links[f"a{vague}"].local_id].due_date == date(2026, 12, 9)
    assert rows[links[f"t{task}"].local_id].client_id == clients["ООО Ромашка"].id
    assert clients["ООО Ромашка"].stage is Stage.QUALIFIED and clients["Василёк"].stage is Stage.WON
    assert deal.amount == Decimal("150000.00") and deal.member_id == team.boris_id
    assert conn is not None and conn.address == b24.server.url and b24.token not in conn.secret_enc
    assert conn.secret_tail == b24.token[-4:]
    assert won


async def _count(pool, model) -> int:  # type: ignore[no-untyped-def]
    async with pool() as session:
        return await session.scalar(select(func.count()).select_from(model)) or 0
