"""The head's changes to a plan's task reach the CRM task: a rewording → its text (a reassignment → its
responsible user: ``test_outbox.test_the_heads_reassignment_changes_the_responsible_user_in_the_crm``)."""

from __future__ import annotations

from crm_fakes.amocrm import FakeAmoCrm
from storage.repo import Repo
from tests.crm.conftest import Clock
from tests.crm.test_outbox import _setup, _write_back, on_a_submitted_plan


async def test_the_heads_rewording_changes_the_crm_tasks_text_once(
    session_pool, amo: FakeAmoCrm, clock: Clock
) -> None:
    team, _anna, _lead, crm_ids, ids = await _setup(session_pool, amo, clock, n=2)
    now = clock()
    async with session_pool() as session, session.begin():
        head, plan, task = await on_a_submitted_plan(Repo(session), team, ids[0], now)
        Repo(session).heads.edit(head, plan, task, "Позвонить Ивану: согласовать счёт", now)

    made, report = await _write_back(session_pool, amo, team.team_id, clock)
    assert made == 1 and (report.sent, report.failed) == (1, 0)
    assert amo.tasks[crm_ids[0]]["text"] == "Позвонить Ивану: согласовать счёт"
    assert amo.tasks[crm_ids[1]]["text"] == "Позвонить клиенту 1"  # the other task untouched
    made, report = await _write_back(session_pool, amo, team.team_id, clock)
    assert made == 0 and report.sent == 0


async def test_bitrix24_rewords_an_activity_and_a_task(b24) -> None:  # type: ignore[no-untyped-def]
    from tests.crm.conftest import b24_client

    uid = b24.add_user("Анна", "Смирнова")
    deal = b24.add_deal("Ромашка", uid)
    activity = b24.add_activity("Позвонить", uid, owner_id=deal)
    task = b24.add_task("Договор", uid, bindings=[f"D_{deal}"])
    client = b24_client(b24)
    try:
        await client.set_task_text(f"a{activity}", "Позвонить Ивану: счёт")
        await client.set_task_text(f"t{task}", "Отправить договор на подпись")
    finally:
        await client.close()
    assert b24.activities[activity]["SUBJECT"] == "Позвонить Ивану: счёт"
    assert b24.tasks[task]["title"] == "Отправить договор на подпись"
