"""``storage.sqlite_onehop``: SQLite statements in one trip to aiosqlite's thread give what SQLAlchemy's
own cursor gives (rows, RETURNING, lastrowid, rowcount, executemany, errors, rollback)."""

from __future__ import annotations

import asyncio
from pathlib import Path

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
