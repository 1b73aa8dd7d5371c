"""The owner's report rules: overdue trend and reporting discipline, hand-computed."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from decimal import Decimal
from zoneinfo import ZoneInfo

from domain.reporting import (
    Discipline,
    TaskHistory,
    discipline,
    due_at_start_of,
    overdue_count,
    overdue_trend,
)
from domain.schedule import local_due

D = date


def test_a_task_overdue_then_moved_then_overdue_again_then_closed() -> None:
    # created 1 Oct due 2 Oct; on 6 Oct moved to 9 Oct; done on 12 Oct
    task = TaskHistory(
        created_on=D(2026, 10, 1),
        closed_on=D(2026, 10, 12),
        due_date=D(2026, 10, 9),
        moves=((D(2026, 10, 6), D(2026, 10, 2)),),
    )
    assert due_at_start_of(task, D(2026, 10, 3)) == D(2026, 10, 2)
    assert due_at_start_of(task, D(2026, 10, 6)) == D(2026, 10, 2)  # moved during the 6th, not before it
    assert due_at_start_of(task, D(2026, 10, 7)) == D(2026, 10, 9)
    trend = dict(overdue_trend([task], D(2026, 10, 1), D(2026, 10, 13)))
    assert [d.day for d, n in trend.items() if n] == [3, 4, 5, 6, 10, 11, 12]


def test_counts_across_tasks() -> None:
    tasks = [
        TaskHistory(D(2026, 10, 1), None, D(2026, 10, 5)),  # open, overdue from the 6th
        TaskHistory(D(2026, 10, 1), D(2026, 10, 5), D(2026, 10, 2)),  # closed on the 5th
        TaskHistory(D(2026, 10, 7), None, D(2026, 10, 1)),  # imported already overdue on the 7th
    ]
    assert overdue_count(tasks, D(2026, 10, 5)) == 1  # only the second: due the 2nd, closed later that day
    assert overdue_count(tasks, D(2026, 10, 6)) == 1
    assert overdue_count(tasks, D(2026, 10, 7)) == 1
    assert overdue_count(tasks, D(2026, 10, 8)) == 2


def test_discipline_on_time_late_missing() -> None:
    moscow = ZoneInfo("Europe/Moscow")

    def deadline(day: date) -> datetime:
        return local_due(day, time(21, 0), moscow)  # 18:00 UTC

    week = [D(2026, 10, 12 + i) for i in range(5)]  # Monday to Friday
    submitted = {
        D(2026, 10, 12): datetime(2026, 10, 12, 17, 0, tzinfo=UTC),  # 20:00 local: on time
        D(2026, 10, 13): datetime(2026, 10, 13, 19, 0, tzinfo=UTC),  # 22:00 local: late
        D(2026, 10, 14): None,  # prompted, never submitted: missing
        D(2026, 10, 15): datetime(2026, 10, 15, 18, 0, tzinfo=UTC),  # exactly 21:00: on time
    }
    # Friday is today and not in yet: not expected yet
    result = discipline(week, submitted, deadline, today=D(2026, 10, 16))
    assert result == Discipline(expected=4, on_time=2, late=1)
    assert result.missing == 1 and result.share == Decimal("0.5")
    # once Friday's report is in (on time), it counts
    submitted[D(2026, 10, 16)] = datetime(2026, 10, 16, 15, 0, tzinfo=UTC)
    assert discipline(week, submitted, deadline, today=D(2026, 10, 16)).on_time == 3
    assert (Discipline(2, 1, 0) + Discipline(3, 3, 0)).share == Decimal("0.8")
    assert Discipline().share is None


def test_money_on_the_board_follows_the_readers_language() -> None:
    from decimal import Decimal

    from bot.i18n import default_translator
    from reports import fmt

    translator = default_translator()
    ru, en = translator.get("ru"), translator.get("en")
    assert fmt.money(Decimal("1500000.5"), fmt.locale_of(ru)) == "1\u202f500\u202f000,50"
    assert fmt.money(Decimal("1500000.5"), fmt.locale_of(en)) == "1,500,000.50"
    assert fmt.money(Decimal("466666.67"), fmt.locale_of(en), whole=True) == "466,667"
    assert fmt.locale_of(lambda key, **kw: key) == "ru"
