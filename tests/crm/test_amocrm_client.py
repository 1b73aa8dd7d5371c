"""The amoCRM client against the fake over real HTTP: shapes, paging, errors, limits, writes."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from crm.amocrm import AmoCrm, base_url
from crm.base import CrmAuthError, CrmError, CrmUnavailable, EntityKind, EntityRef, Semantic
from crm.http import Transport
from crm_fakes.amocrm import WON, FakeAmoCrm
from tests.crm.conftest import AMO_TOKEN, amo_client


def test_base_url_from_a_subdomain_or_a_full_address() -> None:
    assert base_url("mycompany") == "https://mycompany.amocrm.ru"
    assert base_url("mycompany.kommo.com") == "https://mycompany.kommo.com"
    assert base_url("http://127.0.0.1:8000/") == "http://127.0.0.1:8000"


async def test_reads_follow_links_next_page_by_page(amo: FakeAmoCrm) -> None:
    for i in range(5):
        amo.add_user(f"Пользователь {i}")
    client = amo_client(amo, page_limit=2)
    try:
        users = await client.users()
        pipelines = await client.pipelines()
    finally:
        await client.close()
    assert [u.name for u in users] == [f"Пользователь {i}" for i in range(5)]
    # three pages of users (2, 2, 1), then no `next`: no request for an empty page
    assert [p for m, p, s in amo.log if p == "/api/v4/users"] == ["/api/v4/users"] * 3
    stages = {s.id: s.semantic for s in pipelines[0].stages}
    assert stages["142"] is Semantic.WON and stages["143"] is Semantic.LOST
    assert sum(1 for s in stages.values() if s is Semantic.OPEN) == 3


async def test_an_empty_list_is_204_and_reads_as_nothing(amo: FakeAmoCrm) -> None:
    client = amo_client(amo)
    try:
        pages = [page async for page in client.tasks(None, open_only=True)]
    finally:
        await client.close()
    assert pages == []
    assert amo.log[-1] == ("GET", "/api/v4/tasks", 204)


async def test_filters_open_tasks_and_changes_since(amo: FakeAmoCrm, clock) -> None:  # type: ignore[no-untyped-def]
    uid = amo.add_user("Анна")
    lead = amo.add_lead("Ромашка", uid)
    old = amo.add_task("Позвонить Ромашке", uid, entity_id=lead)
    done = amo.add_task("Отправить КП", uid, entity_id=lead)
    amo.complete_task(done, "Отправлено")
    clock.advance(minutes=5)
    since = clock()
    fresh = amo.add_task("Назначить встречу", uid, entity_id=lead)
    client = amo_client(amo)
    try:
        open_ids = [t.id for page in [p async for p in client.tasks(None, open_only=True)] for t in page]
        changed = [t for page in [p async for p in client.tasks(since, open_only=False)] for t in page]
    finally:
        await client.close()
    assert open_ids == [str(old), str(fresh)]
    assert [t.id for t in changed] == [str(fresh)]
    task = changed[0]
    assert task.entity == EntityRef(EntityKind.DEAL, str(lead))
    assert task.due.tzinfo is not None and task.updated_at == since


async def test_a_wrong_token_is_an_auth_error_with_amocrm_problem_body(amo: FakeAmoCrm) -> None:
    client = amo_client(amo, token="wrong-token")
    try:
        with pytest.raises(CrmAuthError) as err:
            await client.account()
    finally:
        await client.close()
    assert err.value.status == 401 and "Unauthorized" in str(err.value)
    assert amo.log == [("GET", "/api/v4/account", 401)]  # 401 is final: not retried


async def test_limit_over_250_is_refused_with_validation_errors(amo: FakeAmoCrm) -> None:
    client = amo_client(amo)
    try:
        with pytest.raises(CrmError) as err:
            await client._request("GET", "/api/v4/tasks", params={"limit": "251"})
    finally:
        await client.close()
    assert err.value.status == 400 and "validation failed" in str(err.value)


async def test_429_past_seven_a_second_is_retried_until_it_goes_through(amo: FakeAmoCrm) -> None:
    """With a limiter that lets everything through, the fake refuses past 7 a second; retries with
    backoff get every call answered."""

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

    transport = Transport(Unlimited(), attempts=8, base_delay=0.2, max_delay=1.0)
    client = AmoCrm(amo.url, AMO_TOKEN, transport=transport)
    try:
        results = await asyncio.gather(*(client.account() for _ in range(12)))
    finally:
        await client.close()
    assert all(r["id"] == 1 for r in results)
    assert amo.limited > 0 and transport.limited == amo.limited


async def test_our_limiter_keeps_amocrm_under_its_limit(amo: FakeAmoCrm) -> None:
    client = amo_client(amo)
    try:
        await asyncio.gather(*(client.account() for _ in range(15)))
    finally:
        await client.close()
    assert amo.limited == 0 and amo.requests == 15


async def test_down_is_retried_then_unavailable(amo: FakeAmoCrm) -> None:
    amo.down = True
    client = amo_client(amo)
    try:
        with pytest.raises(CrmUnavailable):
            await client.account()
    finally:
        await client.close()
    assert [s for _, _, s in amo.log] == [503] * 4


async def test_writes_reach_the_crm(amo: FakeAmoCrm) -> None:
    uid = amo.add_user("Анна")
    lead = amo.add_lead("Ромашка", uid, price=1000)
    task = amo.add_task("Позвонить", uid, entity_id=lead)
    due = datetime(2026, 12, 10, 12, 0, tzinfo=UTC)
    client = amo_client(amo)
    try:
        await client.complete_task(str(task), "Договорились о встрече")
        other = await client.create_task(EntityRef(EntityKind.DEAL, str(lead)), str(uid), "Отправить КП", due)
        await client.move_task(other, due.replace(day=11))
        await client.add_note(EntityRef(EntityKind.DEAL, str(lead)), "Не дозвонился: занято")
        await client.win_deal(str(lead), Decimal("150000"))
        with pytest.raises(CrmError):
            await client.complete_task("999", "нет такой")
    finally:
        await client.close()
    assert amo.tasks[task]["is_completed"] and amo.tasks[task]["result"] == {"text": "Договорились о встрече"}
    created = amo.tasks[int(other)]
    assert created["entity_id"] == lead and created["entity_type"] == "leads"
    assert created["complete_till"] == int(due.replace(day=11).timestamp())
    assert amo.notes[-1]["params"]["text"] == "Не дозвонился: занято"
    assert amo.leads[lead]["status_id"] == WON and amo.leads[lead]["price"] == 150000
