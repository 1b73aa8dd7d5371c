"""Issue 16 wording rules as plain functions: gendered texts, who is expected to report, whole deal plans,
and the board's revenue line without a plan."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from bot.i18n import default_translator
from domain.digest import expected_to_report
from domain.gender import grammatical_gender
from domain.sales import BoardRow, Fact, Target
from reports import fmt
from reports.board import revenue_line

GENDERED = {
    "appr-approved-notice": ("согласовал ", "согласовала ", "согласован ("),
    "appr-returned-notice": ("вернул ", "вернула ", "возвращён на доработку ("),
    "appr-cancelled-notice": ("отменил ", "отменила ", "отменена ("),
    "appr-given-away-notice": ("передал ", "передала ", "передана сотруднику"),
    "appr-given-to-notice": ("поручил ", "поручила ", "Вам передана задача"),
    "appr-edited-notice": ("уточнил ", "уточнила ", "уточнена ("),
    "rv-task-notice": ("поставил ", "поставила ", "Задача по итогам разбора ("),
    "dg-nudge-already": ("уже сдал ", "уже сдала ", "Итоги дня уже сданы"),
    "appr-not-delivered": ("он заблокировал", "она заблокировала", "бот заблокирован"),
}


@pytest.mark.parametrize("key", sorted(GENDERED))
@pytest.mark.parametrize(("name", "index"), [("Иван", 0), ("Ольга Сергеевна", 1), ("Саша", 2), ("Boss", 2)])
def test_a_verb_agrees_with_the_person_or_is_neutral(key: str, name: str, index: int) -> None:
    t = default_translator().get("ru")
    args = dict(head=name, name=name, date="пн 23.11", task="Ромашка: звонок", was="x", comment="c")
    text = t(key, gender=grammatical_gender(name), **args)
    assert GENDERED[key][index] in text, text
    assert "(а)" not in text and name in text
    english = default_translator().get("en")(key, gender=grammatical_gender(name), **args)
    assert name in english and "{" not in english


MSK = ZoneInfo("Europe/Moscow")


def test_a_report_is_expected_only_from_who_had_joined_by_the_evening() -> None:
    friday = date(2026, 11, 20)
    evening = time(18)
    before = datetime(2026, 11, 20, 14, 59, tzinfo=UTC)  # 17:59 in Moscow
    after = datetime(2026, 11, 20, 16, 0, tzinfo=UTC)  # 19:00 in Moscow
    assert expected_to_report(before, friday, evening, MSK)
    assert not expected_to_report(after, friday, evening, MSK)
    assert expected_to_report(after, date(2026, 11, 23), evening, MSK)  # the next working day: asked


@pytest.mark.parametrize(
    ("plan", "shown"),
    [(Decimal("4.1"), "4"), (Decimal("4.5"), "5"), (Decimal("0.4"), "1"), (Decimal(0), "0"), (12, "12")],
)
def test_a_deal_plan_is_shown_whole(plan: Decimal, shown: str) -> None:
    assert fmt.count(plan) == shown


def test_the_board_picture_without_a_plan_shows_the_fact_alone() -> None:
    t = default_translator().get("ru", html=False)
    fact = Fact(leads=3, deals=2, revenue=Decimal(102_100_000))
    alone = revenue_line(BoardRow(None, "Команда", fact, None, None, None), t)
    assert alone.replace("\u202f", " ") == "102 100 000 ₽"
    planned = revenue_line(
        BoardRow(None, "Команда", fact, Target(Decimal(120_000_000), Decimal(4)), None, None), t
    )
    assert planned.replace("\u202f", " ") == "102 100 000 ₽ из 120 000 000 ₽"


def test_a_missed_morning_is_not_sent_once_the_evening_has_come() -> None:
    from domain.calendar import WorkCalendar
    from domain.due import Recipient, TeamPlan, due_sends
    from scheduler.kinds import KINDS
    from scheduler.plan import rule

    times = {"morning_at": time(9), "evening_at": time(18), "approval_at": time(21), "digest_at": time(19)}
    team = TeamPlan(1, "Europe/Moscow", WorkCalendar.from_db("1,2,3,4,5", None), times)
    people = [Recipient(1, "head"), Recipient(2, "manager")]
    morning = [rule(KINDS[k]) for k in ("morning", "digest_morning", "hot_reminder")]
    monday = date(2026, 11, 23)

    def due(hh: int, mm: int) -> list[str]:
        now = datetime.combine(monday, time(hh, mm), MSK).astimezone(UTC)
        return sorted(f"{s.kind}:{s.member_id}" for s in due_sends(now, team, people, morning))

    # the bot was down at 09:00: back at 17:59 the day's morning sends still go out …
    assert due(17, 59) == ["digest_morning:1", "hot_reminder:1", "morning:1", "morning:2"]
    # … back at 19:05 they do not: the evening covers the day
    assert due(19, 5) == [] and due(18, 0) == []
    # the evening prompt itself is untouched
    assert due_sends(
        datetime.combine(monday, time(19, 5), MSK).astimezone(UTC), team, people, [rule(KINDS["evening"])]
    )


def test_the_morning_must_come_before_the_evening() -> None:
    from domain.errors import UserError
    from domain.settings_input import check_day_order

    check_day_order(time(9), time(18))
    for morning in (time(18), time(19, 5)):
        with pytest.raises(UserError) as refused:
            check_day_order(morning, time(18))
        assert refused.value.code == "settings-time-order"


def test_the_settle_job_is_not_named_like_the_approval_kind() -> None:
    import handlers.approvals  # noqa: F401  (registers its job)
    from scheduler.ops import register_jobs

    names = register_jobs()
    assert "settle_plans" in names and "approval" in names and "approve" not in names
