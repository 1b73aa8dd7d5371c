"""The sync from a CRM into the bot: users, deals (clients, stages, won deals) and tasks.

One run, in this order, each page of the CRM in its own transaction so a crash loses at most the page in
flight (the next run reads it again and the links make that harmless):

1. CRM users are stored and matched to members by name (``crm/rules.py``); the rest wait for the head and
   are reported with their open task counts, never dropped.
2. The stage map gets defaults for new stages (won/lost by meaning).
3. Deals (amoCRM leads) changed since the deals cursor: each becomes a client of its matched manager on
   the mapped stage; a won deal becomes a bot deal with its amount and closing date (once: its link).
4. Tasks: on the first sync every open task, later every task changed since the tasks cursor. A new open
   task of a matched user becomes a bot task on its client with its due date (the team's local date); a
   vague wording is kept and flagged. A known task whose CRM version changed is updated by one rule: the
   CRM wins wording, dates and the responsible user; a task still open in the bot that the CRM completed
   is done with the CRM's result; a task the bot already closed stays closed (the latest mark wins, and
   the bot's mark goes to the CRM). Every change is an event in the task's history with ``source``.
5. A full sync (the first, the nightly reconcile, after a match) also reads again, by id, the bot's open
   CRM tasks that were not among the open ones: completed, reassigned or moved in the CRM while a webhook
   or a poll missed it (``SyncReport.tasks_rechecked``).
6. The cursors move to the latest change seen (``updated_at`` is inclusive, so the boundary second is
   read twice and changes nothing the second time).

Deals and tasks are read from the start, up to 64 pages ahead, while the pages already read are written,
so the CRM's rate limit, not the database, sets the pace.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache
from typing import Any, Generic, TypeVar
from zoneinfo import ZoneInfo

from crm.base import CrmDeal, CrmTask, EntityKind, Semantic
from crm.job import TeamCrmJob
from crm.rules import default_stage_rows, match_users
from domain.actions import check_action
from domain.enums import LinkKind, Stage, TaskEventKind, TaskStatus
from storage.crm_repo import NewCrmClient, NewCrmTask
from storage.repo import Repo

T = TypeVar("T")
MAX_ACTION = 500
READ_AHEAD = 64  # pages held ahead of the database: a few MB at most


@dataclass
class SyncReport:
    users: int = 0
    matched: int = 0
    #: CRM users with no member yet: name → their open tasks seen in this run
    unmatched: dict[str, int] = field(default_factory=dict)
    clients_created: int = 0
    stages_changed: int = 0
    deals_won: int = 0
    deals_unmatched: int = 0
    tasks_created: int = 0
    tasks_updated: int = 0
    tasks_completed: int = 0
    tasks_unchanged: int = 0
    tasks_vague: int = 0
    #: of ``tasks_updated``: what changed (a task can count in several)
    tasks_moved: int = 0
    tasks_reassigned: int = 0
    tasks_edited: int = 0
    #: a full sync: the bot's open tasks the CRM no longer lists as open, read again by id
    tasks_rechecked: int = 0


def version_of(at: datetime) -> str:
    return str(int(at.timestamp()))


@dataclass(eq=False)
class CrmSync(TeamCrmJob):
    report: SyncReport = field(init=False, default_factory=SyncReport)
    _users: dict[str, int] = field(init=False, default_factory=dict)  # CRM user id → member id
    _names: dict[str, str] = field(init=False, default_factory=dict)  # CRM user id → name
    _stages: dict[tuple[str, str], Stage] = field(init=False, default_factory=dict)
    _semantics: dict[tuple[str, str], Semantic] = field(init=False, default_factory=dict)
    _tz: ZoneInfo = field(init=False, default=ZoneInfo("UTC"))
    _seen: set[str] = field(init=False, default_factory=set)  # the CRM task ids read in this run

    async def run(self, *, full: bool = False) -> SyncReport:
        async with self.pool() as session, session.begin():
            repo = Repo(session)
            conn = await repo.crm.connection(self.team_id)
            team = await repo.teams.get(self.team_id)
            if conn is None or team is None:
                raise LookupError("no CRM connection")
            self._tz = ZoneInfo(team.timezone)
            tasks_since = None if full else conn.tasks_cursor
            deals_since = None if full else conn.deals_cursor
        await self._sync_users()
        await self._sync_stages()
        # both lists are read from now on, through the one limiter, while the pages already read are
        # written: the CRM's limit, not the database, sets the pace
        deal_pages = ReadAhead(self.crm.deals(deals_since))
        task_pages = ReadAhead(self.crm.tasks(tasks_since, open_only=tasks_since is None))
        try:
            deals_cursor = await self._sync_deals(deal_pages)
            tasks_cursor = await self._sync_tasks(task_pages)
        finally:
            await deal_pages.close()
            await task_pages.close()
        if tasks_since is None:
            await self._recheck_open()
        async with self.pool() as session, session.begin():
            conn = await Repo(session).crm.connection(self.team_id)
            assert conn is not None
            conn.deals_cursor = _later(conn.deals_cursor, deals_cursor)
            conn.tasks_cursor = _later(conn.tasks_cursor, tasks_cursor)
            conn.last_sync_at, conn.last_error = self.clock(), None
        return self.report

    # ------------------------------------------------------------------ users and stages

    async def _sync_users(self) -> None:
        users = await self.crm.users()
        async with self.pool() as session, session.begin():
            crm = Repo(session).crm
            links = {u.id: await crm.put_user(self.team_id, self.kind, u.id, u.name) for u in users}
            members = await crm.members(self.team_id)
            known = await crm.users(self.team_id, self.kind)
            taken = {link.member_id for link in known.values() if link.member_id is not None}
            waiting = [(u.id, u.name) for u in users if links[u.id].member_id is None]
            for crm_id, member_id in match_users(waiting, [(m.id, m.name) for m in members], taken).items():
                links[crm_id].member_id = member_id
            active = {m.id for m in members}
            self._users = {cid: link.member_id for cid, link in known.items() if link.member_id in active} | {
                cid: link.member_id for cid, link in links.items() if link.member_id in active
            }
            self._names = {u.id: u.name for u in users}
        self.report.users = len(users)
        self.report.matched = sum(1 for u in users if u.id in self._users)

    async def _sync_stages(self) -> None:
        pipelines = await self.crm.pipelines()
        rows = default_stage_rows(pipelines)
        self._semantics = {(p.id, s.id): s.semantic for p in pipelines for s in p.stages}
        async with self.pool() as session, session.begin():
            crm = Repo(session).crm
            await crm.add_stages(self.team_id, self.kind, rows)
            self._stages = await crm.stage_map(self.team_id, self.kind)

    def _stage(self, deal: CrmDeal) -> Stage:
        return self._stages.get((deal.pipeline_id, deal.stage_id), Stage.NEW)

    # ------------------------------------------------------------------ deals

    async def _sync_deals(self, pages: ReadAhead[list[CrmDeal]]) -> datetime | None:
        latest: datetime | None = None
        async for page in pages:
            for deal in page:
                latest = _later(latest, deal.updated_at)
            async with self.pool() as session, session.begin():
                await self._apply_deals(Repo(session), page)
        return latest

    async def _apply_deals(self, repo: Repo, deals: list[CrmDeal]) -> None:
        mine = [d for d in deals if d.responsible_id in self._users]
        self.report.deals_unmatched += len(deals) - len(mine)
        keys = [d.ref.key for d in mine]
        clients = await repo.crm.links(self.team_id, self.kind, LinkKind.CLIENT, keys)
        won_links = await repo.crm.links(self.team_id, self.kind, LinkKind.DEAL, [d.id for d in mine])
        new = [d for d, key in zip(mine, keys, strict=True) if key not in clients]
        created = await repo.crm.create_clients(
            self.team_id,
            self.kind,
            [
                NewCrmClient(
                    external_id=d.ref.key,
                    version=version_of(d.updated_at),
                    owner_id=self._users[d.responsible_id],
                    name=d.name or f"#{d.id}",
                    stage=self._stage(d),
                )
                for d in new
            ],
        )
        self.report.clients_created += len(created)
        local = {key: link.local_id for key, link in clients.items()}
        local.update((d.ref.key, cid) for d, cid in zip(new, created, strict=True))
        by_id = await repo.crm.clients_by_id(self.team_id, local.values())
        now = self.clock()
        new_ids = set(created)
        for deal, key in zip(mine, keys, strict=True):
            link = clients.get(key)
            client_id = local[key]
            client = by_id.get(client_id)
            if client is None:
                continue
            if link is not None:
                link.version = version_of(deal.updated_at)
            stage = self._stage(deal)
            if client.id not in new_ids and client.stage is not stage:
                await repo.days.set_stage(client, stage, now)
                self.report.stages_changed += 1
            won = self._semantics.get((deal.pipeline_id, deal.stage_id)) is Semantic.WON or stage is Stage.WON
            if won and deal.id not in won_links:
                on = (deal.closed_at or deal.updated_at).astimezone(self._tz).date()
                record = await repo.crm.add_deal(
                    self.team_id, client.id, self._users[deal.responsible_id], deal.amount, on
                )
                repo.crm.add_link(
                    self.team_id, self.kind, LinkKind.DEAL, deal.id, record.id, version_of(deal.updated_at)
                )
                self.report.deals_won += 1

    # ------------------------------------------------------------------ tasks

    async def _sync_tasks(self, pages: ReadAhead[list[CrmTask]]) -> datetime | None:
        latest: datetime | None = None
        unmatched: Counter[str] = Counter()
        async for page in pages:
            mine = []
            for task in page:
                self._seen.add(task.id)
                latest = _later(latest, task.updated_at)
                if task.responsible_id in self._users:
                    mine.append(task)
                elif not task.completed:
                    unmatched[task.responsible_id] += 1
            if mine:
                await self._apply_tasks(mine)
        self.report.unmatched = {
            name: unmatched[crm_id] for crm_id, name in self._names.items() if crm_id not in self._users
        }
        return latest

    async def _recheck_open(self) -> None:
        """After reading every open task: the bot's open tasks from the CRM that were not among them were
        completed (or reassigned, or deleted) in the CRM while a change was missed. They are read again by
        id and the change applied as any other; a deleted one stays as it is."""
        async with self.pool() as session:
            linked = await Repo(session).crm.open_task_links(self.team_id, self.kind)
        gone = [external for external in linked if external not in self._seen]
        for i in range(0, len(gone), 250):
            found = await self.crm.tasks_by_id(gone[i : i + 250])
            self.report.tasks_rechecked += len(found)
            mine = [task for task in found if task.responsible_id in self._users]
            if mine:
                await self._apply_tasks(mine)

    async def _clients_for(self, tasks: list[CrmTask]) -> dict[str, int]:
        """Client id of each entity the tasks are bound to, creating the clients not yet seen."""
        refs = {t.entity.key: t.entity for t in tasks if t.entity is not None}
        async with self.pool() as session, session.begin():
            links = await Repo(session).crm.links(self.team_id, self.kind, LinkKind.CLIENT, refs)
        found = {key: link.local_id for key, link in links.items()}
        missing = [ref for key, ref in refs.items() if key not in found]
        if not missing:
            return found
        owner_of = {t.entity.key: self._users[t.responsible_id] for t in tasks if t.entity is not None}
        new: list[NewCrmClient] = []
        deal_ids = [r.id for r in missing if r.kind is EntityKind.DEAL]
        for deal in await self.crm.deals_by_id(deal_ids) if deal_ids else []:
            key = deal.ref.key
            new.append(
                NewCrmClient(
                    key,
                    version_of(deal.updated_at),
                    owner_of[key],
                    deal.name or f"#{deal.id}",
                    self._stage(deal),
                )
            )
        others = [r for r in missing if r.kind is not EntityKind.DEAL]
        for company in await self.crm.companies(others) if others else []:
            key = company.ref.key
            new.append(
                NewCrmClient(key, None, owner_of[key], company.name or f"#{company.ref.id}", Stage.NEW)
            )
        async with self.pool() as session, session.begin():
            crm = Repo(session).crm
            again = await crm.links(self.team_id, self.kind, LinkKind.CLIENT, [n.external_id for n in new])
            new = [n for n in new if n.external_id not in again]
            created = await crm.create_clients(self.team_id, self.kind, new)
        self.report.clients_created += len(created)
        found.update((key, link.local_id) for key, link in again.items())
        found.update((n.external_id, cid) for n, cid in zip(new, created, strict=True))
        return found

    async def _apply_tasks(self, tasks: list[CrmTask]) -> None:
        clients = await self._clients_for(tasks)
        async with self.pool() as session, session.begin():
            repo = Repo(session)
            links = await repo.crm.links(self.team_id, self.kind, LinkKind.TASK, [t.id for t in tasks])
            client_rows = await repo.crm.clients_by_id(self.team_id, set(clients.values()))
            names = {cid: c.name for cid, c in client_rows.items()}
            new: list[NewCrmTask] = []
            changed: list[CrmTask] = []
            for task in tasks:
                link = links.get(task.id)
                if link is None:
                    if task.completed:
                        continue
                    client_id = clients.get(task.entity.key) if task.entity else None
                    vague = _vague(task.text, names.get(client_id) if client_id else None)
                    self.report.tasks_vague += vague is not None
                    new.append(
                        NewCrmTask(
                            external_id=task.id,
                            version=version_of(task.updated_at),
                            assignee_id=self._users[task.responsible_id],
                            client_id=client_id,
                            action=_action(task.text),
                            due=self._local(task.due),
                            vague=vague,
                        )
                    )
                elif link.version == version_of(task.updated_at):
                    self.report.tasks_unchanged += 1
                else:
                    changed.append(task)
            await repo.crm.create_tasks(self.team_id, self.kind, new)
            self.report.tasks_created += len(new)
            if changed:
                rows = await repo.crm.tasks_by_id(self.team_id, [links[t.id].local_id for t in changed])
                for task in changed:
                    link = links[task.id]
                    bot_task = rows.get(link.local_id)
                    if bot_task is not None:
                        link.vague = self._update_task(repo, bot_task, task, names, link.vague)
                    link.version = version_of(task.updated_at)

    def _update_task(
        self, repo: Repo, bot: Any, task: CrmTask, names: dict[int, str], vague: str | None
    ) -> str | None:
        """The documented rule: the CRM wins wording, dates and responsible; a bot mark is kept."""
        now = self.clock()
        source = self.kind
        touched = False
        action = _action(task.text)
        if bot.action != action:
            repo.tasks.log(bot, TaskEventKind.EDITED, None, at=now, action=action, source=source)
            bot.action = action
            vague = _vague(task.text, names.get(bot.client_id) if bot.client_id else None)
            self.report.tasks_edited += 1
            touched = True
        if bot.status is TaskStatus.OPEN:
            due = self._local(task.due)
            if due != bot.due_date and not task.completed:
                repo.tasks.log(
                    bot,
                    TaskEventKind.MOVED,
                    None,
                    from_date=bot.due_date,
                    at=now,
                    to=due.isoformat(),
                    source=source,
                )
                bot.due_date, bot.moves = due, bot.moves + 1
                self.report.tasks_moved += 1
                touched = True
            assignee = self._users.get(task.responsible_id)
            if assignee is not None and assignee != bot.assignee_id:
                repo.tasks.log(bot, TaskEventKind.REASSIGNED, None, at=now, to=assignee, source=source)
                bot.assignee_id = assignee
                self.report.tasks_reassigned += 1
                touched = True
            if task.completed:
                bot.status, bot.closed_at, bot.result = TaskStatus.DONE, now, task.result or bot.result
                repo.tasks.log(bot, TaskEventKind.DONE, None, at=now, result=task.result, source=source)
                self.report.tasks_completed += 1
                touched = True
        if touched:
            self.report.tasks_updated += 1
        else:
            self.report.tasks_unchanged += 1
        return vague

    def _local(self, at: datetime) -> date:
        return at.astimezone(self._tz).date()


def _action(text: str) -> str:
    text = " ".join(text.split())
    return text[:MAX_ACTION] or "—"


def _vague(text: str, client_name: str | None) -> str | None:
    """The concrete-action check's problem with a CRM task's wording, or None.

    The check costs milliseconds a text (morphology), and a first sync brings thousands of tasks whose
    wordings repeat ("Позвонить", "Отправить КП"): the wording alone is checked once per distinct text;
    only a text that names no action is checked again with its client's name, to tell "only the client's
    name" from "no action"."""
    alone = _check(text, None)
    if alone is None or client_name is None:
        return alone
    return _check(text, client_name)


@lru_cache(maxsize=8192)
def _check(text: str, client_name: str | None) -> str | None:
    check = check_action(text, client_name)
    return None if check.ok or check.problem is None else check.problem.value


def _later(a: datetime | None, b: datetime | None) -> datetime | None:
    if a is None:
        return b
    if b is None:
        return a
    return max(a, b)


class ReadAhead(Generic[T]):
    """Reads the pages of ``pages`` in the background from the moment it is made, up to ``depth`` ahead
    of the consumer; iterate it once."""

    def __init__(self, pages: AsyncIterator[T], depth: int = READ_AHEAD) -> None:
        self._queue: asyncio.Queue[tuple[bool, Any]] = asyncio.Queue(maxsize=depth)
        self._task = asyncio.create_task(self._read(pages))

    async def _read(self, pages: AsyncIterator[T]) -> None:
        try:
            async for page in pages:
                await self._queue.put((True, page))
            await self._queue.put((False, None))
        except Exception as exc:
            await self._queue.put((False, exc))

    async def __aiter__(self) -> AsyncIterator[T]:
        try:
            while True:
                more, value = await self._queue.get()
                if not more:
                    if isinstance(value, BaseException):
                        raise value
                    return
                yield value
        finally:
            await self.close()

    async def close(self) -> None:
        if not self._task.done():
            self._task.cancel()
        await asyncio.gather(self._task, return_exceptions=True)
