"""The head's card of an unmatched CRM user (/crm → Сотрудники CRM → the user): how many open tasks and
the first few by due date, read with a bounded number of requests however many tasks the account holds
(it read every open task of the account before: 20 pages, about 3 s at 5,000)."""

from __future__ import annotations

import time
from datetime import UTC, datetime

from bot.i18n import default_translator
from crm.service import open_tasks_of
from crm_fakes.amocrm import FakeAmoCrm
from crm_fakes.bitrix24 import FakeBitrix24
from handlers.crm import user_view
from storage.models import CrmUserLink, Team
from tests.crm.conftest import amo_client, b24_client

DUE = int(datetime(2026, 12, 8, 9, tzinfo=UTC).timestamp())


def _seed_amo(amo: FakeAmoCrm, others: int, theirs: int) -> int:
    anna = amo.add_user("Анна Смирнова")
    victor = amo.add_user("Виктор Неизвестный")
    lead = amo.add_lead("Ромашка", anna)
    for n in range(others):
        amo.add_task(f"Позвонить {n}", anna, due=DUE + n, entity_id=lead)
    # Виктор's tasks, latest first: the card must sort by due date, not by id
    for n in range(theirs):
        amo.add_task(f"Задача Виктора {n}", victor, due=DUE + 10 * (theirs - n), entity_id=lead)
    return victor


async def test_amocrm_card_reads_only_the_users_tasks_in_one_request(amo: FakeAmoCrm) -> None:
    victor = _seed_amo(amo, others=5000, theirs=30)
    client = amo_client(amo)
    start = time.perf_counter()
    try:
        count, at_least, first = await open_tasks_of(client, str(victor), 5)
    finally:
        await client.close()
    seconds = time.perf_counter() - start
    assert (count, at_least) == (30, False)
    assert [t.text for t in first] == [f"Задача Виктора {n}" for n in range(29, 24, -1)]  # soonest first
    assert amo.requests == 1  # was 21: every page of the account's 5,030 open tasks
    assert seconds < 1.5, seconds


async def test_amocrm_card_stops_at_its_bound_and_says_at_least(amo: FakeAmoCrm) -> None:
    victor = _seed_amo(amo, others=0, theirs=1300)
    client = amo_client(amo)
    try:
        count, at_least, first = await open_tasks_of(client, str(victor), 5)
    finally:
        await client.close()
    assert (count, at_least) == (1000, True) and amo.requests == 4  # USER_PAGES pages of 250
    assert [t.text for t in first] == [f"Задача Виктора {n}" for n in range(1299, 1294, -1)]


async def test_bitrix24_card_is_one_batch_with_the_exact_count(b24: FakeBitrix24) -> None:
    anna, victor = b24.add_user("Анна", "Смирнова"), b24.add_user("Виктор", "Неизвестный")
    deal = b24.add_deal("Ромашка", anna)
    for n in range(400):
        b24.add_activity(f"Позвонить {n}", anna, owner_id=deal, deadline=DUE + n)
    for n in range(70):  # latest first: the first page must be the soonest (``order``), not the oldest ids
        b24.add_activity(f"Дело Виктора {n}", victor, owner_id=deal, deadline=DUE + 10 * (70 - n))
    client = b24_client(b24)
    try:
        count, at_least, first = await open_tasks_of(client, str(victor), 5)
    finally:
        await client.close()
    assert (count, at_least) == (70, False) and b24.requests == 1
    assert [t.text for t in first] == [f"Дело Виктора {n}" for n in range(69, 64, -1)]


def test_the_card_says_at_least_when_the_count_is_a_bound() -> None:
    team = Team(name="Отдел продаж", timezone="Europe/Moscow")
    user = CrmUserLink(id=7, team_id=1, provider="amocrm", crm_user_id="9", name="Виктор Н.")
    t = _texts("ru")
    text, _ = user_view(user, 1000, [], [], team, t, at_least=True)
    assert text.startswith("Виктор Н. — в CRM не меньше 1\xa0000 открытых задач:")
    text, _ = user_view(user, 30, [], [], team, t)
    assert text.startswith("Виктор Н. — в CRM 30 открытых задач:")
    english, _ = user_view(user, 1000, [], [], team, _texts("en"), at_least=True)
    assert english.startswith("Виктор Н. — at least 1,000 open tasks in the CRM:")


def _texts(lang: str):  # type: ignore[no-untyped-def]
    from bot.i18n import Texts

    return Texts(default_translator(), lang)


async def test_tasks_by_id_reads_open_and_completed_ones_of_each_kind(
    amo: FakeAmoCrm, b24: FakeBitrix24
) -> None:
    """What the nightly reconcile asks for the bot's open tasks the CRM no longer lists as open."""
    victor = _seed_amo(amo, others=3, theirs=0)
    done = amo.add_task("Закрытая", victor, due=DUE)
    amo.complete_task(done, "Сделано")
    ids = [str(i) for i in list(amo.tasks)[:2]] + [str(done), "999999"]
    client = amo_client(amo)
    try:
        found = {t.id: t for t in await client.tasks_by_id(ids)}
    finally:
        await client.close()
    assert set(found) == set(ids[:3]) and found[str(done)].completed and found[str(done)].result == "Сделано"

    anna = b24.add_user("Анна", "Смирнова")
    deal = b24.add_deal("Ромашка", anna)
    activity = b24.add_activity("Позвонить", anna, owner_id=deal, deadline=DUE)
    b24.complete_activity(activity, "Дозвонился")
    task = b24.add_task("Отправить КП", anna, bindings=[f"D_{deal}"], deadline=DUE)
    other = b24.add_activity("Другое", anna, owner_id=deal, deadline=DUE)
    client24 = b24_client(b24)
    try:
        got = {t.id: t for t in await client24.tasks_by_id([f"a{activity}", f"t{task}", "a999999", "x1"])}
    finally:
        await client24.close()
    assert set(got) == {f"a{activity}", f"t{task}"} and f"a{other}" not in got
    assert got[f"a{activity}"].completed and got[f"a{activity}"].result == "Дозвонился"
    assert not got[f"t{task}"].completed and got[f"t{task}"].text == "Отправить КП"
