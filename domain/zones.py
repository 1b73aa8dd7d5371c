"""The one time-zone rule: a member's own zone if they set one, else the team's.

Everything that turns an instant into someone's local date or time (the day list, approvals, the head's
views, settings, notices, reports, exports) asks here, so the rule is written once. Zones are IANA names
(``Europe/Moscow``), validated when they are set; ``ZoneInfo`` objects are cached.
"""

from __future__ import annotations

from datetime import date, datetime
from functools import cache
from typing import Protocol
from zoneinfo import ZoneInfo


class Zoned(Protocol):
    """A team or a member: anything with a time-zone name (``None``: none of its own)."""

    @property
    def timezone(self) -> str | None: ...


@cache
def zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def team_zone(team: Zoned) -> ZoneInfo:
    if not team.timezone:
        raise ValueError("a team always has a time zone")
    return zone(team.timezone)


def zone_for(member_timezone: str | None, team_timezone: str) -> ZoneInfo:
    """The rule on names: the member's own zone if set, else the team's."""
    return zone(member_timezone or team_timezone)


def member_zone(team: Zoned, member: Zoned | None) -> ZoneInfo:
    """The member's own zone, else the team's (``member=None``: the team's)."""
    if member is not None and member.timezone:
        return zone(member.timezone)
    return team_zone(team)


def local_date_of(moment: datetime, team: Zoned, member: Zoned | None = None) -> date:
    """The local date of the aware instant ``moment`` for the member (or the team)."""
    if moment.tzinfo is None:
        raise ValueError("moment must be timezone-aware")
    return moment.astimezone(member_zone(team, member)).date()
