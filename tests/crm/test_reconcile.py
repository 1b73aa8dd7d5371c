"""The nightly full reconcile reports what it fixed: changes polling missed (stamped before the cursor, as
a CRM whose clock lags or a webhook lost in transit leaves them) are made by the reconcile, and the head
gets one message (``crm_reconcile``) saying what; nothing when nothing was fixed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from crm.live import RECONCILE
from crm.vault import Vault, generate_key
from crm_fakes.amocrm import FakeAmoCrm
from domain.enums import LinkKind, OutboxStatus, TaskStatus
from storage.models import Outbox
from storage.repo import Repo
from tests.crm.conftest import Clock, amo_live, make_team


def _t(key: str, **_: object) -> str:
    return key


def _at(clock: Clock) -> int:
    return int(clock().timestamp())


async def _rows(pool) -> list[Outbox]:  # type: ignore[no-untyped-def]
    async with pool() as session:
        return list((await session.scalars(select(Outbox).where(Outbox.kind == RECONCILE))).all())


async def _compose(pool, team_id: int, head_id: int, clock: Clock, lang: str = "ru") -> list[str]:  # type: ignore[no-untyped-def]
    from bot.i18n import default_translator
    from scheduler.compose import ComposeContext
    from scheduler.crm_jobs import compose_crm_reconcile

    async with pool() as session:
        repo = Repo(session)
        team = await repo.teams.get(team_id)
        head = await repo.members.in_team(team_id, head_id)
        assert team is not None and head is not None
        ctx = ComposeContext(repo, team, head, clock().date(), default_translator().get(lang), clock)
        return [out.text for out in await compose_crm_reconcile(ctx)]


async def _task(pool, team_id: int, crm_id: int):  # type: ignore[no-untyped-def]
    async with pool() as session:
        repo = Repo(session)
        links = await repo.crm.links(team_id, "amocrm", LinkKind.TASK, [str(crm_id)])
        if str(crm_id) not in links:
            return None
        local = links[str(crm_id)].local_id
        return (await repo.crm.tasks_by_id(team_id, [local]))[local]


async def test_the_nightly_reconcile_fixes_what_polling_missed_and_tells_the_head_once(
    session_pool, amo: FakeAmoCrm, clock: Clock
) -> None:
    vault = Vault(generate_key())
    team = await make_team(session_pool)
    anna, boris = amo.add_user("Анна Смирнова"), amo.add_user("Борис Ёлкин")
    stranger = amo.add_user("Виктор Неизвестный")
    lead = amo.add_lead("Ромашка", anna)
    due = _at(clock) + 86400
    closed_later = amo.add_task("Позвонить по счёту", anna, due=due, entity_id=lead)
    moved_later = amo.add_task("Отправить КП", anna, due=due, entity_id=lead)
    cursor_mover = amo.add_task("Подготовить договор", anna, due=due, entity_id=lead)
    amo.add_task("Согласовать демо", stranger, due=due, entity_id=lead)
    amo.add_task("Выставить счёт", stranger, due=due, entity_id=lead)
    live = await amo_live(session_pool, amo, clock, vault, team.team_id)
    try:
        first = await live.run_once(team.team_id)
        assert first is not None and first.report.tasks_created == 3
        # a later change moves the cursor past 12 minutes from now …
        before = clock.now
        clock.advance(minutes=12)
        amo.edit_task(cursor_mover, "Подготовить договор и счёт")
        amo.set_lead_status(lead, amo.open_status(index=1))
        assert (await live.run_once(team.team_id)) is not None
        # … then changes stamped earlier than it (the CRM's clock lagging; a webhook lost): polling, which
        # reads from the cursor, misses them
        clock.now = before + timedelta(minutes=5)
        amo.complete_task(closed_later, "Оплатили")
        amo.move_task(moved_later, due + 86400)
        missed_new = amo.add_task("Назначить встречу", boris, due=due, entity_id=lead)
        deal = amo.add_lead("Лютик", boris, price=90000, status_id=142)
        clock.now = before + timedelta(minutes=20)
        polled = await live.run_once(team.team_id)
        assert polled is not None and polled.report.tasks_created == polled.report.tasks_completed == 0
        assert polled.report.deals_won == 0
        task = await _task(session_pool, team.team_id, closed_later)
        assert task is not None and task.status is TaskStatus.OPEN  # missed indeed
        assert await _task(session_pool, team.team_id, missed_new) is None
        assert await _rows(session_pool) == []  # no message after an ordinary sync

        # 03:00 in Moscow: the nightly full reconcile
        clock.now = datetime(2026, 12, 5, 0, 1, tzinfo=UTC)
        nightly = await live.run_once(team.team_id, full=True)
        assert nightly is not None
        task = await _task(session_pool, team.team_id, closed_later)
        assert task is not None and task.status is TaskStatus.DONE and task.result == "Оплатили"
        moved = await _task(session_pool, team.team_id, moved_later)
        assert moved is not None and moved.due_date == datetime.fromtimestamp(due + 86400, UTC).date()
        assert await _task(session_pool, team.team_id, missed_new) is not None
        rows = await _rows(session_pool)
        assert [(r.member_id, r.status) for r in rows] == [(team.head_id, OutboxStatus.PENDING)]
        assert await _compose(session_pool, team.team_id, team.head_id, clock) == [
            "🔄 Ночная сверка с amoCRM поправила то, что прошло мимо синхронизации:\n"
            "• новые задачи из CRM: 1\n"
            "• закрыты в CRM: 1\n"
            "• перенесён срок: 1\n"
            "• выигранные сделки: 1\n"
            "• новые клиенты из CRM: 1\n"
            "⏳ Ещё ждут сопоставления: 1 сотрудник CRM, у них 2 открытые задачи — /crm"
        ]
        english = await _compose(session_pool, team.team_id, team.head_id, clock, "en")
        assert english[0].startswith("🔄 The nightly check against amoCRM fixed what the sync had missed:")
        assert "• closed in the CRM: 1" in english[0] and "1 CRM user with 2 open tasks" in english[0]
        assert deal  # the won deal missed by polling is among "deals won"

        async with session_pool() as session, session.begin():
            for row in (await session.scalars(select(Outbox).where(Outbox.kind == RECONCILE))).all():
                row.status = OutboxStatus.SENT
        # the next night: nothing was missed, nothing is sent (and the text would be empty)
        clock.now = datetime(2026, 12, 6, 0, 1, tzinfo=UTC)
        again = await live.run_once(team.team_id, full=True)
        assert again is not None
        assert [r.status for r in await _rows(session_pool)] == [OutboxStatus.SENT]
        assert await _compose(session_pool, team.team_id, team.head_id, clock) == []
        async with session_pool() as session:
            conn = await Repo(session).crm.connection(team.team_id)
        assert conn is not None and conn.full_at == clock() and conn.reconcile is not None
        assert conn.reconcile["waiting"] == 1 and conn.reconcile["closed"] == 0
    finally:
        await live.close()


async def test_a_first_sync_or_a_manual_full_one_sends_no_reconcile_message(
    session_pool, amo: FakeAmoCrm, clock: Clock
) -> None:
    """Only the schedule's nightly run (``full=True``) reports; a first sync that brings everything does not
    (the head's /crm sync report says it)."""
    vault = Vault(generate_key())
    team = await make_team(session_pool)
    anna = amo.add_user("Анна Смирнова")
    amo.add_task("Позвонить", anna, due=_at(clock) + 3600, entity_id=amo.add_lead("Ромашка", anna))
    live = await amo_live(session_pool, amo, clock, vault, team.team_id)
    try:
        outcome = await live.run_once(team.team_id)
    finally:
        await live.close()
    assert outcome is not None and outcome.report.tasks_created == 1
    assert await _rows(session_pool) == []
