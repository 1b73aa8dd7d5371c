"""A person's grammatical gender from their name, so that a verb can agree with them: "Ольга согласовала",
"Иван согласовал"; when the name does not tell (Саша, Женя, a nickname, a Latin name), the texts use a
neutral phrasing instead of "согласовал(а)".

pymorphy3 tags Russian first names (``Name``), with their gender (``masc``, ``femn``, or ``ms-f`` for names
of both). The first word read as a first name in the nominative singular decides; surnames (``Surn``:
"Петрова") decide only when no first name is found.
"""

from __future__ import annotations

import re
from enum import StrEnum
from functools import lru_cache

from domain.actions import morph

_WORD = re.compile(r"[А-Яа-яЁё]+(?:-[А-Яа-яЁё]+)?")


class Gender(StrEnum):
    MALE = "male"
    FEMALE = "female"
    UNKNOWN = "unknown"  # the texts' neutral phrasing


def _gender_of(word: str, kind: str) -> Gender | None:
    for parse in morph().parse(word):
        tag = parse.tag
        if kind in tag and tag.case == "nomn" and tag.number == "sing":
            if tag.gender == "femn":
                return Gender.FEMALE
            if tag.gender == "masc":
                return Gender.MALE
            return None  # ms-f (Саша, Женя): a surname may still tell
    return None


@lru_cache(maxsize=4096)
def grammatical_gender(name: str) -> Gender:
    """The gender a verb about ``name`` takes; ``UNKNOWN`` when the name does not tell."""
    words = _WORD.findall(name)
    for kind in ("Name", "Surn"):
        for word in words:
            found = _gender_of(word, kind)
            if found is not None:
                return found
    return Gender.UNKNOWN
