"""``bot.keyboard.Keyboard`` lays buttons out in rows exactly as aiogram's ``InlineKeyboardBuilder``."""

from __future__ import annotations

import random

import pytest
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.keyboard import Keyboard
from handlers.day_callbacks import TaskAct, TaskAction, View


def layouts(kb: Keyboard | InlineKeyboardBuilder) -> list[list[tuple[str, str | None]]]:
    return [[(b.text, b.callback_data) for b in row] for row in kb.as_markup().inline_keyboard]


@pytest.mark.parametrize("seed", range(40))
def test_rows_match_aiogram_builder(seed: int) -> None:
    rng = random.Random(seed)
    ours, theirs = Keyboard(), InlineKeyboardBuilder()
    for i in range(rng.randrange(0, 30)):
        data = TaskAct(action=TaskAction.DONE, task_id=i, v=View.TODAY, p=0) if i % 2 else f"x:{i}"
        ours.button(text=f"b{i}", callback_data=data)
        theirs.button(text=f"b{i}", callback_data=data)
    if rng.random() < 0.8:
        sizes = [rng.randrange(1, 9) for _ in range(rng.randrange(0, 4))]
        repeat = rng.random() < 0.3
        ours.adjust(*sizes, repeat=repeat)
        theirs.adjust(*sizes, repeat=repeat)
    assert layouts(ours) == layouts(theirs)
    assert [b.text for b in ours.buttons] == [b.text for b in theirs.buttons]


def test_url_buttons_and_bad_sizes() -> None:
    kb = Keyboard().button(text="site", url="https://example.com")
    assert kb.as_markup().inline_keyboard[0][0].url == "https://example.com"
    for bad in (0, 9):
        with pytest.raises(ValueError, match="1 to 8"):
            kb.adjust(bad)


@pytest.mark.parametrize("seed", range(10))
def test_markup_is_the_model_aiogram_builds(seed: int) -> None:
    """The markup equals, dumps and serializes as aiogram's builder makes it (buttons packed by
    ``pack_task_act`` among others)."""
    rng = random.Random(seed)
    ours, theirs = Keyboard(), InlineKeyboardBuilder()
    for i in range(rng.randrange(1, 20)):
        text = rng.choice(["✅ 1", "b<i>", "Клиент & Co", f"{i}"])
        data = TaskAct(
            action=rng.choice(list(TaskAction)), task_id=i * 977, v=View.REPORT, p=i % 3, ver=i % 4
        )
        ours.button(text=text, callback_data=data)
        theirs.button(text=text, callback_data=data)
    assert ours.as_markup() == theirs.as_markup()
    for mode in ("python", "json"):
        dumped = ours.as_markup().model_dump(mode=mode, exclude_none=True)
        assert dumped == theirs.as_markup().model_dump(mode=mode, exclude_none=True)
    assert ours.as_markup().model_dump_json() == theirs.as_markup().model_dump_json()


def test_packed_task_buttons_are_aiograms() -> None:
    """``pack_task_act`` (the day list's four buttons a task) is ``TaskAct(...).pack()``, character for
    character, and still refuses data over Telegram's 64 bytes."""
    from handlers.day_callbacks import pack_task_act

    for action in TaskAction:
        for view in View:
            for task_id, page, ver in [(0, 0, 0), (1, 2, 3), (987654321, 17, 250), (2**40, 0, 1)]:
                assert (
                    pack_task_act(action, task_id, view, page, ver)
                    == TaskAct(action=action, task_id=task_id, v=view, p=page, ver=ver).pack()
                )
    with pytest.raises(ValueError, match="too long"):
        pack_task_act(TaskAction.DONE, 10**60, View.TODAY, 0, 0)


def test_memoised_task_rows_are_the_buttons_drawn_afresh() -> None:
    """``task_row`` (a day list's four buttons of a task, memoised) makes what drawing them afresh made:
    the labels of the Texts' language and escaping, ``TaskAct(...).pack()``; a second call is served from
    the memo; ``Keyboard.add`` lays them out as ``button`` would."""
    from bot.i18n import default_translator
    from handlers.day_views import task_row

    translator = default_translator()
    acts = (TaskAction.DONE, TaskAction.NOT_DONE, TaskAction.MOVE, TaskAction.CANCEL)
    for locale, html in (("ru", True), ("en", True), ("ru", False)):
        t = translator.get(locale, html=html)
        for n, task_id, view, page, ver in [(1, 5, View.TODAY, 0, 0), (12, 987654, View.REPORT, 3, 2)]:
            fresh, added = Keyboard(), Keyboard()
            for act in acts:
                data = TaskAct(action=act, task_id=task_id, v=view, p=page, ver=ver)
                fresh.button(text=t(f"btn-task-{act}", n=n), callback_data=data)
            row = task_row(translator, locale, html, n, task_id, view, page, ver)
            added.add(*row).adjust(4)
            fresh.adjust(4)
            assert added.as_markup() == fresh.as_markup()
            assert task_row(translator, locale, html, n, task_id, view, page, ver) is row
