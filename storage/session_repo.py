"""The base of the repositories: each works inside the one session (and transaction) of its caller."""

from __future__ import annotations

from collections.abc import Callable
from types import CodeType
from typing import Any, TypeVar

from sqlalchemy import Select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.errors import NotFound

S = TypeVar("S")


class SessionRepo:
    """A repository over its caller's session; it never commits (the per-update middleware or a job does)."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def required(self, query: Select[S], missing: str) -> S:
        """The row ``query`` finds, or ``NotFound(missing)``: the query's team check makes another team's
        row look the same as none."""
        found = await self.session.scalar(query)
        if found is None:
            raise NotFound(missing)
        return found


_BUILT: dict[CodeType, Any] = {}


def once(build: Callable[[], S]) -> S:
    """The statement ``build`` returns, built on its first call and kept, keyed by ``build``'s code: a
    method defines its statement in a nested function (its team checks stay in the method, where
    ``tests/test_isolation.py`` finds them) and binds its values as parameters. Building a statement
    costs more than SQLite running it, and a kept statement keeps its cache key too. Code objects compare
    by value, so ``build`` must hold all it builds (nested functions are part of its code) and close over
    nothing: two builders alike in code but not in what they close over would share one statement."""
    code = build.__code__
    built = _BUILT.get(code)
    if built is None:
        built = _BUILT[code] = build()
    return built
