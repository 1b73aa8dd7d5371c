"""Numbers, money, percentages and periods as the board and the reports show them."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from domain.money import format_money
from domain.sales import Period, PeriodKind, whole_percent


def locale_of(t: Callable[..., str]) -> str:
    """The language of a ``Texts`` (Russian for any other callable)."""
    locale = getattr(t, "locale", "ru")
    return locale if isinstance(locale, str) else "ru"


def group(value: int, locale: str = "ru") -> str:
    """1250000 → "1 250 000": grouped as money is (``domain.money.format_money``)."""
    return format_money(value, locale, whole=True)


def money(value: Decimal | None, locale: str = "ru", *, whole: bool = False) -> str:
    """The one money format (``domain.money.format_money``): "1 250 000", "1 250 000,50"; ``whole`` rounds
    to rubles (a forecast); "—" for nothing."""
    return format_money(value, locale, whole=whole)


def forecast(t: Callable[..., str], key: str, percent: Decimal | None, amount: Decimal | None) -> str:
    """The text ``key`` of a forecast (where the period ends at the current pace): its ``percent`` of plan
    and its ``amount``, rounded to rubles."""
    return t(key, percent=pct(percent), amount=money(amount, locale_of(t), whole=True))


def count(value: Decimal | int | None, locale: str = "ru") -> str:
    """A number of deals, always whole: a plan for a share of a month (4,1 deals in a week) is shown
    rounded half up ("4"), and never as 0 when there is a plan at all ("0,4" → "1"). The percentages are
    still computed from the exact share."""
    if value is None:
        return "—"
    exact = Decimal(value)
    whole = int(exact.quantize(Decimal(1), rounding=ROUND_HALF_UP))
    return group(max(whole, 1) if exact > 0 else whole, locale)


def pct(value: Decimal | None) -> str:
    number = whole_percent(value)
    return "—" if number is None else f"{number}%"


def day_month(d: date) -> str:
    return f"{d.day:02d}.{d.month:02d}"


def full_date(d: date) -> str:
    return f"{d.day:02d}.{d.month:02d}.{d.year}"


def period_label(period: Period, t: Callable[..., str]) -> str:
    """ "октябрь 2026", "неделя 12.10–18.10.2026", "4 квартал 2026", "2026 год", "01.10–15.10.2026"."""
    if period.kind is PeriodKind.MONTH:
        return t(
            "sales-period-month", month=t(f"sales-month-{period.start.month}"), year=str(period.start.year)
        )
    if period.kind is PeriodKind.QUARTER:
        return t(
            "sales-period-quarter",
            quarter=str((period.start.month - 1) // 3 + 1),
            year=str(period.start.year),
        )
    if period.kind is PeriodKind.YEAR:
        return t("sales-period-year", year=str(period.start.year))
    key = "sales-period-week" if period.kind is PeriodKind.WEEK else "sales-period-range"
    return t(key, start=day_month(period.start), end=full_date(period.end))
