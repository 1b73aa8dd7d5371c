"""The head's rules on hand-computed fixtures: the approval deadline (domain/approval.py), both digests
(domain/digest.py), the hot-list reminders (domain/hot.py) and the review agenda (domain/review.py)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.approval import approval_deadline, is_due_for_auto_approval
from domain.digest import (
    Count,
    DayValue,
    EveningFacts,
    FrozenFacts,
    HeadShare,
    MorningFacts,
    evening_digest,
    fell_each_day,
    morning_digest,
)
from domain.enums import Stage
from domain.hot import HotItem, reminders
from domain.planfact import PlanFact
from domain.review import ReviewClient, agenda

MSK = ZoneInfo("Europe/Moscow")
MON = date(2026, 11, 23)
TUE = MON + timedelta(days=1)


def msk(d: date, hh: int, mm: int = 0) -> datetime:
    return datetime.combine(d, time(hh, mm), MSK)


# ---------------------------------------------------------------------- approval deadline


@pytest.mark.parametrize(
    ("submitted", "for_date", "deadline"),
    [
        (msk(MON, 18, 30), TUE, msk(MON, 21)),  # in the evening: by the approval time that evening
        (msk(MON, 21, 30), TUE, msk(TUE, 9)),  # late: by the morning of its day
        (msk(MON - timedelta(days=3), 18), MON, msk(MON - timedelta(days=3), 21)),  # Friday for Monday
        (msk(TUE, 8), TUE, msk(TUE, 9)),  # on the day itself
        (msk(TUE, 10), TUE, msk(TUE, 9)),  # after the day began: due at once
    ],
)
def test_approval_deadline(submitted: datetime, for_date: date, deadline: datetime) -> None:
    got = approval_deadline(submitted.astimezone(UTC), for_date, time(21), time(9), MSK)
    assert got == deadline
    if deadline > submitted:
        just_before = deadline - timedelta(seconds=1)
        assert not is_due_for_auto_approval(submitted, for_date, time(21), time(9), MSK, just_before)
    else:  # a plan sent after its day began is due at once
        assert is_due_for_auto_approval(submitted, for_date, time(21), time(9), MSK, submitted)
    assert is_due_for_auto_approval(submitted, for_date, time(21), time(9), MSK, deadline)


@given(st.datetimes(min_value=datetime(2020, 1, 1), max_value=datetime(2030, 1, 1), timezones=st.just(UTC)))
def test_the_deadline_is_never_after_the_morning_of_the_day(submitted: datetime) -> None:
    for_date = submitted.astimezone(MSK).date() + timedelta(days=1)
    deadline = approval_deadline(submitted, for_date, time(21), time(9), MSK)
    assert deadline <= msk(for_date, 9)
    assert deadline > submitted  # a plan sent the evening before is never approved the moment it is sent


# ---------------------------------------------------------------------- the morning digest


def hot(entry_id: int, client: str, next_date: date, touched: date, owner: str = "Анна") -> HotItem:
    return HotItem(
        entry_id,
        entry_id * 10,
        client,
        owner,
        "бюджет согласован",
        "встреча с директором",
        next_date,
        touched,
    )


def test_morning_digest_on_a_fixture_team() -> None:
    managers = [
        MorningFacts(
            1,
            "Анна",
            overdue=3,
            idle_clients=("Альфа", "Бета"),
            worked_yesterday=True,
            reported_yesterday=True,
        ),
        MorningFacts(2, "Борис", overdue=5, idle_clients=(), worked_yesterday=True, reported_yesterday=False),
        MorningFacts(
            3, "Вера", overdue=0, idle_clients=("Гамма",), worked_yesterday=False, reported_yesterday=False
        ),
    ]
    entries = [
        hot(1, "Ромашка", MON, MON),
        hot(2, "Лютик", MON - timedelta(days=2), MON),
        hot(3, "Сирень", TUE, MON),
    ]
    dg = morning_digest(managers, entries, MON)
    assert dg.overdue_total == 8
    assert [(c.name, c.count) for c in dg.overdue] == [("Борис", 5), ("Анна", 3)]  # the number leads
    assert dg.idle_total == 3
    assert [(c.name, c.count, c.names) for c in dg.idle] == [
        ("Анна", 2, ("Альфа", "Бета")),
        ("Вера", 1, ("Гамма",)),
    ]
    assert [h.client for h in dg.hot_due] == ["Лютик", "Ромашка"]  # overdue first, tomorrow's not due
    assert [c.name for c in dg.not_reported] == ["Борис"]  # Вера was off yesterday
    assert not dg.empty


def test_a_quiet_morning_is_empty() -> None:
    dg = morning_digest([MorningFacts(1, "Анна", 0, (), True, True)], [hot(1, "Ромашка", TUE, MON)], MON)
    assert dg.empty and dg.overdue_total == 0


# ---------------------------------------------------------------------- the evening digest


def fact(planned: int, done: int, not_done: int = 0) -> PlanFact:
    return PlanFact(
        planned=planned, done=done, not_done=not_done, moved=0, cancelled=0, open=planned - done - not_done
    )


def days(values: list[tuple[int | None, int | None]]) -> list[DayValue]:
    start = MON - timedelta(days=len(values) - 1)
    return [DayValue(start + timedelta(days=i), p, m) for i, (p, m) in enumerate(values)]


def test_evening_digest_on_a_fixture_team() -> None:
    managers = [
        EveningFacts(
            2,
            "Борис",
            fact(4, 1, 3),
            overdue=2,
            leads=0,
            deals=0,
            revenue=Decimal(0),
            working=True,
            reported=False,
        ),
        EveningFacts(
            1,
            "Анна",
            fact(5, 4, 1),
            overdue=1,
            leads=2,
            deals=1,
            revenue=Decimal(150000),
            working=True,
            reported=True,
        ),
        EveningFacts(
            3,
            "Вера",
            fact(0, 0),
            overdue=0,
            leads=0,
            deals=0,
            revenue=Decimal(0),
            working=False,
            reported=False,
        ),
    ]
    history = {
        1: days([(90, 5), (80, 5), (70, 4), (60, 3)]),  # fulfilment fell three days running; mood did not
        2: days([(50, 5), (40, 4), (None, 3), (20, 2)]),  # a day without a report breaks the percent run
        3: days([(80, 5), (70, 4), (60, 3)]),  # three values: two falls only
    }
    frozen = [
        FrozenFacts(1, "Анна", ("Сигма: позвонить",), ()),
        FrozenFacts(2, "Борис", (), ()),
        FrozenFacts(3, "Вера", (), ("Омега",)),
    ]
    dg = evening_digest(managers, history, frozen, HeadShare(own=3, total=10))
    assert [m.name for m in dg.rows] == ["Анна", "Борис"]  # Вера is off and had nothing planned
    assert (dg.team.planned, dg.team.done, dg.team.percent) == (9, 5, 56)  # 5 / 9 = 55.6 %, not (80+25)/2
    assert [m.fact.percent for m in dg.rows] == [80, 25]
    assert (dg.overdue_total, dg.leads_total, dg.deals_total, dg.revenue_total) == (3, 2, 1, Decimal(150000))
    assert [c.name for c in dg.not_reported] == ["Борис"]
    assert [(f.name, f.tasks, f.clients) for f in dg.frozen] == [
        ("Анна", ("Сигма: позвонить",), ()),
        ("Вера", (), ("Омега",)),
    ]
    assert [(f.name, f.percents, f.moods) for f in dg.falling] == [
        ("Анна", (90, 80, 70, 60), None),
        ("Борис", None, (5, 4, 3, 2)),
    ]
    assert dg.head_share == HeadShare(own=3, total=10) and dg.head_share.percent == 30


@pytest.mark.parametrize(
    ("own", "total", "over"),
    [
        (3, 10, True),
        (2, 10, False),
        (21, 100, True),
        (20, 100, False),
        (2, 4, False),
        (2, 5, True),
        (0, 0, False),
    ],
)
def test_the_heads_own_clients_limit(own: int, total: int, over: bool) -> None:
    share = HeadShare(own=own, total=total)
    assert share.over is over
    dg = evening_digest([], {}, [], share)
    assert (dg.head_share is not None) is over


@pytest.mark.parametrize(
    ("values", "run"),
    [
        ([4, 3, 2, 1], (4, 3, 2, 1)),
        ([9, 4, 3, 2, 1], (4, 3, 2, 1)),
        ([3, 2, 1], None),
        ([4, 3, 3, 2], None),
        ([4, None, 2, 1], None),
        ([1, 2, 3, 4], None),
    ],
)
def test_fell_each_day(values: list[int | None], run: tuple[int, ...] | None) -> None:
    assert fell_each_day(values) == run


def test_counts_most_first_then_by_name() -> None:
    from domain.digest import most_first

    items = [Count(1, "борис", 2), Count(2, "Анна", 2), Count(3, "Вера", 0), Count(4, "Яна", 7)]
    assert [c.name for c in most_first(items)] == ["Яна", "Анна", "борис"]


# ---------------------------------------------------------------------- the hot list


def test_hot_reminders() -> None:
    items = [
        hot(1, "Ромашка", MON, touched=MON),  # due today
        hot(2, "Лютик", date(2026, 11, 20), touched=date(2026, 11, 10)),  # overdue and stale: reminded as due
        hot(3, "Сирень", date(2026, 11, 27), touched=date(2026, 11, 18)),  # untouched 5 days: stale
        hot(4, "Ландыш", date(2026, 11, 27), touched=date(2026, 11, 19)),  # 4 days: nothing
    ]
    found = reminders(items, MON, stale_days=5)
    assert [h.client for h in found.due] == ["Лютик", "Ромашка"]
    assert [h.client for h in found.stale] == ["Сирень"]
    assert reminders(items[3:], MON, stale_days=5).empty


# ---------------------------------------------------------------------- the review agenda


def client(
    i: int, name: str, stage: Stage, since: date, last: date, tasks: int = 1, brought: int = 0
) -> ReviewClient:
    return ReviewClient(i, name, stage, since, last, tasks, Decimal(brought))


def test_review_agenda() -> None:
    clients = [
        client(1, "Альфа", Stage.NEGOTIATION, date(2026, 11, 20), date(2026, 11, 22)),
        client(2, "Бета", Stage.PROPOSAL, date(2026, 10, 1), date(2026, 11, 1)),  # silent 22 days
        client(3, "Гамма", Stage.QUALIFIED, date(2026, 10, 20), date(2026, 11, 21)),  # 34 days in the stage
        client(4, "Дельта", Stage.NEW, date(2026, 11, 9), date(2026, 11, 20)),  # exactly 14 days in the stage
        client(5, "Эпсилон", Stage.WON, date(2026, 11, 10), date(2026, 11, 10), 0, 150000),
        client(6, "Жук", Stage.NEW, date(2026, 11, 1), date(2026, 11, 9)),  # silent exactly 14 days
        client(7, "Зета", Stage.PROPOSAL, date(2026, 11, 15), date(2026, 11, 22), 2, 50000),
    ]
    ag = agenda(reversed(clients), MON, stale_days=14)
    assert {s: [c.name for c in cs] for s, cs in ag.by_stage.items()} == {
        Stage.NEGOTIATION: ["Альфа"],
        Stage.PROPOSAL: ["Бета", "Зета"],
        Stage.QUALIFIED: ["Гамма"],
        Stage.NEW: ["Дельта", "Жук"],
    }
    assert list(ag.by_stage) == [Stage.NEGOTIATION, Stage.PROPOSAL, Stage.QUALIFIED, Stage.NEW]
    assert [c.name for c in ag.stale] == ["Бета", "Жук"]
    assert [c.name for c in ag.limbo] == ["Гамма", "Дельта"]
    assert [(c.name, c.brought) for c in ag.brought] == [("Эпсилон", 150000), ("Зета", 50000)]
    assert ag.brought_total == Decimal(200000) and ag.open_count == 6
