"""Peak memory of the bot process serving 10,000 members.

    .venv/bin/python bench/memory.py [--members 10000] [--updates 3000] [--db sqlite|postgres]

Builds a database with ``--members`` members (teams of a head and 49 managers, each manager with clients,
today's tasks and a history), starts the real ``python -m bot run`` against the Bot API emulator served
over HTTP from this process, has thousands of different members talk to it (a mix of opening the day
list, adding a task and /help), and reads the bot process's peak resident set size (``VmHWM`` in
``/proc/<pid>/status``) before stopping it. Target: under 200 MB.

The process is the one production runs, aiogram's models built on first use (``bot/lean.py``);
``ROP_LEAN_IMPORTS=0 .venv/bin/python bench/memory.py`` measures it with them all built at import.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import signal
import sys
import tempfile
import time
from asyncio.subprocess import DEVNULL
from collections.abc import Callable
from pathlib import Path

from bot import lean
from botapi_emulator import Emulator, run_emulator
from domain.enums import Role

sys.path.insert(0, str(Path(__file__).resolve().parent))
from world import TOKEN, database, machine, opened, seed

ROOT = Path(__file__).resolve().parent.parent
TARGET_MB = 200
TEAM_SIZE = 50


def vm(pid: int) -> dict[str, int]:
    """VmHWM (peak) and VmRSS (now) of ``pid`` in kB."""
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, value = line.partition(":")
        if name in ("VmHWM", "VmRSS"):
            fields[name] = int(value.split()[0])
    return fields


async def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=10_000)
    parser.add_argument("--updates", type=int, default=3000)
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    args = parser.parse_args()
    print(f"machine: {machine()}; load average {os.getloadavg()[0]:.1f} at start")
    built = "on first use (bot/lean.py)" if lean.enabled() else "at import (ROP_LEAN_IMPORTS=0)"
    print(f"python -m bot run, aiogram's models built {built}")
    rng = random.Random(5)
    async with database(args.db) as url:
        started = time.perf_counter()
        async with opened(url) as (_engine, pool):
            people = await seed(
                pool,
                teams=args.members // TEAM_SIZE,
                managers=TEAM_SIZE - 1,
                clients=5,
                today_tasks=5,
                history_tasks=10,
                rng=rng,
            )
        took = time.perf_counter() - started
        print(f"{len(people)} members in {len(people) // TEAM_SIZE} teams, built in {took:.0f} s")

        emu = Emulator(TOKEN, bot_username="rop_bench_bot")
        for p in people:
            emu.add_user(p.tg_id, f"Сотрудник {p.tg_id}")
        async with run_emulator(emu) as base_url:
            env = {
                k: v for k, v in os.environ.items() if not k.startswith(("BOT_", "DATABASE_", "TELEGRAM_"))
            }
            env.update(BOT_TOKEN=TOKEN, DATABASE_URL=url, TELEGRAM_API_URL=base_url, LOG_LEVEL="INFO")
            with tempfile.TemporaryDirectory() as workdir:
                proc = await asyncio.create_subprocess_exec(
                    sys.executable, "-m", "bot", "run", cwd=workdir, env=env, stdout=DEVNULL, stderr=DEVNULL
                )
                try:
                    await emu.wait_for(lambda: emu.calls_of("getUpdates"), timeout=60)
                    idle = vm(proc.pid)
                    served = await talk(emu, people, args.updates, rng, lambda: vm(proc.pid)["VmRSS"])
                    peak = vm(proc.pid)
                finally:
                    proc.send_signal(signal.SIGINT)
                    try:
                        await asyncio.wait_for(proc.wait(), 20)
                    except TimeoutError:
                        proc.kill()
    mb = peak["VmHWM"] / 1024
    print(f"after start-up: RSS {idle['VmRSS'] / 1024:.0f} MB")
    print(
        f"after {served['updates']} updates from {served['users']} members in {served['seconds']:.0f} s: "
        f"RSS {peak['VmRSS'] / 1024:.0f} MB, peak {mb:.0f} MB (target < {TARGET_MB} MB)"
    )
    print(f"load average {os.getloadavg()[0]:.1f} at the end")
    return 0 if mb < TARGET_MB else 1


async def talk(
    emu: Emulator, people, updates: int, rng: random.Random, rss: Callable[[], int]
) -> dict[str, float]:
    """``updates`` messages from random members, in waves of 200 (a busy morning), each wave answered
    before the next."""
    managers = [p for p in people if p.role is Role.MANAGER]
    heads = [p for p in people if p.role is Role.HEAD]
    users: set[int] = set()
    started = time.perf_counter()
    sent_before = len(emu.sent())
    for start in range(0, updates, 200):
        wave = min(200, updates - start)
        for n in range(wave):
            roll = rng.random()
            if roll < 0.1:
                person, text = rng.choice(heads), "/team"
            else:
                person = rng.choice(managers)
                if roll < 0.5:
                    text = "/today"
                elif roll < 0.8:
                    client = f"Клиент {person.tg_id}-{rng.randrange(5)}"
                    text = f"/add {client}: отправить договор номер {start + n} завтра"
                else:
                    text = "/help"
            users.add(person.tg_id)
            emu.send_text(person.tg_id, text)
        await emu.wait_for(lambda: emu.pending_updates() == 0, timeout=600)
        if (start // 200) % 5 == 4 or start + wave >= updates:
            print(
                f"  {start + wave:>6} updates, {len(users):>5} members: RSS {rss() / 1024:.0f} MB", flush=True
            )
    # the last batch is confirmed by the next poll; wait for its replies to settle
    await emu.wait_for(lambda: len(emu.sent()) - sent_before >= updates, timeout=120)
    return {"updates": updates, "users": len(users), "seconds": time.perf_counter() - started}


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
