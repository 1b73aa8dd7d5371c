"""The sync from amoCRM into the bot, against the fake over HTTP, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import func, select

from crm.base import ProviderKind
from crm.service import connect
from crm.sync import CrmSync
from crm.vault import Vault, generate_key
from crm_fakes.amocrm import LOST, WON, FakeAmoCrm
from domain.enums import LinkKind, Role, Stage, TaskEventKind, TaskStatus
from storage.models import Client, CrmStageMap, Deal, Task, TaskEvent
from storage.repo import Repo
from tests.crm.conftest import AMO_TOKEN, Clock, amo_client, make_team


async def _connect(pool, team_id: int, amo: FakeAmoCrm, clock: Clock) -> None:  # type: ignore[no-untyped-def]
    client = amo_client(amo)
    try:
        await connect(
            pool, Vault(generate_key()), team_id, ProviderKind.AMOCRM, amo.url, AMO_TOKEN, clock, client
        )
    finally:
        await client.close()


async def _sync(pool, team_id: int, amo: FakeAmoCrm, clock: Clock, **kw: bool):  # type: ignore[no-untyped-def]
    client = amo_client(amo)
    try:
        return await CrmSync(pool, client, team_id, clock).run(**kw)
    finally:
        await client.close()


async def _count(pool, model) -> int:  # type: ignore[no-untyped-def]
    async with pool() as session:
        return await session.scalar(select(func.count()).select_from(model)) or 0


def _ts(y: int, m: int, d: int, h: int = 12) -> int:
    return int(datetime(y, m, d, h, tzinfo=UTC).timestamp())


async def test_first_sync_brings_open_tasks_clients_and_won_deals(
    session_pool, amo: FakeAmoCrm, clock: Clock
) -> None:
    team = await make_team(session_pool)
    anna = amo.add_user("смирнова анна")  # another case and word order: still Анна Смирнова
    boris = amo.add_user("Борис Елкин")  # ё written as е
    stranger = amo.add_user("Виктор Неизвестный")
    romashka = amo.add_lead("ООО Ромашка", anna, price=50000)
    lilia = amo.add_lead("Лилия", boris, price=70000, status_id=amo.open_status(index=2))
    amo.add_lead("Василёк", anna, price=150000, status_id=WON)
    amo.add_lead("Кактус", boris, status_id=LOST)
    company = amo.add_company("АО Тюльпан")
    t1 = amo.add_task("Позвонить и согласовать договор", anna, due=_ts(2026, 12, 4, 20), entity_id=romashka)
    amo.add_task("Ромашка", anna, due=_ts(2026, 12, 5), entity_id=romashka)  # vague: only the client
    amo.add_task("Отправить КП", boris, due=_ts(2026, 12, 8), entity_type="companies", entity_id=company)
    amo.add_task("Перезвонить", stranger, entity_id=lilia)
    amo.add_task("Перезвонить ещё", stranger, entity_id=lilia)
    done = amo.add_task("Уже сделано", anna, entity_id=romashka)
    amo.complete_task(done, "ok")

    await _connect(session_pool, team.team_id, amo, clock)
    report = await _sync(session_pool, team.team_id, amo, clock)

    assert (report.users, report.matched) == (3, 2)
    assert report.unmatched == {"Виктор Неизвестный": 2}  # listed, not dropped
    assert (report.tasks_created, report.tasks_vague, report.deals_won) == (3, 1, 1)
    async with session_pool() as session:
        repo = Repo(session)
        tasks = (await session.scalars(select(Task).order_by(Task.id))).all()
        clients = {c.name: c for c in (await session.scalars(select(Client))).all()}
        deals = (await session.scalars(select(Deal))).all()
        links = await repo.crm.links(team.team_id, "amocrm", LinkKind.TASK, [str(t1)])
        vague = await repo.crm.vague_tasks(team.team_id, [t.id for t in tasks])
    assert [(t.action, t.assignee_id, t.due_date) for t in tasks] == [
        ("Позвонить и согласовать договор", team.anna_id, date(2026, 12, 4)),  # 20:00 UTC is 23:00 MSK
        ("Ромашка", team.anna_id, date(2026, 12, 5)),
        ("Отправить КП", team.boris_id, date(2026, 12, 8)),
    ]
    assert links[str(t1)].local_id == tasks[0].id
    assert tasks[0].client_id == tasks[1].client_id == clients["ООО Ромашка"].id
    assert tasks[2].client_id == clients["АО Тюльпан"].id and clients["АО Тюльпан"].owner_id == team.boris_id
    assert vague == {tasks[1].id: "only-client-name"}
    assert clients["Лилия"].stage is Stage.PROPOSAL and clients["Кактус"].stage is Stage.LOST
    assert clients["Василёк"].stage is Stage.WON
    assert [(d.amount, d.member_id, d.client_id) for d in deals] == [
        (Decimal("150000.00"), team.anna_id, clients["Василёк"].id)
    ]
    assert await _count(session_pool, CrmStageMap) == 5


async def test_a_second_sync_changes_nothing_and_a_full_replay_creates_nothing(
    session_pool, amo: FakeAmoCrm, clock: Clock
) -> None:
    team = await make_team(session_pool)
    anna = amo.add_user("Анна Смирнова")
    lead = amo.add_lead("Ромашка", anna, price=10, status_id=WON)
    for i in range(7):
        amo.add_task(f"Позвонить клиенту {i}", anna, entity_id=lead)
    await _connect(session_pool, team.team_id, amo, clock)
    await _sync(session_pool, team.team_id, amo, clock)
    counts = [await _count(session_pool, m) for m in (Task, TaskEvent, Client, Deal)]

    again = await _sync(session_pool, team.team_id, amo, clock)
    replay = await _sync(session_pool, team.team_id, amo, clock, full=True)

    assert (again.tasks_created, again.tasks_updated, again.deals_won, again.clients_created) == (0, 0, 0, 0)
    assert (replay.tasks_created, replay.tasks_updated, replay.deals_won) == (0, 0, 0)
    assert replay.tasks_unchanged == 7
    assert [await _count(session_pool, m) for m in (Task, TaskEvent, Client, Deal)] == counts


async def test_changes_in_the_crm_update_the_bot_by_the_documented_rule(
    session_pool, amo: FakeAmoCrm, clock: Clock
) -> None:
    team = await make_team(session_pool)
    anna = amo.add_user("Анна Смирнова")
    boris = amo.add_user("Борис Ёлкин")
    lead = amo.add_lead("Ромашка", anna)
    reworded = amo.add_task("Позвонить", anna, due=_ts(2026, 12, 4), entity_id=lead)
    moved = amo.add_task("Отправить договор", anna, due=_ts(2026, 12, 4), entity_id=lead)
    completed = amo.add_task("Согласовать счёт", anna, due=_ts(2026, 12, 4), entity_id=lead)
    handed = amo.add_task("Провести демо", anna, due=_ts(2026, 12, 4), entity_id=lead)
    marked = amo.add_task("Выставить счёт", anna, due=_ts(2026, 12, 4), entity_id=lead)
    await _connect(session_pool, team.team_id, amo, clock)
    await _sync(session_pool, team.team_id, amo, clock)
    # the manager marks one in the bot; the CRM still has it open
    async with session_pool() as session, session.begin():
        repo = Repo(session)
        link = (await repo.crm.links(team.team_id, "amocrm", LinkKind.TASK, [str(marked)]))[str(marked)]
        task = await repo.tasks.get(team.team_id, link.local_id)
        task.status = TaskStatus.NOT_DONE

    clock.advance(minutes=10)
    amo.edit_task(reworded, "Ромашка")  # now vague
    amo.move_task(moved, _ts(2026, 12, 9))
    amo.complete_task(completed, "Счёт согласован")
    amo.reassign_task(handed, boris)
    amo.move_task(marked, _ts(2026, 12, 10))
    new = amo.add_task("Назначить встречу", anna, due=_ts(2026, 12, 7), entity_id=lead)
    report = await _sync(session_pool, team.team_id, amo, clock)

    assert (report.tasks_created, report.tasks_updated, report.tasks_completed) == (1, 4, 1)
    async with session_pool() as session:
        repo = Repo(session)
        ids = {
            crm_id: link.local_id
            for crm_id, link in (
                await repo.crm.links(
                    team.team_id,
                    "amocrm",
                    LinkKind.TASK,
                    [str(x) for x in (reworded, moved, completed, handed, marked, new)],
                )
            ).items()
        }
        rows = await repo.crm.tasks_by_id(team.team_id, ids.values())
        vague = await repo.crm.vague_tasks(team.team_id, ids.values())
        events = (
            await session.execute(
                select(TaskEvent.task_id, TaskEvent.kind, TaskEvent.data).where(
                    TaskEvent.kind != TaskEventKind.CREATED
                )
            )
        ).all()
    get = lambda crm_id: rows[ids[str(crm_id)]]  # noqa: E731
    assert get(reworded).action == "Ромашка" and ids[str(reworded)] in vague
    assert get(moved).due_date == date(2026, 12, 9) and get(moved).moves == 1
    assert get(completed).status is TaskStatus.DONE and get(completed).result == "Счёт согласован"
    assert get(handed).assignee_id == team.boris_id
    # the bot's mark stands; the CRM's date does not reopen or move a closed task
    assert get(marked).status is TaskStatus.NOT_DONE and get(marked).due_date == date(2026, 12, 4)
    assert get(new).due_date == date(2026, 12, 7)
    kinds = {(task_id, kind) for task_id, kind, data in events if data and data.get("source") == "amocrm"}
    assert (ids[str(moved)], TaskEventKind.MOVED) in kinds
    assert (ids[str(completed)], TaskEventKind.DONE) in kinds
    assert (ids[str(handed)], TaskEventKind.REASSIGNED) in kinds
    assert (ids[str(reworded)], TaskEventKind.EDITED) in kinds


async def test_a_deal_won_later_in_the_crm_becomes_a_bot_deal_once(
    session_pool, amo: FakeAmoCrm, clock: Clock
) -> None:
    team = await make_team(session_pool)
    anna = amo.add_user("Анна Смирнова")
    lead = amo.add_lead("Ромашка", anna, price=90000)
    await _connect(session_pool, team.team_id, amo, clock)
    await _sync(session_pool, team.team_id, amo, clock)
    assert await _count(session_pool, Deal) == 0

    clock.advance(hours=2)
    amo.set_lead_status(lead, WON, price=120000)
    first = await _sync(session_pool, team.team_id, amo, clock)
    second = await _sync(session_pool, team.team_id, amo, clock)

    assert (first.deals_won, first.stages_changed, second.deals_won) == (1, 1, 0)
    async with session_pool() as session:
        deal = (await session.scalars(select(Deal))).one()
        client = await session.get(Client, deal.client_id)
    assert deal.amount == Decimal("120000.00") and deal.on_date == date(2026, 12, 4)
    assert client is not None and client.stage is Stage.WON


async def test_two_teams_two_crms_never_touch_each_other(session_pool, amo: FakeAmoCrm, clock: Clock) -> None:
    """The same CRM ids in two teams' CRMs are two different links; a sync and a write-back of one team
    read and change only that team's rows."""
    first = await make_team(session_pool)
    async with session_pool() as session, session.begin():
        repo = Repo(session)
        other_team = await repo.teams.create("Второй отдел", "Asia/Vladivostok")
        invite = await repo.invites.create(other_team.id, Role.MANAGER, clock(), timedelta(hours=1))
        other_anna = (
            await repo.invites.redeem(invite.code, 7001, "Анна Смирнова", None, "ru", clock())
        ).member.id
        other_id = other_team.id
    other = FakeAmoCrm("other-secret-token-0000", clock=clock.timestamp)
    await other.start()
    try:
        for fake in (amo, other):  # the same ids in both CRMs
            anna = fake.add_user("Анна Смирнова")
            lead = fake.add_lead("Ромашка", anna, price=100, status_id=WON)
            fake.add_task("Позвонить по договору", anna, entity_id=lead)
        assert set(amo.tasks) == set(other.tasks)
        await _connect(session_pool, first.team_id, amo, clock)
        client = amo_client(other, token="other-secret-token-0000")
        try:
            await connect(
                session_pool,
                Vault(generate_key()),
                other_id,
                ProviderKind.AMOCRM,
                other.url,
                "other-secret-token-0000",
                clock,
                client,
            )
            await CrmSync(session_pool, client, other_id, clock).run()
        finally:
            await client.close()
        await _sync(session_pool, first.team_id, amo, clock)
    finally:
        await other.stop()
    async with session_pool() as session:
        tasks = (await session.scalars(select(Task).order_by(Task.id))).all()
        deals = (await session.scalars(select(Deal).order_by(Deal.id))).all()
        clients = (await session.scalars(select(Client).order_by(Client.id))).all()
    assert [(t.team_id, t.assignee_id) for t in tasks] == [
        (other_id, other_anna),
        (first.team_id, first.anna_id),
    ]
    assert [d.team_id for d in deals] == [other_id, first.team_id]
    assert {(c.team_id, c.owner_id) for c in clients} == {
        (other_id, other_anna),
        (first.team_id, first.anna_id),
    }
    assert all(t.client_id in {c.id for c in clients if c.team_id == t.team_id} for t in tasks)
