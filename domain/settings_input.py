"""What a head types in the settings dialog: a time of day, a time zone, a vacation's dates.

Rules (nothing here reads the clock; ``today`` is an argument):

* **Time.** "9", "09", "9:30", "09:30", "9.30", "9-30", "9 30" or "0930"; hours 0–23, minutes 0–59.
  Anything else raises ``UserError("settings-time")``.
* **Order of the day.** The morning time must come before the evening time (``check_day_order``): a
  morning list after the evening report makes no sense. Otherwise ``UserError("settings-time-order")``.
* **Time zone.** An IANA name in any letter case ("europe/moscow"), a Russian city from ``RU_ZONES`` in
  Russian or English ("Владивосток", "vladivostok"), or Moscow time plus hours ("МСК+7", "msk-1"), which
  means the Russian zone of that offset. Anything else raises ``UserError("settings-zone")``.
* **Vacation.** One day, or two days joined by a dash (-, –, —) or by "по"/"до"/"to", optionally after
  "с"/"from": each end as a due date is written ("01.07", "1 июля", "01.07.2027", "завтра"; see
  ``domain.dates``). The first day is seen from today, the last from the first (so "25.12–10.01" spans
  the New Year). The first day may not be in the past, the last not before the first, and a vacation is
  at most ``MAX_VACATION_DAYS`` long. Errors raise ``UserError("settings-dates")`` or
  ``UserError("settings-vacation-long", days=...)``.
"""

from __future__ import annotations

import re
import unicodedata
import zoneinfo
from datetime import date, time
from functools import cache

from domain.dates import DateError, parse_due_date
from domain.errors import UserError

MAX_VACATION_DAYS = 92

#: Russia's zones by city: (IANA zone, Russian name, English name, hours ahead of Moscow), west to east.
RU_ZONES: tuple[tuple[str, str, str, int], ...] = (
    ("Europe/Kaliningrad", "Калининград", "Kaliningrad", -1),
    ("Europe/Moscow", "Москва", "Moscow", 0),
    ("Europe/Samara", "Самара", "Samara", 1),
    ("Asia/Yekaterinburg", "Екатеринбург", "Yekaterinburg", 2),
    ("Asia/Omsk", "Омск", "Omsk", 3),
    ("Asia/Novosibirsk", "Новосибирск", "Novosibirsk", 4),
    ("Asia/Krasnoyarsk", "Красноярск", "Krasnoyarsk", 4),
    ("Asia/Irkutsk", "Иркутск", "Irkutsk", 5),
    ("Asia/Yakutsk", "Якутск", "Yakutsk", 6),
    ("Asia/Vladivostok", "Владивосток", "Vladivostok", 7),
    ("Asia/Magadan", "Магадан", "Magadan", 8),
    ("Asia/Kamchatka", "Петропавловск-Камчатский", "Kamchatka", 9),
)

_TIME = re.compile(r"(?P<h>\d{1,2})(?:\s*[:.\-\s]\s*(?P<m>\d{2}))?")
_COMPACT = re.compile(r"(?P<h>\d{2})(?P<m>\d{2})")


def parse_time(text: str) -> time:
    s = " ".join(text.strip().split())
    m = _TIME.fullmatch(s) or _COMPACT.fullmatch(s)
    if m is None:
        raise UserError("settings-time")
    hours, minutes = int(m["h"]), int(m["m"] or 0)
    if hours > 23 or minutes > 59:
        raise UserError("settings-time")
    return time(hours, minutes)


@cache
def check_day_order(morning: time, evening: time) -> None:
    """Refuses a morning time that is not before the evening time."""
    if morning >= evening:
        raise UserError(
            "settings-time-order", morning=morning.strftime("%H:%M"), evening=evening.strftime("%H:%M")
        )


def _iana() -> dict[str, str]:
    return {name.casefold(): name for name in zoneinfo.available_timezones()}


def _key(text: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", text).casefold().replace("ё", "е").split())


_MSK = re.compile(r"(?:мск|msk)\s*(?P<sign>[+\-−])\s*(?P<n>\d{1,2})")


def resolve_zone(text: str) -> str:
    """The IANA name ``text`` means (see the module rules)."""
    key = _key(text)
    if not key:
        raise UserError("settings-zone")
    for zone, ru, en, _ in RU_ZONES:
        if key in (_key(ru), _key(en)):
            return zone
    if key in ("мск", "msk"):
        return "Europe/Moscow"
    if m := _MSK.fullmatch(key):
        ahead = int(m["n"]) * (1 if m["sign"] == "+" else -1)
        for zone, _, _, offset in RU_ZONES:
            if offset == ahead:
                return zone
        raise UserError("settings-zone")
    found = _iana().get(key.replace(" ", "_"))
    if found is None:
        raise UserError("settings-zone")
    return found


_RANGE = re.compile(r"\s*(?:—|–|-|\bпо\b|\bдо\b|\bto\b|\buntil\b|\btill\b)\s*")
_FROM = re.compile(r"^(?:с|со|from)\s+")


def parse_vacation(text: str, today: date) -> tuple[date, date]:
    """The first and last day of a vacation written as ``text`` (see the module rules)."""
    s = _FROM.sub("", _key(text))
    if not s:
        raise UserError("settings-dates")
    # a dash may also sit inside a date (2027-07-01, 01-07): try each separator until both ends parse
    candidates = [(s[: m.start()], s[m.end() :]) for m in _RANGE.finditer(s)] + [(s, "")]
    for left, right in candidates:
        if not left.strip() or (right == "" and (left, right) != (s, "")):
            continue
        try:
            first = parse_due_date(left, today)
            last = parse_due_date(right, first) if right.strip() else first
        except DateError:
            continue
        break
    else:
        raise UserError("settings-dates")
    if last < first:
        raise UserError("settings-dates")
    if (last - first).days + 1 > MAX_VACATION_DAYS:
        raise UserError("settings-vacation-long", days=MAX_VACATION_DAYS)
    return first, last
