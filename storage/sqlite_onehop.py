"""Each SQLite statement in one trip to aiosqlite's thread, not four.

aiosqlite runs every call on its connection in a thread of its own: the event loop queues the call, the
thread runs it and hands the result back through the loop's self-pipe. SQLAlchemy's aiosqlite cursor
makes four such trips a statement (open a cursor, execute, fetch the rows, close the cursor), so a
statement that SQLite runs in microseconds cost the bot about half a millisecond of queueing, thread
switches and wake-ups, more on a loaded machine (``bench/updates.py``'s "floor", one transaction with
one read, was four fifths such trips). ``OneTripCursor`` does the four in one function run in the thread
and keeps what SQLAlchemy reads afterwards (the description, the rows, rowcount, lastrowid).

A transaction made two trips more than its statements: its ``BEGIN IMMEDIATE`` (``storage/db.py``) and,
after its commit, the pool's rollback of a connection handed back (a reset that finds nothing to undo).
Now the begin rides with the transaction's first statement (``defer_begin``), and a commit or rollback
with no transaction open in SQLite (``in_transaction``) makes no trip: an update's transaction is its
statements and one commit. A transaction whose every statement failed, or that ran none, commits or
rolls back nothing, as before.

It relies on what SQLAlchemy's own aiosqlite dialect relies on: aiosqlite's ``Connection._execute`` (queue
a function for its thread) and ``Connection._conn`` (the ``sqlite3.Connection`` there). ``install`` checks
they exist and the connection is SQLAlchemy's aiosqlite adapter; else it changes nothing (four trips, as
before). ``tests/storage/test_sqlite_onehop.py`` runs statements through both.
"""

from __future__ import annotations

import collections
import sqlite3
from collections.abc import Sequence
from typing import Any

from sqlalchemy.dialects.sqlite.aiosqlite import (
    AsyncAdapt_aiosqlite_connection,
    AsyncAdapt_aiosqlite_cursor,
)
from sqlalchemy.util.concurrency import await_

Outcome = tuple[Any, list[Any], int, int | None]

_BEGIN = "_rop_deferred_begin"
"""The attribute of an aiosqlite connection holding the begin its next statement runs first."""


def _run(conn: sqlite3.Connection, begin: str | None, operation: str, parameters: Any, many: bool) -> Outcome:
    """In aiosqlite's thread: the transaction's begin if it is still to run, then the statement from cursor
    to close."""
    if begin is not None:
        conn.execute(begin)
    cursor = conn.cursor()
    try:
        if many:
            cursor.executemany(operation, parameters)
        elif parameters is None:
            cursor.execute(operation)
        else:
            cursor.execute(operation, parameters)
        description = cursor.description
        rows = cursor.fetchall() if description else []
        return description, rows, cursor.rowcount, cursor.lastrowid
    finally:
        cursor.close()


class OneTripCursor(AsyncAdapt_aiosqlite_cursor):
    """SQLAlchemy's aiosqlite cursor, each statement in one trip to the thread; the rows are buffered as
    the original buffers them (it fetches all after each execute)."""

    __slots__ = ("_description", "_lastrowid", "_rowcount")

    def __init__(self, adapt_connection: Any) -> None:  # no aiosqlite cursor: no trip
        self._adapt_connection = adapt_connection
        self._connection = adapt_connection._connection
        self._cursor = None  # type: ignore[assignment]  # nothing to close: close() returns at once
        self._soft_closed_memoized = {}  # type: ignore[assignment]  # the base class's immutabledict
        self._rows = collections.deque()
        self._description: Any = None
        self._rowcount = -1
        self._lastrowid: int | None = None

    @property
    def description(self) -> Any:
        return self._description

    @property
    def rowcount(self) -> int:
        return self._rowcount

    @property
    def lastrowid(self) -> int:
        return self._lastrowid  # type: ignore[return-value]  # None before an insert, as sqlite3's

    async def _async_soft_close(self) -> None:
        """Nothing is open in the thread after a statement."""

    def close(self) -> None:
        self._rows.clear()

    def execute(self, operation: Any, parameters: Any = None) -> Any:
        try:
            return await_(self._trip(operation, parameters, many=False))
        except Exception as error:
            self._adapt_connection._handle_exception(error)

    def executemany(self, operation: Any, seq_of_parameters: Sequence[Any]) -> Any:
        try:
            return await_(self._trip(operation, seq_of_parameters, many=True))
        except Exception as error:
            self._adapt_connection._handle_exception(error)

    async def _trip(self, operation: Any, parameters: Any, many: bool) -> None:
        connection = self._connection
        async with self._adapt_connection._execute_mutex:
            begin = connection.__dict__.pop(_BEGIN, None)
            try:
                outcome: Outcome = await connection._execute(  # aiosqlite private API: see the module doc
                    _run, connection._conn, begin, operation, parameters, many
                )
            except BaseException:
                _unless_begun(connection, begin)
                raise
        self._description, rows, self._rowcount, self._lastrowid = outcome
        self._rows = collections.deque(rows)


def _unless_begun(connection: Any, begin: str | None) -> None:
    """After a failed trip: a begin that did not take (SQLite busy past the timeout) waits for the next
    statement again, so a caller that carries on in the same transaction does not run in autocommit."""
    conn = connection._connection
    if begin is not None and conn is not None and not conn.in_transaction:
        connection.__dict__[_BEGIN] = begin


class OneTripConnection(AsyncAdapt_aiosqlite_connection):
    __slots__ = ()
    _cursor_cls = OneTripCursor

    def cursor(self, server_side: bool = False) -> Any:
        """A server-side cursor (``session.stream``, ``yield_per``) runs its statements itself, in trips of
        its own: the transaction's begin is sent first, alone."""
        if server_side:
            inner = self._connection
            begin = inner.__dict__.pop(_BEGIN, None)
            if begin is not None:
                try:
                    await_(inner._execute(inner._conn.execute, begin))
                except Exception as error:
                    _unless_begun(inner, begin)
                    self._handle_exception(error)
        return super().cursor(server_side)

    def commit(self) -> None:
        if self._in_transaction():
            super().commit()

    def rollback(self) -> None:
        if self._in_transaction():
            super().rollback()

    def _in_transaction(self) -> bool:
        """Whether SQLite has a transaction open on this connection. A begin still waiting for a statement
        is dropped: it was never sent, so there is nothing to end. ``in_transaction`` is a flag of the
        ``sqlite3`` connection, readable from any thread (no statement runs on this connection meanwhile:
        SQLAlchemy ends a transaction between statements)."""
        inner = self._connection
        if inner.__dict__.pop(_BEGIN, None) is not None:
            return False
        conn = inner._connection  # aiosqlite's sqlite3 connection; None once closed
        return conn is None or conn.in_transaction  # closed: the base class says what that means


def defer_begin(dbapi_connection: Any, begin: str) -> bool:
    """Have ``begin`` run in the thread with this connection's next statement; False when the connection
    is not a ``OneTripConnection`` (the caller runs the begin itself)."""
    if type(dbapi_connection) is not OneTripConnection:
        return False
    dbapi_connection._connection.__dict__[_BEGIN] = begin
    return True


def install(dbapi_connection: Any) -> bool:
    """Make this connection's cursors ``OneTripCursor`` (called on connect); False when it is not
    SQLAlchemy's aiosqlite adapter over an aiosqlite connection this was written against."""
    if type(dbapi_connection) is not AsyncAdapt_aiosqlite_connection:
        return False
    inner = getattr(dbapi_connection, "_connection", None)
    if not callable(getattr(inner, "_execute", None)) or not isinstance(
        getattr(inner, "_conn", None), sqlite3.Connection
    ):
        return False
    dbapi_connection.__class__ = OneTripConnection
    return True
