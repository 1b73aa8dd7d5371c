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
from storage.repo import Repo

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


#: The rows a head's notice may name: ``rows(repo, team_id, head_id, now)``, whoever named them.
NewsRows = Callable[[Repo, int, int, datetime], Awaitable[Iterable[Outbox]]]


async def _named(
    repo: Repo, kind: str, rows: NewsRows, team_id: int, head_id: int, now: datetime
) -> list[Named]:
    """The rows, each with the ids of this head's notices of ``kind`` that named it."""
    notice_ids = set(await repo.outbox.ids_of(head_id, kind))
    return named_by(await rows(repo, team_id, head_id, now), notice_ids)


async def todays_news(ctx: ComposeContext, kind: str, rows: NewsRows) -> list[Outbox]:
    """The rows the head's notice of ``kind`` for today is to name, claimed for it (``claim_news``); none
    while there is no such notice."""
    own = await ctx.repo.outbox.one(ctx.member.id, kind, ctx.local_date)
    if own is None:
        return []
    return claim_news(own.id, await _named(ctx.repo, kind, rows, ctx.team.id, ctx.member.id, ctx.clock()))


async def after_sent(
    repo: Repo, row_id: int, kind: str, rows: NewsRows, now: datetime, *, sent: bool
) -> None:
    """In the transaction that marks the notice ``row_id`` sent or skipped: if sent, the rows it named are
    told for good (``settle``); then, if a row came in meanwhile that no notice to this (still active and
    reachable) head named, the notice is made due again, so no news falls between two notices."""
    row = await repo.outbox.fresh(row_id)
    if row is None:
        return
    head = await repo.members.fresh(row.member_id)
    if head is None:
        return
    unnamed = settle(row.id, await _named(repo, kind, rows, row.team_id, head.id, now), sent=sent)
    if head.active and not head.unreachable and unnamed:
        await repo.outbox.rearm(row.member_id, kind, row.local_date)


def settle(notice_id: int, news: Sequence[Named], *, sent: bool) -> bool:
    """After the notice ``notice_id`` was sent or skipped: if sent, the rows it named are told for good
    (their mark turns negative). Returns whether some row is still named by no notice (news that came in
    meanwhile: the notice is to be made due again)."""
    if sent:
        for row, named in news:
            if notice_id in named:
                row.message_ids = [-i if i == notice_id else i for i in (row.message_ids or [])]
    return any(not named for _, named in news)
