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

from sqlalchemy.ext.asyncio import AsyncSession

from bot.i18n import Html
from domain.due import DueSend
from domain.zones import local_date_of
from scheduler.compose import ComposeContext, Outgoing
from storage.models import Outbox
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
    outbox = OutboxRepo(session)
    for head in await people.heads_to_tell(team.id, member.id):
        today = local_date_of(now, team, head)
        if not await outbox.enqueue([DueSend(team.id, head.id, NOTICE, today)]):
            await outbox.rearm(head.id, NOTICE, today)
    return True


async def _news(
    people: ReachabilityRepo, team_id: int, head_id: int, now: datetime
) -> list[tuple[Outbox, set[int]]]:
    """The team's recent 403 rows of other members still blocked, each with the ids of this head's
    notices that named it (negative: named in a notice that went out)."""
    notice_ids = await people.notice_ids(head_id, NOTICE)
    rows = await people.blocked_sends(team_id, head_id, now - LOOKBACK)
    return [(r, {i for i in (r.message_ids or ()) if abs(i) in notice_ids}) for r in rows]


async def compose_unreachable(ctx: ComposeContext) -> list[Outgoing]:
    people = ctx.repo.reachability
    own = await people.notice(ctx.member.id, NOTICE, ctx.local_date)
    if own is None:
        return []
    # not named yet, or named by this notice in an attempt that did not go out (a retry)
    news = [
        row
        for row, named in await _news(people, ctx.team.id, ctx.member.id, ctx.clock())
        if named <= {own.id}
    ]
    if not news:
        return []
    for row in news:
        if own.id not in (row.message_ids or ()):
            row.message_ids = [*(row.message_ids or []), own.id]
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
    news = await _news(people, row.team_id, head.id, now)
    if sent:
        for blocked, named in news:
            if row.id in named:
                blocked.message_ids = [-i if i == row.id else i for i in (blocked.message_ids or [])]
    if not head.active or head.unreachable:
        return
    if any(not named for _, named in news):
        await OutboxRepo(session).rearm(row.member_id, NOTICE, row.local_date)
