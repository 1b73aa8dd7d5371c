"""Deals the bot won in the CRM follow their corrections there: a corrected amount → the CRM deal's price,
a cancellation → the CRM deal back to the stage it was won from; in order, once. A deal the bot did not win
there (a team that only records deals, or a deal the CRM won first) is left to the head in the CRM."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select

from crm.outbox import CrmWriteBack
from crm.sync import CrmSync
from crm_fakes.amocrm import WON, FakeAmoCrm
from crm_fakes.bitrix24 import FakeBitrix24
from domain.deals import DealState
from domain.enums import LinkKind
from storage.models import CrmConnection, CrmOutbox, Deal
from storage.repo import Repo
from tests.crm.conftest import Clock, b24_client
from tests.crm.test_outbox import T, _record_deal, _setup, _write_back, connect_b24
from tests.crm.test_sync import _sync


async def _correct(pool, team, deal_id: int, amount: int | None, clock: Clock) -> None:  # type: ignore[no-untyped-def]
    """The head corrects the deal's amount, or cancels it (``amount`` None)."""
    async with pool() as session, session.begin():
        repo = Repo(session)
        deal = await repo.sales.deal(team.team_id, deal_id)
        if amount is None:
            assert await repo.sales.set_deal_state(deal, DealState.VOID, team.head_id, clock())
        else:
            await repo.sales.correct_deal(deal, Decimal(amount), team.head_id, clock())


async def _ops(pool) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    async with pool() as session:
        rows = (await session.scalars(select(CrmOutbox).order_by(CrmOutbox.id))).all()
    return [(r.op, r.status) + ((r.error,) if r.error else ()) for r in rows if r.deal_event_id is not None]


async def test_a_corrected_then_cancelled_deal_is_repriced_then_taken_back_out_of_won(
    session_pool, amo: FakeAmoCrm, clock: Clock
) -> None:
    team, _anna, lead, _crm_ids, _ids = await _setup(session_pool, amo, clock, n=1)
    pipeline = amo.leads[lead]["pipeline_id"]
    second = amo.open_status(pipeline, 1)
    amo.set_lead_status(lead, second)  # the deal was at the second stage when it was won
    deal_id = await _record_deal(session_pool, team, 120000)
    made, report = await _write_back(session_pool, amo, team.team_id, clock)
    assert made == 1 and report.sent == 1 and amo.leads[lead]["status_id"] == WON

    await _correct(session_pool, team, deal_id, 100000, clock)
    made, report = await _write_back(session_pool, amo, team.team_id, clock)
    assert made == 1 and (report.sent, report.failed) == (1, 0)
    assert amo.leads[lead]["status_id"] == WON and int(amo.leads[lead]["price"]) == 100000

    await _correct(session_pool, team, deal_id, None, clock)
    made, report = await _write_back(session_pool, amo, team.team_id, clock)
    assert made == 1 and (report.sent, report.failed) == (1, 0)
    assert amo.leads[lead]["status_id"] == second  # back where it was won from, not the first stage
    assert await _ops(session_pool) == [("win", "sent"), ("price", "sent"), ("unwin", "sent")]
    made, report = await _write_back(session_pool, amo, team.team_id, clock)
    assert made == 0 and report.sent == 0  # once

    # the CRM deal is no longer the cancelled bot deal's: won there again later, it counts as a new deal
    async with session_pool() as session:
        links = await Repo(session).crm.links(team.team_id, "amocrm", LinkKind.DEAL, [str(lead)])
    assert links == {}
    amo.set_lead_status(lead, WON, 130000)
    clock.advance(minutes=5)
    assert (await _sync(session_pool, team.team_id, amo, clock)).deals_won == 1
    async with session_pool() as session:
        deals = (await session.scalars(select(Deal).order_by(Deal.id))).all()
    assert [(int(d.amount), d.state) for d in deals] == [(100000, "void"), (130000, "live")]


async def test_corrections_made_while_the_crm_is_down_go_after_the_win_in_order(
    session_pool, amo: FakeAmoCrm, clock: Clock
) -> None:
    team, _anna, lead, _crm_ids, _ids = await _setup(session_pool, amo, clock, n=1)
    before = amo.leads[lead]["status_id"]
    amo.down = True
    deal_id = await _record_deal(session_pool, team, 50000)
    made, report = await _write_back(session_pool, amo, team.team_id, clock)
    assert made == 1 and report.sent == 0 and report.waiting == 1
    await _correct(session_pool, team, deal_id, 70000, clock)
    await _correct(session_pool, team, deal_id, 60000, clock)
    made, report = await _write_back(session_pool, amo, team.team_id, clock)
    assert made == 2 and report.sent == 0
    assert amo.leads[lead]["status_id"] == before

    amo.down = False
    clock.advance(minutes=15)
    patches: list[object] = []
    made, report = await _write_back(session_pool, amo, team.team_id, clock)
    patches = [p for m, p, s in amo.log if m == "PATCH" and s == 200]
    assert made == 0 and (report.sent, report.failed) == (3, 0)
    assert len(patches) == 3  # win, 70000, 60000: the last one is what the CRM keeps
    assert amo.leads[lead]["status_id"] == WON and int(amo.leads[lead]["price"]) == 60000


async def test_a_team_that_only_records_deals_sends_no_correction(
    session_pool, amo: FakeAmoCrm, clock: Clock
) -> None:
    team, _anna, lead, _crm_ids, _ids = await _setup(session_pool, amo, clock, n=1)
    async with session_pool() as session, session.begin():
        conn = await session.scalar(select(CrmConnection).where(CrmConnection.team_id == team.team_id))
        assert conn is not None
        conn.win_deals = False
    before = dict(amo.leads[lead])
    deal_id = await _record_deal(session_pool, team, 90000)
    await _correct(session_pool, team, deal_id, 80000, clock)
    await _correct(session_pool, team, deal_id, None, clock)
    made, report = await _write_back(session_pool, amo, team.team_id, clock)
    assert made == 0 and report.sent == 0
    assert (amo.leads[lead]["status_id"], amo.leads[lead]["price"]) == (before["status_id"], before["price"])


async def test_a_deal_won_in_the_bot_before_the_switch_to_record_still_follows_its_corrections(
    session_pool, amo: FakeAmoCrm, clock: Clock
) -> None:
    team, _anna, lead, _crm_ids, _ids = await _setup(session_pool, amo, clock, n=1)
    deal_id = await _record_deal(session_pool, team, 40000)
    await _write_back(session_pool, amo, team.team_id, clock)
    async with session_pool() as session, session.begin():
        assert await Repo(session).crm.set_win_deals(team.team_id, False)
    await _correct(session_pool, team, deal_id, 45000, clock)
    made, report = await _write_back(session_pool, amo, team.team_id, clock)
    assert made == 1 and report.sent == 1 and int(amo.leads[lead]["price"]) == 45000


async def test_a_deal_the_crm_won_first_is_not_taken_out_of_won_by_a_cancellation(
    session_pool, amo: FakeAmoCrm, clock: Clock
) -> None:
    team, _anna, lead, _crm_ids, _ids = await _setup(session_pool, amo, clock, n=1)
    amo.set_lead_status(lead, WON, 75000)  # the head won it in the CRM; the manager types /deal too
    deal_id = await _record_deal(session_pool, team, 75000)
    made, report = await _write_back(session_pool, amo, team.team_id, clock)
    assert made == 1 and report.sent == 1  # the win went (the price), but it left no open stage
    await _correct(session_pool, team, deal_id, None, clock)
    made, report = await _write_back(session_pool, amo, team.team_id, clock)
    assert made == 1 and (report.sent, report.skipped) == (0, 1)
    assert amo.leads[lead]["status_id"] == WON


async def test_bitrix24_deal_corrected_and_cancelled(session_pool, b24: FakeBitrix24, clock: Clock) -> None:
    from tests.crm.conftest import make_team

    team = await make_team(session_pool)
    anna = b24.add_user("Анна", "Смирнова")
    deal = b24.add_deal("Ромашка", anna, stage="S1")
    b24.add_activity("Позвонить по договору", anna, owner_id=deal)
    client = b24_client(b24)
    try:
        await connect_b24(session_pool, team.team_id, b24, client, clock)
        await CrmSync(session_pool, client, team.team_id, clock).run()
        deal_id = await _record_deal(session_pool, team, 250000)
        back = CrmWriteBack(session_pool, client, team.team_id, clock, T)
        await back.collect()
        await back.drain()
        assert b24.deals[deal]["STAGE_ID"] == "WON"
        await _correct(session_pool, team, deal_id, 200000, clock)
        await _correct(session_pool, team, deal_id, None, clock)
        assert await back.collect() == 2
        report = await back.drain()
    finally:
        await client.close()
    rows = await _ops(session_pool)
    assert (report.sent, report.failed) == (2, 0), rows
    assert b24.deals[deal]["STAGE_ID"] == "S1" and b24.deals[deal]["OPPORTUNITY"] == "200000.00"
