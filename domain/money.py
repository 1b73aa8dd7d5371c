"""Amounts as people write them in a chat: "150000", "150 000", "150 000,50", "150к", "1,5 млн", "2.5m",
"90 тыс. руб". Rubles by default; the currency words are dropped.

And the one way an amount is shown (``format_money``), in lists, digests, the board, bonuses and exports'
captions: Russian groups thousands with a narrow no-break space (U+202F) and writes kopecks after a comma,
only when there are any ("1 500 000", "1 500 000,50"); English groups with commas and uses a point
("1,500,000.50")."""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from domain.errors import UserError

MAX_AMOUNT = Decimal("999999999999.99")  # what Numeric(14, 2) holds

_MULTIPLIERS = {
    "": 1,
    "к": 1_000,
    "k": 1_000,
    "т": 1_000,
    "тыс": 1_000,
    "тысяч": 1_000,
    "тысячи": 1_000,
    "thousand": 1_000,
    "м": 1_000_000,
    "m": 1_000_000,
    "млн": 1_000_000,
    "mln": 1_000_000,
    "миллион": 1_000_000,
    "миллиона": 1_000_000,
    "миллионов": 1_000_000,
    # a currency word where the unit would be: "300 р.", "500 руб"
    "р": 1,
    "руб": 1,
    "рублей": 1,
    "рубля": 1,
    "rub": 1,
}
_CURRENCY = r"(?:₽|руб(?:лей|ля|ль)?|р|rub|rur)?"
_AMOUNT = re.compile(
    r"(?P<number>\d{1,3}(?:[ \u00a0\u202f]\d{3})+(?:[.,]\d{1,2})?|\d+(?:[.,]\d+)?)"
    r"\s*(?P<unit>[a-zа-я]*)\.?\s*" + _CURRENCY + r"\.?$",
    re.IGNORECASE,
)


#: Thousands separator and decimal mark per language; another language takes Russian's.
SEPARATORS = {"ru": ("\u202f", ","), "en": (",", ".")}
CENT = Decimal("0.01")


def format_money(amount: Decimal | int | float | None, locale: str = "ru", *, whole: bool = False) -> str:
    """``1500000.5`` → "1 500 000,50" (ru, U+202F) or "1,500,000.50" (en); kopecks only when there are
    any; ``whole=True`` rounds to rubles (a forecast); ``None`` → "—"."""
    if amount is None:
        return "—"
    group_sep, point = SEPARATORS.get(locale, SEPARATORS["ru"])
    value = Decimal(str(amount)).quantize(Decimal(1) if whole else CENT, rounding=ROUND_HALF_UP)
    sign = "-" if value < 0 else ""
    units, _, cents = f"{abs(value):f}".partition(".")
    groups = []
    while units:
        groups.append(units[-3:])
        units = units[:-3]
    text = sign + group_sep.join(reversed(groups))
    if cents and cents.strip("0"):
        text += point + cents
    return text


def parse_amount(text: str) -> Decimal:
    """The positive amount ``text`` names, rounded to kopecks; ``UserError("amount-invalid")`` otherwise
    (``UserError("amount-not-positive")`` for zero or a negative amount)."""
    if re.fullmatch(r"\s*[-−–—]\s*\d.*", text):
        raise UserError("amount-not-positive")
    m = _AMOUNT.fullmatch(text.strip().casefold())
    if m is None or m["unit"] not in _MULTIPLIERS:
        raise UserError("amount-invalid")
    number = re.sub(r"[ \u00a0\u202f]", "", m["number"]).replace(",", ".")
    try:
        value = (Decimal(number) * _MULTIPLIERS[m["unit"]]).quantize(Decimal("0.01"))
    except InvalidOperation:
        raise UserError("amount-invalid") from None
    if value <= 0:
        raise UserError("amount-not-positive")
    if value > MAX_AMOUNT:
        raise UserError("amount-invalid")
    return value


def split_trailing_amount(text: str) -> tuple[str, Decimal]:
    """``("ООО Ромашка", 150000)`` from ``"ООО Ромашка 150 000"``: the longest amount at the end that
    leaves a name before it."""
    words = text.split()
    for n in range(min(4, len(words) - 1), 0, -1):
        try:
            amount = parse_amount(" ".join(words[-n:]))
        except UserError as error:
            if error.key == "error-amount-not-positive" and " ".join(words[:-n]).strip():
                raise  # "Ромашка -5" or "Ромашка 0": the amount, not the format, is wrong
            continue
        name = " ".join(words[:-n]).rstrip(",:;—-– ")
        if name:
            return name, amount
    raise UserError("deal-format")
