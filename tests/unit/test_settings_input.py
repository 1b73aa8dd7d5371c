"""What a head types in /settings: times, time zones, vacation dates."""

from __future__ import annotations

from datetime import date, time

import pytest

from domain.errors import UserError
from domain.settings_input import MAX_VACATION_DAYS, RU_ZONES, parse_time, parse_vacation, resolve_zone

TODAY = date(2026, 11, 23)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("9", time(9)),
        ("09:30", time(9, 30)),
        ("9.30", time(9, 30)),
        (" 18 - 05 ", time(18, 5)),
        ("0930", time(9, 30)),
        ("0:00", time(0)),
        ("23:59", time(23, 59)),
    ],
)
def test_times(text: str, expected: time) -> None:
    assert parse_time(text) == expected


@pytest.mark.parametrize("text", ["", "24:00", "9:60", "9:5", "nine", "9:30:00", "-1"])
def test_bad_times(text: str) -> None:
    with pytest.raises(UserError) as caught:
        parse_time(text)
    assert caught.value.code == "settings-time"


@pytest.mark.parametrize(
    ("text", "zone"),
    [
        ("Europe/Moscow", "Europe/Moscow"),
        ("europe/berlin", "Europe/Berlin"),
        ("Владивосток", "Asia/Vladivostok"),
        ("калининград", "Europe/Kaliningrad"),
        ("Yekaterinburg", "Asia/Yekaterinburg"),
        ("МСК", "Europe/Moscow"),
        ("мск+7", "Asia/Vladivostok"),
        ("MSK-1", "Europe/Kaliningrad"),
        ("america/new york", "America/New_York"),
    ],
)
def test_zones(text: str, zone: str) -> None:
    assert resolve_zone(text) == zone


@pytest.mark.parametrize("text", ["", "Марс", "мск+13", "GMT+25", "Europe/Atlantis"])
def test_bad_zones(text: str) -> None:
    with pytest.raises(UserError) as caught:
        resolve_zone(text)
    assert caught.value.code == "settings-zone"


def test_every_russian_zone_is_real() -> None:
    from zoneinfo import ZoneInfo

    for zone, *_ in RU_ZONES:
        ZoneInfo(zone)


@pytest.mark.parametrize(
    ("text", "first", "last"),
    [
        ("01.12–14.12", date(2026, 12, 1), date(2026, 12, 14)),
        ("1.12 - 14.12", date(2026, 12, 1), date(2026, 12, 14)),
        ("с 1 декабря по 14 декабря", date(2026, 12, 1), date(2026, 12, 14)),
        ("from 1 december to 14 december", date(2026, 12, 1), date(2026, 12, 14)),
        ("2026-12-01 - 2026-12-14", date(2026, 12, 1), date(2026, 12, 14)),
        ("25.12—10.01", date(2026, 12, 25), date(2027, 1, 10)),  # over the New Year
        ("завтра", date(2026, 11, 24), date(2026, 11, 24)),
        ("сегодня-пятница", date(2026, 11, 23), date(2026, 11, 27)),
    ],
)
def test_vacations(text: str, first: date, last: date) -> None:
    assert parse_vacation(text, TODAY) == (first, last)


@pytest.mark.parametrize("text", ["", "вчера", "20.11–25.11", "14.12–01.12", "когда-нибудь"])
def test_bad_vacations(text: str) -> None:
    with pytest.raises(UserError) as caught:
        parse_vacation(text, TODAY)
    assert caught.value.code == "settings-dates"


def test_a_vacation_has_a_limit() -> None:
    with pytest.raises(UserError) as caught:
        parse_vacation("01.12.2026–01.06.2027", TODAY)
    assert caught.value.code == "settings-vacation-long" and caught.value.args_["days"] == MAX_VACATION_DAYS
