"""The one time-zone rule: the member's own zone, else the team's."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

import pytest

from domain.zones import local_date_of, member_zone, team_zone, zone, zone_for


@dataclass
class Z:
    timezone: str | None


def test_the_member_zone_wins_over_the_team_zone() -> None:
    team, own, none = Z("Europe/Moscow"), Z("Asia/Vladivostok"), Z(None)
    assert member_zone(team, own).key == "Asia/Vladivostok"
    assert member_zone(team, none).key == "Europe/Moscow"
    assert member_zone(team, None).key == "Europe/Moscow"
    assert team_zone(team).key == "Europe/Moscow"
    assert zone_for(None, "Europe/Moscow").key == "Europe/Moscow"
    assert zone_for("Asia/Vladivostok", "Europe/Moscow").key == "Asia/Vladivostok"
    assert zone("Europe/Moscow") is zone("Europe/Moscow")  # cached


def test_local_dates_of_one_instant() -> None:
    # 14:30 UTC on Sunday 18 October 2026 is already Monday in Vladivostok (UTC+10)
    now = datetime(2026, 10, 18, 14, 30, tzinfo=UTC)
    team = Z("Europe/Moscow")
    assert local_date_of(now, team) == date(2026, 10, 18)
    assert local_date_of(now, team, Z("Asia/Vladivostok")) == date(2026, 10, 19)
    with pytest.raises(ValueError):
        local_date_of(datetime(2026, 10, 18, 14, 30), team)
    with pytest.raises(ValueError):
        team_zone(Z(None))
