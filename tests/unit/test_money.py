import contextlib
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.errors import UserError
from domain.money import parse_amount, split_trailing_amount


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


@pytest.mark.parametrize("text", ["", "0", "-5", "abc", "10 попугаев", "1" * 20, "1,2,3"])
def test_bad_amounts_are_refused(text: str) -> None:
    with pytest.raises(UserError) as err:
        parse_amount(text)
    assert err.value.key == "error-amount-invalid"


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
