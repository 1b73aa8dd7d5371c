"""The operator's CRM metrics: absent with no CRM; once connected, the sync lag, the write-back queue and
its age, and the error flag while the CRM is down."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from prometheus_client.parser import text_string_to_metric_families

from bot.metrics import Metrics
from crm.outbox import CrmWriteBack
from crm_fakes.amocrm import FakeAmoCrm
from storage.repo import Repo
from tests.crm.conftest import Clock, amo_client
from tests.crm.test_outbox import T, _setup


async def _scrape(pool, clock: Clock) -> dict[str, float]:  # type: ignore[no-untyped-def]
    metrics = Metrics()
    await metrics.refresh(pool, None, clock())
    found = {}
    for family in text_string_to_metric_families(metrics.render().decode()):
        for sample in family.samples:
            if sample.name.startswith("rop_crm_"):
                found[sample.name] = sample.value
    return found


async def test_crm_metrics_show_lag_queue_and_errors(session_pool, amo: FakeAmoCrm, clock: Clock) -> None:
    clock.now = datetime.now(UTC)  # the queue's rows are stamped by the database's clock
    assert await _scrape(session_pool, clock) == {}  # no CRM: no series

    team, _anna, _lead, _crm_ids, ids = await _setup(session_pool, amo, clock, n=1)
    clock.advance(seconds=90)
    found = await _scrape(session_pool, clock)
    assert found["rop_crm_sync_lag_seconds"] == 90
    assert (found["rop_crm_error"], found["rop_crm_outbox_waiting"], found["rop_crm_outbox_failed"]) == (
        0,
        0,
        0,
    )

    async with session_pool() as session, session.begin():
        repo = Repo(session)
        member = await repo.members.in_team(team.team_id, team.anna_id)
        task = await repo.tasks.get(team.team_id, ids[0])
        await repo.days.cancel(member, task, clock())
    amo.down = True
    client = amo_client(amo)
    try:
        back = CrmWriteBack(session_pool, client, team.team_id, clock, T)
        await back.collect()
        report = await back.drain()
    finally:
        await client.close()
    assert report.error and report.waiting == 1
    clock.advance(minutes=30)
    found = await _scrape(session_pool, clock)
    assert found["rop_crm_error"] == 1 and found["rop_crm_outbox_waiting"] == 1
    assert found["rop_crm_outbox_oldest_seconds"] >= timedelta(minutes=29).total_seconds()
