"""Backups of the bot's database: SQLite's online backup API, and a restore that refuses what this code
cannot read.

``backup`` copies a live SQLite database page by page while the bot keeps running (readers and the one
writer are not stopped); the copy is a consistent snapshot. ``restore`` checks the file first: it must be
an SQLite database with the bot's schema version, and that version must be one this code has a migration
for (a backup taken by a newer release is refused: its tables may hold what this code would drop). An older
backup is restored and then upgraded. Stop the bot before restoring: the restore replaces every page.

PostgreSQL has its own tools, which do this better than the bot could: ``pg_dump`` and ``pg_restore``
(``postgres_commands`` gives the lines for the configured database).
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from urllib.parse import urlsplit

from domain.errors import UserError
from storage.migrate import VERSION_TABLE, head_revision, known_revisions, upgrade


def sqlite_path(url: str) -> Path | None:
    """The file of an SQLite URL; None for another database (or an in-memory one)."""
    if not url.startswith("sqlite"):
        return None
    path = url.split(":///", 1)[1].split("?", 1)[0] if ":///" in url else ""
    return Path(path) if path and path != ":memory:" else None


def _revision(conn: sqlite3.Connection) -> str | None:
    try:
        rows = conn.execute(f"SELECT version_num FROM {VERSION_TABLE}").fetchall()
    except sqlite3.DatabaseError:
        return None
    return rows[0][0] if len(rows) == 1 else None


def backup(url: str, out: Path) -> str:
    """Copies the SQLite database at ``url`` into ``out`` (a new file); returns its schema revision."""
    source = sqlite_path(url)
    if source is None:
        raise UserError("backup-not-sqlite", **postgres_commands(url, out))
    if not source.exists():
        raise UserError("backup-no-database", path=str(source))
    if out.exists():
        raise UserError("backup-exists", path=str(out))
    out.parent.mkdir(parents=True, exist_ok=True)
    with sqlite3.connect(source) as src, sqlite3.connect(out) as dst:
        src.backup(dst)
        revision = _revision(dst)
    return revision or "-"


def restore(url: str, file: Path) -> str:
    """Replaces the SQLite database at ``url`` with the backup ``file``, upgraded to this code's schema;
    returns the backup's revision. Refuses a file that is not a backup of the bot, or one from a newer
    schema, and changes nothing then."""
    target = sqlite_path(url)
    if target is None:
        raise UserError("backup-not-sqlite", **postgres_commands(url, file))
    if not file.is_file():
        raise UserError("restore-no-file", path=str(file))
    try:
        with sqlite3.connect(f"file:{file}?mode=ro", uri=True) as src:
            revision = _revision(src)
    except sqlite3.DatabaseError:
        revision = None
    if revision is None:
        raise UserError("restore-not-a-backup", path=str(file))
    if revision not in known_revisions():
        raise UserError("restore-newer", revision=revision, head=head_revision() or "-")
    target.parent.mkdir(parents=True, exist_ok=True)
    with sqlite3.connect(f"file:{file}?mode=ro", uri=True) as src, sqlite3.connect(target) as dst:
        src.backup(dst)
    if revision != head_revision():
        upgrade(url)
    return revision


def postgres_commands(url: str, file: Path) -> dict[str, str]:
    """The ``pg_dump`` and ``pg_restore`` lines for the PostgreSQL database at ``url``."""
    parts = urlsplit(url.replace("postgresql+asyncpg://", "postgresql://", 1))
    user = f"{parts.username}@" if parts.username else ""
    netloc = user + (parts.hostname or "") + (f":{parts.port}" if parts.port else "")
    dsn = parts._replace(scheme="postgresql", netloc=netloc).geturl()  # a password comes from PGPASSWORD
    return {
        "dump": f"pg_dump --format=custom --file={file} '{dsn}'",
        "restore": f"pg_restore --clean --if-exists --dbname='{dsn}' {file}",
    }
