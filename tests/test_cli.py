"""The command line as an operator uses it: real subprocesses, real database files."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import TEST_TOKEN

ROOT = Path(__file__).resolve().parent.parent


def run_cli(
    *args: str, env: dict[str, str] | None = None, cwd: Path | None = None
) -> subprocess.CompletedProcess:
    prefixes = ("BOT_", "DATABASE_", "TELEGRAM_", "DEFAULT_", "LOG_")
    base = {k: v for k, v in os.environ.items() if not k.startswith(prefixes)}
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
        assert result.returncode == 0 and result.stdout.startswith("использование: python -m bot"), args


NO_TOKEN_HEAD = [
    "Не задан BOT_TOKEN.",
    "1. Откройте @BotFather в Telegram, отправьте /newbot и получите токен.",
    "2. Запишите его в файл .env: BOT_TOKEN=123456789:ABC...",
]
DEMO_LINE = "Посмотреть бота без токена и без сети: python -m bot demo"


def test_the_first_run_says_only_what_to_do_next(tmp_path: Path) -> None:
    """Without a token, each run names the one next step: set up the database, create a team, or run;
    migrating prints one line (no alembic chatter); a link without the bot's name says how to fix it."""
    env = {"DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path}/rop.db"}

    def next_step() -> str:
        result = run_cli("run", env=env, cwd=tmp_path)
        assert result.returncode == 2 and result.stdout == ""
        lines = result.stderr.splitlines()
        assert lines[:3] == NO_TOKEN_HEAD and lines[4:] == [DEMO_LINE], result.stderr
        return lines[3]

    assert next_step().startswith("3. Подготовьте базу и создайте команду: python -m bot migrate, затем")
    assert not (tmp_path / "rop.db").exists()  # looking created nothing
    migrated = run_cli("migrate", env=env, cwd=tmp_path)
    assert (migrated.returncode, migrated.stdout, migrated.stderr) == (
        0,
        "База данных обновлена до последней версии.\n",
        "",
    )
    again = run_cli("migrate", env=env, cwd=tmp_path)
    assert (again.stdout, again.stderr) == ("База данных уже последней версии.\n", "")
    assert next_step().startswith('3. Создайте команду: python -m bot team create "Отдел продаж"')

    created = run_cli("team", "create", "Отдел продаж", env=env, cwd=tmp_path)
    lines = created.stdout.splitlines()
    assert re.fullmatch(r"https://t\.me/<bot_username>\?start=[A-Za-z0-9_-]{22,64}", lines[2]), lines
    assert lines[3].startswith("Имя бота неизвестно (нет BOT_TOKEN и BOT_USERNAME): замените <bot_username>")
    assert len(lines) == 4 and created.stderr == ""
    assert next_step() == "3. Запустите бота снова: make run"


def test_the_command_line_and_its_help_follow_default_locale(tmp_path: Path) -> None:
    ru = run_cli("team", "create", "--help")
    assert "создать команду и напечатать ссылку-приглашение её первого руководителя" in ru.stdout
    assert "параметры:" in ru.stdout and "показать эту справку и выйти" in ru.stdout
    en = run_cli("team", "create", "--help", env={"DEFAULT_LOCALE": "en"})
    assert en.stdout.startswith("usage: python -m bot team create")
    assert "create a team and print its first head's invite link" in en.stdout and "options:" in en.stdout
    assert "создать" not in en.stdout
    wrong = run_cli("invite", env={"DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path}/x.db"})
    assert wrong.returncode == 2 and "python -m bot invite: ошибка: " in wrong.stderr
    # a broken setting does not take the help away, and still stops a command in one line
    assert run_cli("--help", env={"BOT_TOKEN": "oops"}).stdout.startswith("использование:")
    broken = run_cli("migrate", env={"BOT_TOKEN": "oops"}, cwd=tmp_path)
    assert broken.returncode == 2 and broken.stderr.count("\n") == 1 and "BOT_TOKEN" in broken.stderr


def test_make_run_on_a_fresh_clone_prints_only_the_next_step(tmp_path: Path) -> None:
    stamp, pyproject = ROOT / ".venv" / ".installed", ROOT / "pyproject.toml"
    if (ROOT / ".env").exists():
        pytest.skip(".env is there: make run would read its token")
    if not stamp.exists() or stamp.stat().st_mtime < pyproject.stat().st_mtime:
        pytest.skip("make run would install .venv first")
    if shutil.which("make") is None:
        pytest.skip("no make")
    prefixes = ("BOT_", "DATABASE_", "TELEGRAM_", "DEFAULT_", "LOG_", "MAKE")
    env = {k: v for k, v in os.environ.items() if not k.startswith(prefixes)}
    env["DATABASE_URL"] = f"sqlite+aiosqlite:///{tmp_path}/rop.db"
    result = subprocess.run(
        ["make", "run"], capture_output=True, text=True, env=env, cwd=ROOT, timeout=120, check=False
    )
    assert result.returncode == 0 and result.stdout == "", (result.stdout, result.stderr)
    assert result.stderr.splitlines() == [
        *NO_TOKEN_HEAD,
        '3. Создайте команду: python -m bot team create "Отдел продаж" (напечатает ссылку-приглашение для '
        "руководителя).",
        DEMO_LINE,
    ]
