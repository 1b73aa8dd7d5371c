"""A verb agrees with the person: the gender a name gives, and a neutral phrasing when it does not."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.gender import Gender, grammatical_gender


@pytest.mark.parametrize(
    ("name", "gender"),
    [
        ("Ольга", Gender.FEMALE),
        ("Ирина Смирнова", Gender.FEMALE),
        ("Смирнова Ирина", Gender.FEMALE),
        ("Анна-Мария", Gender.FEMALE),
        ("Иван", Gender.MALE),
        ("Никита", Gender.MALE),
        ("Петров Иван", Gender.MALE),
        ("Серж $$", Gender.MALE),
        ("Саша", Gender.UNKNOWN),  # a name of both
        ("Женя Кузнецова", Gender.FEMALE),  # the surname tells when the first name does not
        ("Ilya", Gender.UNKNOWN),
        ("Ва$я $\\frac{1}{0}$", Gender.UNKNOWN),
        ("", Gender.UNKNOWN),
        ("<b>Зло</b>", Gender.UNKNOWN),
    ],
)
def test_gender_of_a_name(name: str, gender: Gender) -> None:
    assert grammatical_gender(name) is gender


@given(st.text(max_size=80))
def test_never_raises(name: str) -> None:
    assert grammatical_gender(name) in set(Gender)
