"""Connecting a team's CRM, opening its client from the stored connection, disconnecting.

Also the sync's lease: one sync of a team at a time across every process (``sync_lease``).

Connect checks the secret first (account, users, pipelines, open tasks); a refusal raises ``UserError``
and stores nothing. The secret (a long-lived token, a webhook, or an OAuth token set as JSON) is stored
encrypted (``crm/vault.py``) and never logged or shown again (only its last four characters; of an OAuth
connection, its client secret's).
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from crm.amocrm import AmoCrm, base_url
from crm.base import AccountSummary, CrmAuthError, CrmError, CrmProvider, CrmTask, ProviderKind
from crm.bitrix24 import Bitrix24, portal_of, rest_endpoint, webhook_url
from crm.hooks import ensure_hook
from crm.oauth import (
    BITRIX24_OAUTH_SERVER,
    OAUTH,
    TOKEN,
    DbTokenStore,
    MemoryTokenStore,
    OAuthSession,
    StaticToken,
    TokenEndpoint,
    TokenSet,
    endpoint_of,
)
from crm.outbox import CrmWriteBack, DrainReport
from crm.sync import CrmSync, SyncReport
from crm.vault import Vault, tail
from domain.enums import CrmConnectionStatus
from domain.errors import UserError
from storage.models import CrmConnection
from storage.repo import Repo

log = logging.getLogger("crm")


def account_line(t: Callable[..., str], summary: AccountSummary) -> str:
    """What the connect's check found: the account, its users, pipelines and open tasks."""
    return t(
        "crm-summary",
        account=summary.name,
        users=summary.users,
        pipelines=summary.pipelines,
        tasks=summary.open_tasks,
    )


def stored_summary(conn: CrmConnection) -> AccountSummary | None:
    """The connect's check as the connection keeps it (``crm_connections.summary``)."""
    if not conn.summary:
        return None
    counts = conn.summary
    return AccountSummary(
        account_id="",
        name=conn.account_name or "",
        users=int(counts.get("users", 0)),
        pipelines=int(counts.get("pipelines", 0)),
        open_tasks=int(counts.get("open_tasks", 0)),
    )


def connection_lines(t: Callable[..., str], conn: CrmConnection, key: str) -> list[str]:
    """The connection as the text ``key`` says it (the chat's card, ``crm status``): the provider, the
    address, the secret's tail, the status; then what its connect's check found, when it was kept."""
    lines = [
        t(
            key,
            provider=t(f"crm-provider-{conn.provider}"),
            address=conn.address,
            secret=t(f"crm-secret-{conn.auth}", tail=conn.secret_tail or "…"),
            status=t(f"cli-crm-status-{conn.status}"),
        )
    ]
    summary = stored_summary(conn)
    if summary is not None:
        lines.append(account_line(t, summary))
    return lines


def make_provider(kind: ProviderKind, address: str, secret: str) -> CrmProvider:
    """amoCRM: the account's address and the token; Bitrix24: the webhook URL is the secret."""
    if kind is ProviderKind.AMOCRM:
        return AmoCrm(address, secret)
    return Bitrix24(secret)


def oauth_provider(kind: ProviderKind, address: str, session: OAuthSession) -> CrmProvider:
    """amoCRM: the account's address; Bitrix24: the ``client_endpoint`` the token answer named."""
    if kind is ProviderKind.AMOCRM:
        return AmoCrm(address, session)
    return Bitrix24(session.client_endpoint, session)


@dataclass(frozen=True, slots=True)
class OAuthGrant:
    """What the admin brings to connect by OAuth: the integration's (application's) client and the
    authorization code it was given on installing it."""

    client_id: str
    client_secret: str
    code: str
    redirect_uri: str = ""  # amoCRM's integration has one; Bitrix24's exchange does not need it
    server: str = BITRIX24_OAUTH_SERVER  # Bitrix24's OAuth server (a fake in the tests)


def normalise_address(kind: ProviderKind, address: str, *, oauth: bool = False) -> str:
    """What is stored and shown as the address: amoCRM's base URL; Bitrix24's portal without the
    webhook's user and token (with OAuth the portal's address is given as is)."""
    value = address.strip()
    if not value or any(c.isspace() for c in value):
        raise UserError("crm-bad-address", address="…")
    if kind is ProviderKind.AMOCRM:
        return base_url(value)
    try:
        if oauth:
            return portal_of(rest_endpoint(value if "://" in value else f"https://{value}"))
        return portal_of(webhook_url(value))
    except ValueError:
        raise UserError("crm-bad-address", address=portal_of(value) or "…") from None


def chat_secret(kind: ProviderKind, address: str, text: str) -> tuple[str, str | OAuthGrant]:
    """What the head pasted in the chat: one line, the token (amoCRM) or the webhook (Bitrix24, its own
    address); four lines, an OAuth grant: amoCRM's client_id, client_secret, redirect_uri and code;
    Bitrix24's portal, client_id, client_secret and code. Anything else is refused."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if len(lines) == 1:
        return (address, lines[0]) if kind is ProviderKind.AMOCRM else (lines[0], lines[0])
    if len(lines) != 4:
        raise UserError(f"crm-oauth-lines-{kind.value}")
    if kind is ProviderKind.AMOCRM:
        client_id, client_secret, redirect_uri, code = lines
        return address, OAuthGrant(client_id, client_secret, code, redirect_uri)
    portal, client_id, client_secret, code = lines
    return portal, OAuthGrant(client_id, client_secret, code)


async def check(provider: CrmProvider) -> AccountSummary:
    """The account as the secret sees it; a refusal or an outage is a ``UserError``."""
    try:
        return await provider.summary()
    except CrmAuthError as exc:
        raise UserError("crm-bad-secret", detail=str(exc)) from None
    except CrmError as exc:
        raise UserError("crm-unreachable", detail=str(exc)) from None


async def connect(
    pool: async_sessionmaker[AsyncSession],
    vault: Vault,
    team_id: int,
    kind: ProviderKind,
    address: str,
    secret: str | OAuthGrant,
    clock: Callable[[], datetime],
    provider: CrmProvider | None = None,
) -> AccountSummary:
    """``connect_in`` in a transaction of its own (the CLI's)."""
    async with pool() as session, session.begin():
        return await connect_in(Repo(session), vault, team_id, kind, address, secret, clock(), provider)


def open_provider(
    conn: CrmConnection, vault: Vault, pool: async_sessionmaker[AsyncSession] | None
) -> CrmProvider:
    """The client of a stored connection (the secret decrypted only here, kept only in the client); an
    OAuth one refreshes its tokens through the connection's row (``crm/oauth.py``). Without ``pool`` (a
    chat update's read, inside the update's transaction) an OAuth client uses the stored access token as
    it is and never refreshes it: a refresh writes the connection's row in a transaction of its own, which
    on SQLite would wait for the update's own write lock. The scheduled sync refreshes it ahead of expiry."""
    kind, secret = ProviderKind(conn.provider), vault.decrypt(conn.secret_enc)
    if conn.auth != OAUTH:
        return make_provider(kind, conn.address, secret)
    tokens = TokenSet.from_json(secret)
    if pool is None:
        fixed = StaticToken(tokens.access_token)
        if kind is ProviderKind.AMOCRM:
            return AmoCrm(conn.address, fixed)
        return Bitrix24(tokens.client_endpoint, fixed)
    store = DbTokenStore(pool, vault, conn.team_id)
    session = OAuthSession(tokens, conn.secret_version, store, TokenEndpoint(kind, tokens.token_url))
    return oauth_provider(kind, conn.address, session)


async def disconnect(pool: async_sessionmaker[AsyncSession], team_id: int) -> bool:
    async with pool() as session, session.begin():
        conn = await Repo(session).crm.connection(team_id)
        if conn is None:
            return False
        conn.status = CrmConnectionStatus.DISCONNECTED
    return True


# ---------------------------------------------------------------------- from the chat (handlers/crm.py)


async def connect_in(
    repo: Repo,
    vault: Vault,
    team_id: int,
    kind: ProviderKind,
    address: str,
    secret: str | OAuthGrant,
    now: datetime,
    provider: CrmProvider | None = None,
) -> AccountSummary:
    """Connect inside the caller's transaction (a chat update's or the CLI's): the secret checked first
    (an OAuth code exchanged for tokens first), then stored encrypted; a refusal raises ``UserError``
    before anything is written."""
    if not vault.ready:
        raise UserError("crm-no-key")
    address = normalise_address(kind, address, oauth=isinstance(secret, OAuthGrant))
    if isinstance(secret, OAuthGrant):
        summary, stored = await _check_oauth(kind, address, secret)
        auth, shown = OAUTH, secret.client_secret
    else:
        crm = provider or make_provider(kind, address, secret)
        try:
            summary = await check(crm)
        finally:
            if provider is None:
                await crm.close()
        auth, stored, shown = TOKEN, secret, secret.rstrip("/")
    await repo.crm.connect(
        team_id,
        kind.value,
        address,
        vault.encrypt(stored),
        tail(shown),
        summary.name,
        {"users": summary.users, "pipelines": summary.pipelines, "open_tasks": summary.open_tasks},
        now,
        auth,
    )
    await ensure_hook(repo, team_id, vault)
    return summary


#: how long a sync's lease holds without renewal: a process that died mid-sync blocks its team's sync
#: this long at most; a live one renews it every third of it
LEASE = timedelta(minutes=2)
LEASE_POLL = 0.5  # seconds between claims while waiting for another's sync to end


def lease_owner() -> str:
    """This sync's name in the lease: host, process and a random part (two syncs of one process differ)."""
    return f"{socket.gethostname()[:32]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


@asynccontextmanager
async def sync_lease(
    pool: async_sessionmaker[AsyncSession],
    team_id: int,
    clock: Callable[[], datetime],
    *,
    ttl: timedelta = LEASE,
    owner: str | None = None,
    wait: float = 0.0,
) -> AsyncIterator[str]:
    """Hold the team's sync lease while the block runs: one sync of a team at a time, whichever process
    asks (several webhook processes share one database). While another holds it: wait up to ``wait``
    seconds for it, then ``UserError("crm-sync-busy")``. Renewed every third of ``ttl``; released at the
    end, even on an error."""
    owner = owner or lease_owner()
    deadline, waited = asyncio.get_running_loop().time() + wait, False
    while True:
        now = clock()
        async with pool() as session, session.begin():
            if await Repo(session).crm.claim_sync(team_id, owner, now, now + ttl):
                break
        if asyncio.get_running_loop().time() >= deadline:
            raise UserError("crm-sync-busy")
        if not waited:
            log.info("the CRM sync of team %s runs elsewhere: waiting up to %.0f s for it", team_id, wait)
            waited = True
        await asyncio.sleep(LEASE_POLL)

    async def renew() -> None:
        while True:
            await asyncio.sleep(ttl.total_seconds() / 3)
            at = clock()
            try:
                async with pool() as session, session.begin():
                    if not await Repo(session).crm.claim_sync(team_id, owner, at, at + ttl):
                        log.warning("the CRM sync lease of team %s lapsed and was taken over", team_id)
                        return
            except Exception:  # the database for a moment: the next renewal tries again
                log.exception("renewing the CRM sync lease of team %s failed", team_id)

    heartbeat = asyncio.create_task(renew(), name=f"crm-lease-{team_id}")
    try:
        yield owner
    finally:
        heartbeat.cancel()
        await asyncio.gather(heartbeat, return_exceptions=True)
        async with pool() as session, session.begin():
            await Repo(session).crm.release_sync(team_id, owner)


async def _check_oauth(kind: ProviderKind, address: str, grant: OAuthGrant) -> tuple[AccountSummary, str]:
    """The code exchanged for tokens, the account read with them; the token set to store (as JSON)."""
    endpoint = TokenEndpoint(kind, endpoint_of(kind, address, grant.server))
    try:
        tokens = await endpoint.exchange(grant.client_id, grant.client_secret, grant.code, grant.redirect_uri)
    except CrmAuthError as exc:
        await endpoint.close()
        raise UserError("crm-bad-secret", detail=str(exc)) from None
    except CrmError as exc:
        await endpoint.close()
        raise UserError("crm-unreachable", detail=str(exc)) from None
    if kind is ProviderKind.BITRIX24 and portal_of(tokens.client_endpoint) != address:
        await endpoint.close()  # the application belongs to another portal than the one named
        raise UserError("crm-bad-address", address=address)
    store = MemoryTokenStore(tokens)
    crm = oauth_provider(kind, address, OAuthSession(tokens, 0, store, endpoint))
    try:
        summary = await check(crm)
    finally:
        await crm.close()
    return summary, store.tokens.to_json()


@dataclass(frozen=True, slots=True)
class SyncOutcome:
    pushed: DrainReport
    report: SyncReport
    full: bool


def sync_lines(outcome: SyncOutcome, t: Callable[..., str], *, names: bool = False) -> list[str]:
    """What a sync did, one line each (``crm sync`` prints them, /crm sends them); ``names``: a line per
    CRM user nobody matched, with their open tasks (the chat offers buttons for them instead)."""
    pushed, report = outcome.pushed, outcome.report
    lines = [
        t("cli-crm-pushed", sent=pushed.sent, failed=pushed.failed, waiting=pushed.waiting),
        t("cli-crm-matched", users=report.users, matched=report.matched),
    ]
    if names:
        lines += [t("cli-crm-unmatched", name=name, tasks=n) for name, n in report.unmatched.items()]
    # the text's arguments are the report's counters by name (the CRM users' names are listed above)
    counts = {name: n for name, n in asdict(report).items() if isinstance(n, int)}
    lines.append(t("cli-crm-synced", **counts))
    if report.tasks_vague:
        lines.append(t("cli-crm-vague", count=report.tasks_vague))
    if report.deals_unmatched:
        lines.append(t("cli-crm-deals-unmatched", count=report.deals_unmatched))
    return lines


async def sync_team(
    pool: async_sessionmaker[AsyncSession],
    vault: Vault,
    team_id: int,
    clock: Callable[[], datetime],
    t: Callable[..., str],
    provider: CrmProvider | None = None,
    *,
    full: bool = False,
    wait: float = 0.0,
) -> SyncOutcome:
    """One sync as ``crm sync`` runs it: the bot's marks to the CRM first, then the CRM's changes in.
    A full read when a CRM user was matched by hand since the last sync (their older tasks are not among
    the changes). A refused secret or an outage is a ``UserError``; so is another process syncing the
    team (``crm-sync-busy``) once ``wait`` seconds passed."""
    async with pool() as session:
        conn = await Repo(session).crm.connection(team_id)
    if conn is None or conn.status != CrmConnectionStatus.ACTIVE:
        raise UserError("crm-not-connected")
    full = full or conn.full_sync_due
    async with sync_lease(pool, team_id, clock, wait=wait):
        crm = provider or open_provider(conn, vault, pool)
        try:
            back = CrmWriteBack(pool, crm, team_id, clock, t)
            await back.collect()
            pushed = await back.drain()
            report = await CrmSync(pool, crm, team_id, clock).run(full=full)
        except CrmAuthError as exc:
            raise UserError("crm-bad-secret", detail=str(exc)) from None
        except CrmError as exc:
            raise UserError("crm-unreachable", detail=str(exc)) from None
        finally:
            if provider is None:
                await crm.close()
        if full:
            async with pool() as session, session.begin():
                await Repo(session).crm.full_sync_done(team_id)
    return SyncOutcome(pushed, report, full)


async def open_tasks_of(
    provider: CrmProvider, crm_user_id: str, sample: int = 5, *, refused: str = "crm-bad-secret"
) -> tuple[int, bool, list[CrmTask]]:
    """A CRM user's open tasks as the CRM has them now (what the head sees before choosing who the user
    is): how many (``True``: at least that many), and the first ``sample`` by due date. Bounded: the
    provider asks for that user's tasks only, a few requests at most, however big the account."""
    try:
        return await provider.open_tasks_of(crm_user_id, sample)
    except CrmAuthError as exc:
        raise UserError(refused, detail=str(exc)) from None
    except CrmError as exc:
        raise UserError("crm-unreachable", detail=str(exc)) from None
