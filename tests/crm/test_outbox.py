"""The write-back: marks made in the bot reach the CRM in order, once, and wait while it is down."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from bot.i18n import default_translator
from crm.base import ProviderKind
from crm.outbox import CrmWriteBack
from crm.service import connect
from crm.sync import CrmSync
from crm.vault import Vault, generate_key
from crm_fakes.amocrm import FakeAmoCrm
from crm_fakes.bitrix24 import FakeBitrix24
from domain.enums import LinkKind
from storage.db import create_engine, create_session_pool
from storage.models import CrmOutbox
from storage.repo import Repo
from tests.crm.conftest import Clock, amo_client, b24_client, make_team
from tests.crm.test_sync import _connect

T = default_translator().get("ru", html=False)


async def _setup(pool, amo: FakeAmoCrm, clock: Clock, n: int = 4):  # team, Anna, lead, CRM ids, local ids
    team = await make_team(pool)
    anna = amo.add_user("Анна Смирнова")
    lead = amo.add_lead("Ромашка", anna)
    crm_ids = [amo.add_task(f"Позвонить клиенту {i}", anna, entity_id=lead) for i in range(n)]
    await _connect(pool, team.team_id, amo, clock)
    client = amo_client(amo)
    try:
        await CrmSync(pool, client, team.team_id, clock).run()
    finally:
        await client.close()
    async with pool() as session:
        links = await Repo(session).crm.links(
            team.team_id, "amocrm", LinkKind.TASK, [str(c) for c in crm_ids]
        )
    return team, anna, lead, crm_ids, [links[str(c)].local_id for c in crm_ids]


async def _write_back(pool, amo: FakeAmoCrm, team_id: int, clock: Clock):  # the tasks made, the drain's stats
    client = amo_client(amo)
    try:
        back = CrmWriteBack(pool, client, team_id, clock, T)
        made = await back.collect()
        return made, await back.drain()
    finally:
        await client.close()


async def on_a_submitted_plan(repo: Repo, team, task_id: int, now):  # type: ignore[no-untyped-def]
    """Anna's task on her plan for its day, submitted (what the head may change): (head, plan, task)."""
    anna = await repo.members.in_team(team.team_id, team.anna_id)
    head = await repo.members.in_team(team.team_id, team.head_id)
    task = await repo.tasks.get(team.team_id, task_id)
    plan = await repo.days.ensure_plan(anna, task.due_date)
    await repo.days.submit_plan(anna, plan, task.due_date - timedelta(days=1), now)
    return head, plan, task


async def connect_b24(pool, team_id: int, b24: FakeBitrix24, client, clock: Clock) -> None:  # type: ignore[no-untyped-def]
    """The team connected to the fake portal through ``client`` (its webhook is both address and secret)."""
    await connect(
        pool, Vault(generate_key()), team_id, ProviderKind.BITRIX24, b24.webhook, b24.webhook, clock, client
    )


def _writes(amo: FakeAmoCrm) -> list[tuple[str, str]]:
    return [(m, p) for m, p, s in amo.log if m in ("PATCH", "POST") and s == 200]


async def test_marks_in_the_bot_complete_move_note_cancel_and_create_in_the_crm(
    session_pool, amo: FakeAmoCrm, clock: Clock
) -> None:
    team, anna, lead, crm_ids, ids = await _setup(session_pool, amo, clock)
    now = clock()
    async with session_pool() as session, session.begin():
        repo = Repo(session)
        member = await repo.members.in_team(team.team_id, team.anna_id)
        tasks = [await repo.tasks.get(team.team_id, i) for i in ids]
        await repo.days.mark_done(member, tasks[0], now)
        await repo.days.set_result(member, tasks[0], "Договорились о встрече в пятницу")
        await repo.days.move(member, tasks[1], date(2026, 12, 9), now)
        await repo.days.mark_not_done(member, tasks[2], "Не берёт трубку", now)
        await repo.days.cancel(member, tasks[3], now)
        client_id = tasks[0].client_id
        added = await repo.tasks.create(
            team.team_id,
            team.anna_id,
            "Отправить договор",
            date(2026, 12, 8),
            client_id=client_id,
            created_by=team.anna_id,
        )
        added_id = added.id

    made, first = await _write_back(session_pool, amo, team.team_id, clock)
    # the done mark waits for its result line: the rest went, in order, and the queue stopped at it
    assert made == 6 and first.sent == 0 and first.waiting == 6
    clock.advance(minutes=3)
    made, report = await _write_back(session_pool, amo, team.team_id, clock)
    assert made == 0 and (report.sent, report.failed) == (5, 0)

    done, moved, missed, cancelled = (amo.tasks[c] for c in crm_ids)
    assert done["is_completed"] and done["result"] == {"text": "Договорились о встрече в пятницу"}
    assert moved["complete_till"] == int(
        (clock().replace(year=2026, month=12, day=9, hour=20, minute=59, second=0)).timestamp()
    )  # 23:59 in Moscow
    assert not missed["is_completed"]
    assert amo.notes[0]["entity_id"] == lead and "Не берёт трубку" in amo.notes[0]["params"]["text"]
    assert cancelled["is_completed"] and cancelled["result"] == {"text": "Отменена в РОП-ассистенте"}
    new = [t for t in amo.tasks.values() if t["text"] == "Отправить договор"]
    assert len(new) == 1 and new[0]["entity_id"] == lead and new[0]["responsible_user_id"] == anna
    async with session_pool() as session:
        repo = Repo(session)
        assert (await repo.crm.links_of_tasks(team.team_id, "amocrm", [added_id]))[added_id] == str(
            new[0]["id"]
        )
        statuses = (await session.scalars(select(CrmOutbox.status))).all()
    # the result typed after "done" went with the completion: its own note was not needed
    assert sorted(statuses) == ["sent"] * 5 + ["skipped"]
    assert len(amo.notes) == 1

    writes = len(_writes(amo))
    made, again = await _write_back(session_pool, amo, team.team_id, clock)
    assert made == 0 and again.sent == 0 and len(_writes(amo)) == writes  # nothing twice


async def test_a_day_with_the_crm_down_every_mark_goes_later_in_order_once(
    session_pool, amo: FakeAmoCrm, clock: Clock
) -> None:
    team, _, _, crm_ids, ids = await _setup(session_pool, amo, clock, n=3)
    amo.down = True
    async with session_pool() as session, session.begin():
        repo = Repo(session)
        member = await repo.members.in_team(team.team_id, team.anna_id)
        tasks = [await repo.tasks.get(team.team_id, i) for i in ids]
        await repo.days.move(member, tasks[0], date(2026, 12, 7), clock())
        await repo.days.move(member, tasks[1], date(2026, 12, 8), clock())
    async with session_pool() as session, session.begin():
        repo = Repo(session)
        member = await repo.members.in_team(team.team_id, team.anna_id)
        task = await repo.tasks.get(team.team_id, ids[0])
        await repo.days.move(member, task, date(2026, 12, 10), clock())  # moved again: the last date wins
        await repo.days.cancel(member, await repo.tasks.get(team.team_id, ids[2]), clock())

    made, down = await _write_back(session_pool, amo, team.team_id, clock)
    assert made == 4 and down.sent == 0 and down.waiting == 4 and down.error
    for _ in range(3):  # the working day goes on; retries before their time send nothing
        clock.advance(minutes=1)
        _, still = await _write_back(session_pool, amo, team.team_id, clock)
        assert still.sent == 0

    amo.down = False
    clock.advance(hours=8)
    _, back = await _write_back(session_pool, amo, team.team_id, clock)
    assert back.sent == 4 and back.waiting == 0
    patched = [p for m, p in _writes(amo)]
    assert patched == ["/api/v4/tasks"] * 4
    assert amo.tasks[crm_ids[0]]["complete_till"] > amo.tasks[crm_ids[1]]["complete_till"]
    assert amo.tasks[crm_ids[2]]["is_completed"]
    _, after = await _write_back(session_pool, amo, team.team_id, clock)
    assert after.sent == 0 and len(_writes(amo)) == 4


async def test_marks_from_before_the_connection_and_from_the_crm_are_not_sent(
    session_pool, amo: FakeAmoCrm, clock: Clock
) -> None:
    team = await make_team(session_pool)
    async with session_pool() as session, session.begin():
        repo = Repo(session)
        task = await repo.tasks.create(
            team.team_id, team.anna_id, "Позвонить", date(2026, 12, 4), client_id=None, created_by=None
        )
        member = await repo.members.in_team(team.team_id, team.anna_id)
        await repo.days.mark_done(member, task, clock())
    anna = amo.add_user("Анна Смирнова")
    lead = amo.add_lead("Ромашка", anna)
    crm_task = amo.add_task("Позвонить клиенту", anna, entity_id=lead)
    await _connect(session_pool, team.team_id, amo, clock)
    client = amo_client(amo)
    try:
        await CrmSync(session_pool, client, team.team_id, clock).run()
        clock.advance(minutes=5)
        amo.complete_task(crm_task, "Сделано в CRM")
        await CrmSync(session_pool, client, team.team_id, clock).run()
    finally:
        await client.close()
    made, report = await _write_back(session_pool, amo, team.team_id, clock)
    assert made == 0 and report.sent == 0 and _writes(amo) == []


async def test_bitrix24_gets_the_same_marks(session_pool, b24: FakeBitrix24, clock: Clock) -> None:
    team = await make_team(session_pool)
    anna = b24.add_user("Анна", "Смирнова")
    deal = b24.add_deal("Ромашка", anna)
    done = b24.add_activity("Позвонить по договору", anna, owner_id=deal)
    missed = b24.add_activity("Отправить КП", anna, owner_id=deal)
    task = b24.add_task("Подготовить договор", anna, bindings=[f"D_{deal}"])
    client = b24_client(b24)
    try:
        await connect_b24(session_pool, team.team_id, b24, client, clock)
        await CrmSync(session_pool, client, team.team_id, clock).run()
        async with session_pool() as session, session.begin():
            repo = Repo(session)
            links = await repo.crm.links(
                team.team_id, "bitrix24", LinkKind.TASK, [f"a{done}", f"a{missed}", f"t{task}"]
            )
            member = await repo.members.in_team(team.team_id, team.anna_id)
            rows = {k: await repo.tasks.get(team.team_id, v.local_id) for k, v in links.items()}
            await repo.days.mark_done(member, rows[f"a{done}"], clock())
            await repo.days.set_result(member, rows[f"a{done}"], "Договорились")
            await repo.days.mark_not_done(member, rows[f"a{missed}"], "Нет ответа", clock())
            await repo.days.move(member, rows[f"t{task}"], date(2026, 12, 11), clock())
            await repo.tasks.create(
                team.team_id,
                team.anna_id,
                "Выставить счёт",
                date(2026, 12, 8),
                client_id=rows[f"a{done}"].client_id,
                created_by=team.anna_id,
            )
        clock.advance(minutes=3)
        back = CrmWriteBack(session_pool, client, team.team_id, clock, T)
        assert await back.collect() == 5
        report = await back.drain()
    finally:
        await client.close()
    assert (report.sent, report.skipped, report.failed) == (4, 1, 0)
    assert b24.activities[done]["COMPLETED"] == "Y" and b24.activities[done]["RESULT_TEXT"] == "Договорились"
    assert b24.activities[missed]["COMPLETED"] == "N"
    assert any("Нет ответа" in str(c.get("COMMENT")) and c["ENTITY_ID"] == deal for c in b24.comments)
    assert b24.tasks[task]["deadline"].startswith("2026-12-11T20:59")  # 23:59 in Moscow
    created = [a for a in b24.activities.values() if a["SUBJECT"] == "Выставить счёт"]
    assert len(created) == 1 and created[0]["OWNER_ID"] == str(deal)


async def _record_deal(pool, team, amount: int) -> int:  # type: ignore[no-untyped-def]
    from decimal import Decimal

    from storage.models import Client

    async with pool() as session, session.begin():
        repo = Repo(session)
        member = await repo.members.in_team(team.team_id, team.anna_id)
        client = await session.scalar(select(Client).where(Client.team_id == team.team_id))
        assert client is not None
        deal = await repo.sales.record_deal(
            member, client, Decimal(amount), date(2026, 12, 4), member.joined_at
        )
        return deal.id


async def test_a_deal_recorded_in_the_bot_is_won_in_the_crm_once_and_not_read_back_twice(
    session_pool, amo: FakeAmoCrm, clock: Clock
) -> None:
    from crm_fakes.amocrm import WON
    from storage.models import Deal

    team, _anna, lead, _crm_ids, _ids = await _setup(session_pool, amo, clock, n=1)
    await _record_deal(session_pool, team, 120000)

    made, report = await _write_back(session_pool, amo, team.team_id, clock)
    assert made == 1 and (report.sent, report.failed) == (1, 0)
    assert amo.leads[lead]["status_id"] == WON and int(amo.leads[lead]["price"]) == 120000
    made, report = await _write_back(session_pool, amo, team.team_id, clock)
    assert made == 0 and report.sent == 0  # once

    clock.advance(minutes=5)
    client = amo_client(amo)
    try:
        sync = await CrmSync(session_pool, client, team.team_id, clock).run()
    finally:
        await client.close()
    assert sync.deals_won == 0  # the CRM's won deal is the bot's own
    async with session_pool() as session:
        deals = (await session.scalars(select(Deal))).all()
    assert [int(d.amount) for d in deals] == [120000]


async def test_a_team_that_only_records_deals_sends_none(session_pool, amo: FakeAmoCrm, clock: Clock) -> None:
    from storage.models import CrmConnection

    team, _anna, lead, _crm_ids, _ids = await _setup(session_pool, amo, clock, n=1)
    async with session_pool() as session, session.begin():
        conn = await session.scalar(select(CrmConnection).where(CrmConnection.team_id == team.team_id))
        assert conn is not None
        conn.win_deals = False
    before = amo.leads[lead]["status_id"]
    await _record_deal(session_pool, team, 90000)
    made, report = await _write_back(session_pool, amo, team.team_id, clock)
    assert made == 0 and report.sent == 0
    assert amo.leads[lead]["status_id"] == before


async def test_the_heads_reassignment_changes_the_responsible_user_in_the_crm(
    session_pool, amo: FakeAmoCrm, clock: Clock
) -> None:
    boris = amo.add_user("Борис Ёлкин")
    team, _anna, _lead, crm_ids, ids = await _setup(session_pool, amo, clock, n=1)
    now = clock()
    async with session_pool() as session, session.begin():
        repo = Repo(session)
        head, plan, task = await on_a_submitted_plan(repo, team, ids[0], now)
        to = await repo.members.in_team(team.team_id, team.boris_id)
        await repo.heads.reassign(head, plan, task, to, now)

    made, report = await _write_back(session_pool, amo, team.team_id, clock)
    assert made == 1 and (report.sent, report.failed) == (1, 0)
    assert amo.tasks[crm_ids[0]]["responsible_user_id"] == boris


@pytest.fixture
async def pg_pool(postgres_url: str):  # type: ignore[no-untyped-def]
    engine = create_engine(postgres_url)
    yield create_session_pool(engine)
    await engine.dispose()


@pytest.mark.postgres
async def test_a_mark_committed_after_a_later_one_still_reaches_the_crm(
    pg_pool, amo: FakeAmoCrm, clock: Clock, caplog: pytest.LogCaptureFixture
) -> None:
    """On PostgreSQL an event's id is drawn when it is written, not when it commits: a mark whose
    transaction is still open while a later mark commits and the write-back collects has the lower id.
    The cursor must not pass it (SQLite serialises writers, so its ids commit in order)."""
    team, _anna, _lead, crm_ids, ids = await _setup(pg_pool, amo, clock, n=2)
    slow = pg_pool()
    await slow.begin()
    try:
        repo = Repo(slow)
        member = await repo.members.in_team(team.team_id, team.anna_id)
        await repo.days.move(member, await repo.tasks.get(team.team_id, ids[0]), date(2026, 12, 9), clock())
        await slow.flush()  # its event holds the lower id, uncommitted
        async with pg_pool() as session, session.begin():
            repo = Repo(session)
            member = await repo.members.in_team(team.team_id, team.anna_id)
            task = await repo.tasks.get(team.team_id, ids[1])
            await repo.days.move(member, task, date(2026, 12, 10), clock())

        # the write-back runs while the first mark is still open: it must not move its cursor past it
        client = amo_client(amo)
        try:  # the write-back waits a little for the open mark, then leaves it for its next round
            early = await CrmWriteBack(
                pg_pool, client, team.team_id, clock, T, settle=timedelta(seconds=0.3)
            ).collect()
        finally:
            await client.close()
        assert "waits for 1 open event writer" in caplog.text  # and says so, naming its backend
        await slow.commit()
    finally:
        await slow.close()
    late, report = await _write_back(pg_pool, amo, team.team_id, clock)
    assert early + late == 2
    assert report.sent == 2 and all(amo.tasks[c]["complete_till"] for c in crm_ids)
    made, _ = await _write_back(pg_pool, amo, team.team_id, clock)
    assert made == 0
