"""Scheduled jobs by name. The manager's day and the head's digests register theirs here."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

JobFunc = Callable[..., Awaitable[int]]

JOBS: dict[str, JobFunc] = {}
