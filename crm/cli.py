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
    amo.add_argument("--token", required=True, help=t("cli-help-crm-token"))
    b24 = providers.add_parser("bitrix24", help=t("cli-help-crm-bitrix24"))
    b24.add_argument("--webhook", required=True, help=t("cli-help-crm-webhook"))
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
    from bot.cli import open_db

    if (opened := await open_db(settings, t)) is None:
        return 2
    engine, pool = opened
    try:
        from domain.errors import UserError
        from storage.repo import Repo

        async with pool() as session:
            team = await Repo(session).teams.by_name(args.team)
        if team is None:
            raise UserError("team-unknown", name=args.team)
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
    finally:
        await engine.dispose()
    return 2


async def _connect(pool: Any, vault: Any, t: Texts, team_id: int, team: str, args: argparse.Namespace) -> int:
    from bot.clock import system_clock
    from crm.service import account_line, connect
    from crm.vault import tail

    kind = ProviderKind(args.provider)
    if kind is ProviderKind.AMOCRM:
        address, secret = args.subdomain, args.token
    else:  # the webhook is the secret; the portal is its address
        address = secret = args.webhook
    summary = await connect(pool, vault, team_id, kind, address, secret, system_clock)
    from crm.service import normalise_address

    print(account_line(t, summary))
    print(
        t(
            "cli-crm-connected",
            team=team,
            provider=t(f"crm-provider-{kind.value}"),
            address=normalise_address(kind, address),
            tail=tail(secret.rstrip("/")) or "…",
        )
    )
    print(t("cli-crm-next", team=team))
    return 0


async def _status(pool: Any, t: Texts, team_id: int, team: str) -> int:
    from crm.service import account_line, stored_summary
    from storage.crm_repo import LinkKind
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
    print(
        t(
            "cli-crm-status",
            provider=t(f"crm-provider-{conn.provider}"),
            address=conn.address,
            tail=conn.secret_tail,
            status=t(f"cli-crm-status-{conn.status}"),
        )
    )
    summary = stored_summary(conn)
    if summary is not None:
        print(account_line(t, summary))
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
    from crm.service import sync_lines, sync_team

    outcome = await sync_team(pool, vault, team_id, system_clock, t, full=full)
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
