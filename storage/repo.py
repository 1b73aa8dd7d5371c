"""Repositories: the only code that writes SQL. They never commit: the caller (one transaction per
update, or per job step) does. Every read of team data takes the team id, so no query can wander
into another team."""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cached_property
from typing import TYPE_CHECKING, TypeVar

from sqlalchemy import BindParameter, Integer, Select, bindparam, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from domain.enums import OPEN_STAGES, Role, Stage, TaskEventKind, TaskStatus
from domain.errors import UserError
from domain.text import clean_name, clean_text, name_key
from storage.crm_repo import CrmRepo
from storage.models import Client, HotEntry, Invite, Member, Task, TaskEvent, Team
from storage.outbox_repo import OutboxRepo
from storage.reachability_repo import ReachabilityRepo
from storage.sales_repo import SalesRepo
from storage.session_repo import SessionRepo, once
from storage.settings_repo import SettingsRepo
from storage.updates_repo import SENDER, ProcessedUpdateRepo

if TYPE_CHECKING:  # these two import this module
    from storage.day_repo import DayRepo
    from storage.head_repo import HeadRepo

INVITE_CODE_BYTES = 24  # 192 random bits, 32 URL-safe characters: fits Telegram's 64-character payload


class TeamRepo(SessionRepo):
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

    async def named(self, name: str) -> Team:
        """The team of that name, or ``UserError("team-unknown")`` (the command line's ``--team``)."""
        team = await self.by_name(name)
        if team is None:
            raise UserError("team-unknown", name=name)
        return team

    async def get(self, team_id: int) -> Team | None:
        return await self.session.get(Team, team_id)

    async def listed(self, team_id: int | None = None) -> Sequence[Team]:
        """Every team by id, or only ``team_id``."""
        query = select(Team).order_by(Team.id)
        if team_id is not None:
            query = query.where(Team.id == team_id)
        return (await self.session.scalars(query)).all()

    async def reachable_zones(self) -> list[tuple[Team, set[str | None]]]:
        """Each team that has an active, reachable member, with the time zones its members set (None: the
        team's own): where the scheduler must look for the next due instant."""
        rows = await self.session.execute(
            select(Member.team_id, Member.timezone)
            .where(Member.active.is_(True), Member.unreachable.is_(False))
            .distinct()
        )
        zones: dict[int, set[str | None]] = {}
        for team_id, tz in rows:
            zones.setdefault(team_id, set()).add(tz)
        if not zones:
            return []
        teams = (await self.session.scalars(select(Team).where(Team.id.in_(list(zones))))).all()
        return [(team, zones[team.id]) for team in teams]

    async def all(self) -> Sequence[Team]:
        return (await self.session.scalars(select(Team).order_by(Team.id))).all()


class MemberRepo(SessionRepo):
    async def active_with_team(self, tg_id: int) -> tuple[Member, Team] | None:
        """The active member with this Telegram id and their team, in one read (every update needs both)."""
        row = (await self.session.execute(SENDER, {"tg_id": tg_id})).one()
        return None if row.Member is None else (row.Member, row.Team)

    async def fresh(self, member_id: int) -> Member | None:
        """The member as the database has it now (not a copy this session read earlier)."""
        return await self.session.get(Member, member_id, populate_existing=True)

    async def names(self, member_ids: Iterable[int]) -> dict[int, str]:
        """Names by member id (for operators' listings)."""
        ids = set(member_ids)
        if not ids:
            return {}
        found = await self.session.execute(select(Member.id, Member.name).where(Member.id.in_(ids)))
        return {member_id: name for member_id, name in found}

    async def in_team(self, team_id: int, member_id: int) -> Member:
        return await self.required(
            select(Member).where(Member.id == member_id, Member.team_id == team_id), "member"
        )

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


class InviteRepo(SessionRepo):
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
        if member is not None and member.active:
            if member.team_id == invite.team_id:
                raise UserError("already-member", team=team.name)
            raise UserError("member-of-other-team")
        rejoined = member is not None
        if member is None:
            member = Member(tg_id=tg_id, locale=locale)
            self.session.add(member)
        member.team_id, member.role, member.active = invite.team_id, invite.role, True
        member.name, member.username, member.unreachable = name, username, False
        await self.session.flush()
        claimed = await self.session.execute(
            update(Invite)
            .where(Invite.id == invite.id, Invite.used_by.is_(None))
            .values(used_by=member.id, used_at=now)
            .execution_options(synchronize_session=False)
        )
        if getattr(claimed, "rowcount", 0) != 1:
            raise UserError("invite-used")
        return Joined(member=member, team=team, rejoined=rejoined)


R = TypeVar("R")


def _on_first_use(repository: Callable[[AsyncSession], R]) -> cached_property[R]:
    """An attribute of ``Repo``: ``repository`` over its session, built when first read and then kept."""

    def build(repo: Repo) -> R:
        return repository(repo.session)

    return cached_property(build)


class Repo:
    """All repositories over one session: what a handler receives as ``repo``, the one data layer.

    Handlers and jobs reach every repository through it (``repo.days``, ``repo.heads``, ``repo.sales``…);
    none builds a repository from ``repo.session``. The larger repositories are built on first use, so an
    update that needs only the member pays for nothing else.
    """

    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self.teams = TeamRepo(session)
        self.members = MemberRepo(session)
        self.invites = InviteRepo(session)
        self.clients = ClientRepo(session)
        self.tasks = TaskRepo(session)

    outbox = _on_first_use(OutboxRepo)
    reachability = _on_first_use(ReachabilityRepo)
    sales = _on_first_use(SalesRepo)
    settings = _on_first_use(SettingsRepo)
    updates = _on_first_use(ProcessedUpdateRepo)
    crm = _on_first_use(CrmRepo)

    @cached_property
    def days(self) -> DayRepo:
        from storage.day_repo import DayRepo  # day_repo imports ClientRepo and TaskRepo from this module

        return DayRepo(self.session)

    @cached_property
    def heads(self) -> HeadRepo:
        from storage.head_repo import HeadRepo  # head_repo imports day_repo

        return HeadRepo(self.session)


MAX_CLIENT_NAME = 200  # the width of clients.name_key


class ClientRepo(SessionRepo):
    """Clients of a team. A company is one client per team: names are cleaned (``domain.text.clean_name``:
    NFKC, no invisible or bidi control characters, spaces collapsed) before they are stored or compared,
    and ``create`` refuses a name whose key the team already has, whoever owns it. Every path that makes
    a client (``/newclient``, ``/add``, ``/lead``, ``/deal``, import, CRM) goes through ``create``."""

    @staticmethod
    def clean(name: str) -> str:
        """The name as it would be stored; refused when nothing visible is left or it is too long."""
        name = clean_name(name)
        if not name:
            raise UserError("client-name-empty")
        if len(name) > MAX_CLIENT_NAME:
            raise UserError("client-name-too-long", limit=MAX_CLIENT_NAME)
        return name

    async def create(self, team_id: int, owner_id: int, name: str, stage: Stage = Stage.NEW) -> Client:
        """A new client; ``UserError("client-exists")`` (naming the owner) when the team has it already."""
        name = self.clean(name)
        existing = await self.by_exact_name(team_id, name)
        if existing is not None:
            raise UserError("client-exists", name=existing.name, owner=await self.owner_name(existing))
        client = Client(team_id=team_id, owner_id=owner_id, name=name, name_key=name_key(name), stage=stage)
        self.session.add(client)
        await self.session.flush()
        return client

    async def owner_name(self, client: Client) -> str:
        owner = await self.session.scalar(
            select(Member.name).where(Member.id == client.owner_id, Member.team_id == client.team_id)
        )
        return owner or "—"

    async def of_team(self, team_id: int, limit: int) -> Sequence[Client]:
        """The team's clients in name order, at most ``limit``."""
        stmt = select(Client).where(Client.team_id == team_id).order_by(Client.name_key, Client.id)
        return (await self.session.scalars(stmt.limit(limit))).all()

    async def get(self, team_id: int, client_id: int) -> Client:
        return await self.required(
            select(Client).where(Client.id == client_id, Client.team_id == team_id), "client"
        )

    async def find(
        self, team_id: int, query: str, owner_id: int | None = None, limit: int = 20
    ) -> Sequence[Client]:
        """Clients whose name contains ``query``, case-insensitively (Cyrillic too); exact matches first.
        The statements are built once (every /add and client search runs one; building it cost a third of
        running it), the values bound: ``like`` is the key with ``/``, ``%`` and ``_`` escaped by ``/``, as
        ``contains(key, autoescape=True)`` escapes a literal."""

        def statements() -> tuple[Select[Client], Select[Client]]:  # the team's clients, an owner's
            found = select(Client).where(
                Client.team_id == bindparam("team"), Client.name_key.contains(bindparam("like"), escape="/")
            )
            owned = found.where(Client.owner_id == bindparam("owner"))
            order = (Client.name_key != bindparam("key"), func.length(Client.name_key), Client.id)
            most: BindParameter[int] = bindparam("limit", type_=Integer)
            return found.order_by(*order).limit(most), owned.order_by(*order).limit(most)

        key = name_key(query)
        like = key.replace("/", "//").replace("%", "/%").replace("_", "/_")
        team, owners = once(statements)
        params = {"team": team_id, "like": like, "key": key, "limit": limit, "owner": owner_id}
        return (await self.session.scalars(team if owner_id is None else owners, params)).all()

    async def by_exact_name(self, team_id: int, name: str, owner_id: int | None = None) -> Client | None:
        stmt = select(Client).where(Client.team_id == team_id, Client.name_key == name_key(name))
        if owner_id is not None:
            stmt = stmt.where(Client.owner_id == owner_id)
        return await self.session.scalar(stmt.order_by(Client.id).limit(1))

    async def of_owner(
        self, team_id: int, owner_id: int, open_only: bool = True, limit: int | None = None
    ) -> Sequence[Client]:
        """The owner's clients in name order (open-stage ones by default), at most ``limit``."""
        stmt = select(Client).where(Client.team_id == team_id, Client.owner_id == owner_id)
        if open_only:
            stmt = stmt.where(Client.stage.in_(OPEN_STAGES))
        return (await self.session.scalars(stmt.order_by(Client.name_key).limit(limit))).all()

    async def hot_client_ids(self, team_id: int) -> set[int]:
        rows = await self.session.scalars(
            select(HotEntry.client_id).where(HotEntry.team_id == team_id, HotEntry.closed_at.is_(None))
        )
        return set(rows)


class TaskRepo(SessionRepo):
    async def create(
        self,
        team_id: int,
        assignee_id: int,
        action: str,
        due: date,
        *,
        client_id: int | None,
        created_by: int | None,
        plan_id: int | None = None,
    ) -> Task:
        action = clean_text(action)
        if not action:
            raise UserError("action-empty")
        task = Task(
            team_id=team_id,
            assignee_id=assignee_id,
            action=action,
            due_date=due,
            status=TaskStatus.OPEN,
            moves=0,
            client_id=client_id,
            created_by=created_by,
            plan_id=plan_id,
        )
        self.session.add(task)
        await self.session.flush()
        self.log(task, TaskEventKind.CREATED, created_by, due=due.isoformat())
        return task

    def log(
        self,
        task: Task,
        kind: TaskEventKind,
        actor_id: int | None,
        from_date: date | None = None,
        at: datetime | None = None,
        **data: object,
    ) -> None:
        """Record what happened to ``task``; ``at`` is the injected clock's now (the server's when None)."""
        event = TaskEvent(
            task_id=task.id,
            actor_id=actor_id,
            kind=kind,
            from_date=from_date or task.due_date,
            data=data or None,
        )
        if at is not None:
            event.at = at
        self.session.add(event)

    async def get(self, team_id: int, task_id: int) -> Task:
        return await self.required(select(Task).where(Task.id == task_id, Task.team_id == team_id), "task")

    async def open_for(self, assignee_id: int, up_to: date) -> Sequence[Task]:
        """Open tasks due on or before ``up_to``: today's list including everything overdue."""
        return (
            await self.session.scalars(
                select(Task).where(
                    Task.assignee_id == assignee_id, Task.status == TaskStatus.OPEN, Task.due_date <= up_to
                )
            )
        ).all()

    async def open_client_ids(self, assignee_id: int) -> set[int]:
        rows = await self.session.scalars(
            select(Task.client_id)
            .where(
                Task.assignee_id == assignee_id, Task.status == TaskStatus.OPEN, Task.client_id.is_not(None)
            )
            .distinct()
        )
        return {client_id for client_id in rows if client_id is not None}

    async def of_day(self, assignee_id: int, day: date) -> Sequence[Task]:
        """Every task of ``day``: due that day (any status), plus those moved away from it that day."""
        moved_away = select(TaskEvent.task_id).where(
            TaskEvent.kind == TaskEventKind.MOVED, TaskEvent.from_date == day
        )
        return (
            await self.session.scalars(
                select(Task)
                .where(Task.assignee_id == assignee_id, (Task.due_date == day) | Task.id.in_(moved_away))
                .order_by(Task.id)
            )
        ).all()

    async def open_of_client(self, client_id: int, limit: int) -> Sequence[Task]:
        """A client's open tasks, the nearest first, at most ``limit``."""
        return (
            await self.session.scalars(
                select(Task)
                .where(Task.client_id == client_id, Task.status == TaskStatus.OPEN)
                .order_by(Task.due_date, Task.id)
                .limit(limit)
            )
        ).all()

    async def recent_outcomes(self, client_id: int, limit: int = 3) -> Sequence[Task]:
        return (
            await self.session.scalars(
                select(Task)
                .where(Task.client_id == client_id)
                .order_by(Task.updated_at.desc(), Task.id.desc())
                .limit(limit)
            )
        ).all()


__all__ = ["ClientRepo", "InviteRepo", "MemberRepo", "Repo", "TaskRepo", "TeamRepo", "name_key"]
