"""OAuth token refresh cost: connect by OAuth, then refreshes through the connection's locked row.

    .venv/bin/python bench/crm_oauth.py [--db sqlite postgres] [--rounds 20] [--holders 8]

Against the fake amoCRM in this process (its token endpoint and API on loopback). Prints, per database:
the connect (code exchange + the account check), the median and worst time of a call that meets a 401,
refreshes and is tried again (``--rounds`` times, one holder), and ``--holders`` clients of one connection
(as many processes) meeting the 401 at once: the wall time and how many refreshes the CRM saw (target:
exactly one, no refusal). The API calls share the account's limiter (7 a second), which sets the wall
time of the holders (each makes two calls: the refused one and the retry). Exits 1 when a target is
missed.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from datetime import UTC, datetime

from world import database, machine, opened

from crm.base import ProviderKind
from crm.service import OAuthGrant, connect, open_provider
from crm.vault import Vault, generate_key
from crm_fakes.amocrm import FakeAmoCrm
from storage.repo import Repo

CLIENT_ID, CLIENT_SECRET, REDIRECT = (
    "bench-client-id",
    "bench-client-secret-0000",
    "https://bench.example/oauth",
)


def _now() -> datetime:
    return datetime.now(UTC)


async def run(db: str, rounds: int, holders: int) -> bool:
    fake = FakeAmoCrm(rate=10_000)
    await fake.start()
    vault = Vault(generate_key())
    try:
        async with database(db) as url, opened(url) as (_, pool):
            async with pool() as session, session.begin():
                team = await Repo(session).teams.create("Отдел продаж", "Europe/Moscow")
            fake.add_user("Анна Смирнова")
            grant = OAuthGrant(
                CLIENT_ID, CLIENT_SECRET, fake.oauth.add_client(CLIENT_ID, CLIENT_SECRET, REDIRECT)
            )
            grant = OAuthGrant(grant.client_id, grant.client_secret, grant.code, REDIRECT)
            start = time.perf_counter()
            await connect(
                pool, vault, team.id, ProviderKind.AMOCRM, fake.url, grant, lambda: datetime.now(UTC)
            )
            connected = time.perf_counter() - start

            async def conn():  # type: ignore[no-untyped-def]
                async with pool() as session:
                    return await Repo(session).crm.connection(team.id)

            one = open_provider(await conn(), vault, pool)
            times = []
            try:
                for _ in range(rounds):
                    fake.oauth.expire()
                    start = time.perf_counter()
                    await one.users()
                    times.append(time.perf_counter() - start)
            finally:
                await one.close()
            before = fake.oauth.granted["refresh_token"]
            clients = [open_provider(await conn(), vault, pool) for _ in range(holders)]
            try:
                fake.oauth.expire()
                start = time.perf_counter()
                await asyncio.gather(*(c.users() for c in clients))
                together = time.perf_counter() - start
            finally:
                for c in clients:
                    await c.close()
            refreshes = fake.oauth.granted["refresh_token"] - before
    finally:
        await fake.stop()
    ok = refreshes == 1 and not fake.oauth.refused
    print(
        f"{db:8}  connect {connected * 1000:6.0f} ms · 401→refresh→retry median "
        f"{statistics.median(times) * 1000:5.1f} ms, worst {max(times) * 1000:5.1f} ms ({rounds}) · "
        f"{holders} holders at once {together * 1000:6.1f} ms, refreshes {refreshes}, refused "
        f"{sum(fake.oauth.refused.values())}  {'ok' if ok else 'MISSED'}"
    )
    return ok


async def main() -> int:
    parser = argparse.ArgumentParser(prog="bench/crm_oauth.py")
    parser.add_argument("--db", nargs="+", default=["sqlite", "postgres"], choices=("sqlite", "postgres"))
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--holders", type=int, default=8)
    args = parser.parse_args()
    print(machine())
    results = [await run(db, args.rounds, args.holders) for db in args.db]
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
