"""CRM sync speed: the first sync of a department and an incremental sync, against each fake CRM in a
process of its own enforcing its limits, over HTTP on loopback.

    .venv/bin/python bench/crm_sync.py [--crm amocrm bitrix24] [--managers 50] [--tasks 20000]
                                       [--deals 5000] [--changes 100] [--db sqlite|postgres]

amoCRM answers 429 past 7 requests a second; Bitrix24 503 QUERY_LIMIT_EXCEEDED past a leaky bucket of
50 draining 2 a second. The sync runs as ``python -m bot crm sync`` does (the shared limiter, retries,
pages read ahead of the database writes). It prints the time, the requests sent and refused, and the
request rate while reading the CRM as a fraction of its limit (target ≥ 0.8, no request left refused
after the retries, and amoCRM never blocking the integration: its fake blocks after 10 refusals a
minute), then the time of an incremental sync after ``--changes`` tasks changed in the CRM (target
< 5 s). Exits 1 when a target is missed.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import time
import urllib.request
from datetime import UTC, datetime, timedelta

from world import database, machine, opened, quiet_production_logging

from crm.amocrm import AmoCrm
from crm.base import ProviderKind
from crm.bitrix24 import Bitrix24
from crm.service import connect
from crm.sync import CrmSync
from crm.vault import Vault, generate_key
from crm_fakes.seed import manager_name
from domain.enums import Role
from storage.repo import Repo

TOKEN = "bench-crm-secret-token-0000"
LIMITS = {"amocrm": 7.0, "bitrix24": 2.0}  # sustained requests a second
BUCKET = 50  # Bitrix24's burst
BLOCK_AFTER = 10  # amoCRM's fake blocks the integration after 10 refusals (429) within a minute
NOW = datetime.now(UTC)


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def control(base: str, action: str, body: dict | None = None) -> dict:
    data = json.dumps(body).encode() if body is not None else None
    method = "POST" if data is not None else "GET"
    request = urllib.request.Request(
        f"{base}/_control/{action}", data=data, method=method, headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=60) as answer:
        return dict(json.loads(answer.read()))


async def start_fake(
    crm: str, managers: int, tasks: int, deals: int
) -> tuple[asyncio.subprocess.Process, str]:
    port = free_port()
    args = ["-m", "crm_fakes", crm, "--port", str(port), "--token", TOKEN]
    args += ["--managers", str(managers), "--tasks", str(tasks), "--deals", str(deals)]
    if crm == "amocrm":  # amoCRM blocks an integration that keeps going over its limit: so does the fake
        args += ["--block-after", str(BLOCK_AFTER)]
    proc = await asyncio.create_subprocess_exec(
        sys.executable, *args, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.DEVNULL
    )
    assert proc.stdout is not None
    line = await asyncio.wait_for(proc.stdout.readline(), 300)
    if not line.startswith(b"ready "):
        raise RuntimeError(f"the fake did not start: {line!r}")
    return proc, line.decode().split()[1]


async def make_team(pool, managers: int, crm: str) -> int:  # type: ignore[no-untyped-def]
    async with pool() as session, session.begin():
        repo = Repo(session)
        team = await repo.teams.create("Отдел продаж", "Europe/Moscow")
        for i in range(managers):
            invite = await repo.invites.create(team.id, Role.MANAGER, NOW, timedelta(hours=1))
            name = manager_name(i + 1)
            await repo.invites.redeem(invite.code, 10_000 + i, name, None, "ru", NOW)
        return int(team.id)


async def bench_one(crm: str, args: argparse.Namespace) -> bool:
    proc, url = await start_fake(crm, args.managers, args.tasks, args.deals)
    ok = True
    try:
        async with database(args.db) as db_url, opened(db_url) as (_, pool):
            team_id = await make_team(pool, args.managers, crm)
            kind = ProviderKind(crm)
            address = url if crm == "amocrm" else f"{url}/rest/1/{TOKEN}/"
            secret = TOKEN if crm == "amocrm" else address
            client = AmoCrm(address, TOKEN) if crm == "amocrm" else Bitrix24(address)
            clock = lambda: datetime.now(UTC)  # noqa: E731
            try:
                await connect(pool, Vault(generate_key()), team_id, kind, address, secret, clock, client)
                control(url, "reset", {})
                before = control(url, "stats")
                start = time.perf_counter()
                report = await CrmSync(pool, client, team_id, clock).run()
                first = time.perf_counter() - start
                after = control(url, "stats")
                sent = after["requests"] - before["requests"]
                refused = after["limited"] - before["limited"]
                blocked = after["blocks"] - before["blocks"]
                ok &= blocked == 0
                span = (after["last"] or 0) - (after["first"] or 0)  # the sync's first request to its last
                rate = (sent - 1) / span if span > 0 else 0.0  # n requests span n - 1 intervals
                fraction = rate / LIMITS[crm]
                if crm == "bitrix24" and sent <= BUCKET:
                    pace = f"all within the bucket of {BUCKET}: the limit never binds (batches of 50 calls)"
                else:
                    pace = f"{rate:.2f} requests a second while reading = {fraction:.2f} of the limit"
                    ok &= fraction >= 0.8
                print(
                    f"{crm}: first sync {first:.1f} s — {report.tasks_created:,} tasks, "
                    f"{report.clients_created:,} clients, {report.deals_won:,} won deals; {sent} requests, "
                    f"{refused} refused for the limit and retried, {blocked} blocks; {pace}"
                )
                control(url, "touch", {"n": args.changes})
                await asyncio.sleep(1.1)  # the changes land in a later second than the cursor
                start = time.perf_counter()
                inc = await CrmSync(pool, client, team_id, clock).run()
                incremental = time.perf_counter() - start
                print(
                    f"{crm}: incremental sync of {args.changes} changes {incremental:.2f} s "
                    f"({inc.tasks_updated} tasks updated, {inc.tasks_unchanged} unchanged)"
                )
                ok &= incremental < 5.0 and inc.tasks_updated == args.changes
            finally:
                await client.close()
    finally:
        proc.terminate()
        await proc.wait()
    return ok


async def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--crm", nargs="+", default=["amocrm", "bitrix24"], choices=["amocrm", "bitrix24"])
    parser.add_argument("--managers", type=int, default=50)
    parser.add_argument("--tasks", type=int, default=20_000)
    parser.add_argument("--deals", type=int, default=5_000)
    parser.add_argument("--changes", type=int, default=100)
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    args = parser.parse_args()
    quiet_production_logging([TOKEN])
    print(machine(), f"load average {os.getloadavg()[0]:.2f}", f"database {args.db}")
    ok = True
    for crm in args.crm:
        ok &= await bench_one(crm, args)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
