"""The head's evening digest and the managers' morning lists over a long history, and how their time grows
when the history doubles.

    .venv/bin/python bench/digest.py [--db sqlite|postgres] [--managers 50] [--clients 5000]
                                     [--tasks 200000] [--repeat 7]

A team of a head and ``--managers`` managers with ``--clients`` clients (in funnel stages, some won or
lost, some frozen, some on the hot list) and ``--tasks`` tasks spread over the past year of working days:
done, not done with a reason, moved and then done, cancelled, each with its events; a plan and a submitted
evening report (with a mood) for every manager and working day, leads and deals. The state is the evening
of ``DAY`` (Monday 23 November 2026): most of the day's tasks marked, some moved to tomorrow, a few left
open, some overdue and some frozen tasks, tomorrow's plans submitted (some still waiting for the head), and
a next step planned for 85% of the open clients over the coming weeks (the rest are the clients without a
task that each morning list names). On PostgreSQL the load ends with VACUUM ANALYZE, as autovacuum would.

Timed, through the composers the scheduler calls (``scheduler.compose.KINDS``), each in its own
transaction as delivery does: the head's evening digest for ``DAY`` (``digest_evening``) and the morning
lists of all the managers for the next working day (``morning``, one transaction for the whole batch).
One run warms the caches, then ``--repeat`` runs are timed: wall-clock median and max, and the median of
this process's CPU time (the SQLite thread's included), which other work on a shared machine inflates much
less. A copy of the database gets a second year of older history (as many tasks again), and each run
on one history is followed by the same run on the other; growth is the median of these pairs' ratios.

Targets: on SQLite the evening digest under 200 ms and all the morning lists under 1 s (wall medians);
flat growth (at most ``TARGET_GROWTH``), judged on CPU time on SQLite and on wall time on PostgreSQL,
whose server's work is not in this process's CPU. Exits 1 when a target is missed.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import os
import random
import statistics
import sys
import time as clock_time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, insert, select, text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

sys.path.insert(0, str(Path(__file__).resolve().parent))
from world import DAY, copy_of, database, machine, opened

from bot.clock import ManualClock
from bot.i18n import default_translator
from bot.perf import freeze_startup_objects
from domain.calendar import WorkCalendar
from domain.enums import OPEN_STAGES, HotOutcome, PlanStatus, Role, Stage, TaskEventKind, TaskStatus
from scheduler.compose import ComposeContext
from scheduler.kinds import KINDS
from storage import models
from storage.repo import Repo

ZONE = ZoneInfo("Europe/Moscow")
CALENDAR = WorkCalendar.from_db("1,2,3,4,5", "RU")
TOMORROW = CALENDAR.next_working_day(DAY)
EVENING_AT = datetime.combine(DAY, time(19, 0), ZONE)
MORNING_AT = datetime.combine(TOMORROW, time(9, 0), ZONE)
TARGET_EVENING_MS = 200.0
TARGET_MORNING_MS = 1000.0
TARGET_GROWTH = 1.25  # "flat": what a bounded query costs more on a bigger file, not what history adds
CHUNK = 5000

ACTIONS = (
    "отправить договор",
    "позвонить ЛПР",
    "согласовать условия",
    "выставить счёт",
    "назначить встречу",
    "отправить КП",
    "уточнить бюджет",
    "провести демо",
    "напомнить об оплате",
    "собрать подписи",
)
RESULTS = ("договорились о встрече", "ждут счёт", "попросили перезвонить", "подписали", None, None, None)
REASONS = ("не дозвонился", "клиент перенёс", "нет ЛПР", "ждём бюджет", "заболел контакт")
SOURCES = ("сайт", "входящий звонок", "рекомендация", "выставка", None)
STAGES = (
    (Stage.NEW, 20),
    (Stage.QUALIFIED, 25),
    (Stage.PROPOSAL, 20),
    (Stage.NEGOTIATION, 15),
    (Stage.WON, 12),
    (Stage.LOST, 8),
)


def at(d: date, hour: float) -> datetime:
    """``hour`` o'clock (a float) of the local day ``d``, in UTC."""
    whole = int(hour)
    return datetime.combine(d, time(whole, int((hour - whole) * 60)), ZONE).astimezone(UTC)


@dataclass
class Ids:
    """Explicit primary keys, so tasks, their events and plans go in without RETURNING round trips."""

    task: int = 0
    event: int = 0
    plan: int = 0

    def next(self, name: str) -> int:
        value = getattr(self, name) + 1
        setattr(self, name, value)
        return value


@dataclass
class Rows:
    tasks: list[dict[str, Any]] = field(default_factory=list)
    events: list[dict[str, Any]] = field(default_factory=list)
    plans: list[dict[str, Any]] = field(default_factory=list)
    reports: list[dict[str, Any]] = field(default_factory=list)
    leads: list[dict[str, Any]] = field(default_factory=list)
    deals: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class World:
    team_id: int
    head_id: int
    managers: list[int]
    clients: dict[int, list[int]]  # owner -> client ids
    open_clients: dict[int, list[int]]  # owner -> client ids in an open stage
    frozen: set[int]  # clients whose tasks keep stalling
    vacations: dict[int, tuple[date, date]]
    rng: random.Random
    ids: Ids = field(default_factory=Ids)

    def event(
        self,
        rows: Rows,
        task_id: int,
        kind: TaskEventKind,
        when: datetime,
        from_date: date,
        actor: int,
        data: dict | None = None,
    ) -> None:
        rows.events.append(
            {
                "id": self.ids.next("event"),
                "task_id": task_id,
                "actor_id": actor,
                "kind": kind,
                "from_date": from_date,
                "data": data,
                "at": when,
            }
        )

    def task(
        self,
        rows: Rows,
        member: int,
        client: int | None,
        due: date,
        status: TaskStatus,
        *,
        moves: int = 0,
        closed: datetime | None = None,
        plan_id: int | None = None,
        reason: str | None = None,
        result: str | None = None,
        moved_from: list[date] | None = None,
    ) -> int:
        """A task with its events: created, each move, and its outcome when it has one."""
        rng = self.rng
        task_id = self.ids.next("task")
        first_due = (moved_from or [due])[0]
        created = at(first_due - timedelta(days=rng.randint(1, 6)), rng.uniform(9, 18))
        updated = closed or created
        rows.tasks.append(
            {
                "id": task_id,
                "team_id": self.team_id,
                "client_id": client,
                "assignee_id": member,
                "created_by": member,
                "action": f"{rng.choice(ACTIONS)} №{rng.randint(1, 9999)}",
                "due_date": due,
                "status": status,
                "result": result,
                "reason": reason,
                "moves": moves,
                "plan_id": plan_id,
                "created_at": created,
                "updated_at": updated,
                "closed_at": closed if status is not TaskStatus.OPEN else None,
            }
        )
        self.event(
            rows, task_id, TaskEventKind.CREATED, created, first_due, member, {"due": first_due.isoformat()}
        )
        path = [*(moved_from or []), due]
        for was, to in itertools.pairwise(path):
            self.event(
                rows,
                task_id,
                TaskEventKind.MOVED,
                at(was, rng.uniform(15, 18.5)),
                was,
                member,
                {"to": to.isoformat()},
            )
            updated = max(updated, at(was, 18.5))
        if status is TaskStatus.OPEN:
            rows.tasks[-1]["updated_at"] = updated
            return task_id
        assert closed is not None
        kind = {
            TaskStatus.DONE: TaskEventKind.DONE,
            TaskStatus.NOT_DONE: TaskEventKind.NOT_DONE,
            TaskStatus.CANCELLED: TaskEventKind.CANCELLED,
        }[status]
        self.event(rows, task_id, kind, closed, due, member, {"reason": reason} if reason else None)
        return task_id

    def plan(self, rows: Rows, member: int, day: date, status: PlanStatus) -> int:
        plan_id = self.ids.next("plan")
        before = CALENDAR.previous_working_day(day)
        submitted = at(before, self.rng.uniform(17.5, 19.5)) if status is not PlanStatus.DRAFT else None
        decided = None
        if status is PlanStatus.APPROVED:
            decided = at(before, self.rng.uniform(19.5, 20.9))
        elif status is PlanStatus.AUTO_APPROVED:
            decided = at(before, 21)
        rows.plans.append(
            {
                "id": plan_id,
                "team_id": self.team_id,
                "member_id": member,
                "for_date": day,
                "status": status,
                "submitted_at": submitted,
                "decided_at": decided,
                "decided_by": self.head_id if status is PlanStatus.APPROVED else None,
            }
        )
        return plan_id

    def on_vacation(self, member: int, day: date) -> bool:
        span = self.vacations.get(member)
        return span is not None and span[0] <= day <= span[1]

    def past_day(self, rows: Rows, member: int, day: date, count: int) -> None:
        """A finished working day: its plan, ``count`` tasks all dealt with, the report, leads, deals."""
        rng = self.rng
        plan_id = self.plan(
            rows, member, day, PlanStatus.APPROVED if rng.random() < 0.85 else PlanStatus.AUTO_APPROVED
        )
        own = self.clients[member]
        done = 0
        for _ in range(count):
            client = rng.choice(own)
            closed = at(day, rng.uniform(9.5, 18.5))
            r = rng.random()
            if client in self.frozen:
                r = 0.80 + 0.19 * r  # mostly not done or moved
            moved_from = None
            if 0.72 <= r < 0.84:  # moved once or twice, then dealt with
                moved_from = sorted(
                    {day - timedelta(days=rng.randint(1, 7)) for _ in range(rng.randint(1, 2))}
                )
            if r < 0.80:
                status, reason, result = TaskStatus.DONE, None, rng.choice(RESULTS)
                done += 1
            elif r < 0.96:
                status, reason, result = TaskStatus.NOT_DONE, rng.choice(REASONS), None
            else:
                status, reason, result = TaskStatus.CANCELLED, None, None
            self.task(
                rows,
                member,
                client,
                day,
                status,
                moves=len(moved_from or ()),
                closed=closed,
                plan_id=plan_id,
                reason=reason,
                result=result,
                moved_from=moved_from,
            )
        self.report(rows, member, day, count, done, submitted=rng.random() < 0.95)
        self.leads_and_deals(rows, member, day)

    def report(self, rows: Rows, member: int, day: date, planned: int, done: int, submitted: bool) -> None:
        rows.reports.append(
            {
                "team_id": self.team_id,
                "member_id": member,
                "on_date": day,
                "submitted_at": at(day, self.rng.uniform(17.5, 19.5)) if submitted else None,
                "planned": planned,
                "done": done,
                "mood": self.rng.choice((None, 3, 4, 4, 5, 5, 2)),
            }
        )

    def leads_and_deals(self, rows: Rows, member: int, day: date) -> None:
        rng = self.rng
        for _ in range(rng.choice((0, 0, 1, 1, 1, 2))):
            rows.leads.append(
                {
                    "team_id": self.team_id,
                    "client_id": rng.choice(self.clients[member]),
                    "member_id": member,
                    "source": rng.choice(SOURCES),
                    "on_date": day,
                    "created_at": at(day, rng.uniform(9, 18)),
                }
            )
        if rng.random() < 0.12:
            rows.deals.append(
                {
                    "team_id": self.team_id,
                    "client_id": rng.choice(self.clients[member]),
                    "member_id": member,
                    "amount": Decimal(rng.randrange(10_000, 900_000, 500)),
                    "on_date": day,
                    "created_at": at(day, rng.uniform(9, 18)),
                }
            )

    def history(self, rows: Rows, days: list[date], tasks: int) -> None:
        """``tasks`` tasks spread over the managers' working ``days`` (vacations skipped)."""
        slots = [(m, d) for d in days for m in self.managers if not self.on_vacation(m, d)]
        base, extra = divmod(tasks, len(slots))
        more = set(self.rng.sample(range(len(slots)), extra))
        for i, (member, day) in enumerate(slots):
            self.past_day(rows, member, day, base + (i in more))

    def today(self, rows: Rows) -> None:
        """The evening of ``DAY``: the day mostly marked, overdue and frozen tasks, tomorrow planned, and a
        next step planned for most open clients over the coming weeks (as the method asks: the rest are the
        clients without a task that the morning list names)."""
        rng = self.rng
        recent = CALENDAR.working_days(DAY - timedelta(days=30), CALENDAR.previous_working_day(DAY))
        ahead = CALENDAR.working_days(TOMORROW + timedelta(days=1), TOMORROW + timedelta(days=24))
        for member in self.managers:
            own = self.open_clients[member]
            plan_id = self.plan(rows, member, DAY, PlanStatus.APPROVED)
            tomorrow_status = rng.choice(
                (PlanStatus.APPROVED,) * 6 + (PlanStatus.SUBMITTED,) * 3 + (PlanStatus.DRAFT,)
            )
            tomorrow_plan = self.plan(rows, member, TOMORROW, tomorrow_status)
            done = 0
            count = rng.randint(12, 18)
            for _ in range(count):
                client = rng.choice(own)
                r = rng.random()
                if r < 0.75:  # marked today: done (0.65) or not done
                    marked_done = r < 0.65
                    self.task(
                        rows,
                        member,
                        client,
                        DAY,
                        TaskStatus.DONE if marked_done else TaskStatus.NOT_DONE,
                        closed=at(DAY, rng.uniform(9.5, 18)),
                        plan_id=plan_id,
                        result=rng.choice(RESULTS) if marked_done else None,
                        reason=None if marked_done else rng.choice(REASONS),
                    )
                    done += marked_done
                elif r < 0.85:  # moved to tomorrow today
                    self.task(
                        rows,
                        member,
                        client,
                        TOMORROW,
                        TaskStatus.OPEN,
                        moves=1,
                        moved_from=[DAY],
                        plan_id=tomorrow_plan if tomorrow_status is not PlanStatus.DRAFT else None,
                    )
                else:  # not marked yet
                    self.task(rows, member, client, DAY, TaskStatus.OPEN, plan_id=plan_id)
            self.report(rows, member, DAY, count, done, submitted=rng.random() < 0.8)
            self.leads_and_deals(rows, member, DAY)
            for _ in range(rng.randint(8, 14)):  # tomorrow's plan
                self.task(
                    rows,
                    member,
                    rng.choice(own),
                    TOMORROW,
                    TaskStatus.OPEN,
                    plan_id=tomorrow_plan if tomorrow_status is not PlanStatus.DRAFT else None,
                )
            for client in rng.sample(own, len(own) * 85 // 100):  # next steps over the coming weeks
                self.task(rows, member, client, rng.choice(ahead), TaskStatus.OPEN)
            for _ in range(rng.choice((0, 1, 2, 3, 5))):  # overdue, some moved again and again (frozen)
                path = sorted(rng.sample(recent, rng.choice((1, 1, 2, 3, 4, 5))))
                self.task(
                    rows,
                    member,
                    rng.choice(own),
                    path[-1],
                    TaskStatus.OPEN,
                    moves=len(path) - 1,
                    moved_from=path[:-1],
                )
        for day in recent[-10:]:  # the head's own work: a few tasks a day on the team's clients
            for _ in range(2):
                owner = rng.choice(self.managers)
                self.task(
                    rows,
                    self.head_id,
                    rng.choice(self.clients[owner]),
                    day,
                    TaskStatus.DONE,
                    closed=at(day, rng.uniform(10, 18)),
                )


async def insert_rows(session: AsyncSession, model: type, rows: list[dict[str, Any]]) -> None:
    for start in range(0, len(rows), CHUNK):
        await session.execute(insert(model.__table__), rows[start : start + CHUNK])


async def write(pool: async_sessionmaker[AsyncSession], rows: Rows) -> None:
    async with pool() as s, s.begin():
        await insert_rows(s, models.Plan, rows.plans)
        await insert_rows(s, models.Task, rows.tasks)
        await insert_rows(s, models.TaskEvent, rows.events)
        await insert_rows(s, models.DayReport, rows.reports)
        await insert_rows(s, models.Lead, rows.leads)
        await insert_rows(s, models.Deal, rows.deals)


async def reset_sequences(pool: async_sessionmaker[AsyncSession]) -> None:
    """PostgreSQL: explicit ids leave the serial sequences behind; move them past the rows, then VACUUM
    ANALYZE (what autovacuum does soon after a bulk load: statistics, and the visibility map that lets
    index-only scans skip the table)."""
    async with pool() as s, s.begin():
        if s.bind.dialect.name != "postgresql":
            return
        for table in ("tasks", "task_events", "plans"):
            await s.execute(
                text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
            )
    async with pool() as s:
        conn = await s.connection(execution_options={"isolation_level": "AUTOCOMMIT"})
        await conn.execute(text("VACUUM ANALYZE"))


async def build(pool: async_sessionmaker[AsyncSession], managers: int, clients: int, tasks: int) -> World:
    rng = random.Random(20261123)
    async with pool() as s, s.begin():
        team = models.Team(
            name="Отдел продаж",
            timezone="Europe/Moscow",
            morning_at=time(9),
            evening_at=time(18),
            digest_at=time(19),
        )
        s.add(team)
        await s.flush()
        joined = at(DAY - timedelta(days=800), 10)
        people = [
            {
                "team_id": team.id,
                "tg_id": 20_000_000 + i,
                "name": f"Менеджер {i:02d}",
                "role": Role.MANAGER,
                "locale": "ru",
                "joined_at": joined,
            }
            for i in range(1, managers + 1)
        ]
        people.insert(
            0,
            {
                "team_id": team.id,
                "tg_id": 20_000_000,
                "name": "Ирина Руководитель",
                "role": Role.HEAD,
                "locale": "ru",
                "joined_at": joined,
            },
        )
        ids = (
            await s.execute(insert(models.Member).returning(models.Member.id, models.Member.role), people)
        ).all()
        head_id = next(i for i, role in ids if role is Role.HEAD)
        manager_ids = [i for i, role in ids if role is Role.MANAGER]
        stages = [stage for stage, weight in STAGES for _ in range(weight)]
        client_rows = []
        for n in range(clients):
            owner = manager_ids[n % len(manager_ids)]
            name = f"ООО «Клиент {n + 1:05d}»"
            client_rows.append(
                {
                    "team_id": team.id,
                    "owner_id": owner,
                    "name": name,
                    "name_key": name.casefold(),
                    "stage": rng.choice(stages),
                    "created_at": joined,
                    "updated_at": at(DAY - timedelta(days=rng.randint(0, 300)), 12),
                }
            )
        by_owner: dict[int, list[int]] = {m: [] for m in manager_ids}
        stage_of: dict[int, Stage] = {}
        for start in range(0, len(client_rows), CHUNK):
            got = await s.execute(
                insert(models.Client).returning(
                    models.Client.id, models.Client.owner_id, models.Client.stage
                ),
                client_rows[start : start + CHUNK],
            )
            for cid, owner, stage in got:
                by_owner[owner].append(cid)
                stage_of[cid] = stage
        vacations = {}
        for member in rng.sample(manager_ids, max(1, len(manager_ids) // 5)):
            starts = DAY - timedelta(days=rng.randint(20, 700))
            vacations[member] = (starts, starts + timedelta(days=13))
        await s.execute(
            insert(models.Vacation),
            [{"member_id": m, "starts": a, "ends": b} for m, (a, b) in vacations.items()],
        )
        open_clients = [c for c, stage in stage_of.items() if stage not in (Stage.WON, Stage.LOST)]
        frozen = set(rng.sample(open_clients, len(open_clients) // 40))
        hot = rng.sample(open_clients, 85)
        await s.execute(
            insert(models.HotEntry),
            [
                {
                    "team_id": team.id,
                    "client_id": c,
                    "reason": "крупный контракт",
                    "next_step": "встреча с директором",
                    "next_date": DAY + timedelta(days=rng.randint(-4, 6)),
                    "created_by": head_id,
                    "created_at": at(DAY - timedelta(days=rng.randint(5, 200)), 11),
                    "touched_at": at(DAY - timedelta(days=rng.randint(0, 4)), 11),
                    "closed_at": None if i < 25 else at(DAY - timedelta(days=rng.randint(1, 150)), 12),
                    "outcome": None if i < 25 else rng.choice(list(HotOutcome)),
                }
                for i, c in enumerate(hot)
            ],
        )
        team_id = team.id
    open_by_owner = {m: [c for c in cs if stage_of[c] in OPEN_STAGES] for m, cs in by_owner.items()}
    world = World(team_id, head_id, manager_ids, by_owner, open_by_owner, frozen, vacations, rng)
    rows = Rows()
    world.today(rows)
    days = CALENDAR.working_days(DAY - timedelta(days=364), CALENDAR.previous_working_day(DAY))
    world.history(rows, days, tasks - len(rows.tasks))
    await write(pool, rows)
    await reset_sequences(pool)
    return world


async def add_older_year(pool: async_sessionmaker[AsyncSession], world: World, tasks: int) -> None:
    """Another ``tasks`` tasks of history, over the year before the first one."""
    rows = Rows()
    days = CALENDAR.working_days(DAY - timedelta(days=729), DAY - timedelta(days=365))
    world.history(rows, days, tasks)
    await write(pool, rows)
    await reset_sequences(pool)


# ---------------------------------------------------------------------- timing through the composers


@dataclass(frozen=True)
class Timing:
    wall_ms: float
    cpu_ms: float  # this process's CPU, the SQLite thread's included: less inflated by the machine's load


class Stopwatch:
    def __enter__(self) -> Stopwatch:
        self.wall, self.cpu = clock_time.perf_counter(), clock_time.process_time()
        return self

    def __exit__(self, *_: object) -> None:
        self.timing = Timing(
            (clock_time.perf_counter() - self.wall) * 1000, (clock_time.process_time() - self.cpu) * 1000
        )


async def evening_digest(pool: async_sessionmaker[AsyncSession], world: World) -> Timing:
    """The head's evening digest for ``DAY``, composed as delivery composes it."""
    translator = default_translator()
    async with pool() as s, s.begin():
        team = await s.get(models.Team, world.team_id)
        head = await s.get(models.Member, world.head_id)
        assert team is not None and head is not None
        ctx = ComposeContext(Repo(s), team, head, DAY, translator.get(head.locale), ManualClock(EVENING_AT))
        with Stopwatch() as watch:
            messages = await KINDS["digest_evening"].composer(ctx)
    assert messages and messages[0].text
    return watch.timing


async def morning_lists(pool: async_sessionmaker[AsyncSession], world: World) -> Timing:
    """The morning list of every manager for the next working day, in one transaction (a delivery batch)."""
    translator = default_translator()
    composer = KINDS["morning"].composer
    async with pool() as s, s.begin():
        team = await s.get(models.Team, world.team_id)
        assert team is not None
        members = (await s.scalars(select(models.Member).where(models.Member.id.in_(world.managers)))).all()
        sent = 0
        with Stopwatch() as watch:
            for m in members:
                ctx = ComposeContext(
                    Repo(s), team, m, TOMORROW, translator.get(m.locale), ManualClock(MORNING_AT)
                )
                sent += bool(await composer(ctx))
    assert sent == len(world.managers)
    return watch.timing


Timed = Callable[[async_sessionmaker[AsyncSession], World], Awaitable[Timing]]
CASES: list[tuple[str, Timed, float]] = [
    ("evening digest (head)", evening_digest, TARGET_EVENING_MS),
    ("morning lists (all managers)", morning_lists, TARGET_MORNING_MS),
]


async def measure(
    pools: tuple[async_sessionmaker[AsyncSession], async_sessionmaker[AsyncSession]],
    world: World,
    repeat: int,
) -> tuple[dict[str, list[Timing]], dict[str, list[Timing]]]:
    """Each case on both databases in turn (first one first, then the other), so that a change in the
    machine's load falls on both alike."""
    first: dict[str, list[Timing]] = {}
    second: dict[str, list[Timing]] = {}
    for name, case, _ in CASES:
        for pool in pools:  # warm-up
            await case(pool, world)
        first[name], second[name] = [], []
        for n in range(repeat):
            order = (0, 1) if n % 2 == 0 else (1, 0)
            for i in order:
                (first, second)[i][name].append(await case(pools[i], world))
    return first, second


async def counts(pool: async_sessionmaker[AsyncSession]) -> str:
    async with pool() as s:
        tasks = await s.scalar(select(func.count()).select_from(models.Task))
        events = await s.scalar(select(func.count()).select_from(models.TaskEvent))
        first = await s.scalar(select(func.min(models.Task.due_date)))
    return f"{tasks:,} tasks, {events:,} task events, since {first}"


def load() -> str:
    one, five, _ = os.getloadavg()
    return f"load average {one:.2f} / {five:.2f}"


def table(first: dict[str, list[Timing]], second: dict[str, list[Timing]], db: str, tasks: int) -> bool:
    """Wall median and max, CPU median, for each history. Growth is the median of the ratios of the runs
    taken back to back (the doubled history's over the first's), so a change in the machine's load between
    pairs cancels out."""

    def stats(runs: list[Timing]) -> tuple[float, float, float]:
        return (
            statistics.median(r.wall_ms for r in runs),
            max(r.wall_ms for r in runs),
            statistics.median(r.cpu_ms for r in runs),
        )

    a_head, b_head = f"{tasks:,} tasks", f"{2 * tasks:,} tasks"
    print(f"{'':29} | {a_head:^26} | {b_head:^26} | {'growth':^13} | target")
    columns = f"{'median':>8} {'max':>8} {'cpu':>8}"
    print(f"{'(ms)':29} | {columns} | {columns} | {'wall':>6} {'cpu':>6} |")
    ok = True
    for name, _, target in CASES:
        a, b = stats(first[name]), stats(second[name])
        pairs = list(zip(first[name], second[name], strict=True))
        wall = statistics.median(y.wall_ms / x.wall_ms for x, y in pairs)
        cpu = statistics.median(y.cpu_ms / x.cpu_ms for x, y in pairs)
        # growth in CPU on SQLite (all the work is in this process, and the machine's load inflates it
        # less); in wall time on PostgreSQL (the server's work is not in this process's CPU)
        growth = cpu if db == "sqlite" else wall
        met = growth <= TARGET_GROWTH and (db != "sqlite" or max(a[0], b[0]) < target)
        ok &= met
        print(
            f"{name:29} | {a[0]:8.1f} {a[1]:8.1f} {a[2]:8.1f} | {b[0]:8.1f} {b[1]:8.1f} {b[2]:8.1f} | "
            f"{wall:5.2f}x {cpu:5.2f}x | {f'< {target:.0f}' if db == 'sqlite' else 'growth'} "
            f"{'met' if met else 'MISSED'}"
        )
    return ok


async def run(db: str, managers: int, clients: int, tasks: int, repeat: int) -> int:
    async with database(db) as url:
        async with opened(url) as (_, pool):
            started = clock_time.perf_counter()
            world = await build(pool, managers, clients, tasks)
            print(f"seeded {await counts(pool)} in {clock_time.perf_counter() - started:.0f} s; {load()}")
        async with copy_of(url) as doubled:
            async with opened(doubled) as (_, pool):
                started = clock_time.perf_counter()
                await add_older_year(pool, world, tasks)
                print(f"copy doubled: {await counts(pool)} in {clock_time.perf_counter() - started:.0f} s")
            async with opened(url) as (_, one), opened(doubled) as (_, two):
                freeze_startup_objects()  # the seeding's leftovers out of the collector's way, as at start-up
                first, second = await measure((one, two), world, repeat)
    print()
    print(
        f"evening digest and morning lists, {managers} managers, {clients:,} clients ({db}), "
        f"{repeat} runs each after a warm-up, the two histories in turn"
    )
    print(f"machine: {machine()}; {load()}")
    ok = table(first, second, db, tasks)
    print(
        f"targets (evening < {TARGET_EVENING_MS:.0f} ms, mornings < {TARGET_MORNING_MS:.0f} ms on SQLite, "
        f"growth ≤ {TARGET_GROWTH:.2f}x): " + ("met" if ok else "MISSED")
    )
    return 0 if ok else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--managers", type=int, default=50)
    parser.add_argument("--clients", type=int, default=5000)
    parser.add_argument("--tasks", type=int, default=200_000, help="tasks of history before doubling")
    parser.add_argument("--repeat", type=int, default=11, help="timed runs of each (after one warm-up)")
    args = parser.parse_args()
    return asyncio.run(run(args.db, args.managers, args.clients, args.tasks, args.repeat))


if __name__ == "__main__":
    raise SystemExit(main())
