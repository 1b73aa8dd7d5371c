"""The command line as an operator uses it: real subprocesses, real database files."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from tests.conftest import TEST_TOKEN

ROOT = Path(__file__).resolve().parent.parent


def run_cli(
    *args: str, env: dict[str, str] | None = None, cwd: Path | None = None
) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("BOT_", "DATABASE_", "TELEGRAM_"))}
    base.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        capture_output=True,
        text=True,
        env=base,
        cwd=cwd or ROOT,
        timeout=60,
    )


def test_run_without_token_explains_how_to_get_one_and_the_demo(tmp_path: Path) -> None:
    result = run_cli("run", env={"DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path}/x.db"}, cwd=tmp_path)
    assert result.returncode == 2
    assert "@BotFather" in result.stderr and "python -m bot demo" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_malformed_setting_stops_start_up_with_one_line(tmp_path: Path) -> None:
    result = run_cli("run", env={"BOT_TOKEN": "oops"}, cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0 and "BOT_TOKEN" in result.stderr
    assert "Traceback" not in result.stderr


def test_the_bot_refuses_an_unmigrated_database(tmp_path: Path) -> None:
    env = {
        "BOT_TOKEN": TEST_TOKEN,
        "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path}/fresh.db",
        "TELEGRAM_API_URL": "http://127.0.0.1:9",
    }
    result = run_cli("run", env=env, cwd=tmp_path)
    assert result.returncode == 2
    assert "python -m bot migrate" in result.stderr and "Traceback" not in result.stderr


def test_migrate_team_create_and_invite(tmp_path: Path) -> None:
    env = {"DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path}/rop.db", "BOT_USERNAME": "rop_test_bot"}
    assert run_cli("migrate", env=env, cwd=tmp_path).returncode == 0
    created = run_cli("team", "create", "Отдел продаж", "--tz", "Asia/Vladivostok", env=env, cwd=tmp_path)
    assert created.returncode == 0, created.stderr
    assert "«Отдел продаж»" in created.stdout and "Asia/Vladivostok" in created.stdout
    link = re.search(r"https://t\.me/rop_test_bot\?start=([A-Za-z0-9_-]+)", created.stdout)
    assert link and 22 <= len(link.group(1)) <= 64
    again = run_cli("team", "create", "Отдел продаж", env=env, cwd=tmp_path)
    assert again.returncode == 1 and "уже есть" in again.stderr
    invite = run_cli("invite", "--team", "Отдел продаж", "--role", "owner", env=env, cwd=tmp_path)
    assert invite.returncode == 0 and "собственник" in invite.stdout
    other = re.search(r"start=([A-Za-z0-9_-]+)", invite.stdout)
    assert other and other.group(1) != link.group(1)
    unknown = run_cli("invite", "--team", "Нет такой", env=env, cwd=tmp_path)
    assert unknown.returncode == 1 and "Нет такой" in unknown.stderr
    bad_tz = run_cli("team", "create", "B", "--tz", "Mars/Base", env=env, cwd=tmp_path)
    assert bad_tz.returncode == 2 and "Mars/Base" in bad_tz.stderr


def test_every_command_has_help() -> None:
    for args in (
        ["--help"],
        ["run", "--help"],
        ["migrate", "--help"],
        ["team", "create", "--help"],
        ["invite", "--help"],
        ["job", "--help"],
        ["demo", "--help"],
    ):
        result = run_cli(*args)
        assert result.returncode == 0 and "usage:" in result.stdout, args
