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

from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from bot.i18n import Html
from scheduler.compose import ComposeContext, Outgoing
from scheduler.told_once import after_sent, todays_news
from storage.models import Outbox
from storage.reachability_repo import ReachabilityRepo
from storage.repo import Repo

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


async def _blocked(repo: Repo, team_id: int, head_id: int, now: datetime) -> Sequence[Outbox]:
    """The team's recent 403 rows of other members still blocked."""
    return await repo.reachability.blocked_sends(team_id, head_id, now - LOOKBACK)


async def compose_unreachable(ctx: ComposeContext) -> list[Outgoing]:
    # not named yet, or named by this notice in an attempt that did not go out (a retry)
    news = await todays_news(ctx, NOTICE, _blocked)
    if not news:
        return []
    members = await ctx.repo.reachability.members(sorted({r.member_id for r in news}))
    names = sorted(m.name + (f" (@{m.username})" if m.username else "") for m in members)
    lines = Html("\n".join(ctx.t("notice-unreachable-line", name=n) for n in names))
    return [Outgoing(ctx.t("notice-unreachable", count=len(names), names=lines))]


async def after_notice(session: AsyncSession, row_id: int, now: datetime, *, sent: bool) -> None:
    """Called in the transaction that marks a notice sent or skipped (``told_once.after_sent``)."""
    await after_sent(Repo(session), row_id, NOTICE, _blocked, now, sent=sent)
