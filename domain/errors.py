"""Errors a user can cause. Each carries a code; the bot renders it as ``error-<code>`` from the locale
files, in the user's language, and the transaction around the update rolls back, so nothing changes."""

from __future__ import annotations

from typing import Any


class UserError(Exception):
    """Something the user asked for cannot be done; ``code`` names the polite explanation."""

    def __init__(self, code: str, **args: Any) -> None:
        super().__init__(code)
        self.code = code
        self.args_ = args

    @property
    def key(self) -> str:
        return f"error-{self.code}"


class NotFound(UserError):
    """The object is gone, or belongs to someone the user may not act for (the same answer for both,
    so a forged button reveals nothing)."""

    def __init__(self, what: str = "object") -> None:
        super().__init__("not-found", what=what)


class Forbidden(UserError):
    def __init__(self) -> None:
        super().__init__("forbidden")
