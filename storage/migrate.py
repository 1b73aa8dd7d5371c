"""Schema migrations: upgrade to head, and the start-up check that refuses an unmigrated database.

The check runs in every bot process, so it does without alembic (about 11 MB of modules, mako and pygments
among them, kept for the life of the process): the head is read from the migration files and the current
revision from alembic's version table. Only ``upgrade`` imports alembic.
"""

from __future__ import annotations

import ast
import asyncio
import logging
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import inspect, text
from sqlalchemy.ext.asyncio import AsyncEngine

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
VERSION_TABLE = "alembic_version"  # alembic's default, which env.py keeps


def alembic_config(url: str) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def head_revision() -> str | None:
    """The revision no other migration revises (``ScriptDirectory.get_current_head()`` without alembic)."""
    revisions: set[str] = set()
    revised: set[str] = set()
    for path in (MIGRATIONS / "versions").glob("*.py"):
        found = _revision_of(path)
        if found is not None:
            revisions.add(found[0])
            revised.update(found[1])
    heads = revisions - revised
    if len(heads) > 1:
        raise RuntimeError(f"several migration heads: {sorted(heads)}")
    return next(iter(heads), None)


def known_revisions() -> set[str]:
    """Every revision this code has a migration for."""
    return {found[0] for path in (MIGRATIONS / "versions").glob("*.py") if (found := _revision_of(path))}


def _revision_of(path: Path) -> tuple[str, tuple[str, ...]] | None:
    """``revision`` and ``down_revision`` (none, one or a merge's tuple) of a migration file."""
    values: dict[str, object] = {}
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.Assign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                if isinstance(target, ast.Name) and target.id in ("revision", "down_revision"):
                    values[target.id] = ast.literal_eval(node.value) if node.value else None
    revision, down = values.get("revision"), values.get("down_revision")
    if not isinstance(revision, str):
        return None
    if isinstance(down, str):
        return revision, (down,)
    return revision, tuple(str(d) for d in down) if isinstance(down, tuple | list) else ()


def upgrade(url: str, revision: str = "head", *, quiet: bool = False) -> None:
    """Bring the database at ``url`` to ``revision`` (synchronous: call it outside a running loop).

    ``quiet``: alembic's INFO lines (a dozen per fresh database) are not logged, its warnings are."""
    _ensure_sqlite_dir(url)
    alembic_log = logging.getLogger("alembic")  # its import logs too: set the level first
    level = alembic_log.level
    if quiet:
        alembic_log.setLevel(logging.WARNING)
    try:
        from alembic import command

        command.upgrade(alembic_config(url), revision)
    finally:
        alembic_log.setLevel(level)


def database_exists(url: str) -> bool:
    """False for a SQLite file that is not there yet (a server database is taken to exist)."""
    path = _sqlite_path(url)
    return path is None or Path(path).exists()


def revision_at(url: str) -> str | None:
    """The revision of the database at ``url`` (None when it has none or is not there); synchronous."""
    if not database_exists(url):
        return None
    from storage.db import create_engine

    async def read() -> str | None:
        engine = create_engine(url)
        try:
            return await current_revision(engine)
        finally:
            await engine.dispose()

    return asyncio.run(read())


async def current_revision(engine: AsyncEngine) -> str | None:
    """The revision in alembic's version table; None when the database has none."""
    async with engine.connect() as conn:
        if not await conn.run_sync(lambda sync: inspect(sync).has_table(VERSION_TABLE)):
            return None
        versions = (await conn.execute(text(f"SELECT version_num FROM {VERSION_TABLE}"))).scalars().all()
    return versions[0] if len(versions) == 1 else None


async def is_up_to_date(engine: AsyncEngine) -> bool:
    return await current_revision(engine) == head_revision()


def _sqlite_path(url: str) -> str | None:
    if url.startswith("sqlite") and ":///" in url:
        path = url.split(":///", 1)[1].split("?", 1)[0]
        if path and path != ":memory:":
            return path
    return None


def _ensure_sqlite_dir(url: str) -> None:
    path = _sqlite_path(url)
    if path is not None:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
