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

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.i18n import Html
from domain.due import DueSend
from domain.enums import OutboxStatus, Role
from domain.zones import local_date_of
from scheduler.compose import ComposeContext, Kind, Outgoing, register
from scheduler.outbox import OutboxRepo
from storage.models import Member, Outbox, Team

NOTICE = "unreachable"
#: How far back a 403 is still news for a notice.
LOOKBACK = timedelta(days=14)


async def report_unreachable(session: AsyncSession, member_id: int, now: datetime) -> bool:
    """Turn the member's ``unreachable`` flag on; if it was off, queue the notice to the team's heads.
    Returns whether the flag changed."""
    flipped = await session.execute(
        update(Member)
        .where(Member.id == member_id, Member.unreachable.is_(False))
        .values(unreachable=True)
        .execution_options(synchronize_session="fetch")
    )
    if not flipped.rowcount:
        return False
    member = await session.get(Member, member_id)
    assert member is not None
    team = await session.get(Team, member.team_id)
    assert team is not None
    heads = (
        await session.scalars(
            select(Member).where(
                Member.team_id == member.team_id,
                Member.role == Role.HEAD,
                Member.active.is_(True),
                Member.unreachable.is_(False),
                Member.id != member_id,
            )
        )
    ).all()
    outbox = OutboxRepo(session)
    for head in heads:
        today = local_date_of(now, team, head)
        if not await outbox.enqueue([DueSend(team.id, head.id, NOTICE, today)]):
            await outbox.rearm(head.id, NOTICE, today)
    return True


async def _news(
    session: AsyncSession, team_id: int, head_id: int, now: datetime
) -> list[tuple[Outbox, set[int]]]:
    """The team's recent 403 rows of other members still blocked, each with the ids of this head's
    notices that named it (negative: named in a notice that went out)."""
    notice_ids = set(
        (
            await session.scalars(select(Outbox.id).where(Outbox.member_id == head_id, Outbox.kind == NOTICE))
        ).all()
    )
    rows = (
        await session.scalars(
            select(Outbox)
            .join(Member, Member.id == Outbox.member_id)
            .where(
                Outbox.team_id == team_id,
                Outbox.member_id != head_id,
                Outbox.status == OutboxStatus.UNREACHABLE,
                Outbox.sent_at >= now - LOOKBACK,
                Member.unreachable.is_(True),
                Member.active.is_(True),
            )
            .order_by(Outbox.id)
        )
    ).all()
    return [(r, {i for i in (r.message_ids or ()) if abs(i) in notice_ids}) for r in rows]


async def compose_unreachable(ctx: ComposeContext) -> list[Outgoing]:
    session = ctx.repo.session
    own = await session.scalar(
        select(Outbox).where(
            Outbox.member_id == ctx.member.id, Outbox.kind == NOTICE, Outbox.local_date == ctx.local_date
        )
    )
    if own is None:
        return []
    # not named yet, or named by this notice in an attempt that did not go out (a retry)
    news = [
        row
        for row, named in await _news(session, ctx.team.id, ctx.member.id, ctx.clock())
        if named <= {own.id}
    ]
    if not news:
        return []
    for row in news:
        if own.id not in (row.message_ids or ()):
            row.message_ids = [*(row.message_ids or []), own.id]
    member_ids = sorted({r.member_id for r in news})
    members = (await session.scalars(select(Member).where(Member.id.in_(member_ids)))).all()
    names = sorted(m.name + (f" (@{m.username})" if m.username else "") for m in members)
    lines = Html("\n".join(ctx.t("notice-unreachable-line", name=n) for n in names))
    return [Outgoing(ctx.t("notice-unreachable", count=len(names), names=lines))]


async def after_notice(session: AsyncSession, row_id: int, now: datetime, *, sent: bool) -> None:
    """Called in the transaction that marks a notice sent or skipped. Sent: the blocks it named are
    reported for good (their mark turns negative). Then, if a block came in meanwhile that no notice to
    this (still reachable) head named, the notice is made due again."""
    row = await session.get(Outbox, row_id, populate_existing=True)
    if row is None:
        return
    head = await session.get(Member, row.member_id, populate_existing=True)
    if head is None:
        return
    news = await _news(session, row.team_id, head.id, now)
    if sent:
        for blocked, named in news:
            if row.id in named:
                blocked.message_ids = [-i if i == row.id else i for i in (blocked.message_ids or [])]
    if not head.active or head.unreachable:
        return
    if any(not named for _, named in news):
        await OutboxRepo(session).rearm(row.member_id, NOTICE, row.local_date)


UNREACHABLE = register(
    Kind(NOTICE, compose_unreachable, frozenset({Role.HEAD.value}), at="", working_days_only=False)
)
