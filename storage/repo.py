"""Repositories: the only code that writes SQL. They never commit: the caller (one transaction per
update, or per job step) does. Every read of team data takes the team id, so no query can wander
into another team."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from domain.enums import Role
from domain.errors import NotFound, UserError
from storage.models import Invite, Member, Team

INVITE_CODE_BYTES = 24  # 192 random bits, 32 URL-safe characters: fits Telegram's 64-character payload


class TeamRepo:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def create(self, name: str, timezone: str) -> Team:
        name = name.strip()
        if not name or len(name) > 128:
            raise UserError("team-name")
        if await self.by_name(name) is not None:
            raise UserError("team-exists", name=name)
        team = Team(name=name, timezone=timezone)
        self.session.add(team)
        await self.session.flush()
        return team

    async def by_name(self, name: str) -> Team | None:
        return await self.session.scalar(select(Team).where(Team.name == name.strip()))

    async def get(self, team_id: int) -> Team | None:
        return await self.session.get(Team, team_id)

    async def all(self) -> Sequence[Team]:
        return (await self.session.scalars(select(Team).order_by(Team.id))).all()


class MemberRepo:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def by_tg_id(self, tg_id: int) -> Member | None:
        return await self.session.scalar(select(Member).where(Member.tg_id == tg_id))

    async def in_team(self, team_id: int, member_id: int) -> Member:
        member = await self.session.scalar(
            select(Member).where(Member.id == member_id, Member.team_id == team_id)
        )
        if member is None:
            raise NotFound("member")
        return member

    async def team_members(self, team_id: int, *, active_only: bool = True) -> Sequence[Member]:
        query = select(Member).where(Member.team_id == team_id)
        if active_only:
            query = query.where(Member.active.is_(True))
        return (await self.session.scalars(query.order_by(Member.role, Member.name, Member.id))).all()

    async def count_active(self, team_id: int, role: Role) -> int:
        return (
            await self.session.scalar(
                select(func.count())
                .select_from(Member)
                .where(Member.team_id == team_id, Member.role == role, Member.active.is_(True))
            )
            or 0
        )


@dataclass(frozen=True)
class Joined:
    member: Member
    team: Team
    rejoined: bool


class InviteRepo:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def create(
        self, team_id: int, role: Role, now: datetime, ttl: timedelta, created_by: int | None = None
    ) -> Invite:
        invite = Invite(
            code=secrets.token_urlsafe(INVITE_CODE_BYTES),
            team_id=team_id,
            role=role,
            created_by=created_by,
            expires_at=now + ttl,
        )
        self.session.add(invite)
        await self.session.flush()
        return invite

    async def redeem(
        self, code: str, tg_id: int, name: str, username: str | None, locale: str, now: datetime
    ) -> Joined:
        """Join the user to the invite's team with its role; the code works once.

        The claim is a conditional UPDATE, so two people racing for one code cannot both win.
        """
        invite = await self.session.scalar(select(Invite).where(Invite.code == code))
        if invite is None:
            raise UserError("invite-unknown")
        if invite.used_by is not None:
            raise UserError("invite-used")
        if invite.expires_at <= now:
            raise UserError("invite-expired")
        team = await self.session.get(Team, invite.team_id)
        if team is None:
            raise UserError("invite-unknown")
        member = await self.session.scalar(select(Member).where(Member.tg_id == tg_id))
        rejoined = False
        if member is not None and member.active:
            if member.team_id == invite.team_id:
                raise UserError("already-member", team=team.name)
            raise UserError("member-of-other-team")
        if member is None:
            member = Member(
                tg_id=tg_id,
                team_id=invite.team_id,
                name=name,
                username=username,
                role=invite.role,
                locale=locale,
                active=True,
            )
            self.session.add(member)
        else:
            rejoined = True
            member.team_id, member.role, member.active = invite.team_id, invite.role, True
            member.name, member.username, member.unreachable = name, username, False
        await self.session.flush()
        claimed = await self.session.execute(
            update(Invite)
            .where(Invite.id == invite.id, Invite.used_by.is_(None))
            .values(used_by=member.id, used_at=now)
            .execution_options(synchronize_session=False)
        )
        if claimed.rowcount != 1:
            raise UserError("invite-used")
        return Joined(member=member, team=team, rejoined=rejoined)


class Repo:
    """All repositories over one session: what a handler receives as ``repo``."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self.teams = TeamRepo(session)
        self.members = MemberRepo(session)
        self.invites = InviteRepo(session)
