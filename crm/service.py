"""Connecting a team's CRM, opening its client from the stored connection, disconnecting.

Connect checks the secret first (account, users, pipelines, open tasks); a refusal raises ``UserError``
and stores nothing. The secret is stored encrypted (``crm/vault.py``) and never logged or shown again
(only its last four characters).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from crm.amocrm import AmoCrm, base_url
from crm.base import AccountSummary, CrmAuthError, CrmError, CrmProvider, CrmTask, ProviderKind
from crm.bitrix24 import Bitrix24, portal_of, webhook_url
from crm.hooks import ensure_hook
from crm.outbox import CrmWriteBack, DrainReport
from crm.sync import CrmSync, SyncReport
from crm.vault import Vault, tail
from domain.errors import UserError
from storage.crm_repo import ACTIVE, DISCONNECTED
from storage.models import CrmConnection
from storage.repo import Repo


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


def make_provider(kind: ProviderKind, address: str, secret: str) -> CrmProvider:
    """amoCRM: the account's address and the token; Bitrix24: the webhook URL is the secret."""
    if kind is ProviderKind.AMOCRM:
        return AmoCrm(address, secret)
    return Bitrix24(secret)


def normalise_address(kind: ProviderKind, address: str) -> str:
    """What is stored and shown as the address: amoCRM's base URL; Bitrix24's portal without the
    webhook's user and token."""
    value = address.strip()
    if not value or any(c.isspace() for c in value):
        raise UserError("crm-bad-address", address="…")
    if kind is ProviderKind.AMOCRM:
        return base_url(value)
    try:
        return portal_of(webhook_url(value))
    except ValueError:
        raise UserError("crm-bad-address", address=portal_of(value) or "…") from None


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
    secret: str,
    clock: Callable[[], datetime],
    provider: CrmProvider | None = None,
) -> AccountSummary:
    """``connect_in`` in a transaction of its own (``crm connect``, the tests)."""
    async with pool() as session, session.begin():
        return await connect_in(Repo(session), vault, team_id, kind, address, secret, clock(), provider)


def open_provider(conn: CrmConnection, vault: Vault) -> CrmProvider:
    """The client of a stored connection (the secret decrypted only here, kept only in the client)."""
    return make_provider(ProviderKind(conn.provider), conn.address, vault.decrypt(conn.secret_enc))


async def disconnect(pool: async_sessionmaker[AsyncSession], team_id: int) -> bool:
    async with pool() as session, session.begin():
        conn = await Repo(session).crm.connection(team_id)
        if conn is None:
            return False
        conn.status = DISCONNECTED
    return True


# ---------------------------------------------------------------------- from the chat (handlers/crm.py)


async def connect_in(
    repo: Repo,
    vault: Vault,
    team_id: int,
    kind: ProviderKind,
    address: str,
    secret: str,
    now: datetime,
    provider: CrmProvider | None = None,
) -> AccountSummary:
    """Connects the team's CRM in the caller's transaction (a chat update's, or ``connect``'s): the secret is
    checked first (no SQL is sent before the answer), then stored encrypted; a refusal raises ``UserError``
    before anything is written."""
    if not vault.ready:
        raise UserError("crm-no-key")
    address = normalise_address(kind, address)
    crm = provider or make_provider(kind, address, secret)
    try:
        summary = await check(crm)
    finally:
        if provider is None:
            await crm.close()
    await repo.crm.connect(
        team_id,
        kind.value,
        address,
        vault.encrypt(secret),
        tail(secret.rstrip("/")),
        summary.name,
        {"users": summary.users, "pipelines": summary.pipelines, "open_tasks": summary.open_tasks},
        now,
    )
    await ensure_hook(repo, team_id, vault)
    return summary


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
) -> SyncOutcome:
    """One sync as ``crm sync`` runs it: the bot's marks to the CRM first, then the CRM's changes in.
    A full read when a CRM user was matched by hand since the last sync (their older tasks are not among
    the changes). A refused secret or an outage is a ``UserError``."""
    async with pool() as session:
        conn = await Repo(session).crm.connection(team_id)
    if conn is None or conn.status != ACTIVE:
        raise UserError("crm-not-connected")
    full = full or conn.full_sync_due
    crm = provider or open_provider(conn, vault)
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
    provider: CrmProvider, crm_user_id: str, sample: int = 5
) -> tuple[int, list[CrmTask]]:
    """A CRM user's open tasks as the CRM has them now: how many, and the first ``sample`` by due date
    (what the head sees before choosing who the user is)."""
    count, first = 0, list[CrmTask]()
    try:
        async for page in provider.tasks(None, open_only=True):
            mine = [task for task in page if task.responsible_id == crm_user_id and not task.completed]
            count += len(mine)
            first = sorted(first + mine, key=lambda task: (task.due, task.id))[:sample]
    except CrmAuthError as exc:
        raise UserError("crm-bad-secret", detail=str(exc)) from None
    except CrmError as exc:
        raise UserError("crm-unreachable", detail=str(exc)) from None
    return count, first
