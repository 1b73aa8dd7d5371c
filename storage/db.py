"""Engine and session factory.

SQLite: WAL journal, a busy timeout, and every transaction opened with ``BEGIN IMMEDIATE``. pysqlite's own
implicit ``BEGIN`` is deferred, and a deferred read transaction that later writes cannot wait for the lock:
it fails at once with "database is locked" whatever the busy timeout. Taking the write lock up front makes
concurrent writers queue behind the busy timeout instead.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import BigInteger, bindparam, event, func, select, text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

from storage.sqlite_onehop import defer_begin
from storage.sqlite_onehop import install as install_one_trip

SQLITE_BUSY_TIMEOUT_MS = 15_000
SQLITE_BEGIN = "sqlite_begin"
"""A connection's execution option naming the statement its SQLite transactions begin with ("BEGIN":
deferred, for work that writes only temporary tables, ``storage/import_repo.staging_session``)."""


def is_sqlite(url: str) -> bool:
    return url.startswith("sqlite")


def create_engine(url: str, *, read_only: bool = False, **kwargs: Any) -> AsyncEngine:
    """``read_only``: for work that only reads (bot/heavy.py); on SQLite its transactions begin deferred,
    so a long read holds no write lock (in WAL mode a reader and the writer do not wait for each other)."""
    if is_sqlite(url):
        engine = create_async_engine(url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000}, **kwargs)
        _tune_sqlite(engine, "BEGIN" if read_only else "BEGIN IMMEDIATE")
        return engine
    kwargs.setdefault("pool_size", 10)
    kwargs.setdefault("max_overflow", 10)
    kwargs.setdefault("pool_pre_ping", True)
    return create_async_engine(url, **kwargs)


def _tune_sqlite(engine: AsyncEngine, begin: str = "BEGIN IMMEDIATE") -> None:
    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        install_one_trip(dbapi_connection)  # each statement one trip to aiosqlite's thread, not four
        # Stop the driver from issuing its own deferred BEGIN; we issue ours in _on_begin.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(conn: Any) -> None:
        sql = conn.get_execution_options().get(SQLITE_BEGIN, begin)
        if not defer_begin(conn.connection.dbapi_connection, sql):  # else it rides with the first statement
            conn.exec_driver_sql(sql)


async def ping(session: AsyncSession) -> None:
    """One round trip to the database (``SELECT 1``): raises when it does not answer."""
    await session.execute(text("SELECT 1"))


# Built once and run on the session's connection (Core): every update on PostgreSQL takes it, and the ORM's
# execute path and building the select cost more than the lock itself.
_PERSON_LOCK = select(func.pg_advisory_xact_lock(bindparam("key", type_=BigInteger)))


async def lock_person(session: AsyncSession, key: int) -> None:
    """PostgreSQL: take the transaction-scoped advisory lock on ``key`` (a person's Telegram id), waiting
    for another transaction holding it; released when the transaction ends."""
    await (await session.connection()).execute(_PERSON_LOCK, {"key": key})


def create_session_pool(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False, autoflush=True)
