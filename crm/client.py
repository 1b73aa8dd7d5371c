"""What both CRM clients set up alike: the account's transport (limiter, retries) and who gives each call
its token (``crm/oauth.py``: a long-lived one, or OAuth refreshed on the way)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

import aiohttp

from crm.http import Transport
from crm.oauth import Auth, StaticToken, authorized

T = TypeVar("T")


class CrmClient:
    def __init__(self, auth: Auth | str, transport: Transport) -> None:
        self.auth: Auth = StaticToken(auth) if isinstance(auth, str) else auth
        self.transport = transport

    @property
    def auth_kind(self) -> str:
        return self.auth.kind

    async def close(self) -> None:
        await self.transport.close()
        await self.auth.close()

    async def send(self, what: str, attempt: Callable[[str, aiohttp.ClientSession], Awaitable[T]]) -> T:
        """One call under the limiter and the retries, with the current access token; refused as
        expired, once more with a refreshed one. ``what`` names it in the log (never a secret)."""

        async def call(token: str) -> T:
            return await self.transport.call(what, lambda session: attempt(token, session))

        return await authorized(self.auth, call)
