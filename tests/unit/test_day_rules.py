"""Rules of the manager's day at real size: names cleaned before they are compared or stored, the
abnormal-load flag of the head's digest, one page of a long list with a summary of the rest."""

from __future__ import annotations

import unicodedata
from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from bot.i18n import default_translator
from domain.digest import OVERDUE_LIMIT, Count, abnormal_load
from domain.enums import TaskStatus
from domain.ordering import TaskItem, order_day_tasks
from domain.text import clean_name, clean_text, name_key, utf16_len
from handlers.day_callbacks import View
from handlers.day_views import PAGE_TASKS, list_part, paginate, task_line

INVISIBLE = "\u200b\u200c\u200d\u200e\u200f\u2060\u2061\u2062\u2063\u2064\ufeff\u00ad\u034f\u061c\u180e"
BIDI = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"

names = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"]) | st.sampled_from(INVISIBLE + BIDI),
    max_size=40,
)


@given(names)
def test_clean_text_is_idempotent_and_leaves_nothing_invisible(text: str) -> None:
    cleaned = clean_text(text)
    assert clean_text(cleaned) == cleaned
    assert cleaned == cleaned.strip() and "  " not in cleaned
    for i, c in enumerate(cleaned):
        if c in "\u200d\ufe0e\ufe0f":  # kept only inside an emoji
            assert i > 0 and (unicodedata.category(cleaned[i - 1]) == "So" or ord(cleaned[i - 1]) >= 0x1F000)
            continue
        assert c not in INVISIBLE + BIDI
        assert unicodedata.category(c) not in ("Cc", "Cf", "Zl", "Zp"), (text, c)


@given(names, st.lists(st.sampled_from(INVISIBLE + BIDI), max_size=6), st.data())
def test_invisible_characters_do_not_make_another_name(
    text: str, noise: list[str], data: st.DataObject
) -> None:
    assume(clean_name(text))
    noisy = text
    for c in noise:
        at = data.draw(st.integers(0, len(noisy)))
        noisy = noisy[:at] + c + noisy[at:]
    # noise next to an emoji may glue it; away from pictographs the key is the same
    assume(not any(unicodedata.category(c) == "So" or ord(c) >= 0x1F000 for c in text))
    assert name_key(noisy) == name_key(text)
    spaced = data.draw(st.sampled_from([" ", "\t", "\u00a0", "  "])) + text + " \u2009"
    assert name_key(spaced) == name_key(text)


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("Ромашка\u200b", "Ромашка"),
        ("\u200bРомашка", "Ромашка"),
        ("\u202eакшамоР\u202c", "акшамоР"),
        ("\u200b\u2060\u00ad", ""),
        ("ООО\u00a0 «Луч»\t", "ООО «Луч»"),
        ("ＬＵＣＨ", "LUCH"),  # NFKC: full-width letters
        ("👨\u200d👩\u200d👧 Семья", "👨\u200d👩\u200d👧 Семья"),  # an emoji keeps its joiners
        ("Ло\u200dто", "Лото"),
    ],
)
def test_clean_examples(raw: str, clean: str) -> None:
    assert clean_text(raw) == clean


def test_name_key_folds_case_and_yo() -> None:
    assert name_key("ООО «Ёлка»\u200b") == name_key("ооо  «елка»") == "ооо «елка»"


def test_abnormal_load_absolute_and_relative() -> None:
    team = [Count(1, "Анна", 4980), Count(2, "Борис", 3), Count(3, "Вера", 2), Count(4, "Глеб", 0)]
    assert [c.name for c in abnormal_load(team)] == ["Анна"]
    # over five times a median of 4, and at least 15: flagged even under the absolute limit
    relative = [Count(1, "Анна", 30), Count(2, "Борис", 4), Count(3, "Вера", 4), Count(4, "Глеб", 5)]
    assert [c.name for c in abnormal_load(relative)] == ["Анна"]
    # everyone a little behind: nobody is abnormal
    assert abnormal_load([Count(i, f"M{i}", 10 + i) for i in range(5)]) == []
    assert abnormal_load([Count(1, "Анна", OVERDUE_LIMIT - 1)]) == []
    assert [c.count for c in abnormal_load([Count(1, "A", OVERDUE_LIMIT), Count(2, "B", 900)])] == [900, 50]


TODAY = date(2026, 11, 23)
CREATED = datetime(2026, 11, 1, tzinfo=UTC)


def items(n: int, action: str = "Позвонить") -> list[TaskItem]:
    raw = [
        TaskItem(
            task_id=i + 1,
            due=TODAY - timedelta(days=i % 7),
            created_at=CREATED,
            client_id=i,
            client_name=f"Клиент {i}",
            stage=None,
            hot=False,
            frozen=False,
            action=f"{action} {i}",
            status=TaskStatus.OPEN,
            moves=0,
        )
        for i in range(n)
    ]
    return order_day_tasks(raw, TODAY)


@pytest.mark.parametrize("n", [1, 12, 13, 40, 5003])
def test_a_list_page_is_the_one_paginate_cuts(n: int) -> None:
    t = default_translator().get("ru")
    listed = items(n, "Позвонить финансовому директору " * (1 + n % 5))
    lines = [task_line(k, item, TODAY, frozenset(), t) for k, item in enumerate(listed, 1)]
    expected = paginate([utf16_len(line) + 1 for line in lines])
    ids = {i.task_id for i in listed}
    for page in range(min(len(expected), 4)):
        part = list_part(listed, TODAY, frozenset(), t, ids, View.TODAY, page)
        rng = expected[page]
        assert part.body == "\n".join(lines[i] for i in rng)
        assert (part.first, part.last, part.after) == (rng.start + 1, rng.stop, n - rng.stop)
        assert part.after_overdue == sum(1 for i in listed[rng.stop :] if i.due < TODAY)
        assert part.markup is not None
        task_rows = [
            row for row in part.markup.inline_keyboard if (row[0].callback_data or "").startswith("tk:")
        ]
        assert len(task_rows) == len(rng) <= PAGE_TASKS
    # a page past the end shows the last one
    last = list_part(listed, TODAY, frozenset(), t, ids, View.TODAY, 10**6)
    assert last.after == 0 and last.last == n
