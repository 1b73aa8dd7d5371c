"""Serving a fake over HTTP on loopback."""

from __future__ import annotations

from aiohttp import web


class FakeServer:
    """Starts an aiohttp application on 127.0.0.1 (a free port by default) and stops it."""

    def __init__(self, app: web.Application) -> None:
        self.app = app
        self._runner: web.AppRunner | None = None
        self.url = ""

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> str:
        self._runner = web.AppRunner(self.app, access_log=None, shutdown_timeout=0.5)
        await self._runner.setup()
        site = web.TCPSite(self._runner, host, port)
        await site.start()
        bound_host, bound_port = self._runner.addresses[0][:2]
        self.url = f"http://{bound_host}:{bound_port}"
        return self.url

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None


class ServedFake:
    """A fake CRM whose aiohttp application ``server`` serves: starting and stopping it is the same for
    every provider's fake."""

    server: FakeServer

    async def start(self, port: int = 0) -> str:
        return await self.server.start(port=port)

    async def stop(self) -> None:
        await self.server.stop()
