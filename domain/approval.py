"""When a submitted plan is approved automatically (the team's approval deadline).

The rule:

* A plan submitted on local date ``S`` (the team's zone) before the team's approval time that day, for a
  later day, must be decided by the approval time on ``S``: the head approves tomorrow's plans in the
  evening, before the day starts.
* A plan submitted after that (late, or on the day it is for) must be decided by the team's morning time
  on its own day, so that no manager starts a day on a plan nobody looked at. A deadline already past
  means the plan is approved at the next check.
* A plan still ``submitted`` when its deadline comes is approved automatically (``auto_approved``) and
  marked so; a decision by the head before that stands.

Wall-clock times are read in the team's zone; a time that does not exist on a DST change day is taken
as the first instant after the gap (``zoneinfo``'s ``fold=0``), so a deadline is never skipped.
"""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo


def approval_deadline(
    submitted_at: datetime, for_date: date, approval_at: time, morning_at: time, zone: ZoneInfo
) -> datetime:
    """The instant a plan submitted at ``submitted_at`` (aware) for ``for_date`` is approved if nobody
    decided it (rules in the module docstring)."""
    local = submitted_at.astimezone(zone)
    same_evening = datetime.combine(local.date(), approval_at, zone)
    if local < same_evening and local.date() < for_date:
        return same_evening
    return datetime.combine(for_date, morning_at, zone)


def is_due_for_auto_approval(
    submitted_at: datetime, for_date: date, approval_at: time, morning_at: time, zone: ZoneInfo, now: datetime
) -> bool:
    """Whether a plan still submitted should be approved automatically at ``now``."""
    return now >= approval_deadline(submitted_at, for_date, approval_at, morning_at, zone)
