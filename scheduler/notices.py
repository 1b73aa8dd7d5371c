"""The head is told, once, when a member blocked the bot; the notice itself goes through the outbox.

* A send answered 403 leaves its row ``unreachable`` (``sent_at``: when Telegram refused). If that turns
  the member's ``unreachable`` flag on, every active, reachable head of the team gets the ``unreachable``
  notice row for their local today (created, or made due again if today's was already sent or skipped).
* The notice composer names the members behind the 403 rows no notice to this head has named yet, and
  records itself in those rows' ``message_ids`` (the ids of the notice rows that named them, negative once
  that notice went out); a retry of the same notice names them again, a later send of it or any other
  notice does not. So each block is reported once to each head.
* A notice finished while another block came in is made due again (``after_notice``), in the transaction
  that marks it, so no block falls between two notices.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from functools import partial

from sqlalchemy.ext.asyncio import AsyncSession

from bot.i18n import Html
from scheduler.compose import ComposeContext, Outgoing
from scheduler.told_once import Named, named_by, settle, todays_news
from storage.outbox_repo import OutboxRepo
from storage.reachability_repo import ReachabilityRepo

NOTICE = "unreachable"
#: How far back a 403 is still news for a notice.
LOOKBACK = timedelta(days=14)


async def report_unreachable(session: AsyncSession, member_id: int, now: datetime) -> bool:
    """Turn the member's ``unreachable`` flag on; if it was off, queue the notice to the team's heads.
    Returns whether the flag changed."""
    people = ReachabilityRepo(session)
    if not await people.mark_unreachable(member_id):
        return False
    member, team = await people.member_and_team(member_id)
    await people.tell_heads(team.id, NOTICE, now, but=member.id)
    return True


async def _news(people: ReachabilityRepo, team_id: int, head_id: int, now: datetime) -> list[Named]:
    """The team's recent 403 rows of other members still blocked, each with the ids of this head's
    notices that named it (negative: named in a notice that went out)."""
    notice_ids = await people.notice_ids(head_id, NOTICE)
    rows = await people.blocked_sends(team_id, head_id, now - LOOKBACK)
    return named_by(rows, notice_ids)


async def compose_unreachable(ctx: ComposeContext) -> list[Outgoing]:
    people = ctx.repo.reachability
    # not named yet, or named by this notice in an attempt that did not go out (a retry)
    news = await todays_news(ctx, NOTICE, partial(_news, people))
    if not news:
        return []
    members = await people.members(sorted({r.member_id for r in news}))
    names = sorted(m.name + (f" (@{m.username})" if m.username else "") for m in members)
    lines = Html("\n".join(ctx.t("notice-unreachable-line", name=n) for n in names))
    return [Outgoing(ctx.t("notice-unreachable", count=len(names), names=lines))]


async def after_notice(session: AsyncSession, row_id: int, now: datetime, *, sent: bool) -> None:
    """Called in the transaction that marks a notice sent or skipped. Sent: the blocks it named are
    reported for good (their mark turns negative). Then, if a block came in meanwhile that no notice to
    this (still reachable) head named, the notice is made due again."""
    people = ReachabilityRepo(session)
    row = await people.outbox_row(row_id)
    if row is None:
        return
    head = await people.member_fresh(row.member_id)
    if head is None:
        return
    unnamed = settle(row.id, await _news(people, row.team_id, head.id, now), sent=sent)
    if head.active and not head.unreachable and unnamed:
        await OutboxRepo(session).rearm(row.member_id, NOTICE, row.local_date)
