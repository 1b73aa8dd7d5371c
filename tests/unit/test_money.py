import contextlib
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.errors import UserError
from domain.money import format_money, parse_amount, split_trailing_amount


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("150000", "150000.00"),
        ("150 000", "150000.00"),
        ("150 000,50", "150000.50"),
        ("150к", "150000.00"),
        ("1,5 млн", "1500000.00"),
        ("2.5m", "2500000.00"),
        ("90 тыс. руб", "90000.00"),
        ("12 500 ₽", "12500.00"),
        ("300 р.", "300.00"),
    ],
)
def test_amounts_as_people_write_them(text: str, expected: str) -> None:
    assert parse_amount(text) == Decimal(expected)


@pytest.mark.parametrize("text", ["", "abc", "10 попугаев", "1" * 20, "1,2,3"])
def test_bad_amounts_are_refused(text: str) -> None:
    with pytest.raises(UserError) as err:
        parse_amount(text)
    assert err.value.key == "error-amount-invalid"


@pytest.mark.parametrize("text", ["0", "-5", "- 5", "−150 000", "0,00", "0к"])
def test_zero_and_negative_amounts_say_so(text: str) -> None:
    with pytest.raises(UserError) as err:
        parse_amount(text)
    assert err.value.key == "error-amount-not-positive"


def test_a_deal_with_a_negative_amount_says_the_amount_must_be_positive() -> None:
    for text in ("Ромашка -5", "Ромашка 0", "ООО Ромашка −150 000"):
        with pytest.raises(UserError) as err:
            split_trailing_amount(text)
        assert err.value.key == "error-amount-not-positive", text
    with pytest.raises(UserError) as err:
        split_trailing_amount("-5")
    assert err.value.key == "error-deal-format"


@pytest.mark.parametrize(
    ("amount", "locale", "shown"),
    [
        (Decimal("1500000.50"), "ru", "1\u202f500\u202f000,50"),
        (Decimal("1500000.00"), "ru", "1\u202f500\u202f000"),
        (Decimal("1500000.5"), "en", "1,500,000.50"),
        (Decimal("999"), "ru", "999"),
        (Decimal("1000"), "ru", "1\u202f000"),
        (Decimal("0.5"), "ru", "0,50"),
        (Decimal("-1234.5"), "ru", "-1\u202f234,50"),
        (150000, "en", "150,000"),
        (None, "ru", "—"),
        (Decimal("466666.67"), "fr", "466\u202f666,67"),  # another language: the Russian way
    ],
)
def test_one_money_format(amount: Decimal | int | None, locale: str, shown: str) -> None:
    assert format_money(amount, locale) == shown


def test_whole_rubles_round_half_up() -> None:
    assert format_money(Decimal("466666.67"), "ru", whole=True) == "466\u202f667"
    assert format_money(Decimal("0.49"), "ru", whole=True) == "0"


@given(st.decimals(min_value=Decimal("0.01"), max_value=Decimal("999999999999.99"), places=2))
def test_the_format_reads_back(amount: Decimal) -> None:
    assert parse_amount(format_money(amount)) == amount


def test_name_and_amount_split_at_the_end() -> None:
    assert split_trailing_amount("ООО Ромашка 150 000") == ("ООО Ромашка", Decimal("150000.00"))
    assert split_trailing_amount("Альфа 2, 90к") == ("Альфа 2", Decimal("90000.00"))
    with pytest.raises(UserError):
        split_trailing_amount("Ромашка")
    with pytest.raises(UserError):
        split_trailing_amount("150000")


@given(st.text(max_size=60))
def test_never_crashes(text: str) -> None:
    with contextlib.suppress(UserError):
        assert parse_amount(text) > 0
