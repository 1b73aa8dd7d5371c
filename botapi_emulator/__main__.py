"""``python -m botapi_emulator --port 8081 --token 123:ABC...``: a standalone Bot API emulator.

Point the bot at it with ``TELEGRAM_API_URL=http://127.0.0.1:8081`` and drive users through the control
API, e.g. ``curl -XPOST localhost:8081/_emulator/send_text -d '{"user_id": 1, "text": "/start"}'``.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import os

from botapi_emulator.server import run_emulator
from botapi_emulator.state import Emulator


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m botapi_emulator", description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8081)
    parser.add_argument("--token", default=os.environ.get("BOT_TOKEN"), help="default: $BOT_TOKEN")
    parser.add_argument("--username", default="rop_assistant_bot")
    parser.add_argument(
        "--user", type=int, action="append", default=[], help="create a user who already started the bot"
    )
    args = parser.parse_args(argv)
    if not args.token or ":" not in args.token:
        parser.error("--token (or BOT_TOKEN) of the form 123456:ABC... is required")
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    emulator = Emulator(args.token, bot_username=args.username)
    for user_id in args.user:
        emulator.add_user(user_id, started=True)
    asyncio.run(_serve(emulator, args.host, args.port))


async def _serve(emulator: Emulator, host: str, port: int) -> None:
    async with run_emulator(emulator, host, port) as base_url:
        print(f"Bot API emulator on {base_url} (bot @{emulator.bot_username}); Ctrl+C stops it", flush=True)
        await asyncio.Event().wait()


if __name__ == "__main__":
    with contextlib.suppress(KeyboardInterrupt):
        main()
