"""``python -m bot crm connect|status|sync|disconnect|keygen``: a team's CRM from the command line."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from bot.config import Settings
from bot.i18n import Texts
from crm.base import ProviderKind


def add_parser(sub: Any, t: Texts) -> None:
    crm = sub.add_parser("crm", help=t("cli-help-crm"), description=t("cli-help-crm"))
    cmds = crm.add_subparsers(dest="crm_command", required=True)
    connect = cmds.add_parser("connect", help=t("cli-help-crm-connect"))
    connect.add_argument("--team", required=True, help=t("cli-help-team-option"))
    providers = connect.add_subparsers(dest="provider", required=True)
    amo = providers.add_parser("amocrm", help=t("cli-help-crm-amocrm"))
    amo.add_argument("--subdomain", required=True, help=t("cli-help-crm-subdomain"))
    amo.add_argument("--token", help=t("cli-help-crm-token"))
    b24 = providers.add_parser("bitrix24", help=t("cli-help-crm-bitrix24"))
    b24.add_argument("--webhook", help=t("cli-help-crm-webhook"))
    b24.add_argument("--portal", help=t("cli-help-crm-portal"))
    for parser in (amo, b24):  # OAuth: the integration's (application's) client and the code
        parser.add_argument("--client-id", help=t("cli-help-crm-client-id"))
        parser.add_argument("--client-secret", help=t("cli-help-crm-client-secret"))
        parser.add_argument("--code", help=t("cli-help-crm-code"))
    amo.add_argument("--redirect-uri", help=t("cli-help-crm-redirect-uri"))
    b24.add_argument("--oauth-server", help=t("cli-help-crm-oauth-server"))
    for name in ("status", "sync", "disconnect"):
        cmd = cmds.add_parser(name, help=t(f"cli-help-crm-{name}"))
        cmd.add_argument("--team", required=True, help=t("cli-help-team-option"))
        if name == "sync":
            cmd.add_argument("--full", action="store_true", help=t("cli-help-crm-full"))
    deals = cmds.add_parser("deals", help=t("cli-help-crm-deals"))
    deals.add_argument("--team", required=True, help=t("cli-help-team-option"))
    deals.add_argument("mode", choices=("win", "record"), help=t("cli-help-crm-deals-mode"))
    cmds.add_parser("keygen", help=t("cli-help-crm-keygen"))
    hook_token = cmds.add_parser("hook-token", help=t("cli-help-crm-hook-token"))
    hook_token.add_argument("--team", required=True, help=t("cli-help-team-option"))
    hook_token.add_argument("--token", required=True, help=t("cli-help-crm-app-token"))


async def run_crm_command(settings: Settings, t: Texts, args: argparse.Namespace) -> int:
    from crm.vault import Vault, generate_key

    if args.crm_command == "keygen":
        print(t("cli-crm-key"))
        print(generate_key())
        return 0
    key = settings.crm_secret_key.get_secret_value() if settings.crm_secret_key else None
    vault = Vault(key)
    if args.crm_command in ("connect", "hook-token") and not vault.ready:
        print(t("error-crm-no-key"), file=sys.stderr)
        return 2
    from bot.cli_db import migrated_pool
    from storage.repo import Repo

    async with migrated_pool(settings, t) as pool:
        async with pool() as session:
            team = await Repo(session).teams.named(args.team)
        if args.crm_command == "connect":
            return await _connect(pool, vault, t, team.id, team.name, args)
        if args.crm_command == "status":
            code = await _status(pool, t, team.id, team.name)
            if code == 0 and vault.ready:
                await _hook_status(pool, vault, t, team.id, settings)
            return code
        if args.crm_command == "hook-token":
            return await _hook_token(pool, vault, t, team.id, team.name, args.token)
        if args.crm_command == "sync":
            return await _sync(pool, vault, t, team.id, args.full)
        if args.crm_command == "deals":
            async with pool() as session, session.begin():
                found = await Repo(session).crm.set_win_deals(team.id, args.mode == "win")
            if not found:
                print(t("cli-crm-none", team=team.name), file=sys.stderr)
                return 1
            print(t(f"cli-crm-deals-{args.mode}", team=team.name))
            return 0
        if args.crm_command == "disconnect":
            from crm.service import disconnect

            if not await disconnect(pool, team.id):
                print(t("cli-crm-none", team=team.name), file=sys.stderr)
                return 1
            print(t("cli-crm-disconnected", team=team.name))
            return 0
    return 2


async def _connect(pool: Any, vault: Any, t: Texts, team_id: int, team: str, args: argparse.Namespace) -> int:
    from bot.clock import system_clock
    from crm.service import account_line, connect
    from crm.vault import tail

    kind = ProviderKind(args.provider)
    found = _secret_of(kind, args)
    if found is None:
        print(t(f"cli-crm-auth-{kind.value}"), file=sys.stderr)
        return 2
    address, secret = found
    summary = await connect(pool, vault, team_id, kind, address, secret, system_clock)
    from crm.oauth import OAUTH, TOKEN
    from crm.service import OAuthGrant, normalise_address

    oauth = isinstance(secret, OAuthGrant)
    shown = secret.client_secret if isinstance(secret, OAuthGrant) else secret.rstrip("/")
    print(account_line(t, summary))
    print(
        t(
            "cli-crm-connected",
            team=team,
            provider=t(f"crm-provider-{kind.value}"),
            address=normalise_address(kind, address, oauth=oauth),
            secret=t(f"crm-secret-{OAUTH if oauth else TOKEN}", tail=tail(shown) or "…"),
        )
    )
    print(t("cli-crm-next", team=team))
    return 0


def _secret_of(kind: ProviderKind, args: argparse.Namespace) -> tuple[str, Any] | None:
    """The address and the secret the options give: a long-lived token or webhook, or an OAuth grant
    (all of its options); None when neither is complete, or both are given."""
    from crm.oauth import BITRIX24_OAUTH_SERVER
    from crm.service import OAuthGrant

    amo = kind is ProviderKind.AMOCRM
    plain = args.token if amo else args.webhook
    needed = [args.client_id, args.client_secret, args.code, args.redirect_uri if amo else args.portal]
    if plain and not any(needed):
        return (args.subdomain, plain) if amo else (plain, plain)  # the webhook is its own address
    if plain or not all(needed):
        return None
    if amo:
        return args.subdomain, OAuthGrant(args.client_id, args.client_secret, args.code, args.redirect_uri)
    server = args.oauth_server or BITRIX24_OAUTH_SERVER
    return args.portal, OAuthGrant(args.client_id, args.client_secret, args.code, server=server)


async def _status(pool: Any, t: Texts, team_id: int, team: str) -> int:
    from crm.service import connection_lines
    from domain.enums import LinkKind
    from storage.repo import Repo

    async with pool() as session:
        crm = Repo(session).crm
        conn = await crm.connection(team_id)
        if conn is None:
            print(t("cli-crm-none", team=team))
            return 1
        counts = await crm.link_counts(team_id, conn.provider)
        open_tasks = await crm.open_task_count(team_id, conn.provider)
        users = await crm.users(team_id, conn.provider)
        outbox = await crm.outbox_counts(team_id)
    for line in connection_lines(t, conn, "cli-crm-status"):
        print(line)
    if conn.last_sync_at is None:
        print(t("cli-crm-never-synced"))
    else:
        print(t("cli-crm-last-sync", at=conn.last_sync_at.strftime("%Y-%m-%d %H:%M UTC")))
    print(
        t(
            "cli-crm-counts",
            tasks=counts.get(LinkKind.TASK, 0),
            open=open_tasks,
            clients=counts.get(LinkKind.CLIENT, 0),
            deals=counts.get(LinkKind.DEAL, 0),
            matched=sum(1 for u in users.values() if u.member_id is not None),
            users=len(users),
        )
    )
    print(
        t(
            "cli-crm-outbox",
            waiting=outbox.get("pending", 0) + outbox.get("sending", 0),
            sent=outbox.get("sent", 0),
            failed=outbox.get("failed", 0),
        )
    )
    return 0


async def _sync(pool: Any, vault: Any, t: Texts, team_id: int, full: bool) -> int:
    """``sync_team``: the bot's marks to the CRM first, so the read that follows sees them there."""
    from bot.clock import system_clock
    from crm.service import LEASE, sync_lines, sync_team

    # the same sync as the bot's (the team's lease held, so it never runs beside the bot's own; one the
    # bot runs is waited for, as long as a lease lasts)
    outcome = await sync_team(
        pool, vault, team_id, system_clock, t, full=full, wait=LEASE.total_seconds() + 10
    )
    print("\n".join(sync_lines(outcome, t, names=True)))
    return 0


async def _hook_status(pool: Any, vault: Any, t: Texts, team_id: int, settings: Settings) -> None:
    """Where the CRM posts its webhooks (the path secret is made here for a connection older than it)."""
    from crm.hooks import ensure_hook, hook_url
    from storage.repo import Repo

    async with pool() as session, session.begin():
        repo = Repo(session)
        secret = await ensure_hook(repo, team_id, vault)
        conn = await repo.crm.connection(team_id)
    if secret is None or conn is None:
        return
    url = hook_url(settings.crm_public_url, settings.webhook_url, conn.provider, secret)
    if url is None:
        print(t("cli-crm-hook", url=f"/crm/{conn.provider}/{secret}"))
        print(t("cli-crm-hook-no-base"))
    else:
        print(t("cli-crm-hook", url=url))
    if conn.provider == "bitrix24" and not conn.hook_token_enc:
        print(t("cli-crm-hook-no-token"))


async def _hook_token(pool: Any, vault: Any, t: Texts, team_id: int, team: str, token: str) -> int:
    from crm.hooks import set_application_token
    from storage.repo import Repo

    async with pool() as session, session.begin():
        stored = await set_application_token(Repo(session), team_id, vault, token)
    if not stored:
        print(t("cli-crm-none", team=team), file=sys.stderr)
        return 1
    print(t("cli-crm-hook-token-set", team=team))
    return 0
