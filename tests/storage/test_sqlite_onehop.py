"""``storage.sqlite_onehop``: SQLite statements in one trip to aiosqlite's thread give what SQLAlchemy's
own cursor gives (rows, RETURNING, lastrowid, rowcount, executemany, errors, rollback)."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import insert, select, text, update
from sqlalchemy.exc import IntegrityError, OperationalError

from storage import db as storage_db
from storage.db import create_engine, create_session_pool
from storage.migrate import upgrade
from storage.models import Team
from storage.sqlite_onehop import OneTripConnection


async def _exercise(url: str) -> list[object]:
    """The same statements; what each returned."""
    engine = create_engine(url)
    pool = create_session_pool(engine)
    seen: list[object] = []
    try:
        async with pool() as s, s.begin():
            raw = await s.connection()
            seen.append(type((await raw.get_raw_connection()).driver_connection).__name__)
            team = Team(name="Отдел 1", timezone="Europe/Moscow")
            s.add(team)
            await s.flush()  # an INSERT without RETURNING reads lastrowid
            seen.append(team.id)
            ids = (
                await s.execute(
                    insert(Team).returning(Team.id, Team.name),
                    [{"name": f"Отдел {n}", "timezone": "UTC"} for n in range(2, 5)],
                )
            ).all()
            seen.append([tuple(r) for r in ids])
            await s.execute(  # executemany, no RETURNING
                insert(Team), [{"name": f"Отдел {n}", "timezone": "UTC"} for n in range(5, 8)]
            )
            result = await s.execute(update(Team).where(Team.id > 2).values(timezone="Asia/Omsk"))
            seen.append(result.rowcount)  # type: ignore[attr-defined]  # a CursorResult
            seen.append((await s.execute(select(Team.id, Team.timezone).order_by(Team.id))).all())
            seen.append((await s.execute(text("SELECT count(*) FROM teams WHERE 0"))).scalar())
            seen.append((await s.execute(select(Team.id).where(Team.id < 0))).all())
        with pytest.raises(IntegrityError):
            async with pool() as s, s.begin():
                s.add(Team(name="Отдел 1", timezone="UTC"))  # the name is unique
                await s.flush()
        with pytest.raises(OperationalError):
            async with pool() as s, s.begin():
                await s.execute(text("SELECT nothing FROM nowhere"))
        async with pool() as s, s.begin():  # the failures rolled back and the connection is fine
            seen.append(await s.scalar(select(Team.id).where(Team.name == "Отдел 7")))
            seen.append(await s.scalar(text("SELECT count(*) FROM teams")))
    finally:
        await engine.dispose()
    return seen


async def test_one_trip_statements_return_what_four_trips_do(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    urls = []
    for name in ("one", "four"):
        url = f"sqlite+aiosqlite:///{tmp_path / name}.sqlite3"
        await asyncio.to_thread(upgrade, url)
        urls.append(url)
    one = await _exercise(urls[0])
    monkeypatch.setattr(storage_db, "install_one_trip", lambda _connection: False)
    four = await _exercise(urls[1])
    assert one[0] == "Connection" and four[0] == "Connection"  # aiosqlite's, under either adapter
    assert one[1:] == four[1:]
    assert one[1] == 1 and one[3] == 5 and one[-1] == 7  # teams 3-7 updated; 7 in all


async def test_connections_of_the_bot_take_one_trip(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'db'}.sqlite3"
    await asyncio.to_thread(upgrade, url)
    engine = create_engine(url)
    try:
        async with engine.connect() as conn:
            raw = await conn.get_raw_connection()
            assert isinstance(raw.dbapi_connection, OneTripConnection)
    finally:
        await engine.dispose()


async def test_a_transaction_is_its_statements_and_one_commit(tmp_path: Path) -> None:
    """The begin rides with the first statement; the pool's rollback after a commit makes no trip; a
    transaction that ran no statement makes none at all. The begin still takes the write lock at the
    first statement: another writer is refused meanwhile."""
    path = tmp_path / "db.sqlite3"
    url = f"sqlite+aiosqlite:///{path}"
    await asyncio.to_thread(upgrade, url)
    engine = create_engine(url)
    pool = create_session_pool(engine)
    trips: list[tuple[str, str | None]] = []
    try:
        async with pool() as s, s.begin():
            inner = (await (await s.connection()).get_raw_connection()).driver_connection
        assert inner is not None
        original = inner._execute

        def recording(fn: Any, *args: Any, **kwargs: Any) -> Any:
            trips.append((fn.__name__, args[1] if fn.__name__ == "_run" else None))
            return original(fn, *args, **kwargs)

        inner._execute = recording
        async with pool() as s, s.begin():
            await s.scalar(select(Team.id).limit(1))
            with pytest.raises(sqlite3.OperationalError, match="locked"):
                await asyncio.to_thread(_write_elsewhere, path)
        assert trips == [("_run", "BEGIN IMMEDIATE"), ("commit", None)]

        trips.clear()
        async with pool() as s, s.begin():
            await s.connection()  # a transaction begun, no statement
        async with pool() as s:
            await s.connection()  # begun and rolled back (the session closes)
        assert trips == []

        async with pool() as s, s.begin():  # the dropped begins left nothing pending
            await s.execute(insert(Team).values(name="Отдел", timezone="UTC"))
        assert trips == [("_run", "BEGIN IMMEDIATE"), ("commit", None)]
        await asyncio.to_thread(_write_elsewhere, path)  # the lock went with the commit
    finally:
        await engine.dispose()


def _write_elsewhere(path: Path) -> None:
    other = sqlite3.connect(path, timeout=0.05, isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")
        other.execute("ROLLBACK")
    finally:
        other.close()


async def _counter(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Any]:
    """A database of one counter row, its engine's busy timeout 50 ms; the session pool."""
    monkeypatch.setattr(storage_db, "SQLITE_BUSY_TIMEOUT_MS", 50)
    path = tmp_path / "counter.sqlite3"
    engine = create_engine(f"sqlite+aiosqlite:///{path}")
    pool = create_session_pool(engine)
    async with pool() as s, s.begin():
        await s.execute(text("CREATE TABLE t (id INTEGER PRIMARY KEY, n INTEGER)"))
        await s.execute(text("INSERT INTO t VALUES (1, 0)"))
    return path, pool


async def test_a_streamed_first_statement_begins_the_transaction(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A server-side cursor (``session.stream``) runs its statement itself: the begin goes before it, so the
    write lock is held from then on and a failure rolls the streamed write back."""
    path, pool = await _counter(tmp_path, monkeypatch)
    try:
        async with pool() as s, s.begin():
            assert (await (await s.stream(text("SELECT n FROM t"))).all()) == [(0,)]
            with pytest.raises(sqlite3.OperationalError, match="locked"):
                await asyncio.to_thread(_write_elsewhere, path)
        with pytest.raises(RuntimeError):
            async with pool() as s, s.begin():
                await (await s.stream(text("UPDATE t SET n = -1 RETURNING n"))).all()
                raise RuntimeError("the handler fails after the write")
        async with pool() as s:
            assert await s.scalar(text("SELECT n FROM t")) == 0
    finally:
        await pool.kw["bind"].dispose()


async def test_a_begin_that_did_not_take_is_sent_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The first statement's ``BEGIN IMMEDIATE`` fails (another writer past the busy timeout); a caller that
    retries in the same transaction gets a transaction, which a failure then rolls back."""
    path, pool = await _counter(tmp_path, monkeypatch)
    blocker = sqlite3.connect(path, isolation_level=None)
    try:
        blocker.execute("BEGIN IMMEDIATE")
        with pytest.raises(RuntimeError):
            async with pool() as s, s.begin():
                with pytest.raises(OperationalError, match="locked"):
                    await s.execute(text("UPDATE t SET n = n + 1"))
                blocker.execute("COMMIT")
                await s.execute(text("UPDATE t SET n = n + 1"))  # the retry
                raise RuntimeError("the handler fails after the write")
        async with pool() as s:
            assert await s.scalar(text("SELECT n FROM t")) == 0
    finally:
        blocker.close()
        await pool.kw["bind"].dispose()
