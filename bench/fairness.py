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

"before": one queue for every update (``ConcurrentPolling(sequential=True)``, what
``handle_as_tasks=False`` did) and the heavy work done inside the handler on the bot's loop
(``HeavyJobs.inline``). "after": per-person queues handled at once, and heavy work as jobs in worker
threads. Each phase runs on its own copy of the seeded database.
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


@dataclass
class Phase:
    name: str
    light_ms: list[float] = field(default_factory=list)
    exports_sent: int = 0
    exports_done: int = 0
    import_s: float | None = None
    unanswered: int = 0


def import_csv(owners: list[str]) -> bytes:
    lines = ["Компания;Ответственный;Задача;Срок"]
    for i in range(IMPORT_ROWS):
        lines.append(f"Импорт {i};{owners[i % len(owners)]};Отправить договор {i};{10 + i % 15}.12.2026")
    return ("\n".join(lines) + "\n").encode()


def answered(emu: Emulator, tg_id: int, before: int) -> bool:
    return len(emu.sent(tg_id)) > before


async def light_user(emu: Emulator, p: Person, until: float, phase: Phase, rng: random.Random) -> None:
    while time.perf_counter() < until:
        before = len(emu.sent(p.tg_id))
        start = time.perf_counter()
        emu.send_text(p.tg_id, "/help")
        try:
            await emu.wait_for(partial(answered, emu, p.tg_id, before), timeout=CAP_S)
            phase.light_ms.append((time.perf_counter() - start) * 1000)
        except TimeoutError:
            phase.light_ms.append(CAP_S * 1000)
            phase.unanswered += 1
        await asyncio.sleep(rng.uniform(0.5, 1.5))


async def flooder(emu: Emulator, head: Person, until: float, phase: Phase) -> None:
    while time.perf_counter() < until:
        emu.send_text(head.tg_id, "/export")
        phase.exports_sent += 1
        await asyncio.sleep(0.5)


async def importer(emu: Emulator, head: Person, data: bytes, phase: Phase) -> None:
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
        dp = create_dispatcher(settings, pool, clock=ManualClock(NOW), heavy=heavy)
        bot = create_bot(settings, session=EmulatorSession(emu))
        polling = ConcurrentPolling(
            dp, bot, allowed_updates=dp.resolve_used_update_types(), polling_timeout=1, sequential=sequential
        )
        running = asyncio.create_task(polling.run())
        until = time.perf_counter() + seconds
        load = [
            asyncio.create_task(flooder(emu, flood_head, until, phase)),
            asyncio.create_task(importer(emu, import_head, import_csv(owners), phase)),
        ]
        await asyncio.sleep(0.5)  # the heavy work is under way before the first light command
        until = max(until, time.perf_counter() + seconds / 2)  # "before" blocks this loop too
        await asyncio.gather(*(light_user(emu, p, until, phase, random.Random(p.tg_id)) for p in lights))
        phase.exports_done = sum(1 for m in emu.sent(flood_head.tg_id) if m.kind == "document")
        polling.stop()
        for worker in list(polling.workers):  # "before" has a backlog of exports: not waited for
            worker.cancel()
        for task in load:
            task.cancel()
        await asyncio.gather(running, *load, return_exceptions=True)
        await heavy.close()
        await bot.session.close()
    _ = rng
    return phase


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


if __name__ == "__main__":
    asyncio.run(main())
