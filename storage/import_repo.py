"""What an import reads and writes (``importer/service.py`` holds the rules, this the SQL): the team's
people, clients and task keys for the preview, and the batched writes of the good rows."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from decimal import Decimal

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.enums import Role, Stage, TaskEventKind, TaskStatus
from storage.models import Client, Member, SalesPlan, Task, TaskEvent
from storage.repo import name_key

TaskKey = tuple[int, str, date]  # (client id, the action's name key, due date)


class ImportRepo:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def people(self, team_id: int) -> Sequence[Member]:
        """Who may own an imported row: the team's active managers and heads."""
        return (
            await self.session.scalars(
                select(Member).where(
                    Member.team_id == team_id,
                    Member.active.is_(True),
                    Member.role.in_((Role.MANAGER, Role.HEAD)),
                )
            )
        ).all()

    async def clients_by_key(self, team_id: int) -> dict[str, Client]:
        return {
            c.name_key: c for c in await self.session.scalars(select(Client).where(Client.team_id == team_id))
        }

    async def client_ids(self, team_id: int) -> dict[str, int]:
        """The team's client ids by name key (plain rows: an import's load reads thousands)."""
        rows = await self.session.execute(select(Client.name_key, Client.id).where(Client.team_id == team_id))
        return {key: cid for key, cid in rows}

    async def task_keys(self, team_id: int) -> tuple[set[TaskKey], set[tuple[int, str]]]:
        """Every client task of the team as (client, action key, due), and the open ones as (client, action
        key): an overdue row the team already has open (perhaps moved since) is not new."""
        rows = await self.session.execute(
            select(Task.client_id, Task.action, Task.due_date, Task.status).where(
                Task.team_id == team_id, Task.client_id.is_not(None)
            )
        )
        keys: set[TaskKey] = set()
        open_: set[tuple[int, str]] = set()
        for client_id, action, due, status in rows:
            assert client_id is not None
            keys.add((client_id, name_key(action), due))
            if status is TaskStatus.OPEN:
                open_.add((client_id, name_key(action)))
        return keys, open_

    async def member_plans(self, team_id: int) -> dict[tuple[int, date], SalesPlan]:
        plans = await self.session.scalars(
            select(SalesPlan).where(SalesPlan.team_id == team_id, SalesPlan.member_id.is_not(None))
        )
        return {(p.member_id, p.month): p for p in plans if p.member_id is not None}

    async def add_clients(self, team_id: int, rows: Iterable[tuple[str, int, Stage]]) -> dict[str, int]:
        """New clients (name, owner, stage) in one multi-row insert; their ids by name key."""
        values = [
            {"team_id": team_id, "owner_id": owner, "name": name, "name_key": name_key(name), "stage": stage}
            for name, owner, stage in rows
        ]
        if not values:
            return {}
        result = await self.session.execute(insert(Client).returning(Client.id, Client.name_key), values)
        return {key: cid for cid, key in result}

    async def add_tasks(
        self, team_id: int, rows: Iterable[tuple[int, int, str, date]], actor_id: int | None
    ) -> int:
        """New open tasks (client, assignee, action, due) and their "created" events, in multi-row inserts
        (an import writes thousands: one ORM object each would hold the write lock for seconds)."""
        values = [
            {
                "team_id": team_id,
                "client_id": client_id,
                "assignee_id": assignee,
                "action": action,
                "due_date": due,
                "created_by": actor_id,
                "status": TaskStatus.OPEN,
                "moves": 0,
            }
            for client_id, assignee, action, due in rows
        ]
        if not values:
            return 0
        created = (await self.session.execute(insert(Task).returning(Task.id, Task.due_date), values)).all()
        events = [
            {
                "task_id": task_id,
                "actor_id": actor_id,
                "kind": TaskEventKind.CREATED,
                "from_date": due,
                "data": {"due": due.isoformat()},
            }
            for task_id, due in created
        ]
        await self.session.execute(insert(TaskEvent), events)
        return len(created)

    async def put_plan(
        self,
        team_id: int,
        member_id: int,
        month: date,
        revenue: Decimal,
        deals: int,
        stored: SalesPlan | None,
    ) -> None:
        if stored is None:
            self.session.add(
                SalesPlan(team_id=team_id, member_id=member_id, month=month, revenue=revenue, deals=deals)
            )
        else:
            stored.revenue, stored.deals = revenue, deals
