"""The OAuth 2 bookkeeping both fakes share: clients, one-use authorization codes, access tokens that
expire, refresh tokens that rotate (a used one stops working), refusals with the codes OAuth names
(``invalid_client``, ``invalid_grant``). Each fake answers in its own CRM's shapes around it."""

from __future__ import annotations

import asyncio
import secrets
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from aiohttp import web


class Refusal(Exception):
    def __init__(self, code: str, description: str) -> None:
        super().__init__(code)
        self.code, self.description = code, description


class Access(StrEnum):
    OK = "ok"
    EXPIRED = "expired"
    INVALID = "invalid"


@dataclass
class Issued:
    access_token: str
    refresh_token: str
    expires_in: int
    expires: int  # Unix time


class FakeOAuth:
    def __init__(
        self,
        clock: Callable[[], float],
        *,
        ttl: int,
        revoke_access_on_refresh: bool,
        redirect_uri_required: bool,
    ) -> None:
        self.clock, self.ttl = clock, ttl
        #: Bitrix24 documents that a refresh ends the access token issued with the old refresh token
        self.revoke_access_on_refresh = revoke_access_on_refresh
        self.redirect_uri_required = redirect_uri_required
        #: seconds the token endpoint takes to answer (tests widen a race with it)
        self.delay = 0.0
        self.clients: dict[str, dict[str, str]] = {}  # client_id → secret, redirect_uri
        self._codes: dict[str, str] = {}  # code → client_id (one use)
        self._access: dict[str, float] = {}  # access token → expires at
        self._refresh: dict[str, tuple[str, str]] = {}  # refresh token → client_id, its access token
        #: grants answered with tokens, by grant type; refusals by code
        self.granted: Counter[str] = Counter()
        self.refused: Counter[str] = Counter()
        #: every token and code ever issued (tests scan outputs, logs and databases for them)
        self.issued: list[str] = []

    def add_client(self, client_id: str, client_secret: str, redirect_uri: str = "") -> str:
        """An installed integration or application; returns the authorization code the admin gets."""
        self.clients[client_id] = {"secret": client_secret, "redirect_uri": redirect_uri}
        return self.issue_code(client_id)

    def issue_code(self, client_id: str) -> str:
        code = f"def502{secrets.token_hex(20)}"
        self.issued.append(code)
        self._codes[code] = client_id
        return code

    def expire(self) -> int:
        """Every access token expires now (tests; the real ones live a day or an hour)."""
        now = self.clock()
        for token in self._access:
            self._access[token] = min(self._access[token], now)
        return len(self._access)

    def revoke(self) -> int:
        """The integration was uninstalled or its access withdrawn: every token stops working."""
        n = len(self._refresh)
        self._access.clear()
        self._refresh.clear()
        return n

    def check(self, access_token: str) -> Access:
        expires = self._access.get(access_token)
        if expires is None:
            return Access.INVALID
        return Access.OK if expires > self.clock() else Access.EXPIRED

    async def grant(self, params: dict[str, Any]) -> Issued:
        """The token endpoint: ``authorization_code`` or ``refresh_token``; ``Refusal`` otherwise."""
        if self.delay:
            await asyncio.sleep(self.delay)
        try:
            return self._grant(params)
        except Refusal as exc:
            self.refused[exc.code] += 1
            raise

    def _grant(self, params: dict[str, Any]) -> Issued:
        client_id = str(params.get("client_id") or "")
        client = self.clients.get(client_id)
        if client is None or client["secret"] != str(params.get("client_secret") or ""):
            raise Refusal("invalid_client", "Client authentication failed")
        kind = params.get("grant_type")
        if self.redirect_uri_required and str(params.get("redirect_uri") or "") != client["redirect_uri"]:
            raise Refusal("invalid_grant", "redirect_uri does not match the integration's")
        if kind == "authorization_code":
            if self._codes.pop(str(params.get("code") or ""), None) != client_id:
                raise Refusal("invalid_grant", "Authorization code has expired or been revoked")
        elif kind == "refresh_token":
            owner = self._refresh.pop(str(params.get("refresh_token") or ""), None)
            if owner is None or owner[0] != client_id:
                raise Refusal("invalid_grant", "Refresh token has expired or been revoked")
            if self.revoke_access_on_refresh:
                self._access.pop(owner[1], None)
        else:
            raise Refusal("unsupported_grant_type", f"grant_type {kind!r} is not supported")
        self.granted[str(kind)] += 1
        issued = Issued(secrets.token_hex(24), secrets.token_hex(24), self.ttl, int(self.clock()) + self.ttl)
        self.issued += [issued.access_token, issued.refresh_token]
        self._access[issued.access_token] = float(issued.expires)
        self._refresh[issued.refresh_token] = (client_id, issued.access_token)
        return issued

    def state(self) -> dict[str, Any]:
        return {
            "granted": dict(self.granted),
            "refused": dict(self.refused),
            "access_tokens": len(self._access),
            "refresh_tokens": len(self._refresh),
        }

    # ------------------------------------------------------------------ the control API (both fakes)

    def add_control(self, router: web.UrlDispatcher) -> None:
        """``POST /_control/oauth/client {client_id, client_secret, redirect_uri}`` → ``{"code"}`` (the
        integration installed), ``POST /_control/oauth/code {client_id}`` → ``{"code"}``, ``POST
        /_control/oauth/expire`` (every access token expires now), ``POST /_control/oauth/revoke`` (every
        token stops working), ``GET /_control/oauth`` (what was granted and refused)."""

        async def client(request: web.Request) -> web.Response:
            body = await request.json()
            code = self.add_client(
                str(body["client_id"]), str(body["client_secret"]), str(body.get("redirect_uri") or "")
            )
            return web.json_response({"code": code})

        async def code(request: web.Request) -> web.Response:
            return web.json_response({"code": self.issue_code(str((await request.json())["client_id"]))})

        async def expire(request: web.Request) -> web.Response:
            return web.json_response({"expired": self.expire()})

        async def revoke(request: web.Request) -> web.Response:
            return web.json_response({"revoked": self.revoke()})

        async def state(request: web.Request) -> web.Response:
            return web.json_response(self.state())

        router.add_post("/_control/oauth/client", client)
        router.add_post("/_control/oauth/code", code)
        router.add_post("/_control/oauth/expire", expire)
        router.add_post("/_control/oauth/revoke", revoke)
        router.add_get("/_control/oauth", state)
