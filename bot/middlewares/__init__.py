"""Middlewares, in the order an update meets them: throttling, database session, member and language,
callback answering (inner)."""

from bot.middlewares.auth import MemberMiddleware
from bot.middlewares.callbacks import AnswerCallbackMiddleware
from bot.middlewares.db import DbSessionMiddleware
from bot.middlewares.throttling import ThrottlingMiddleware

__all__ = ["AnswerCallbackMiddleware", "DbSessionMiddleware", "MemberMiddleware", "ThrottlingMiddleware"]
