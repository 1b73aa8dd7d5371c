"""``bot/lean.py``: aiogram's types and methods are built on first use, each of them builds and works, and
``python -m bot`` applies it unless ``ROP_LEAN_IMPORTS=0``. Each case runs in a fresh interpreter, since
the deferral must come before the first import of aiogram."""

from __future__ import annotations

import os
import subprocess
import sys

from bot.lean import enabled

EVERY_MODEL = """
import sys
from bot.lean import defer_aiogram_models
assert defer_aiogram_models()
import aiogram.methods, aiogram.types
from pydantic import BaseModel

def models(module):
    found = (getattr(module, name) for name in module.__all__)
    return [m for m in found if isinstance(m, type) and issubclass(m, BaseModel)]

methods, types = models(aiogram.methods), models(aiogram.types)
order = methods + types if sys.argv[1] == "methods-first" else types + methods
print("built at import:", sum(m.__pydantic_complete__ for m in order))
for model in order:
    model.model_rebuild()  # raises if an annotation cannot be resolved
    assert model.__pydantic_complete__, model
print("built on use:", len(order))
"""

FIRST_USE = """
import sys
if sys.argv[1] == "lean":
    from bot.lean import defer_aiogram_models
    assert defer_aiogram_models()
from aiogram.methods import SendMessage
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup, Poll, Update
print("poll built at import:", Poll.__pydantic_complete__)
update = Update.model_validate({
    "update_id": 1,
    "callback_query": {
        "id": "q", "chat_instance": "c", "data": "tk:d:1",
        "from": {"id": 7, "is_bot": False, "first_name": "A"},
        "message": {"message_id": 3, "date": 0, "chat": {"id": 7, "type": "private"}, "text": "hi",
                    "reply_markup": {"inline_keyboard": [[{"text": "ok", "callback_data": "x"}]]}},
    },
})
assert update.callback_query.message.reply_markup.inline_keyboard[0][0].callback_data == "x"
markup = InlineKeyboardMarkup(inline_keyboard=[[InlineKeyboardButton(text="✅", callback_data="tk:d:1")]])
dumped = SendMessage(chat_id=7, text="x", reply_markup=markup).model_dump(exclude_none=True)
assert dumped["reply_markup"]["inline_keyboard"][0][0]["callback_data"] == "tk:d:1"
print("update built after use:", Update.__pydantic_complete__)
"""

# ``python -m bot job`` (lists the jobs; no database, no network) run in this interpreter, then a look at
# whether aiogram's models were built when it was imported
ENTRY_POINT = """
import runpy, sys
sys.argv = ["bot", "job"]
try:
    runpy.run_module("bot", run_name="__main__", alter_sys=True)
except SystemExit as exc:
    assert exc.code == 0, exc.code
from aiogram.methods import SendPoll
from aiogram.types import Poll
print("built at import:", Poll.__pydantic_complete__, SendPoll.__pydantic_complete__)
"""


def run(script: str, *args: str, env: dict[str, str] | None = None) -> str:
    result = subprocess.run(
        [sys.executable, "-c", script, *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={**os.environ, **(env or {})},
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_every_type_and_method_is_deferred_and_builds_on_first_use() -> None:
    out = run(EVERY_MODEL, "types-first")
    # Request, Response and TelegramMethod: the bases, built before the deferral takes hold
    assert "built at import: 3\n" in out
    assert int(out.split("built on use: ")[1]) > 550


def test_types_build_when_a_method_that_nests_them_builds_first() -> None:
    assert "built on use:" in run(EVERY_MODEL, "methods-first")


def test_deferred_models_are_built_on_first_use_and_work() -> None:
    out = run(FIRST_USE, "lean")
    assert "poll built at import: False" in out and "update built after use: True" in out


def test_without_it_aiogram_builds_everything_at_import() -> None:
    assert "poll built at import: True" in run(FIRST_USE, "eager")


def test_python_m_bot_defers_unless_turned_off() -> None:
    assert "built at import: False False" in run(ENTRY_POINT, env={"ROP_LEAN_IMPORTS": ""})
    assert "built at import: True True" in run(ENTRY_POINT, env={"ROP_LEAN_IMPORTS": "0"})


def test_the_escape_hatch_reads_zero_as_off_and_anything_else_as_on() -> None:
    assert enabled({}) and enabled({"ROP_LEAN_IMPORTS": "1"})
    assert not enabled({"ROP_LEAN_IMPORTS": "0"}) and not enabled({"ROP_LEAN_IMPORTS": " 0 "})
