"""When a daily send is due: local wall-clock times turned into UTC instants.

Every instant here is an aware ``datetime``; the functions return UTC and never read the clock.

Rules:

* **Due instant.** The send for local date ``d`` at local time ``at`` is due at ``local_due(d, at, tz)``:
  the first instant at which the zone's wall clock reads ``d at`` or later. So
  - an ordinary time is that instant;
  - a time the clocks skip (spring forward, e.g. 02:30 when 02:00 jumps to 03:00) is due at the first
    instant after the gap (03:00 local): the send is late by the gap, never skipped;
  - a time that happens twice (fall back) is due at its first occurrence (``fold=0``): never doubled.
* **Window.** The send for ``d`` may go out while ``local_due(d, at) <= now < end``, where ``end`` is the
  start of the next local day (``local_due(d + 1 day, 00:00)``) or, with a ``deadline``, the deadline's
  instant ``local_due(d, deadline)`` if that is earlier. A job missed while the bot was down therefore runs
  when the bot is back on the same local day (before the deadline), and never on a later day: an evening
  prompt is not sent the next morning. The window is one non-empty contiguous interval per local date,
  and the windows of consecutive dates do not overlap, so at any instant at most one date's send is
  current. Inside the window the local date is ``d`` (but see gaps below); measuring in instants rather
  than wall times keeps the window contiguous even where the clocks go back.
* **Deadline.** ``deadline`` must be later than ``at``.
* **Gaps at the window's end.** If the send time and the window's end (midnight or the deadline) fall
  into the same spring-forward gap, both map to the gap's end; the window then lasts their wall-clock
  distance in real time, so the send is not lost. This happens where clocks jump over midnight (e.g.
  America/Nuuk on 2026-03-28, 23:00 → 00:00: a 23:30 send is due at 00:00 of the 29th and stays current
  for 30 minutes). It is the only case where a send goes out on the next local date, and where
  ``local_due`` does not convert back to ``d``.
* **Wake-ups.** ``next_wakeup`` is the earliest due instant strictly after ``now`` among (zone, time)
  pairs; working days are not considered (the scheduler checks them when it wakes).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

_ONE_DAY = timedelta(days=1)
_MIDNIGHT = time(0, 0)


def _require_aware(value: datetime, name: str) -> None:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be an aware datetime, got {value!r}")


def _require_wall(value: time, name: str) -> None:
    if value.tzinfo is not None:
        raise ValueError(f"{name} must be a naive local time, got {value!r}")


def _wall(instant: datetime, tz: ZoneInfo) -> datetime:
    """The naive local wall-clock reading at ``instant``."""
    return instant.astimezone(tz).replace(tzinfo=None)


def local_due(d: date, at: time, tz: ZoneInfo) -> datetime:
    """The UTC instant of local time ``at`` on local date ``d``: the first instant at which the wall clock
    reads ``d at`` or later (a skipped time → the end of the gap; a repeated time → its first occurrence)."""
    _require_wall(at, "at")
    target = datetime.combine(d, at)
    candidates = [target.replace(tzinfo=tz, fold=fold).astimezone(UTC) for fold in (0, 1)]
    exact = [c for c in candidates if _wall(c, tz) == target]
    if exact:
        return min(exact)
    # ``target`` is in a gap: the transition lies between the two readings. Find, to the second (zone
    # transitions fall on whole seconds), the first instant whose wall clock reads ``target`` or later.
    lo, hi = min(candidates), max(candidates)
    if _wall(lo, tz) >= target:
        return lo
    if _wall(hi, tz) < target:  # pragma: no cover - zoneinfo always brackets the gap
        return hi
    lo_s, hi_s = math.floor(lo.timestamp()), math.ceil(hi.timestamp())
    while hi_s - lo_s > 1:  # invariant: wall(lo_s) < target <= wall(hi_s)
        mid = (lo_s + hi_s) // 2
        if _wall(datetime.fromtimestamp(mid, UTC), tz) >= target:
            hi_s = mid
        else:
            lo_s = mid
    return datetime.fromtimestamp(hi_s, UTC)


def local_today(now_utc: datetime, tz: ZoneInfo) -> date:
    """The local date in ``tz`` at the instant ``now_utc``."""
    _require_aware(now_utc, "now_utc")
    return now_utc.astimezone(tz).date()


def send_window(d: date, at: time, tz: ZoneInfo, deadline: time | None = None) -> tuple[datetime, datetime]:
    """The half-open UTC interval ``[start, end)`` during which the send for local date ``d`` at local
    time ``at`` is due and current (see the module rules)."""
    start = local_due(d, at, tz)
    end = _cutoff(start, datetime.combine(d, at), datetime.combine(d + _ONE_DAY, _MIDNIGHT), tz)
    if deadline is not None:
        _require_wall(deadline, "deadline")
        if deadline <= at:
            raise ValueError(f"deadline {deadline} must be later than the send time {at}")
        end = min(end, _cutoff(start, datetime.combine(d, at), datetime.combine(d, deadline), tz))
    # Only matters for a date the zone skipped whole (Pacific/Apia, 2011-12-30): windows never overlap.
    return start, min(end, local_due(d + _ONE_DAY, at, tz))


def _cutoff(start: datetime, at_wall: datetime, end_wall: datetime, tz: ZoneInfo) -> datetime:
    """The instant the wall clock first reads ``end_wall``; if a gap swallowed both ``at_wall`` and
    ``end_wall`` (so it is ``start`` itself), ``start`` plus their wall-clock distance."""
    cutoff = local_due(end_wall.date(), end_wall.time(), tz)
    return cutoff if cutoff > start else start + (end_wall - at_wall)


def is_due(now_utc: datetime, tz: ZoneInfo, at: time, local_date: date, deadline: time | None = None) -> bool:
    """Whether the send for ``local_date`` at local time ``at`` is due now and still current: it fell due,
    the local day is not over and, if given, the local ``deadline`` has not come."""
    _require_aware(now_utc, "now_utc")
    start, end = send_window(local_date, at, tz, deadline)
    return start <= now_utc < end


def current_sends(now_utc: datetime, tz: ZoneInfo, at: time, deadline: time | None = None) -> date | None:
    """The local date whose send at ``at`` is due and current now, if any (at most one)."""
    today = local_today(now_utc, tz)
    for d in (today, today - _ONE_DAY, today + _ONE_DAY):
        if is_due(now_utc, tz, at, d, deadline):
            return d
    return None


def due_dates(now_utc: datetime, tz: ZoneInfo, at: time, since_utc: datetime) -> list[date]:
    """The local dates whose send at local time ``at`` fell due in ``(since_utc, now_utc]``, in order.

    This lists what fell due (e.g. for a catch-up log); whether a send is still current is ``is_due``."""
    _require_aware(now_utc, "now_utc")
    _require_aware(since_utc, "since_utc")
    if now_utc <= since_utc:
        return []
    first = local_today(since_utc, tz) - _ONE_DAY
    last = local_today(now_utc, tz) + _ONE_DAY
    days = (first + timedelta(days=i) for i in range((last - first).days + 1))
    return [d for d in days if since_utc < local_due(d, at, tz) <= now_utc]


def next_wakeup(now_utc: datetime, zones_and_times: Iterable[tuple[ZoneInfo, time]]) -> datetime:
    """The earliest due instant (UTC) strictly after ``now_utc`` over the (zone, local time) pairs;
    ``ValueError`` if there are none."""
    _require_aware(now_utc, "now_utc")
    best: datetime | None = None
    for tz, at in zones_and_times:
        today = local_today(now_utc, tz)
        for offset in range(-1, 3):
            due = local_due(today + timedelta(days=offset), at, tz)
            if due > now_utc:
                if best is None or due < best:
                    best = due
                break
    if best is None:
        raise ValueError("no (zone, time) pairs to wake up for")
    return best
