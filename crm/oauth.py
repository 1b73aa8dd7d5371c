"""OAuth 2 for the hosted case: amoCRM's external integration and Bitrix24's local application.

The admin installs the integration (amoCRM) or the application (Bitrix24) and gives the bot its
``client_id``, ``client_secret`` and the authorization code; the bot exchanges the code for an access and a
refresh token (``grant_type=authorization_code``) and from then on refreshes them itself
(``grant_type=refresh_token``), as each CRM documents it:

- amoCRM: ``POST https://{subdomain}.amocrm.ru/oauth2/access_token`` with a JSON body (``client_id``,
  ``client_secret``, ``grant_type``, ``code`` or ``refresh_token``, ``redirect_uri``); the answer is
  ``{"token_type": "Bearer", "expires_in": 86400, "access_token", "refresh_token"}``; a code or refresh
  token that is used, expired or revoked is a 400 (a wrong client a 401) with a problem body;
- Bitrix24: ``https://oauth.bitrix.info/oauth/token/?grant_type=…&client_id=…&client_secret=…&code=…``
  (or ``refresh_token=…``); the answer adds ``expires`` (Unix time), ``client_endpoint`` (the portal's
  ``…/rest/``, where REST calls go with ``?auth={access_token}``), ``member_id``; a refusal is
  ``{"error": "invalid_grant", "error_description"}`` (400 or 401).

Both CRMs rotate the refresh token: once used it stops working, so a refreshed set must be stored before
anyone uses it, and two processes must never refresh with the same one. The token set is stored as one
encrypted JSON blob in ``crm_connections.secret_enc`` with ``secret_version``: a refresh takes the row's
lock (``DbTokenStore.rotate``), re-reads it, and refreshes only if the version is still the one its
process holds; a process that lost the race adopts the stored set instead. A refused refresh
(``invalid_grant``) is ``CrmAuthError``: the revoked-secret path that tells the head once
(``crm/live.py``).

Nothing here logs a token; the transport names calls by their endpoint's path only.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass, replace
from typing import Any, Protocol, TypeVar
from urllib.parse import urlsplit

import aiohttp
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from crm.base import CrmAuthError, CrmError, CrmTokenExpired, CrmUnavailable, ProviderKind
from crm.http import Retry, Transport
from crm.limiter import SlidingWindow, shared
from crm.vault import Vault
from storage.repo import Repo

T = TypeVar("T")

TOKEN, OAUTH = "token", "oauth2"  # crm_connections.auth: a long-lived token / webhook, or OAuth 2
BITRIX24_OAUTH_SERVER = "https://oauth.bitrix.info"
#: refresh this long before the access token expires (amoCRM's lives a day, Bitrix24's an hour): more
#: than the scheduled sync's 5 minutes, so it is the background sync that refreshes, not a chat update
MARGIN = 600.0


@dataclass(frozen=True, slots=True)
class TokenSet:
    """What an OAuth connection keeps (encrypted): the tokens, when the access token expires (Unix
    seconds), the client that refreshes them and where."""

    access_token: str
    refresh_token: str
    expires_at: float
    client_id: str
    client_secret: str
    token_url: str
    redirect_uri: str = ""
    #: Bitrix24: the portal's REST address from the token answer (``https://x.bitrix24.ru/rest/``)
    client_endpoint: str = ""

    def to_json(self) -> str:
        return json.dumps({"auth": OAUTH, **asdict(self)}, separators=(",", ":"))

    @classmethod
    def from_json(cls, text: str) -> TokenSet:
        data = json.loads(text)
        if not isinstance(data, dict) or data.get("auth") != OAUTH:
            raise CrmAuthError("the stored secret is not an OAuth token set")
        fields = {k: data[k] for k in cls.__dataclass_fields__ if k in data}
        return cls(**fields)

    def due(self, now: float, margin: float = MARGIN) -> bool:
        """The access token expires within ``margin`` seconds (or has)."""
        return self.expires_at - margin <= now


# ---------------------------------------------------------------------- who gives a call its token


class Auth(Protocol):
    kind: str

    async def token(self) -> str:
        """The access token to send now (refreshed first when it is about to expire)."""
        ...

    async def renew(self, stale: str, *, refresh: bool) -> bool:
        """After the CRM refused ``stale``: True when there is a new token worth one more try. ``refresh``:
        the CRM said it expired (refresh it); else only a token another process stored since counts."""
        ...

    async def close(self) -> None: ...


class StaticToken:
    """A long-lived token or a webhook: nothing to refresh."""

    kind = TOKEN

    def __init__(self, token: str) -> None:
        self._token = token

    async def token(self) -> str:
        return self._token

    async def renew(self, stale: str, *, refresh: bool) -> bool:
        return False

    async def close(self) -> None:
        return None


async def authorized(auth: Auth, call: Callable[[str], Awaitable[T]]) -> T:
    """``call`` with the current access token; refused (401), once more after ``auth.renew``."""
    token = await auth.token()
    try:
        return await call(token)
    except CrmAuthError as exc:
        if not await auth.renew(token, refresh=isinstance(exc, CrmTokenExpired)):
            raise
    return await call(await auth.token())


# ---------------------------------------------------------------------- the token endpoints


class TokenEndpoint:
    """One CRM's token endpoint: the code exchanged, a token set refreshed; a refusal is
    ``CrmAuthError``, an outage ``CrmUnavailable`` after the retries."""

    def __init__(
        self,
        kind: ProviderKind,
        url: str,
        *,
        transport: Transport | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.kind, self.url, self.clock = kind, url, clock
        netloc = urlsplit(url).netloc
        limiter = shared(f"oauth:{netloc}", lambda: SlidingWindow(5, 1.0))
        # a refresh runs under the connection's row lock, which on SQLite is the database's one writer:
        # at worst 2 x 5 s and a 1 s pause, under the busy timeout (15 s) everybody else's writes wait on
        self.transport = transport or Transport(limiter, attempts=2, timeout=5.0, max_delay=1.0)
        #: grants sent (tests and the log read it)
        self.grants = 0

    async def close(self) -> None:
        await self.transport.close()

    async def exchange(
        self, client_id: str, client_secret: str, code: str, redirect_uri: str = ""
    ) -> TokenSet:
        params = {"grant_type": "authorization_code", "client_id": client_id, "client_secret": client_secret}
        params["code"] = code
        if self.kind is ProviderKind.AMOCRM:
            params["redirect_uri"] = redirect_uri
        body = await self._grant(params)
        blank = TokenSet("", "", 0.0, client_id, client_secret, self.url, redirect_uri)
        return self._tokens(blank, body)

    async def refresh(self, tokens: TokenSet) -> TokenSet:
        params = {
            "grant_type": "refresh_token",
            "client_id": tokens.client_id,
            "client_secret": tokens.client_secret,
            "refresh_token": tokens.refresh_token,
        }
        if self.kind is ProviderKind.AMOCRM:
            params["redirect_uri"] = tokens.redirect_uri
        return self._tokens(tokens, await self._grant(params))

    def _tokens(self, old: TokenSet, body: dict[str, Any]) -> TokenSet:
        access, refresh = body.get("access_token"), body.get("refresh_token")
        if not access or not refresh:
            raise CrmError("the token endpoint answered without tokens")
        now = self.clock()
        expires_at = now + float(body.get("expires_in") or 3600)
        endpoint = str(body.get("client_endpoint") or old.client_endpoint)
        return replace(
            old,
            access_token=str(access),
            refresh_token=str(refresh),
            expires_at=expires_at,
            client_endpoint=endpoint,
        )

    async def _grant(self, params: dict[str, str]) -> dict[str, Any]:
        self.grants += 1
        what = f"oauth {params['grant_type']}"

        async def attempt(session: aiohttp.ClientSession) -> dict[str, Any]:
            if self.kind is ProviderKind.AMOCRM:
                request = session.post(self.url, json=params, headers={"Accept": "application/json"})
            else:
                request = session.get(self.url, params=params)
            async with request as r:
                if r.status == 429:
                    raise Retry("429 Too Many Requests", limited=True)
                if r.status >= 500:
                    raise Retry(f"{r.status}")
                try:
                    body = await r.json(content_type=None)
                except ValueError:
                    body = None
                if not isinstance(body, dict):
                    raise CrmError(f"{what}: HTTP {r.status}", status=r.status)
                if r.status in (400, 401, 403) or body.get("error"):
                    raise CrmAuthError(f"{what}: {_refusal(body)}", status=r.status)
                if r.status >= 400:
                    raise CrmError(f"{what}: HTTP {r.status}", status=r.status)
                return body

        return await self.transport.call(what, attempt)


def _refusal(body: dict[str, Any]) -> str:
    """What the endpoint said, never the request (it carries the secrets): Bitrix24's ``error`` and
    ``error_description``, amoCRM's ``hint``/``title``/``detail``."""
    parts = (body.get("error"), body.get("error_description"), body.get("hint"), body.get("detail"))
    return ": ".join(str(x) for x in parts if x) or "refused"


def endpoint_of(kind: ProviderKind, address: str, server: str = BITRIX24_OAUTH_SERVER) -> str:
    """Where the tokens come from: amoCRM's account itself, Bitrix24's OAuth server."""
    if kind is ProviderKind.AMOCRM:
        return f"{address.rstrip('/')}/oauth2/access_token"
    return f"{server.rstrip('/')}/oauth/token/"


# ---------------------------------------------------------------------- keeping the token set


#: what refreshes a stored set (the token endpoint), and whether a set is about to expire
Renew = Callable[[TokenSet], Awaitable[TokenSet]]
Due = Callable[[TokenSet], bool]


class TokenStore(Protocol):
    async def load(self) -> tuple[TokenSet, int]:
        """The stored set and its version."""
        ...

    async def rotate(self, seen: int, renew: Renew, due: Due) -> tuple[TokenSet, int]:
        """Under the store's lock: when the stored version is still ``seen`` (or the stored set is ``due``
        too), ``renew`` it and store the answer as the next version; when another holder refreshed since,
        the stored set as it is. A refused ``renew`` stores nothing."""
        ...


class MemoryTokenStore:
    """One process's store: the connect check (before a row exists) and tests."""

    def __init__(self, tokens: TokenSet, version: int = 0) -> None:
        self.tokens, self.version = tokens, version
        self._lock = asyncio.Lock()

    async def load(self) -> tuple[TokenSet, int]:
        return self.tokens, self.version

    async def rotate(self, seen: int, renew: Renew, due: Due) -> tuple[TokenSet, int]:
        async with self._lock:
            if self.version == seen or due(self.tokens):
                self.tokens, self.version = await renew(self.tokens), self.version + 1
            return self.tokens, self.version


class DbTokenStore:
    """A team's connection row: the set encrypted in ``secret_enc``, its version in ``secret_version``; a
    rotation holds the row's lock from the read to the write, so processes take turns."""

    def __init__(self, pool: async_sessionmaker[AsyncSession], vault: Vault, team_id: int) -> None:
        self.pool, self.vault, self.team_id = pool, vault, team_id

    async def load(self) -> tuple[TokenSet, int]:
        async with self.pool() as session:
            conn = await Repo(session).crm.connection(self.team_id)
            if conn is None or conn.auth != OAUTH:  # reconnected otherwise meanwhile: the next sync uses it
                raise CrmUnavailable("the OAuth connection was replaced")
            return TokenSet.from_json(self.vault.decrypt(conn.secret_enc)), conn.secret_version

    async def rotate(self, seen: int, renew: Renew, due: Due) -> tuple[TokenSet, int]:
        async with self.pool() as session, session.begin():
            crm = Repo(session).crm
            conn = await crm.lock_connection(self.team_id)
            if conn is None or conn.auth != OAUTH:  # reconnected otherwise meanwhile: the next sync uses it
                raise CrmUnavailable("the OAuth connection was replaced")
            stored, version = TokenSet.from_json(self.vault.decrypt(conn.secret_enc)), conn.secret_version
            if version != seen and not due(stored):
                return stored, version
            fresh = await renew(stored)
            if not await crm.put_secret(self.team_id, self.vault.encrypt(fresh.to_json()), version):
                raise CrmError("the OAuth token set changed under the row lock")  # cannot happen: locked
            return fresh, version + 1


class OAuthSession:
    """The tokens of one client: refreshed before they expire and when the CRM says they did, through
    the store (so a rotated refresh token is stored before it is used, and only one holder refreshes)."""

    kind = OAUTH

    def __init__(
        self,
        tokens: TokenSet,
        version: int,
        store: TokenStore,
        endpoint: TokenEndpoint,
        *,
        clock: Callable[[], float] = time.time,
        margin: float = MARGIN,
    ) -> None:
        self.tokens, self.version = tokens, version
        self.store, self.endpoint = store, endpoint
        self.clock, self.margin = clock, margin
        self._lock = asyncio.Lock()

    @property
    def client_endpoint(self) -> str:
        return self.tokens.client_endpoint

    def _due(self, tokens: TokenSet) -> bool:
        return tokens.due(self.clock(), self.margin)

    async def token(self) -> str:
        if self._due(self.tokens):
            async with self._lock:
                if self._due(self.tokens):
                    await self._rotate()
        return self.tokens.access_token

    async def renew(self, stale: str, *, refresh: bool) -> bool:
        async with self._lock:
            if self.tokens.access_token != stale:  # renewed meanwhile in this process
                return True
            if refresh:
                await self._rotate(force=True)
                return self.tokens.access_token != stale
            tokens, version = await self.store.load()
            if version == self.version or tokens.access_token == stale:
                return False
            self.tokens, self.version = tokens, version
            return True

    async def _rotate(self, *, force: bool = False) -> None:
        stale = self.tokens.access_token

        def due(stored: TokenSet) -> bool:
            return self._due(stored) or (force and stored.access_token == stale)

        self.tokens, self.version = await self.store.rotate(self.version, self.endpoint.refresh, due)

    async def close(self) -> None:
        await self.endpoint.close()
