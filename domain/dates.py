"""Due dates as sales managers write them, in Russian or English.

Rules (``today`` is always an argument; nothing here reads the clock):

- The text is normalised first: Unicode NFKC, lower case, ``ё`` → ``е``, runs of whitespace → one space,
  punctuation around the expression dropped ("Пт." = "пт"). One leading "due" preposition is dropped:
  в, во, на, к, ко, до, on, by, until, till ("до пятницы", "к 25.11", "by friday" all mean that day).
- Words: сегодня / today → today; завтра / tomorrow → +1; послезавтра / day after tomorrow → +2.
- A weekday in any case form or abbreviation ("пятница", "в пятницу", "до пятницы", "пт", "friday",
  "fri") → the next such day, or today when today is that weekday (0..6 days ahead).
- "через N дней/недель/месяцев", "in N days/weeks/months" (N in digits or a word up to ten; no N means
  one: "через день" = +1, "через неделю" = +7). Months are calendar months, clamped to the month's last
  day (31.01 + 1 month = 28/29.02).
- Numeric: dd.mm, dd/mm, dd-mm with an optional year of 2 or 4 digits (2 digits mean 20yy), and ISO
  yyyy-mm-dd. Textual: "25 ноября", "25 ноя", "1 декабря 2026 (г., года)", "25 november",
  "november 25, 2026".
- A day and month without a year mean this year; if that day has already passed, it means next year only
  when it is more than ``PAST_GRACE_DAYS`` (about two months) behind ("05.01" written in late December is
  January), otherwise it is ``PAST`` ("25.11" written on 1 December is a mistake, not next November).
- A date that does not exist (31.02, 29.02 in a common year, month 13) is ``UNRECOGNIZED``; a date before
  today is ``PAST``; a date more than ``MAX_AHEAD_DAYS`` (two years) ahead is ``TOO_FAR``.
- A blank text is ``EMPTY``; anything else that is not one of the forms above is ``UNRECOGNIZED``.

``split_trailing_date`` peels a date expression off the END of a one-line task ("отправить КП в пятницу"
→ "отправить КП", Friday). It tries the longest trailing run of up to six words first; a run that is a
date but in the past or too far raises ``DateError`` (the user meant a date and must be told). It never
peels a date that follows a preposition binding it to the action ("перенести встречу с пятницы"), and
only whole trailing words: "позвонить в среду утром" keeps its text and gets no date.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from datetime import date, timedelta
from enum import StrEnum

from domain.errors import UserError

#: How far ahead a due date may be.
MAX_AHEAD_DAYS = 730
#: A bare day-month this many days or fewer in the past is PAST; further back, it means next year.
PAST_GRACE_DAYS = 60
#: Longer texts are never dates (and are not scanned).
MAX_DATE_TEXT = 60
#: How many trailing words ``split_trailing_date`` looks at.
MAX_TRAILING_WORDS = 6


class DateError(UserError):
    """A due date that cannot be accepted; rendered as ``error-date-<reason>``."""

    def __init__(self, reason: DateErrorReason) -> None:
        super().__init__(f"date-{reason.value}")
        self.reason = reason


class DateErrorReason(StrEnum):
    """Why a due date is refused; ``DateError`` renders it as ``error-date-<reason>``."""

    EMPTY = "empty"
    UNRECOGNIZED = "unrecognized"
    PAST = "past"
    TOO_FAR = "too-far"


_DUE_PREPOSITIONS = frozenset({"в", "во", "на", "к", "ко", "до", "on", "by", "until", "till", "before"})
# A date right after one of these belongs to the action ("перенести встречу с пятницы").
_BINDING_PREPOSITIONS = frozenset(
    {"с", "со", "от", "после", "перед", "из", "о", "об", "про", "за", "для", "без", "между", "по"}
    | {"from", "after", "since", "about", "of", "for", "than", "at"}
)

_KEYWORDS: dict[str, int] = {
    "сегодня": 0,
    "today": 0,
    "завтра": 1,
    "tomorrow": 1,
    "послезавтра": 2,
    "day after tomorrow": 2,
    "the day after tomorrow": 2,
}

_WEEKDAYS: dict[str, int] = {
    **dict.fromkeys(("понедельник", "понедельника", "понедельнику", "пн", "monday", "mon"), 0),
    **dict.fromkeys(("вторник", "вторника", "вторнику", "вт", "tuesday", "tue", "tues"), 1),
    **dict.fromkeys(("среда", "среду", "среды", "среде", "ср", "wednesday", "wed"), 2),
    **dict.fromkeys(("четверг", "четверга", "четвергу", "чт", "thursday", "thu", "thur", "thurs"), 3),
    **dict.fromkeys(("пятница", "пятницу", "пятницы", "пятнице", "пт", "friday", "fri"), 4),
    **dict.fromkeys(("суббота", "субботу", "субботы", "субботе", "сб", "saturday", "sat"), 5),
    **dict.fromkeys(("воскресенье", "воскресенья", "воскресенью", "вс", "вскр", "sunday", "sun"), 6),
}

#: Month names as people write them (Russian forms, English, abbreviations) → month number.
MONTHS: dict[str, int] = {}
for _number, _forms in enumerate(
    (
        "январь января янв january jan",
        "февраль февраля фев февр february feb",
        "март марта мар march mar",
        "апрель апреля апр april apr",
        "май мая may",
        "июнь июня июн june jun",
        "июль июля июл july jul",
        "август августа авг august aug",
        "сентябрь сентября сен сент september sep sept",
        "октябрь октября окт october oct",
        "ноябрь ноября ноя нояб november nov",
        "декабрь декабря дек december dec",
    ),
    start=1,
):
    MONTHS.update(dict.fromkeys(_forms.split(), _number))

_NUMBER_WORDS: dict[str, int] = {
    **dict.fromkeys(("один", "одну", "одна", "a", "an", "one"), 1),
    **dict.fromkeys(("два", "две", "пару", "пара", "two"), 2),
    **{w: n for n, w in enumerate(("три", "четыре", "пять", "шесть", "семь", "восемь", "девять"), 3)},
    **{w: n for n, w in enumerate(("three", "four", "five", "six", "seven", "eight", "nine"), 3)},
    "десять": 10,
    "ten": 10,
}

_UNITS: dict[str, str] = {
    **dict.fromkeys(("день", "дня", "дней", "сутки", "суток", "day", "days"), "day"),
    **dict.fromkeys(("неделю", "недели", "недель", "неделя", "week", "weeks"), "week"),
    **dict.fromkeys(("месяц", "месяца", "месяцев", "month", "months"), "month"),
}


def _alternation(words: Iterable[str]) -> str:
    return "|".join(sorted((re.escape(w) for w in words), key=len, reverse=True))


_MONTH = rf"(?P<month>{_alternation(MONTHS)})\.?"
_YEAR = r"(?:,?\s+(?P<year>[0-9]{4})(?:\s*(?:г|год|года)\.?)?)?"  # optional: ", 2026", " 2026 г."
_RELATIVE = re.compile(
    rf"(?:через|in)\s+(?:(?P<n>[0-9]{{1,6}}|{_alternation(_NUMBER_WORDS)})\s+)?"
    rf"(?P<unit>{_alternation(_UNITS)})"
)
_ISO = re.compile(r"(?P<year>[0-9]{4})-(?P<month>[0-9]{1,2})-(?P<day>[0-9]{1,2})")
_NUMERIC = re.compile(
    r"(?P<day>[0-9]{1,2})(?P<sep>[./-])(?P<month>[0-9]{1,2})"
    r"(?:(?P=sep)(?P<year>[0-9]{4}|[0-9]{2})(?:\s*(?:г|год|года)\.?)?)?"
)
_DAY_MONTH = re.compile(rf"(?P<day>[0-9]{{1,2}})(?:-?(?:е|го|st|nd|rd|th))?\s+(?:of\s+)?{_MONTH}{_YEAR}")
_MONTH_DAY = re.compile(rf"{_MONTH}\s+(?P<day>[0-9]{{1,2}})(?:st|nd|rd|th)?{_YEAR}")
_EDGE_PUNCTUATION = "\"'«»“”„()[]{}.,;:!?—–-… "


def _normalise(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).lower().replace("ё", "е")
    return " ".join(text.split()).strip(_EDGE_PUNCTUATION)


def _plus_days(day: date, n: int) -> date:
    try:
        return day + timedelta(days=n)
    except OverflowError:
        raise DateError(DateErrorReason.TOO_FAR) from None


def _latest(today: date) -> date:
    try:
        return today + timedelta(days=MAX_AHEAD_DAYS)
    except OverflowError:
        return date.max


def _plus_months(day: date, n: int) -> date:
    index = day.month - 1 + n
    year, month = day.year + index // 12, index % 12 + 1
    if year > date.max.year:
        raise DateError(DateErrorReason.TOO_FAR)
    for last in (day.day, 30, 29, 28):
        try:
            return date(year, month, last)
        except ValueError:
            continue
    raise AssertionError("unreachable")  # pragma: no cover - every month has 28 days


def _check_range(result: date, today: date) -> date:
    if result < today:
        raise DateError(DateErrorReason.PAST)
    if result > _latest(today):
        raise DateError(DateErrorReason.TOO_FAR)
    return result


def _exact(year: int, month: int, day: int) -> date:
    try:
        return date(year, month, day)
    except ValueError:
        raise DateError(DateErrorReason.UNRECOGNIZED) from None


def _day_month(day: int, month: int, year: str | None, today: date) -> date:
    """A day and month, with an explicit year or with the year rule of the module docstring."""
    if not (1 <= month <= 12 and 1 <= day <= 31):
        raise DateError(DateErrorReason.UNRECOGNIZED)
    if year is not None:
        full_year = int(year) + (2000 if len(year) == 2 else 0)
        return _check_range(_exact(full_year, month, day), today)
    chosen = today.year
    if (month, day) < (today.month, today.day):
        # How far back the day is this year; 31.02 counts as 03.03 here, it is refused just below.
        days_back = (today - date(chosen, month, 1)).days - (day - 1)
        if days_back <= PAST_GRACE_DAYS:
            _exact(chosen, month, day)
            raise DateError(DateErrorReason.PAST)
        chosen += 1
    if chosen > date.max.year:
        raise DateError(DateErrorReason.TOO_FAR)
    return _check_range(_exact(chosen, month, day), today)


def _relative(n_text: str | None, unit: str, today: date) -> date:
    if n_text is None:
        n = 1
    elif n_text.isdigit():
        n = int(n_text)
    else:
        n = _NUMBER_WORDS[n_text]
    if unit == "month":
        if n > MAX_AHEAD_DAYS // 28:
            raise DateError(DateErrorReason.TOO_FAR)
        return _check_range(_plus_months(today, n), today)
    days = n * (7 if unit == "week" else 1)
    if days > MAX_AHEAD_DAYS:
        raise DateError(DateErrorReason.TOO_FAR)
    return _check_range(_plus_days(today, days), today)


def parse_due_date(text: str, today: date) -> date:
    """The date ``text`` names, seen from ``today``; raises ``DateError`` with the reason otherwise."""
    if not text.strip():
        raise DateError(DateErrorReason.EMPTY)
    if len(text) > MAX_DATE_TEXT:
        raise DateError(DateErrorReason.UNRECOGNIZED)
    words = _normalise(text).split(" ")
    if len(words) > 1 and words[0] in _DUE_PREPOSITIONS:
        words = words[1:]
    s = " ".join(words)

    if s in _KEYWORDS:
        return _check_range(_plus_days(today, _KEYWORDS[s]), today)
    if s in _WEEKDAYS:
        return _check_range(_plus_days(today, (_WEEKDAYS[s] - today.weekday()) % 7), today)
    if m := _RELATIVE.fullmatch(s):
        return _relative(m["n"], _UNITS[m["unit"]], today)
    if m := _ISO.fullmatch(s):
        return _check_range(_exact(int(m["year"]), int(m["month"]), int(m["day"])), today)
    if m := _NUMERIC.fullmatch(s):
        return _day_month(int(m["day"]), int(m["month"]), m["year"], today)
    if (m := _DAY_MONTH.fullmatch(s)) or (m := _MONTH_DAY.fullmatch(s)):
        return _day_month(int(m["day"]), MONTHS[m["month"]], m["year"], today)
    raise DateError(DateErrorReason.UNRECOGNIZED)


def split_trailing_date(text: str, today: date) -> tuple[str, date | None]:
    """``(action, due)`` with a trailing date expression peeled off ``text``, or ``(text, None)``."""
    spans = [m.span() for m in re.finditer(r"\S+", text)]
    for n in range(min(MAX_TRAILING_WORDS, len(spans)), 0, -1):
        start = spans[-n][0]
        if len(spans) > n:
            previous = spans[-n - 1]
            if _normalise(text[previous[0] : previous[1]]) in _BINDING_PREPOSITIONS:
                continue
        try:
            due = parse_due_date(text[start:], today)
        except DateError as error:
            if error.reason in (DateErrorReason.PAST, DateErrorReason.TOO_FAR):
                raise
            continue
        return text[:start].rstrip(" \t\n\r,;:—–-"), due
    return text, None
