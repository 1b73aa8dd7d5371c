"""Updates a second and handling latency of the real dispatcher with the database, beside bare aiogram.

    .venv/bin/python bench/updates.py [--db sqlite postgres] [--updates 3000] [--managers 50]

The table gives each stack's throughput as a share of the floor's ("of floor"): ours / floor is the
target (≥ 0.5 on each database, with p99 ≤ 15 ms for every kind); bare stays for reference. Both stacks get
the same kinds of updates from the same Bot API emulator, in process (``EmulatorSession``:
no HTTP, so the numbers are the bot's own), one update at a time as ``python -m bot run`` handles them
(``handle_as_tasks=False``). "ours" is ``create_dispatcher`` with every middleware (update log line at INFO,
formatted and redacted, into /dev/null; throttling; one transaction per update; processed update ids;
member lookup; the dialog state in the database, as ``python -m bot`` keeps it without Redis) and the
real handlers over a team of managers with clients, today's tasks and a history.
"bare" is a plain ``Dispatcher`` with an echo handler (``message.answer(message.text)``; presses answered);
"floor" is the same echo that also opens one transaction with one read per update. "required" is the same
echo behind every middleware of ours, as ``create_dispatcher`` builds it: what the issue requires of every
update whatever its handler does (one transaction, the update id recorded in it, the sender looked up as a
member of a team, the person's dialog state read, the update's log line), and so the least any handler of
this bot can cost; ours / required is what the handlers and their routing add to it.
The flood limit is lifted for the run (each manager sends far faster than a person can).

The mix is ``MIX``: (kind, weight, how a manager produces that update); add a kind there.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import os
import random
import statistics
import sys
import time
from collections import defaultdict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from aiogram import Bot, Dispatcher, Router
from aiogram.types import CallbackQuery, Message
from aiogram.utils.callback_answer import CallbackAnswer
from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.clock import ManualClock
from bot.config import Settings, load_settings
from bot.factory import create_bot, create_dispatcher, create_storage
from bot.perf import freeze_startup_objects
from botapi_emulator import Emulator, EmulatorSession
from domain.enums import Role
from storage.models import ProcessedUpdate, Team

sys.path.insert(0, __file__.rsplit("/", 1)[0])
from world import (
    NOW,
    TOKEN,
    Person,
    database,
    machine,
    opened,
    percentile,
    quiet_production_logging,
    seed,
)

TARGET_OF_FLOOR = 0.5  # ours / floor, each database (issue 13)
TARGET_P99_MS = 15.0  # the p99 of every kind of update


@dataclass
class Run:
    emu: Emulator
    rng: random.Random
    counters: dict[int, int] = field(default_factory=lambda: defaultdict(int))

    def text(self, p: Person, text: str) -> dict[str, Any]:
        self.emu.send_text(p.tg_id, text)
        return self.emu.take_updates()[-1]


# ---------------------------------------------------------------------- the mix


def open_today(run: Run, p: Person) -> dict[str, Any]:
    return run.text(p, "/today")


def add_task(run: Run, p: Person) -> dict[str, Any]:
    run.counters[p.tg_id] += 1
    client = f"Клиент {p.tg_id}-{run.rng.randrange(3)}"
    return run.text(p, f"/add {client}: отправить договор номер {run.counters[p.tg_id]} завтра")


def mark_done(run: Run, p: Person) -> dict[str, Any]:
    """Press ✅ on an open task of the manager's latest day list (the list is opened first if needed)."""
    for message in reversed(run.emu.sent(p.tg_id)):
        buttons = [
            b["callback_data"] for b in message.buttons if b.get("callback_data", "").startswith("tk:d:")
        ]
        if buttons:
            run.emu.press(p.tg_id, message.message_id, run.rng.choice(buttons))
            return run.emu.take_updates()[-1]
    return open_today(run, p)


Action = Callable[[Run, Person], dict[str, Any]]
MIX: list[tuple[str, int, Action]] = [
    ("today", 35, open_today),
    ("done", 35, mark_done),
    ("add", 30, add_task),
]


def bare_equivalent(run: Run, p: Person, kind: str) -> dict[str, Any]:
    """The same kind of update for the echo bot (a press on one of its own messages)."""
    if kind == "done":
        last = run.emu.last(p.tg_id)
        if last is not None:
            run.emu.press(p.tg_id, last.message_id, "tk:d:1:t:0", strict=False)
            return run.emu.take_updates()[-1]
    return run.text(p, {"today": "/today", "add": "/add Клиент: отправить договор завтра"}.get(kind, kind))


# ---------------------------------------------------------------------- the stacks


def echo_router(pool: async_sessionmaker[AsyncSession] | None = None) -> Router:
    """The echo handlers; with ``pool``, each update also opens one transaction with one read (``floor``):
    the least any handler with a database pays on this stack, whatever it does."""
    router = Router(name="echo")

    async def touch() -> None:
        if pool is not None:
            async with pool() as session, session.begin():
                await session.scalar(select(Team.id).limit(1))

    @router.message()
    async def echo(message: Message) -> None:
        await touch()
        await message.answer(message.text or "?")

    @router.callback_query()
    async def press(query: CallbackQuery, callback_answer: CallbackAnswer | None = None) -> None:
        await touch()
        if callback_answer is None:  # behind our middlewares ``AnswerCallbackMiddleware`` answers
            await query.answer()

    return router


def bare_dispatcher(pool: async_sessionmaker[AsyncSession] | None = None) -> Dispatcher:
    dp = Dispatcher()
    dp.include_router(echo_router(pool))
    return dp


@dataclass
class Result:
    name: str
    seconds: float
    latencies: dict[str, list[float]]
    cpu_seconds: float = 0.0
    cpu_by_kind: dict[str, float] = field(default_factory=dict)

    @property
    def count(self) -> int:
        return sum(len(v) for v in self.latencies.values())

    @property
    def rate(self) -> float:
        return self.count / self.seconds

    def all_ms(self) -> list[float]:
        return sorted(x for v in self.latencies.values() for x in v)


async def drive(
    name: str,
    dp: Dispatcher,
    bot: Bot,
    run: Run,
    people: list[Person],
    updates: int,
    warmup: int,
    make: Callable[[Run, Person, str], dict[str, Any]],
) -> Result:
    kinds = [k for k, _, _ in MIX]
    weights = [w for _, w, _ in MIX]
    latencies: dict[str, list[float]] = defaultdict(list)
    cpu_by_kind: dict[str, float] = defaultdict(float)
    feed: Callable[..., Awaitable[Any]] = dp.feed_raw_update
    data = dp.workflow_data
    gc.collect()
    busy = cpu = 0.0
    for i in range(warmup + updates):
        first_round = i < len(people)  # everyone opens the day first
        person = people[i] if first_round else run.rng.choice(people)
        kind = "today" if first_round else run.rng.choices(kinds, weights)[0]
        update = make(run, person, kind)
        start, start_cpu = time.perf_counter(), time.process_time()
        await feed(bot, update, **data)
        elapsed = time.perf_counter() - start
        if i >= warmup:
            latencies[kind].append(elapsed * 1000)
            busy += elapsed
            spent = time.process_time() - start_cpu
            cpu += spent
            cpu_by_kind[kind] += spent
    return Result(name, busy, latencies, cpu, dict(cpu_by_kind))


async def prepare(
    url: str, pool: async_sessionmaker[AsyncSession], managers: int
) -> tuple[list[Person], list[Person], Settings, Run]:
    """The bench's world in the database at ``url``: everyone, the managers, the bot's settings (the flood
    limit lifted), the emulator knowing everyone (in ``Run``); production logging into /dev/null, start-up
    objects frozen as ``python -m bot`` does."""
    people = await seed(pool, teams=1, managers=managers, clients=15, today_tasks=12, history_tasks=200)
    settings = load_settings(
        bot_token=TOKEN, database_url=url, throttle_rate=1e9, throttle_burst=10**9, _env_file=None
    )
    quiet_production_logging(settings.secrets)
    freeze_startup_objects()  # as python -m bot does at the end of start-up
    emu = Emulator(TOKEN, bot_username="rop_bench_bot")
    for p in people:
        emu.add_user(p.tg_id, f"Сотрудник {p.tg_id}")
    return people, [p for p in people if p.role is Role.MANAGER], settings, Run(emu, random.Random(11))


async def bench_db(kind: str, updates: int, managers: int) -> tuple[Result, Result, Result, Result]:
    async with database(kind) as url, opened(url) as (_engine, pool):
        people, workers, settings, run = await prepare(url, pool, managers)
        emu = run.emu
        warmup = max(len(workers), updates // 10)

        bare_bot = create_bot(settings, session=EmulatorSession(emu))
        bare = await drive(
            "bare", bare_dispatcher(), bare_bot, run, workers, updates, warmup, bare_equivalent
        )
        floor = await drive(
            "floor", bare_dispatcher(pool), bare_bot, run, workers, updates, warmup, bare_equivalent
        )

        required_dp = create_dispatcher(
            settings,
            pool,
            clock=ManualClock(NOW),
            storage=create_storage(settings, pool),
            routers=echo_router(),
        )
        required = await drive(
            "required", required_dp, bare_bot, run, workers, updates, warmup, bare_equivalent
        )
        await required_dp.storage.close()
        async with pool() as session, session.begin():  # the emulator's update ids start again at 1 below
            await session.execute(delete(ProcessedUpdate))

        emu.reset()
        for p in people:
            emu.add_user(p.tg_id, f"Сотрудник {p.tg_id}")
        bot = create_bot(settings, session=EmulatorSession(emu))
        dp = create_dispatcher(settings, pool, clock=ManualClock(NOW), storage=create_storage(settings, pool))
        actions = {k: a for k, _, a in MIX}
        ours = await drive("ours", dp, bot, run, workers, updates, warmup, lambda r, p, k: actions[k](r, p))
        errors = [m for m in emu.sent() if "ошибк" in (m.plain_text or "").lower()]
        if errors:
            print(f"  warning: {len(errors)} error replies, e.g. {errors[0].plain_text[:120]!r}")
        await dp.storage.close()
        return bare, floor, required, ours


def report(kind: str, bare: Result, floor: Result, required: Result, ours: Result) -> bool:
    """Prints the table of one database; True when ours meets the targets (``TARGET_OF_FLOOR`` of the
    floor's throughput, p99 of every kind within ``TARGET_P99_MS``)."""
    print(f"\n{kind}: {ours.count} updates each (after warm-up)")
    print(f"  {'stack':<8} {'upd/s':>8} {'of floor':>9} {'p50 ms':>8} {'p99 ms':>8} {'CPU ms/upd':>11}")
    for r in (bare, floor, required, ours):
        ms = r.all_ms()
        cpu = r.cpu_seconds / r.count * 1000
        p50, p99 = percentile(ms, 0.5), percentile(ms, 0.99)
        share = f"{r.rate / floor.rate:.2f}"
        print(f"  {r.name:<8} {r.rate:>8.0f} {share:>9} {p50:>8.2f} {p99:>8.2f} {cpu:>11.2f}")
    print("  ours by kind:", end="")
    worst = 0.0
    for k, values in sorted(ours.latencies.items()):
        ms = sorted(values)
        worst = max(worst, percentile(ms, 0.99))
        cpu = ours.cpu_by_kind[k] / len(ms) * 1000
        p50, p99 = percentile(ms, 0.5), percentile(ms, 0.99)
        print(f"  {k} n={len(ms)} p50={p50:.2f} p99={p99:.2f} CPU={cpu:.2f} ms;", end="")
    ratio = ours.rate / floor.rate
    cpu_ratio = (floor.cpu_seconds / floor.count) / (ours.cpu_seconds / ours.count)
    print(
        f"\n  ours / floor = {ratio:.2f} (target ≥ {TARGET_OF_FLOOR}); by CPU an update {cpu_ratio:.2f}; "
        f"worst p99 of a kind {worst:.1f} ms (target ≤ {TARGET_P99_MS:g})"
    )
    print(
        f"  ours mean {statistics.fmean(ours.all_ms()):.2f} ms per update; "
        f"ours / bare = {ours.rate / bare.rate:.2f}"
    )
    print(
        f"  floor / bare = {floor.rate / bare.rate:.2f}: the floor is an echo bot with one transaction and "
        "one read per update, the most any bot with this database stack can reach"
    )
    print(
        f"  required / floor = {required.rate / floor.rate:.2f}: the echo behind our middlewares (the "
        "transaction, the update id, the member and team, the dialog state, the log line), the most any "
        f"handler of ours can reach; ours / required = {ours.rate / required.rate:.2f}"
    )
    return ratio >= TARGET_OF_FLOOR and worst <= TARGET_P99_MS


async def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", nargs="+", choices=["sqlite", "postgres"], default=["sqlite", "postgres"])
    parser.add_argument("--updates", type=int, default=3000)
    parser.add_argument("--managers", type=int, default=50)
    args = parser.parse_args()
    print(f"machine: {machine()}; load average {os.getloadavg()[0]:.1f} at start")
    print(f"mix: {', '.join(f'{k} {w}%' for k, w, _ in MIX)}; one team of {args.managers} managers")
    ok = True
    for kind in args.db:
        ok = report(kind, *await bench_db(kind, args.updates, args.managers)) and ok
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
