"""A scheduled message that cannot be composed: retried only when the cause may pass, else failed and told.

* ``is_transient``: a network or database error that may pass (a refused or dropped connection, a
  timeout, a locked or restarted database) is retried with backoff like a failed send. Anything else a
  composer raises (a bug, bad data such as a name matplotlib cannot draw) will fail the same way on every
  attempt: the row is ``failed`` at once with the error (``COMPOSE_MARK`` first) and ``sent_at`` the
  instant it failed, and nothing is retried forever.
* Each active, reachable head of the team then gets the ``compose_failed`` notice for their local today
  (created, or made due again if today's already went out), the same way ``scheduler.notices`` tells of
  a blocked bot: the notice names the failed rows no notice to this head has named yet and records its id
  in their ``message_ids`` (negative once that notice went out), so each failure is told once to each
  head. A failure of a notice itself tells nobody (no loop).
"""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

import aiohttp
from aiogram.exceptions import TelegramNetworkError, TelegramRetryAfter, TelegramServerError
from sqlalchemy import exc as sa_exc
from sqlalchemy.ext.asyncio import AsyncSession

from bot.i18n import Html
from scheduler.compose import ComposeContext, Outgoing
from scheduler.told_once import after_sent, todays_news
from storage.models import Member, Outbox
from storage.reachability_repo import ReachabilityRepo
from storage.repo import Repo

FAILURE_NOTICE = "compose_failed"
COMPOSE_MARK = "compose failed"
#: How far back a failure is still news for a notice.
LOOKBACK = timedelta(days=14)
#: Kinds whose failure is not told (a notice about a notice would loop).
SILENT = frozenset({FAILURE_NOTICE, "unreachable"})

_TRANSIENT: tuple[type[BaseException], ...] = (
    OSError,  # ConnectionError, TimeoutError (asyncio's too), socket errors
    asyncio.TimeoutError,
    aiohttp.ClientError,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
    sa_exc.OperationalError,  # "database is locked", a dropped PostgreSQL connection, a deadlock
    sa_exc.InterfaceError,
    sa_exc.DisconnectionError,
    sa_exc.TimeoutError,  # the connection pool is exhausted
)


def is_transient(exc: BaseException) -> bool:
    """May ``exc`` (raised by a composer) pass if tried again later? Follows the ``raise … from`` chain."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, _TRANSIENT):
            return True
        if isinstance(current, sa_exc.DBAPIError) and current.connection_invalidated:
            return True
        current = current.__cause__
    return False


def failure_error(exc: BaseException) -> str:
    return f"{COMPOSE_MARK}: {type(exc).__name__}: {exc}"


async def report_failure(session: AsyncSession, row: Outbox, now: datetime) -> int:
    """Queue the notice of ``row``'s failure to the team's heads; returns how many heads will be told."""
    if row.kind in SILENT:
        return 0
    return await ReachabilityRepo(session).tell_heads(row.team_id, FAILURE_NOTICE, now)


async def _failures(repo: Repo, team_id: int, head_id: int, now: datetime) -> list[Outbox]:
    """The team's recent compose failures (not of the notices themselves)."""
    rows = await repo.outbox.failed_since(team_id, COMPOSE_MARK, now - LOOKBACK)
    return [r for r in rows if r.kind not in SILENT]


def _kind_label(ctx: ComposeContext, kind: str) -> str:
    key = f"kind-label-{kind}"
    return ctx.t(key) if key in ctx.t.translator.keys(ctx.t.locale) else kind


async def compose_failure_notice(ctx: ComposeContext) -> list[Outgoing]:
    news = await todays_news(ctx, FAILURE_NOTICE, _failures)
    if not news:
        return []
    members = {m.id: m for m in await ctx.repo.members.team_members(ctx.team.id, active_only=False)}
    lines = []
    for row in news:
        who: Member | None = members.get(row.member_id)
        lines.append(
            ctx.t(
                "notice-compose-failed-line",
                kind=_kind_label(ctx, row.kind),
                name=who.name if who else f"#{row.member_id}",
                date=f"{row.local_date.day:02d}.{row.local_date.month:02d}",
            )
        )
    return [Outgoing(ctx.t("notice-compose-failed", count=len(news), lines=Html("\n".join(lines))))]


async def after_failure_notice(session: AsyncSession, row_id: int, now: datetime, *, sent: bool) -> None:
    """In the transaction that marks a failure notice sent or skipped (``told_once.after_sent``)."""
    await after_sent(Repo(session), row_id, FAILURE_NOTICE, _failures, now, sent=sent)
