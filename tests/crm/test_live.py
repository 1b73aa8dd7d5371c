"""The CRM live against the fakes over HTTP: webhooks on the bot's web server (per-team path secret,
Bitrix24's application_token; 401 / 400 change nothing; the same webhook three times changes once), the
scheduled sync with the fake clock, and the head told once of a revoked secret or a long outage and once
of the recovery."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import func, select

from crm.base import ProviderKind
from crm.live import NOTICE, CrmLive, ensure_hook, set_application_token
from crm.service import connect
from crm.vault import Vault, generate_key
from crm.web import add_crm_route
from crm_fakes.amocrm import FakeAmoCrm
from crm_fakes.bitrix24 import FakeBitrix24
from domain.enums import LinkKind, OutboxStatus, TaskEventKind
from scheduler.crm_jobs import CrmJobs
from storage.models import Outbox, TaskEvent
from storage.repo import Repo
from tests.crm.conftest import AMO_TOKEN, Clock, amo_client, b24_client, make_team

FORM = {"Content-Type": "application/x-www-form-urlencoded"}
APP_TOKEN = "b24-app-token-7HqP2vXk"


def _t(key: str, **_: object) -> str:
    return key


@pytest.fixture
def vault() -> Vault:
    return Vault(generate_key())


async def _serve(live: CrmLive, pool) -> TestClient:
    app = web.Application()
    add_crm_route(app, pool, {"crm_live": live})
    client = TestClient(TestServer(app))
    await client.start_server()
    return client


@pytest.fixture
async def amo_team(session_pool, amo: FakeAmoCrm, clock: Clock, vault: Vault) -> AsyncIterator[tuple]:
    team = await make_team(session_pool)
    anna = amo.add_user("Анна Смирнова")
    lead = amo.add_lead("Ромашка", anna)
    task = amo.add_task(
        "Позвонить", anna, due=int(datetime(2026, 12, 4, 12, tzinfo=UTC).timestamp()), entity_id=lead
    )
    client = amo_client(amo)
    try:
        await connect(
            session_pool, vault, team.team_id, ProviderKind.AMOCRM, amo.url, AMO_TOKEN, clock, client
        )
    finally:
        await client.close()
    live = CrmLive(session_pool, vault, clock, _t, provider_of=lambda conn: amo_client(amo))
    assert await live.run_once(team.team_id) is not None
    async with session_pool() as session:
        secret = await ensure_hook(Repo(session), team.team_id, vault)
    assert secret
    yield team, task, live, secret
    await live.close()


async def _task_of(pool, team_id: int, crm_id: int):
    async with pool() as session:
        repo = Repo(session)
        link = (await repo.crm.links(team_id, "amocrm", LinkKind.TASK, [str(crm_id)]))[str(crm_id)]
        task = (await repo.crm.tasks_by_id(team_id, [link.local_id]))[link.local_id]
        edits = await session.scalar(
            select(func.count())
            .select_from(TaskEvent)
            .where(TaskEvent.task_id == task.id, TaskEvent.kind == TaskEventKind.EDITED)
        )
        return task, edits


async def test_amocrm_webhook_three_times_changes_once_and_bad_ones_change_nothing(
    session_pool, amo: FakeAmoCrm, clock: Clock, amo_team, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="crm")
    team, task_id, live, secret = amo_team
    clock.advance(minutes=3)
    amo.edit_task(task_id, "Позвонить и отправить КП")
    body = amo.webhook_form("task", "update", [task_id])
    http = await _serve(live, session_pool)
    try:
        runs = live.runs
        # unverified: a wrong path secret, another CRM's path → 401; malformed → 400; nothing runs
        assert (await http.post("/crm/amocrm/not-the-secret", data=body, headers=FORM)).status == 401
        assert (await http.post(f"/crm/bitrix24/{secret}", data=body, headers=FORM)).status == 401
        assert (await http.post(f"/crm/amocrm/{secret}", data=b"task=%%%", headers=FORM)).status == 400
        assert (
            await http.post(f"/crm/amocrm/{secret}", data=b"account[subdomain]=x", headers=FORM)
        ).status == 400
        assert (
            await http.post(f"/crm/amocrm/{secret}", data=body, headers={"Content-Type": "application/json"})
        ).status == 400
        assert live.runs == runs and not live.busy(team.team_id)
        task, edits = await _task_of(session_pool, team.team_id, task_id)
        assert task.action == "Позвонить" and edits == 0

        for _ in range(3):
            assert (await http.post(f"/crm/amocrm/{secret}", data=body, headers=FORM)).status == 200
        await live.idle()
    finally:
        await http.close()
    task, edits = await _task_of(session_pool, team.team_id, task_id)
    assert task.action == "Позвонить и отправить КП" and edits == 1
    assert 1 <= live.runs - runs <= 3  # each delivery asks for a sync (or joins the one running)
    assert secret not in caplog.text and AMO_TOKEN not in caplog.text


async def test_bitrix24_webhook_checks_the_application_token(
    session_pool, b24: FakeBitrix24, clock: Clock, vault: Vault, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="crm")
    team = await make_team(session_pool)
    client = b24_client(b24)
    try:
        await connect(
            session_pool, vault, team.team_id, ProviderKind.BITRIX24, b24.webhook, b24.webhook, clock, client
        )
    finally:
        await client.close()
    live = CrmLive(session_pool, vault, clock, _t, provider_of=lambda conn: b24_client(b24))
    async with session_pool() as session, session.begin():
        secret = await ensure_hook(Repo(session), team.team_id, vault)
    assert secret
    http = await _serve(live, session_pool)
    try:
        good = b24.event_form("ONCRMACTIVITYUPDATE", 5, APP_TOKEN)
        # no application_token stored yet: nothing is verified
        assert (await http.post(f"/crm/bitrix24/{secret}", data=good, headers=FORM)).status == 401
        async with session_pool() as session, session.begin():
            assert await set_application_token(Repo(session), team.team_id, vault, APP_TOKEN)
        wrong = b24.event_form("ONCRMACTIVITYUPDATE", 5, "forged-token")
        assert (await http.post(f"/crm/bitrix24/{secret}", data=wrong, headers=FORM)).status == 401
        malformed = b24.event_form("ONSOMETHINGELSE", 5, APP_TOKEN)
        assert (await http.post(f"/crm/bitrix24/{secret}", data=malformed, headers=FORM)).status == 400
        assert live.runs == 0 and not live.busy(team.team_id)
        assert (await http.post(f"/crm/bitrix24/{secret}", data=good, headers=FORM)).status == 200
        await live.idle()
        assert live.runs == 1
    finally:
        await http.close()
        await live.close()
    async with session_pool() as session:
        conn = await Repo(session).crm.connection(team.team_id)
    assert conn is not None and conn.last_sync_at == clock()
    for text in (secret, APP_TOKEN, b24.token):
        assert text not in caplog.text


async def test_the_schedule_syncs_every_few_minutes_and_reconciles_nightly(
    session_pool, amo: FakeAmoCrm, clock: Clock, amo_team
) -> None:
    team, task_id, live, _ = amo_team
    jobs = CrmJobs(live, session_pool, clock, every_minutes=5, full_hour=3)
    assert await jobs.check() == []  # synced at connect a moment ago
    clock.advance(minutes=4)
    assert await jobs.check() == []
    clock.advance(minutes=1)
    assert await jobs.check() == [(team.team_id, False)]
    assert await jobs.check() == []  # running or just started: not twice
    await live.idle()
    # downtime: the bot was off for hours; the first check catches up with the changes since the cursor
    clock.advance(hours=5)
    amo.edit_task(task_id, "Позвонить после обеда")
    assert await jobs.check() == [(team.team_id, False)]
    await live.idle()
    task, _ = await _task_of(session_pool, team.team_id, task_id)
    assert task.action == "Позвонить после обеда"
    # 03:00 in Moscow is 00:00 UTC: the nightly full reconcile, once that night
    clock.now = datetime(2026, 12, 5, 0, 1, tzinfo=UTC)
    assert await jobs.check() == [(team.team_id, True)]
    await live.idle()
    clock.advance(minutes=6)
    assert await jobs.check() == [(team.team_id, False)]
    await live.idle()
    async with session_pool() as session:
        conn = await Repo(session).crm.connection(team.team_id)
    assert conn is not None and conn.full_at == datetime(2026, 12, 5, 0, 1, tzinfo=UTC)


async def _notices(pool) -> list[Outbox]:
    async with pool() as session:
        return list((await session.scalars(select(Outbox).where(Outbox.kind == NOTICE))).all())


async def _mark_sent(pool) -> None:
    async with pool() as session, session.begin():
        for row in (await session.scalars(select(Outbox).where(Outbox.kind == NOTICE))).all():
            row.status = OutboxStatus.SENT


async def _compose(pool, team_id: int, head_id: int, clock: Clock) -> list[str]:
    from bot.i18n import default_translator
    from scheduler.compose import ComposeContext
    from scheduler.crm_jobs import compose_crm_health

    async with pool() as session:
        repo = Repo(session)
        team = await repo.teams.get(team_id)
        head = await repo.members.in_team(team_id, head_id)
        assert team is not None and head is not None
        t = default_translator().get("ru")
        ctx = ComposeContext(repo, team, head, clock().date(), t, clock)
        return [out.text for out in await compose_crm_health(ctx)]


async def test_an_outage_is_told_once_after_30_minutes_and_the_recovery_once(
    session_pool, amo: FakeAmoCrm, clock: Clock, amo_team
) -> None:
    team, _, live, _ = amo_team
    amo.down = True
    for _ in range(6):  # 25 minutes down: not yet news
        assert await live.run_once(team.team_id) is None
        clock.advance(minutes=5)
    assert await _notices(session_pool) == []
    clock.advance(minutes=5)
    assert await live.run_once(team.team_id) is None
    rows = await _notices(session_pool)
    assert [(r.member_id, r.status) for r in rows] == [(team.head_id, OutboxStatus.PENDING)]
    await _mark_sent(session_pool)
    for _ in range(3):  # still down: told already
        clock.advance(minutes=5)
        assert await live.run_once(team.team_id) is None
    assert [r.status for r in await _notices(session_pool)] == [OutboxStatus.SENT]
    assert await _compose(session_pool, team.team_id, team.head_id, clock) == [
        "⚠️ amoCRM не отвечает уже 50 минут. Бот продолжит попытки и сообщит, когда связь восстановится."
    ]
    amo.down = False
    assert await live.run_once(team.team_id) is not None
    assert [r.status for r in await _notices(session_pool)] == [OutboxStatus.PENDING]  # the recovery
    assert await _compose(session_pool, team.team_id, team.head_id, clock) == [
        "✅ Связь с amoCRM восстановлена, синхронизация снова работает."
    ]
    await _mark_sent(session_pool)
    assert await live.run_once(team.team_id) is not None
    assert [r.status for r in await _notices(session_pool)] == [OutboxStatus.SENT]


async def test_a_revoked_secret_is_told_at_once_and_once(
    session_pool, amo: FakeAmoCrm, clock: Clock, amo_team, vault: Vault
) -> None:
    team, _, live, _ = amo_team
    live.provider_of = lambda conn: amo_client(amo, token="revoked-token")
    assert await live.run_once(team.team_id) is None
    assert [r.status for r in await _notices(session_pool)] == [OutboxStatus.PENDING]
    await _mark_sent(session_pool)
    clock.advance(minutes=5)
    assert await live.run_once(team.team_id) is None
    assert [r.status for r in await _notices(session_pool)] == [OutboxStatus.SENT]
    async with session_pool() as session:
        conn = await Repo(session).crm.connection(team.team_id)
    assert conn is not None and (conn.down_kind, conn.down_told) == ("revoked", True)


async def test_status_shows_the_webhook_address_and_hook_token_stores_the_application_token(
    sqlite_url: str, b24: FakeBitrix24
) -> None:
    from crm.hooks import hook_hash
    from storage.db import create_engine, create_session_pool
    from storage.models import CrmConnection
    from tests.crm.test_cli import run_cli

    engine = create_engine(sqlite_url)
    await make_team(create_session_pool(engine))
    env = {
        "DATABASE_URL": sqlite_url,
        "CRM_SECRET_KEY": generate_key(),
        "WEBHOOK_URL": "https://bot.example.com/tg/hook",
        "LOG_LEVEL": "DEBUG",
    }
    texts = []
    for args in (
        ("connect", "--team", "Отдел продаж", "bitrix24", "--webhook", b24.webhook),
        ("status", "--team", "Отдел продаж"),
        ("hook-token", "--team", "Отдел продаж", "--token", APP_TOKEN),
        ("status", "--team", "Отдел продаж"),
    ):
        code, out, err = await run_cli("crm", *args, env=env)
        assert code == 0, err
        texts.append(out + err)
    prefix = "Адрес для вебхуков CRM: https://bot.example.com/crm/bitrix24/"
    line = next(x for x in texts[1].splitlines() if x.startswith(prefix))
    secret = line.removeprefix(prefix)
    assert "application_token" in texts[1] and "сохранён" in texts[2]
    assert line in texts[3] and "не принимаются" not in texts[3]
    async with create_session_pool(engine)() as session:
        conn = (await session.scalars(select(CrmConnection))).one()
    await engine.dispose()
    assert (
        conn.hook_hash == hook_hash(secret) and conn.hook_token_enc and APP_TOKEN not in conn.hook_token_enc
    )
    assert not any(APP_TOKEN in text for text in texts)


async def test_the_route_is_on_the_polling_mode_health_server(
    session_pool, amo: FakeAmoCrm, clock: Clock, amo_team
) -> None:
    from aiohttp import ClientSession

    from bot.health import serve_health

    team, task_id, live, secret = amo_team
    body = amo.webhook_form("task", "update", [task_id])
    async with serve_health(session_pool, {"crm_live": live}, "127.0.0.1", 0) as url, ClientSession() as http:
        async with http.post(f"{url}/crm/amocrm/wrong", data=body, headers=FORM) as answer:
            assert answer.status == 401
        assert not live.busy(team.team_id)
        async with http.post(f"{url}/crm/amocrm/{secret}", data=body, headers=FORM) as answer:
            assert answer.status == 200
        await live.idle()
    assert live.runs == 2  # the one at connect, the one the webhook asked for
