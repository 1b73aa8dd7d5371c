"""Telling each head once: the bookkeeping the notices of ``scheduler.notices`` (a member blocked the bot)
and ``scheduler.failures`` (a message could not be composed) share.

A notice names rows (the news) and records its own row id in their ``message_ids``; the id turns
negative once that notice went out. So a row is news to a head while no notice to that head names it,
or only the notice being composed names it (an attempt that did not go out: a retry names it again).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Sequence
from datetime import datetime

from scheduler.compose import ComposeContext
from storage.models import Outbox

#: A news row and the ids of this head's notices that named it (negative: in a notice that went out).
Named = tuple[Outbox, set[int]]


def named_by(rows: Iterable[Outbox], notice_ids: set[int]) -> list[Named]:
    """Each row with the ids of the head's notices (``notice_ids``) that named it."""
    return [(r, {i for i in (r.message_ids or ()) if abs(i) in notice_ids}) for r in rows]


def claim_news(own_id: int, news: Sequence[Named]) -> list[Outbox]:
    """The rows the notice ``own_id`` is to name (none named them, or only this notice did, in an attempt
    that did not go out), each marked with ``own_id``."""
    claimed = [row for row, named in news if named <= {own_id}]
    for row in claimed:
        if own_id not in (row.message_ids or ()):
            row.message_ids = [*(row.message_ids or []), own_id]
    return claimed


async def todays_news(
    ctx: ComposeContext, kind: str, news: Callable[[int, int, datetime], Awaitable[Sequence[Named]]]
) -> list[Outbox]:
    """The rows the head's notice of ``kind`` for today is to name, claimed for it (``claim_news``) from
    ``news(team_id, head_id, now)``; none while there is no such notice."""
    own = await ctx.repo.outbox.one(ctx.member.id, kind, ctx.local_date)
    if own is None:
        return []
    return claim_news(own.id, await news(ctx.team.id, ctx.member.id, ctx.clock()))


def settle(notice_id: int, news: Sequence[Named], *, sent: bool) -> bool:
    """After the notice ``notice_id`` was sent or skipped: if sent, the rows it named are told for good
    (their mark turns negative). Returns whether some row is still named by no notice (news that came in
    meanwhile: the notice is to be made due again)."""
    if sent:
        for row, named in news:
            if notice_id in named:
                row.message_ids = [-i if i == notice_id else i for i in (row.message_ids or [])]
    return any(not named for _, named in news)
