"""``python -m bot backup`` and ``restore``: a live SQLite copy, and a restore that refuses what this code
cannot read and changes nothing then."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from domain.errors import UserError
from storage import backup
from storage.migrate import head_revision, upgrade
from tests.test_cli import run_cli


def _teams(path: Path) -> list[str]:
    with sqlite3.connect(path) as conn:
        return [row[0] for row in conn.execute("SELECT name FROM teams ORDER BY id")]


def _add_team(path: Path, name: str) -> None:
    with sqlite3.connect(path) as conn:
        conn.execute(
            "INSERT INTO teams (name, timezone, workdays, holiday_country, morning_at, evening_at,"
            " approval_at, digest_at, hot_stale_days, paid_broadcast)"
            " VALUES (?, 'Europe/Moscow', '1,2,3,4,5', 'RU', '09:00:00', '18:00:00', '21:00:00', '19:00:00',"
            " 5, 0)",
            (name,),
        )


def test_a_backup_restores_what_was_there(sqlite_url: str, tmp_path: Path) -> None:
    db = backup.sqlite_path(sqlite_url)
    assert db is not None
    _add_team(db, "Продажи")
    copy = tmp_path / "backups" / "rop-1.sqlite3"
    assert backup.backup(sqlite_url, copy) == head_revision()
    with pytest.raises(UserError) as refused:
        backup.backup(sqlite_url, copy)  # never over an existing file
    assert refused.value.code == "backup-exists"

    _add_team(db, "Потом")
    assert backup.restore(sqlite_url, copy) == head_revision()
    assert _teams(db) == ["Продажи"]


def test_a_backup_of_a_newer_schema_or_not_a_backup_is_refused_and_nothing_changes(
    sqlite_url: str, tmp_path: Path
) -> None:
    db = backup.sqlite_path(sqlite_url)
    assert db is not None
    _add_team(db, "Продажи")
    newer = tmp_path / "newer.sqlite3"
    backup.backup(sqlite_url, newer)
    with sqlite3.connect(newer) as conn:
        conn.execute("UPDATE alembic_version SET version_num = '9999'")
    junk = tmp_path / "notes.txt"
    junk.write_text("не база")
    refusals = [(newer, "restore-newer"), (junk, "restore-not-a-backup"), (tmp_path / "x", "restore-no-file")]
    for file, key in refusals:
        with pytest.raises(UserError) as refused:
            backup.restore(sqlite_url, file)
        assert refused.value.code == key
    assert _teams(db) == ["Продажи"]


def test_an_older_backup_is_restored_and_upgraded(tmp_path: Path) -> None:
    old_url = f"sqlite+aiosqlite:///{tmp_path / 'old.sqlite3'}"
    upgrade(old_url, "0003")
    copy = tmp_path / "old-backup.sqlite3"
    assert backup.backup(old_url, copy) == "0003"
    target_url = f"sqlite+aiosqlite:///{tmp_path / 'restored.sqlite3'}"
    assert backup.restore(target_url, copy) == "0003"
    with sqlite3.connect(tmp_path / "restored.sqlite3") as conn:
        assert conn.execute("SELECT version_num FROM alembic_version").fetchall() == [(head_revision(),)]


def test_postgres_gets_its_own_tools_without_the_password(tmp_path: Path) -> None:
    url = "postgresql+asyncpg://rop:s3cret-pass@db.internal:5433/rop"
    with pytest.raises(UserError) as refused:
        backup.backup(url, tmp_path / "rop.dump")
    assert refused.value.code == "backup-not-sqlite"
    lines = refused.value.args_
    dsn = "'postgresql://rop@db.internal:5433/rop'"
    assert lines["dump"] == f"pg_dump --format=custom --file={tmp_path / 'rop.dump'} {dsn}"
    assert "s3cret" not in lines["dump"] + lines["restore"]


def test_the_commands(tmp_path: Path) -> None:
    env = {"DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path}/rop.sqlite3"}
    assert run_cli("migrate", env=env, cwd=tmp_path).returncode == 0
    made = run_cli("backup", "--out", str(tmp_path / "copy.sqlite3"), env=env, cwd=tmp_path)
    assert made.returncode == 0, made.stderr
    assert f"Копия базы записана в {tmp_path / 'copy.sqlite3'}" in made.stdout
    (tmp_path / "junk").write_text("x")
    refused = run_cli("restore", str(tmp_path / "junk"), env=env, cwd=tmp_path)
    assert refused.returncode == 1 and "не копия базы бота. Ничего не изменено." in refused.stderr
    assert "Traceback" not in refused.stderr
    restored = run_cli("restore", str(tmp_path / "copy.sqlite3"), env=env, cwd=tmp_path)
    assert restored.returncode == 0 and "База восстановлена" in restored.stdout, restored.stderr
