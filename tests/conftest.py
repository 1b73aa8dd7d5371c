"""Shared fixtures: a migrated database per test (SQLite by copying a migrated template; PostgreSQL by
creating a fresh database on the machine's server), settings, and service checks.

Tests for PostgreSQL and Redis use the real servers on 127.0.0.1. Without them they skip with the reason,
unless ``REQUIRE_SERVICES=1`` (set by ``.ci/run``), where a missing service fails the run.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import socket
import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from hypothesis import settings as hypothesis_settings

from bot.config import Settings, load_settings
from storage.db import create_engine, create_session_pool
from storage.migrate import upgrade

TEST_TOKEN = "123456789:TEST-secret-token-AAAAAAAAAAAAAAAAAAAAAAA"

PG_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres")
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")

#: Under pytest-xdist (``make test``) a worker shares the 2 cores with the other worker and with the bot
#: processes of the end-to-end tests: Hypothesis's 200 ms per example, a wall-clock guard, turns into noise
#: there. Ten times that still catches an example gone pathologically slow.
hypothesis_settings.register_profile("parallel", deadline=timedelta(seconds=2))
if os.environ.get("PYTEST_XDIST_WORKER"):
    hypothesis_settings.load_profile("parallel")


def _port_open(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


def need_service(name: str, host: str, port: int) -> None:
    if _port_open(host, port):
        return
    reason = f"{name} is not running on {host}:{port}"
    if os.environ.get("REQUIRE_SERVICES") == "1":
        pytest.fail(f"{reason} (REQUIRE_SERVICES=1)")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.sqlite3"
    upgrade(f"sqlite+aiosqlite:///{path}")
    return path


@pytest.fixture
def sqlite_url(sqlite_template: Path, tmp_path: Path) -> str:
    path = tmp_path / "rop.sqlite3"
    shutil.copy(sqlite_template, path)
    return f"sqlite+aiosqlite:///{path}"


async def _pg_admin(sql: str) -> None:
    import asyncpg

    dsn = PG_URL.replace("postgresql+asyncpg://", "postgresql://")
    conn = await asyncpg.connect(dsn)
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


@pytest.fixture(scope="session")
def postgres_template() -> Iterator[str]:
    """A migrated PostgreSQL database, made once per session (per worker under pytest-xdist): each test's
    database is a copy of it, as SQLite's are copies of a migrated file, instead of every migration run
    again for each of the ~150 PostgreSQL tests."""
    need_service("PostgreSQL", "127.0.0.1", 5432)
    name = f"rop_template_{uuid.uuid4().hex[:12]}"
    asyncio.run(_pg_admin(f'CREATE DATABASE "{name}"'))
    try:
        upgrade(PG_URL.rsplit("/", 1)[0] + f"/{name}")
        yield name
    finally:
        asyncio.run(_pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture
async def postgres_url(postgres_template: str) -> AsyncIterator[str]:
    name = f"rop_test_{uuid.uuid4().hex[:12]}"
    await _pg_admin(f'CREATE DATABASE "{name}" TEMPLATE "{postgres_template}"')
    url = PG_URL.rsplit("/", 1)[0] + f"/{name}"
    try:
        yield url
    finally:
        await _pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest) -> str:
    """Each test that takes this runs on SQLite and on PostgreSQL."""
    if request.param == "sqlite":
        return request.getfixturevalue("sqlite_url")
    return request.getfixturevalue("postgres_url")


@pytest.fixture
async def session_pool(db_url: str):
    engine = create_engine(db_url)
    yield create_session_pool(engine)
    await engine.dispose()


@pytest.fixture
def settings(db_url: str) -> Settings:
    return load_settings(bot_token=TEST_TOKEN, database_url=db_url, _env_file=None)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The tests that must share one worker under pytest-xdist (``make test``; an ``xdist_group`` mark)
    first: the isolation probe's group takes minutes, and begun first the other worker runs everything else
    meanwhile instead of the run waiting for it at the end. The order within each group is kept."""
    items.sort(key=lambda item: item.get_closest_marker("xdist_group") is None)
