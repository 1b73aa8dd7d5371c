"""``bot/lean.py`` on a pydantic it was not tested against: it installs nothing, warns once, and the bot
runs with aiogram's eager builds. The tested range is the one ``pyproject.toml`` declares."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pydantic

from bot import lean

ROOT = Path(__file__).resolve().parents[2]

# ``python -m bot job`` (lists the jobs: no database, no network) with pydantic claiming another version
ENTRY_POINT = """
import runpy, sys
import pydantic
pydantic.VERSION = sys.argv[1]
sys.argv = ["bot", "job"]
try:
    runpy.run_module("bot", run_name="__main__", alter_sys=True)
except SystemExit as exc:
    assert exc.code == 0, exc.code
from aiogram.types import Poll
print("built at import:", Poll.__pydantic_complete__)
"""


def run(version: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != lean.ENV}
    result = subprocess.run(
        [sys.executable, "-c", ENTRY_POINT, version],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        cwd=ROOT,
        env=env,
    )
    assert result.returncode == 0, result.stderr
    return result


def test_an_unknown_pydantic_gets_eager_builds_and_one_warning() -> None:
    result = run("2.99.0")
    assert "built at import: True" in result.stdout
    assert result.stderr.count("lean imports are off: pydantic 2.99.0 is outside the tested") == 1
    assert "Traceback" not in result.stderr


def test_the_installed_pydantic_is_in_the_tested_range_and_gets_the_deferral() -> None:
    assert lean.unsupported(pydantic.VERSION, pydantic.BaseModel.model_rebuild.__func__) is None
    result = run(pydantic.VERSION)
    assert "built at import: False" in result.stdout
    assert "lean imports are off" not in result.stderr


def test_a_changed_model_rebuild_is_refused_whatever_the_version() -> None:
    def model_rebuild(cls: type, *, force: bool = False, raise_errors: bool = True) -> None: ...

    reason = lean.unsupported(pydantic.VERSION, model_rebuild)
    assert reason is not None and "model_rebuild has other parameters" in reason


def test_pyproject_declares_the_range_lean_is_tested_against() -> None:
    declared = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    spec = next(d for d in declared["dependencies"] if re.match(r"pydantic\b(?!-)", d))
    (low, high) = lean.TESTED_PYDANTIC
    assert spec == f"pydantic>={low[0]}.{low[1]},<{high[0]}.{high[1]}"
