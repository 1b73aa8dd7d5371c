"""Where an update's time goes: ``bench/updates.py``'s "ours" run under cProfile, one profile per kind.

    .venv/bin/python bench/profile_updates.py [--db sqlite|postgres] [--updates 1500] [--top 25]
        [--sort tottime|cumtime] [--dump DIR]

The same world, mix and dispatcher as ``bench/updates.py``; only the updates after the warm-up are
profiled, each kind into its own ``cProfile.Profile``. Prints the top functions of each kind (by own
time, ``tottime``, unless told) with the profiled time per update (wall time, waits for aiosqlite's
thread included); ``--dump`` writes ``<kind>.prof`` files for snakeviz or ``python -m pstats``.
cProfile roughly doubles the time of pure-Python code, so read the shares, not the absolute figures.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import io
import pstats
import sys
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, __file__.rsplit("/", 1)[0])
from updates import MIX, prepare
from world import NOW, database, machine, opened

from bot.clock import ManualClock
from bot.factory import create_bot, create_dispatcher, create_storage
from botapi_emulator import EmulatorSession


async def profile(db: str, updates: int, managers: int) -> tuple[dict[str, cProfile.Profile], dict[str, int]]:
    async with database(db) as url, opened(url) as (_engine, pool):
        _people, workers, settings, run = await prepare(url, pool, managers)
        bot = create_bot(settings, session=EmulatorSession(run.emu))
        dp = create_dispatcher(settings, pool, clock=ManualClock(NOW), storage=create_storage(settings, pool))
        actions = {k: a for k, _, a in MIX}
        kinds = [k for k, _, _ in MIX]
        weights = [w for _, w, _ in MIX]
        profiles: dict[str, cProfile.Profile] = defaultdict(cProfile.Profile)
        counts: dict[str, int] = defaultdict(int)
        warmup = max(len(workers), updates // 10)
        for i in range(warmup + updates):
            first = i < len(workers)
            person = workers[i] if first else run.rng.choice(workers)
            kind = "today" if first else run.rng.choices(kinds, weights)[0]
            update = actions[kind](run, person)
            if i < warmup:
                await dp.feed_raw_update(bot, update, **dp.workflow_data)
                continue
            prof = profiles[kind]
            prof.enable()
            await dp.feed_raw_update(bot, update, **dp.workflow_data)
            prof.disable()
            counts[kind] += 1
        await dp.storage.close()
        return profiles, counts


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--updates", type=int, default=1500)
    parser.add_argument("--managers", type=int, default=50)
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--sort", default="tottime")
    parser.add_argument("--dump", type=Path)
    args = parser.parse_args()
    import os

    print(f"machine: {machine()}; load average {os.getloadavg()[0]:.1f} at start")
    started = time.process_time()
    profiles, counts = asyncio.run(profile(args.db, args.updates, args.managers))
    for kind, prof in sorted(profiles.items()):
        out = io.StringIO()
        stats = pstats.Stats(prof, stream=out)
        total = stats.total_tt  # type: ignore[attr-defined]
        each = total / counts[kind] * 1000
        print(f"\n=== {kind}: {counts[kind]} updates, {each:.2f} ms profiled each (wall, waits included)")
        stats.sort_stats(args.sort).print_stats(args.top)
        print("\n".join(out.getvalue().splitlines()[6:]))
        if args.dump:
            args.dump.mkdir(parents=True, exist_ok=True)
            prof.dump_stats(str(args.dump / f"{kind}.prof"))
    print(f"\n(total CPU {time.process_time() - started:.1f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
