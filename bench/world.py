"""What the benchmarks share: a migrated throwaway database (SQLite file or a fresh PostgreSQL database),
teams of managers with clients and tasks, production-like logging, and the machine's description."""

from __future__ import annotations

import asyncio
import logging
import os
import platform
import random
import shutil
import tempfile
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.logs import RedactFilter
from domain.enums import Role, Stage, TaskStatus
from storage.db import create_engine, create_session_pool
from storage.migrate import upgrade
from storage.models import Client, Member, Task, Team

TOKEN = "123456789:BENCH-secret-token-AAAAAAAAAAAAAAAAAAAAAA"
PG_URL = os.environ.get("BENCH_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres")
# Monday 23 November 2026, 09:00 in Moscow: a working day, the morning
DAY = date(2026, 11, 23)
NOW = datetime(2026, 11, 23, 6, 0, tzinfo=UTC)
ACTIONS = ("отправить договор", "позвонить ЛПР", "согласовать условия", "выставить счёт", "назначить встречу")


def machine() -> str:
    cpus = os.cpu_count()
    try:
        with open("/proc/meminfo") as f:
            kb = int(next(line for line in f if line.startswith("MemTotal")).split()[1])
        mem = f"{kb / 1024 / 1024:.0f} GiB"
    except (OSError, StopIteration, ValueError):
        mem = "? GiB"
    model = ""
    try:
        with open("/proc/cpuinfo") as f:
            model = next((line.split(":", 1)[1].strip() for line in f if line.startswith("model name")), "")
    except OSError:
        pass
    return (
        f"{platform.system()} {platform.machine()}, {cpus} cores{f' ({model})' if model else ''}, {mem}, "
        f"Python {platform.python_version()}"
    )


def quiet_production_logging(secrets: list[str]) -> None:
    """INFO, formatted and redacted as in production, written to /dev/null: the cost of the per-update
    log line is measured, the terminal stays readable."""
    handler = logging.StreamHandler(open(os.devnull, "w"))  # noqa: SIM115 - lives as long as the process
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(RedactFilter(secrets))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(logging.INFO)


async def _pg_admin(sql: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(PG_URL.replace("postgresql+asyncpg://", "postgresql://"))
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


@asynccontextmanager
async def database(kind: str) -> AsyncIterator[str]:
    """A migrated, empty database of ``kind`` (sqlite or postgres), removed afterwards."""
    if kind == "sqlite":
        folder = tempfile.mkdtemp(prefix="rop-bench-")
        url = f"sqlite+aiosqlite:///{folder}/bench.sqlite3"
        try:
            await asyncio.to_thread(upgrade, url)
            yield url
        finally:
            shutil.rmtree(folder, ignore_errors=True)
        return
    name = f"rop_bench_{uuid.uuid4().hex[:10]}"
    await _pg_admin(f'CREATE DATABASE "{name}"')
    try:
        url = PG_URL.rsplit("/", 1)[0] + f"/{name}"
        await asyncio.to_thread(upgrade, url)
        yield url
    finally:
        await _pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _copy_sqlite(path: str, target: str) -> None:
    for suffix in ("", "-wal"):  # a WAL left behind holds committed pages too
        if os.path.exists(path + suffix):
            shutil.copyfile(path + suffix, target + suffix)


@asynccontextmanager
async def copy_of(url: str) -> AsyncIterator[str]:
    """A copy of the database at ``url`` (no connection to it may be open), removed afterwards: a SQLite
    file copied, a PostgreSQL database created from it as a template."""
    if url.startswith("sqlite"):
        path = url.split(":///", 1)[1]
        folder = tempfile.mkdtemp(prefix="rop-bench-")
        target = os.path.join(folder, os.path.basename(path))
        try:
            await asyncio.to_thread(_copy_sqlite, path, target)
            yield f"sqlite+aiosqlite:///{target}"
        finally:
            shutil.rmtree(folder, ignore_errors=True)
        return
    source = url.rsplit("/", 1)[1]
    name = f"rop_bench_{uuid.uuid4().hex[:10]}"
    await _pg_admin(f'CREATE DATABASE "{name}" TEMPLATE "{source}"')
    try:
        yield url.rsplit("/", 1)[0] + f"/{name}"
    finally:
        await _pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@asynccontextmanager
async def opened(url: str) -> AsyncIterator[tuple[AsyncEngine, async_sessionmaker[AsyncSession]]]:
    engine = create_engine(url)
    try:
        yield engine, create_session_pool(engine)
    finally:
        await engine.dispose()


@dataclass(frozen=True)
class Person:
    member_id: int
    tg_id: int
    team_id: int
    role: Role


async def seed(
    pool: async_sessionmaker[AsyncSession],
    teams: int,
    managers: int,
    clients: int,
    today_tasks: int,
    history_tasks: int,
    first_tg: int = 10_000_000,
    rng: random.Random | None = None,
) -> list[Person]:
    """``teams`` teams of a head and ``managers`` managers; each manager with ``clients`` clients,
    ``today_tasks`` open tasks due today and ``history_tasks`` done tasks of the past weeks. Bulk
    inserts, so 10,000 members take seconds."""
    rng = rng or random.Random(7)
    people: list[Person] = []
    tg = first_tg
    for n in range(teams):
        async with pool() as s, s.begin():
            team = Team(
                name=f"Отдел {n + 1}", timezone="Europe/Moscow", morning_at=time(9), evening_at=time(18)
            )
            s.add(team)
            await s.flush()
            rows = []
            for i in range(managers + 1):
                role = Role.HEAD if i == 0 else Role.MANAGER
                rows.append(
                    {"team_id": team.id, "tg_id": tg, "name": f"Сотрудник {tg}", "role": role, "locale": "ru"}
                )
                tg += 1
            members = (
                await s.execute(insert(Member).returning(Member.id, Member.tg_id, Member.role), rows)
            ).all()
            team_people = [Person(mid, mtg, team.id, role) for mid, mtg, role in members]
            people.extend(team_people)
            workers = [p for p in team_people if p.role is Role.MANAGER]
            if not clients:
                continue
            client_rows = [
                {
                    "team_id": team.id,
                    "owner_id": p.member_id,
                    "name": f"Клиент {p.tg_id}-{c}",
                    "name_key": f"клиент {p.tg_id}-{c}",
                    "stage": rng.choice([Stage.NEW, Stage.QUALIFIED, Stage.PROPOSAL, Stage.NEGOTIATION]),
                }
                for p in workers
                for c in range(clients)
            ]
            client_ids = (
                await s.execute(insert(Client).returning(Client.id, Client.owner_id), client_rows)
            ).all()
            by_owner: dict[int, list[int]] = {}
            for cid, owner in client_ids:
                by_owner.setdefault(owner, []).append(cid)
            task_rows = []
            for p in workers:
                own = by_owner[p.member_id]
                for k in range(today_tasks):
                    task_rows.append(
                        _task(team.id, p.member_id, own[k % len(own)], DAY, TaskStatus.OPEN, rng)
                    )
                for _ in range(history_tasks):
                    due = DAY - timedelta(days=rng.randint(1, 120))
                    task_rows.append(_task(team.id, p.member_id, rng.choice(own), due, TaskStatus.DONE, rng))
            for start in range(0, len(task_rows), 5000):
                await s.execute(insert(Task), task_rows[start : start + 5000])
    return people


def _task(team_id: int, member_id: int, client_id: int, due: date, status: TaskStatus, rng) -> dict:
    return {
        "team_id": team_id,
        "assignee_id": member_id,
        "client_id": client_id,
        "created_by": member_id,
        "action": f"{rng.choice(ACTIONS)} {rng.randint(1, 999)}",
        "due_date": due,
        "status": status,
        "moves": 0,
    }


def percentile(sorted_ms: list[float], q: float) -> float:
    if not sorted_ms:
        return float("nan")
    k = min(len(sorted_ms) - 1, max(0, round(q * (len(sorted_ms) - 1))))
    return sorted_ms[k]
