"""Fairness: while one person floods heavy commands and an import of 5,000 rows runs, how long do other
people wait for light commands? Before (the old way) and after (this code), in the same run.

    .venv/bin/python bench/fairness.py [--seconds 20] [--db sqlite|postgres] [--light 20]

The real dispatcher, middlewares and handlers over the in-process Bot API emulator (no HTTP), driven by the
real polling loop (``bot/polling.py``) at production settings (flood limit 2 a second, burst 8). A team of
30 managers with 500 clients each (15,000 clients, the export's ~5 s), and a second team:

* the flooder, the first team's head, sends ``/export`` twice a second (the most the flood limit lets
  through) for the whole run;
* the second team's head sends a CSV of 5,000 new clients with tasks and presses "Загрузить" once the
  preview comes;
* ``--light`` managers each send ``/help``, wait for the answer, pause 0.5–1.5 s, and again: the latency
  of each, from sending to the reply, is what is measured.

What light commands wait on is traced in the same run (``Trace``): SQLite's one writer is taken in turns
(``HeavyJobs.turns``, the lock ``DbSessionMiddleware`` and the import's writes share), so the lock records
how long each turn was held and waited for, and which turns were the import's writes; a watcher on the
bot's loop records stalls (the loop busy with CPU work, or the process waiting for a CPU); and each slow
``/help`` is matched against both: how much of its wait the import held the writer, how much the loop was
stalled.

"before": one queue for every update (``ConcurrentPolling(sequential=True)``, what
``handle_as_tasks=False`` did) and the heavy work done inside the handler on the bot's loop
(``HeavyJobs.inline``). "after": per-person queues handled at once, and heavy work as jobs in worker
processes. Each phase runs on its own copy of the seeded database. "after" goes on past ``--seconds``
until the import is written (at most ``IMPORT_WAIT_S`` more), so its write falls inside what is measured;
"before" stops at ``--seconds`` (the import would not finish there).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import sys
import time
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from aiogram.types import Update

import handlers.importing
from bot.clock import ManualClock
from bot.config import load_settings
from bot.factory import create_bot, create_dispatcher
from bot.heavy import HeavyJobs
from bot.polling import ConcurrentPolling
from botapi_emulator import Emulator, EmulatorSession
from botapi_emulator.models import SentMessage
from domain.enums import Role

sys.path.insert(0, __file__.rsplit("/", 1)[0])
from world import NOW, TOKEN, Person, copy_of, database, machine, opened, percentile, seed

CAP_S = 120.0  # a light command not answered within this long counts as this long
IMPORT_ROWS = 5_000
IMPORT_WAIT_S = 240.0
SLOW_S = 0.5  # a light command answered slower than this is explained in the trace
STALL_S = 0.05  # the loop late by more than this counts as a stall
WATCH_STEP_S = 0.01


@dataclass
class Trace:
    """Intervals (start, seconds) on the ``time.perf_counter`` clock."""

    turns: list[tuple[float, float]] = field(default_factory=list)  # every turn held at the writer
    held_by: dict[str, list[float]] = field(default_factory=dict)  # seconds held, by what held the turn
    labels: dict[asyncio.Task[Any], str] = field(default_factory=dict)  # the update each task handles
    waits: list[float] = field(default_factory=list)  # every wait for a turn, seconds
    import_turns: list[tuple[float, float]] = field(default_factory=list)  # the import's writes' turns
    import_writes: list[tuple[float, float]] = field(default_factory=list)  # the import's whole write
    import_tasks: set[asyncio.Task[Any]] = field(default_factory=set)
    stalls: list[tuple[float, float]] = field(default_factory=list)
    light: list[tuple[float, float]] = field(default_factory=list)
    cpu_s: float = 0.0  # this process's CPU time during the phase (the bot, the emulator, the load)
    wall_s: float = 0.0


class TracedTurns(asyncio.Lock):
    """``HeavyJobs.turns`` that records each turn: the wait for it and how long it was held, by whom."""

    def __init__(self, trace: Trace) -> None:
        super().__init__()
        self.trace = trace
        self._since = 0.0

    async def acquire(self) -> bool:
        asked = time.perf_counter()
        got = await super().acquire()
        self._since = time.perf_counter()
        self.trace.waits.append(self._since - asked)
        return got

    def release(self) -> None:
        held = (self._since, time.perf_counter() - self._since)
        self.trace.turns.append(held)
        task = asyncio.current_task()
        if task in self.trace.import_tasks:
            self.trace.import_turns.append(held)
            label = "import write"
        else:
            label = self.trace.labels.get(task, "other") if task is not None else "other"
        self.trace.held_by.setdefault(label, []).append(held[1])
        super().release()


def label(update: Update) -> str:
    if update.message is not None:
        if update.message.document is not None:
            return "file"
        return (update.message.text or "?").split()[0]
    if update.callback_query is not None:
        return f"button {update.callback_query.data}"
    return "update"


def traced_handle(trace: Trace, polling: ConcurrentPolling) -> None:
    """Each update's task is labelled with what it is, for the turns it holds."""
    handle = polling._handle

    async def labelled(update: Update) -> None:
        task = asyncio.current_task()
        if task is not None:
            trace.labels[task] = label(update)
        await handle(update)

    polling._handle = labelled  # type: ignore[method-assign]


def traced_apply(trace: Trace, apply: Any) -> Any:
    """``importer.service.apply_staged`` as the import handler calls it, timed, its task marked as the
    import's (so its turns at the writer are told apart)."""

    async def timed(*args: Any, **kwargs: Any) -> Any:
        task = asyncio.current_task()
        if task is not None:
            trace.import_tasks.add(task)
        start = time.perf_counter()
        try:
            return await apply(*args, **kwargs)
        finally:
            trace.import_writes.append((start, time.perf_counter() - start))

    return timed


async def watch_loop(trace: Trace) -> None:
    """Sleeps a short step again and again: waking later than asked means the loop was busy (or the
    process had no CPU) for that long."""
    while True:
        asked = time.perf_counter()
        await asyncio.sleep(WATCH_STEP_S)
        late = time.perf_counter() - asked - WATCH_STEP_S
        if late > STALL_S:
            trace.stalls.append((asked + WATCH_STEP_S, late))


def overlap(start: float, seconds: float, spans: list[tuple[float, float]]) -> float:
    end = start + seconds
    return sum(max(0.0, min(end, s + d) - max(start, s)) for s, d in spans)


@dataclass
class Phase:
    name: str
    light_ms: list[float] = field(default_factory=list)
    exports_sent: int = 0
    exports_done: int = 0
    import_s: float | None = None
    unanswered: int = 0
    trace: Trace = field(default_factory=Trace)


def import_csv(owners: list[str]) -> bytes:
    lines = ["Компания;Ответственный;Задача;Срок"]
    for i in range(IMPORT_ROWS):
        lines.append(f"Импорт {i};{owners[i % len(owners)]};Отправить договор {i};{10 + i % 15}.12.2026")
    return ("\n".join(lines) + "\n").encode()


def answered(emu: Emulator, tg_id: int, before: int) -> bool:
    return len(emu.sent(tg_id)) > before


@dataclass
class Window:
    """How long the load runs: ``seconds``, and in "after" on until the import is written (so its write
    falls inside what is measured), at most ``IMPORT_WAIT_S`` longer."""

    until: float
    import_done: asyncio.Event = field(default_factory=asyncio.Event)
    wait_import: bool = False

    def open(self) -> bool:
        now = time.perf_counter()
        if now < self.until:
            return True
        return self.wait_import and not self.import_done.is_set() and now < self.until + IMPORT_WAIT_S


async def light_user(emu: Emulator, p: Person, window: Window, phase: Phase, rng: random.Random) -> None:
    while window.open():
        before = len(emu.sent(p.tg_id))
        start = time.perf_counter()
        emu.send_text(p.tg_id, "/help")
        try:
            await emu.wait_for(partial(answered, emu, p.tg_id, before), timeout=CAP_S)
            phase.light_ms.append((time.perf_counter() - start) * 1000)
            phase.trace.light.append((start, time.perf_counter() - start))
        except TimeoutError:
            phase.light_ms.append(CAP_S * 1000)
            phase.unanswered += 1
        await asyncio.sleep(rng.uniform(0.5, 1.5))


async def flooder(emu: Emulator, head: Person, window: Window, phase: Phase) -> None:
    while window.open():
        emu.send_text(head.tg_id, "/export")
        phase.exports_sent += 1
        await asyncio.sleep(0.5)


async def importer(emu: Emulator, head: Person, data: bytes, phase: Phase, window: Window) -> None:
    start = time.perf_counter()
    emu.send_document(head.tg_id, data, "big.csv")

    def confirm() -> SentMessage | None:
        for m in reversed(emu.sent(head.tg_id)):
            for b in m.buttons:
                if b.get("callback_data") == "imp:go":
                    return m
        return None

    message = await emu.wait_for(confirm, timeout=600)
    assert message is not None
    emu.press(head.tg_id, message.message_id, "imp:go")
    await emu.wait_for(lambda: any("Загружено" in m.plain_text for m in emu.sent(head.tg_id)), timeout=600)
    phase.import_s = time.perf_counter() - start
    await asyncio.sleep(1.0)  # the light commands just after the write are measured too
    window.import_done.set()


async def run_phase(url: str, people: list[Person], sequential: bool, seconds: float, light: int) -> Phase:
    phase = Phase("before" if sequential else "after")
    rng = random.Random(11)
    team_ids = sorted({p.team_id for p in people})
    flood_head = next(p for p in people if p.team_id == team_ids[0] and p.role is Role.HEAD)
    import_head = next(p for p in people if p.team_id == team_ids[1] and p.role is Role.HEAD)
    owners = [f"Сотрудник {p.tg_id}" for p in people if p.team_id == team_ids[1] and p.role is Role.MANAGER]
    lights = [p for p in people if p.team_id == team_ids[0] and p.role is Role.MANAGER][:light]
    emu = Emulator(TOKEN, bot_username="rop_bench_bot")
    for p in people:
        emu.add_user(p.tg_id, f"Сотрудник {p.tg_id}")
    settings = load_settings(bot_token=TOKEN, database_url=url, _env_file=None)
    async with opened(url) as (_engine, pool):
        heavy = HeavyJobs(url, processes=True)  # as python -m bot run
        heavy.inline = sequential
        trace = phase.trace
        if heavy.turns is not None:
            heavy.turns = TracedTurns(trace)
        handlers.importing.apply_staged = traced_apply(trace, real_apply)
        dp = create_dispatcher(settings, pool, clock=ManualClock(NOW), heavy=heavy)
        bot = create_bot(settings, session=EmulatorSession(emu))
        polling = ConcurrentPolling(
            dp, bot, allowed_updates=dp.resolve_used_update_types(), polling_timeout=1, sequential=sequential
        )
        traced_handle(trace, polling)
        running = asyncio.create_task(polling.run())
        watcher = asyncio.create_task(watch_loop(trace))
        cpu0, wall0 = time.process_time(), time.perf_counter()
        window = Window(time.perf_counter() + seconds, wait_import=not sequential)
        load = [
            asyncio.create_task(flooder(emu, flood_head, window, phase)),
            asyncio.create_task(importer(emu, import_head, import_csv(owners), phase, window)),
        ]
        await asyncio.sleep(0.5)  # the heavy work is under way before the first light command
        window.until = max(window.until, time.perf_counter() + seconds / 2)  # "before" blocks this loop too
        await asyncio.gather(*(light_user(emu, p, window, phase, random.Random(p.tg_id)) for p in lights))
        trace.cpu_s, trace.wall_s = time.process_time() - cpu0, time.perf_counter() - wall0
        watcher.cancel()
        phase.exports_done = sum(1 for m in emu.sent(flood_head.tg_id) if m.kind == "document")
        polling.stop()
        for worker in list(polling.workers):  # "before" has a backlog of exports: not waited for
            worker.cancel()
        for task in load:
            task.cancel()
        await asyncio.gather(running, *load, return_exceptions=True)
        await heavy.close()
        await bot.session.close()
        handlers.importing.apply_staged = real_apply
    _ = rng
    return phase


real_apply = handlers.importing.apply_staged


def explain(phase: Phase) -> str:
    """What the light commands waited on: the import's writes, the loop's stalls, the writer's turns."""
    tr = phase.trace
    lines = []
    if tr.import_writes:
        turns = sorted(d for _, d in tr.import_turns)
        lines.append(
            f"        import write: {sum(d for _, d in tr.import_writes) * 1000:.0f} ms in all, "
            f"{len(turns)} turn(s) at the writer, longest {turns[-1] * 1000 if turns else 0:.0f} ms; "
            f"loop stalled {sum(overlap(s, d, tr.stalls) for s, d in tr.import_writes) * 1000:.0f} ms "
            "meanwhile"
        )
    else:
        lines.append("        import write: not reached in the run")
    waits = sorted(tr.waits)
    held = sorted(d for _, d in tr.turns)
    lines.append(
        f"        writer turns: {len(held)}, held p50 {percentile(held, 0.5) * 1000:.0f} ms "
        f"p99 {percentile(held, 0.99) * 1000:.0f} ms max {held[-1] * 1000 if held else 0:.0f} ms; "
        f"waited for p50 {percentile(waits, 0.5) * 1000:.0f} ms p99 {percentile(waits, 0.99) * 1000:.0f} ms "
        f"max {waits[-1] * 1000 if waits else 0:.0f} ms"
    )
    for what, seconds in sorted(tr.held_by.items(), key=lambda kv: -sum(kv[1])):
        ms = sorted(x * 1000 for x in seconds)
        lines.append(
            f"          held by {what}: {len(ms)}, p50 {percentile(ms, 0.5):.0f} ms p99 "
            f"{percentile(ms, 0.99):.0f} ms max {ms[-1]:.0f} ms, total {sum(ms) / 1000:.1f} s"
        )
    stalls = sorted(d for _, d in tr.stalls)
    lines.append(
        f"        loop stalls > {STALL_S * 1000:.0f} ms: {len(stalls)}, total {sum(stalls) * 1000:.0f} ms, "
        f"max {stalls[-1] * 1000 if stalls else 0:.0f} ms; this process used "
        f"{tr.cpu_s / tr.wall_s if tr.wall_s else 0:.0%} of a core"
    )
    slow = [(s, d) for s, d in tr.light if d > SLOW_S]
    if slow:
        by_import = sum(overlap(s, d, tr.import_turns) for s, d in slow)
        by_stalls = sum(overlap(s, d, tr.stalls) for s, d in slow)
        total = sum(d for _, d in slow)
        during = sum(1 for s, d in slow if overlap(s, d, tr.import_turns) > 0)
        lines.append(
            f"        /help slower than {SLOW_S * 1000:.0f} ms: {len(slow)}, {during} of them during the "
            f"import's write; of their {total:.1f} s: the import held the writer "
            f"{by_import / total:.0%}, the loop stalled {by_stalls / total:.0%}"
        )
    return "\n".join(lines)


def report(phase: Phase) -> str:
    ms = sorted(phase.light_ms)
    imp = f"{phase.import_s:.1f} s" if phase.import_s is not None else "not finished in the run"
    return (
        f"{phase.name:>6}: light /help n={len(ms)} p50={percentile(ms, 0.5):.0f} ms "
        f"p99={percentile(ms, 0.99):.0f} ms max={ms[-1] if ms else float('nan'):.0f} ms "
        f"(unanswered within {CAP_S:.0f} s: {phase.unanswered}); "
        f"/export sent {phase.exports_sent}, files {phase.exports_done}; import of {IMPORT_ROWS} rows: {imp}"
    )


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--light", type=int, default=20)
    parser.add_argument("--only", choices=["before", "after"], default=None)
    args = parser.parse_args()
    print(machine())
    async with database(args.db) as url:
        async with opened(url) as (_engine, pool):
            people = await seed(pool, teams=2, managers=30, clients=500, today_tasks=3, history_tasks=10)
        results = []
        for sequential in (True, False):
            if args.only and args.only != ("before" if sequential else "after"):
                continue
            async with copy_of(url) as copy:
                load = os.getloadavg()
                phase = await run_phase(copy, people, sequential, args.seconds, args.light)
                results.append(phase)
                print(report(phase), f"[load average at start {load[0]:.2f}]", flush=True)
                print(explain(phase), flush=True)


if __name__ == "__main__":
    asyncio.run(main())
