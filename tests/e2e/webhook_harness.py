"""The real ``python -m bot webhook`` process behind the emulator's webhook delivery (``WebhookPusher``
plays Telegram and the TLS-terminating proxy in front of one or several processes)."""

from __future__ import annotations

import asyncio
import socket
import sys

import aiohttp

from tests.e2e.harness import LiveBot

WEBHOOK_URL = "https://bot.example.test/tg/hook"
WEBHOOK_SECRET = "e2e-Webhook_secret-0123456789abcdefXYZ"
START_TIMEOUT = 90.0  # seconds; a start takes 2-5 s, but importing aiogram on a loaded 2-core machine is slow


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LiveWebhookBot(LiveBot):
    """One webhook process on its own port; ``base`` is what the proxy forwards to."""

    def __init__(self, *args, port: int | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.port = port or free_port()
        self.extra_env = {
            "WEBHOOK_URL": WEBHOOK_URL,
            "WEBHOOK_SECRET": WEBHOOK_SECRET,
            "WEBHOOK_HOST": "127.0.0.1",
            "WEBHOOK_PORT": str(self.port),
            **self.extra_env,
        }

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def start(self) -> None:
        log_path = self.workdir / f"webhook-{self.port}-{len(self.logs)}.log"
        self.logs.append(log_path)
        self.log_file = log_path.open("wb")
        calls_before = len(self.emu.calls_of("setWebhook"))
        self.proc = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot",
            "webhook",
            cwd=self.workdir,
            env=self.environment(),
            stdout=self.log_file,
            stderr=asyncio.subprocess.STDOUT,
        )
        try:
            async with asyncio.timeout(START_TIMEOUT):
                await self.emu.wait_for(
                    lambda: len(self.emu.calls_of("setWebhook")) > calls_before, START_TIMEOUT
                )
                while await self.health() is None:
                    if self.proc.returncode is not None:
                        raise TimeoutError
                    await asyncio.sleep(0.05)
        except TimeoutError:
            raise AssertionError(f"the webhook process did not start:\n{self.log_text()}") from None

    async def health(self) -> tuple[int, dict] | None:
        try:
            async with (
                aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=5)) as session,
                session.get(f"{self.base}/healthz") as response,
            ):
                return response.status, await response.json()
        except (aiohttp.ClientError, OSError):
            return None
