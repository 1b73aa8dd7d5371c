"""``python -m crm_fakes amocrm|bitrix24 --port P --token T [--managers N --tasks N --deals N]``: a fake
CRM in a process of its own (for the benchmark), seeded with a department; prints ``ready <url>``.

Control over HTTP: ``POST /_control/touch {"n": 100}`` changes the deadline of the first ``n`` open
tasks (as CRM users would); ``GET /_control/stats`` answers the requests served, those refused for the
limit, and when the first and last arrived (monotonic seconds) since ``POST /_control/reset``."""

from __future__ import annotations

import argparse
import asyncio
import time
from typing import Any

from aiohttp import web

from crm_fakes.amocrm import FakeAmoCrm
from crm_fakes.bitrix24 import FakeBitrix24
from crm_fakes.seed import seed_amocrm, seed_bitrix24


class Stats:
    def __init__(self) -> None:
        self.first: float | None = None
        self.last: float | None = None

    @web.middleware
    async def middleware(self, request: web.Request, handler: Any) -> web.StreamResponse:
        if not request.path.startswith("/_control/"):
            now = time.monotonic()
            self.first = self.first if self.first is not None else now
            self.last = now
        response: web.StreamResponse = await handler(request)
        return response


async def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m crm_fakes")
    parser.add_argument("crm", choices=("amocrm", "bitrix24"))
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--token", required=True)
    parser.add_argument("--managers", type=int, default=0)
    parser.add_argument("--tasks", type=int, default=0)
    parser.add_argument("--deals", type=int, default=1)
    parser.add_argument(
        "--block-after",
        type=int,
        default=None,
        help="amoCRM: block the integration after this many 429s a minute",
    )
    args = parser.parse_args()
    stats = Stats()
    fake: FakeAmoCrm | FakeBitrix24
    if args.crm == "amocrm":
        amo = fake = FakeAmoCrm(args.token, block_after=args.block_after)
        seed_amocrm(amo, args.managers, args.tasks, args.deals)

        def touch(n: int) -> int:
            open_ids = [tid for tid, t in amo.tasks.items() if not t["is_completed"]][:n]
            for tid in open_ids:
                amo.move_task(tid, int(amo.tasks[tid]["complete_till"]) + 86400)
            return len(open_ids)

        def counts() -> tuple[int, int, int]:
            return amo.requests, amo.limited, amo.blocks
    else:
        b24 = fake = FakeBitrix24(args.token)
        seed_bitrix24(b24, args.managers, args.tasks, args.deals)

        def touch(n: int) -> int:
            from crm_fakes.bitrix24 import timestamp_of

            open_ids = [aid for aid, a in b24.activities.items() if a["COMPLETED"] == "N"][:n]
            for aid in open_ids:
                b24.move_activity(aid, timestamp_of(b24.activities[aid]["DEADLINE"]) + 86400)
            return len(open_ids)

        def counts() -> tuple[int, int, int]:
            return b24.requests, b24.limited, 0

    async def control_touch(request: web.Request) -> web.Response:
        body = await request.json()
        return web.json_response({"touched": touch(int(body.get("n", 100)))})

    async def control_reset(request: web.Request) -> web.Response:
        stats.first = stats.last = None
        return web.json_response({"ok": True})

    async def control_stats(request: web.Request) -> web.Response:
        served, limited, blocks = counts()
        return web.json_response(
            {
                "requests": served,
                "limited": limited,
                "blocks": blocks,
                "first": stats.first,
                "last": stats.last,
            }
        )

    fake.app.middlewares.insert(0, stats.middleware)
    fake.app.router.add_post("/_control/touch", control_touch)
    fake.app.router.add_get("/_control/stats", control_stats)
    fake.app.router.add_post("/_control/reset", control_reset)
    url = await fake.start(port=args.port)
    print(f"ready {url}", flush=True)
    await asyncio.Event().wait()


if __name__ == "__main__":
    asyncio.run(main())
