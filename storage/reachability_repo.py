"""Who blocked the bot, and what the heads were told about it (``scheduler.notices``): the flag on the
member, the team's heads to tell and the recent 403 rows of the outbox."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from sqlalchemy import ColumnElement, select, update

from domain.due import DueSend
from domain.enums import OutboxStatus, Role
from domain.zones import local_date_of
from storage.models import Member, Outbox, Team
from storage.outbox_repo import OutboxRepo
from storage.session_repo import SessionRepo


class ReachabilityRepo(SessionRepo):
    async def mark_unreachable(self, member_id: int) -> bool:
        """Turn the member's ``unreachable`` flag on; whether it was off."""
        return await self._flip(Member.id == member_id, unreachable=True)

    async def mark_reachable(self, tg_id: int) -> bool:
        """The user with this Telegram id unblocked the bot: their flag goes off (in every team);
        whether any was on."""
        return await self._flip(Member.tg_id == tg_id, unreachable=False)

    async def _flip(self, who: ColumnElement[bool], *, unreachable: bool) -> bool:
        """Set the ``unreachable`` flag of the members ``who`` picks where it differs; whether any did."""
        result = await self.session.execute(
            update(Member)
            .where(who, Member.unreachable.is_(not unreachable))
            .values(unreachable=unreachable)
            .execution_options(synchronize_session="fetch")
        )
        return bool(getattr(result, "rowcount", 0))

    async def member_and_team(self, member_id: int) -> tuple[Member, Team]:
        member = await self.session.get(Member, member_id)
        assert member is not None
        team = await self.session.get(Team, member.team_id)
        assert team is not None
        return member, team

    async def heads_to_tell(self, team_id: int, blocked_id: int | None = None) -> Sequence[Member]:
        """The team's active, reachable heads, but the member who blocked the bot (if any)."""
        query = select(Member).where(
            Member.team_id == team_id,
            Member.role == Role.HEAD,
            Member.active.is_(True),
            Member.unreachable.is_(False),
        )
        if blocked_id is not None:
            query = query.where(Member.id != blocked_id)
        return (await self.session.scalars(query)).all()

    async def tell_heads(self, team_id: int, kind: str, now: datetime, *, but: int | None = None) -> int:
        """Queue the notice ``kind`` to the team's active, reachable heads (but member ``but``) for their
        local today, made due again where today's already went out; how many heads."""
        team = await self.session.get(Team, team_id)
        if team is None:
            return 0
        heads = await self.heads_to_tell(team_id, but)
        outbox = OutboxRepo(self.session)
        for head in heads:
            today = local_date_of(now, team, head)
            if not await outbox.enqueue([DueSend(team_id, head.id, kind, today)]):
                await outbox.rearm(head.id, kind, today)
        return len(heads)

    async def blocked_sends(self, team_id: int, head_id: int, since: datetime) -> Sequence[Outbox]:
        """The team's 403 rows since ``since`` of other members, still active and still blocked."""
        return (
            await self.session.scalars(
                select(Outbox)
                .join(Member, Member.id == Outbox.member_id)
                .where(
                    Outbox.team_id == team_id,
                    Outbox.member_id != head_id,
                    Outbox.status == OutboxStatus.UNREACHABLE,
                    Outbox.sent_at >= since,
                    Member.unreachable.is_(True),
                    Member.active.is_(True),
                )
                .order_by(Outbox.id)
            )
        ).all()

    async def members(self, member_ids: Iterable[int]) -> Sequence[Member]:
        """The members of ``member_ids`` (any team, active or not), in one read."""
        return (await self.session.scalars(select(Member).where(Member.id.in_(list(member_ids))))).all()
