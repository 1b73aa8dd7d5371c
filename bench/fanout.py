"""Fan-out speed: a morning for N managers through the delivery machinery (outbox, shared limiter,
sender) against the Bot API emulator enforcing Telegram's limits, over HTTP, in a process of its own.

    .venv/bin/python bench/fanout.py [--n 1000] [--kind morning|plain] [--db sqlite|postgres] [--profile]

The emulator answers 429 past 30 messages a second or past one a second per chat (after a burst of three),
as Telegram does. The bot runs with its production settings (``SEND_RATE`` 28, ``SEND_CONCURRENCY`` 8)
unless given others. ``morning`` is the real morning list (each manager with clients and five tasks due
today); ``plain`` a fixed text read from the database, to see the machinery alone. It prints messages a
second achieved as a fraction of 30 (target ≥ 0.9) and the count of 429s (target 0), and exits 1 when a
target is missed.
It also prints the CPU the kind's composer took a message (its share of the bot's); ``--profile`` runs
the drain under cProfile and prints its top items, by own time and by cumulative time.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import dataclasses
import io
import json
import pstats
import socket
import sys
import time
import urllib.request

from sqlalchemy import event
from world import NOW, TOKEN, database, machine, opened, quiet_production_logging, seed

from bot.clock import ManualClock
from bot.config import load_settings
from bot.factory import create_bot
from bot.i18n import default_translator
from bot.perf import freeze_startup_objects
from scheduler.compose import ComposeContext, Composer, Kind, Outgoing
from scheduler.kinds import KINDS
from scheduler.runner import Runner

TELEGRAM_RATE = 30


async def compose_plain(ctx: ComposeContext) -> list[Outgoing]:
    member = await ctx.repo.members.in_team(ctx.team.id, ctx.member.id)
    lines = [f"<b>Доброе утро, {member.name}!</b>", *(f"{i}. Позвонить клиенту {i}" for i in range(1, 16))]
    return [Outgoing("\n".join(lines))]


class TimedComposer:
    """Wraps a kind's composer to add up the CPU it takes (the composer awaits the database, so in a
    drain other work can interleave; with the sends' network waits that is small)."""

    def __init__(self, composer: Composer) -> None:
        self.composer = composer
        self.cpu = 0.0
        self.calls = 0

    async def __call__(self, ctx: ComposeContext) -> list[Outgoing]:
        started = time.process_time()
        try:
            return await self.composer(ctx)
        finally:
            self.cpu += time.process_time() - started
            self.calls += 1


def print_profile(profile: cProfile.Profile, top: int = 30) -> None:
    for order in ("tottime", "cumulative"):
        out = io.StringIO()
        pstats.Stats(profile, stream=out).sort_stats(order).print_stats(top)
        print(f"--- cProfile of the drain, top {top} by {order}")
        print(out.getvalue().split("\n", 4)[-1].rstrip())


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def control(base: str, action: str, body: dict | None = None) -> object:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(
        f"{base}/_emulator/{action}", data=data, headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=30) as answer:
        return json.loads(answer.read())["result"]


async def start_emulator(users: list[int]) -> tuple[asyncio.subprocess.Process, str]:
    port = free_port()
    args = ["-m", "botapi_emulator", "--port", str(port), "--token", TOKEN]
    for user in users:
        args += ["--user", str(user)]
    proc = await asyncio.create_subprocess_exec(
        sys.executable, *args, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.DEVNULL
    )
    assert proc.stdout is not None
    line = await asyncio.wait_for(proc.stdout.readline(), 60)
    if b"Bot API emulator on" not in line:
        raise RuntimeError(f"the emulator did not start: {line!r}")
    return proc, f"http://127.0.0.1:{port}"


async def run(
    n: int, kind: str, db: str, rate: float | None, concurrency: int | None, profile: bool = False
) -> int:
    quiet_production_logging([TOKEN])
    if kind == "plain":
        KINDS["plain"] = Kind("plain", compose_plain, frozenset({"manager"}), "morning_at")
    if kind not in KINDS:
        print(f"no kind {kind!r}; registered: {', '.join(sorted(KINDS))}", file=sys.stderr)
        return 2
    timed = TimedComposer(KINDS[kind].composer)
    KINDS[kind] = dataclasses.replace(KINDS[kind], composer=timed)
    profiler = cProfile.Profile() if profile else None
    statements = [0]

    def count(*_: object) -> None:
        statements[0] += 1

    async with database(db) as url, opened(url) as (engine, pool):
        people = await seed(pool, 1, n, clients=5, today_tasks=5, history_tasks=0)
        managers = [p.tg_id for p in people if p.role.value == "manager"]
        proc, base = await start_emulator([p.tg_id for p in people])
        try:
            control(base, "limits", {})  # Telegram's: 30 a second, one a second per chat after 3
            overrides: dict[str, object] = {}
            if rate is not None:
                overrides["send_rate"] = rate
            if concurrency is not None:
                overrides["send_concurrency"] = concurrency
            settings = load_settings(
                bot_token=TOKEN, database_url=url, telegram_api_url=base, _env_file=None, **overrides
            )
            bot = create_bot(settings)
            clock = ManualClock(NOW)
            runner = Runner.from_settings(bot, pool, settings, translator=default_translator(), clock=clock)
            runner.kinds = frozenset({kind})
            freeze_startup_objects()  # as python -m bot does at the end of start-up
            try:
                queued = await runner.enqueue_due()
                event.listen(engine.sync_engine, "before_cursor_execute", count)
                started, cpu = time.perf_counter(), time.process_time()
                if profiler is not None:
                    profiler.enable()
                try:
                    stats = await runner.deliverer.drain()
                finally:
                    if profiler is not None:
                        profiler.disable()
                elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
                event.remove(engine.sync_engine, "before_cursor_execute", count)
            finally:
                await bot.session.close()
            emu = control(base, "stats")
            assert isinstance(emu, dict)
            per_chat = control(base, "sent")
        finally:
            proc.terminate()
            await proc.wait()
    assert isinstance(per_chat, list)
    got = {m["chat_id"] for m in per_chat}
    delivered = int(emu["delivered"])
    too_many = int(emu["errors"].get("429", 0))
    achieved = delivered / elapsed
    fraction = achieved / TELEGRAM_RATE
    print(f"fan-out of the {kind!r} kind to {n} managers ({db}), Bot API emulator with Telegram's limits")
    print(f"machine: {machine()}")
    print(
        f"settings: SEND_RATE={settings.send_rate:g} SEND_CONCURRENCY={settings.send_concurrency} "
        f"SEND_CHAT_RATE={settings.send_chat_rate:g} SEND_CHAT_BURST={settings.send_chat_burst}"
    )
    print(f"queued {queued}; sent {stats.sent} rows in {stats.parts} messages; {delivered} delivered")
    print(f"elapsed {elapsed:.1f} s: {achieved:.1f} messages a second = {fraction:.2f} of {TELEGRAM_RATE}")
    print(f"429 answers: {too_many}")
    print(f"the bot's CPU: {cpu:.1f} s, {cpu / max(1, delivered) * 1000:.1f} ms a message")
    print(f"SQL statements: {statements[0]}, {statements[0] / max(1, delivered):.2f} a message")
    per_call = timed.cpu / max(1, timed.calls) * 1000
    print(f"of which the composer: {timed.cpu:.1f} s in {timed.calls} calls, {per_call:.2f} ms a call")
    missing = len(set(managers) - got)
    if missing:
        print(f"managers without a message: {missing}")
    ok = fraction >= 0.9 and too_many == 0 and not missing
    if profiler is not None:
        print_profile(profiler)
    print("targets (≥ 0.9 of 30, no 429): " + ("met" if ok else "MISSED"))
    return 0 if ok else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1000, help="managers (default 1000)")
    parser.add_argument("--kind", default="morning", help="morning (the real one) or plain")
    parser.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--rate", type=float, help="SEND_RATE (default: the setting's, 28)")
    parser.add_argument("--concurrency", type=int, help="SEND_CONCURRENCY (default: the setting's, 8)")
    parser.add_argument("--profile", action="store_true", help="print a cProfile of the drain")
    args = parser.parse_args()
    return asyncio.run(run(args.n, args.kind, args.db, args.rate, args.concurrency, args.profile))


if __name__ == "__main__":
    raise SystemExit(main())
