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
