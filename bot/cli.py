"""The command line: ``python -m bot [run|migrate|team create|invite|job|demo] --help``."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Sequence
from datetime import timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.config import LOCALES, Settings, SettingsError, load_settings
from bot.i18n import Texts, default_translator
from bot.logs import setup_logging
from domain.enums import Role
from domain.errors import UserError


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m bot", description="РОП-ассистент: the sales team's day in Telegram."
    )
    sub = parser.add_subparsers(dest="command")
    sub.add_parser("run", help="run the bot with long polling (the default)")
    sub.add_parser(
        "webhook", help="serve updates over a webhook (WEBHOOK_URL, WEBHOOK_SECRET; several processes may)"
    )
    sub.add_parser("migrate", help="create or upgrade the database schema")
    team = sub.add_parser("team", help="manage teams").add_subparsers(dest="team_command", required=True)
    create = team.add_parser("create", help="create a team and print its first head's invite link")
    create.add_argument("name")
    create.add_argument(
        "--tz", default=None, help="IANA time zone, e.g. Europe/Moscow (default: DEFAULT_TIMEZONE)"
    )
    invite = sub.add_parser("invite", help="print an invite link for a team")
    invite.add_argument("--team", required=True, help="team name")
    invite.add_argument("--role", choices=[r.value for r in Role], default=Role.MANAGER.value)
    job = sub.add_parser("job", help="run a scheduled job now")
    job.add_argument("name", nargs="?", help="job name; omit to list them")
    job.add_argument("--team", help="only this team")
    job.add_argument("--date", help="local date YYYY-MM-DD (default: today in the team's time zone)")
    outbox = sub.add_parser("outbox", help="scheduled messages: pending, failed, unknown, sent today")
    outbox.add_argument("--team", help="only this team")
    outbox.add_argument("--days", type=int, default=7, help="local days to look back (default: 7)")
    imp = sub.add_parser("import", help="import clients, open tasks and plans from a CSV or XLSX file")
    imp.add_argument("file")
    imp.add_argument("--team", required=True, help="team name")
    imp.add_argument("--owner", help="the manager of rows that name nobody (default: such rows are rejected)")
    imp.add_argument("--dry-run", action="store_true", help="show what would be imported, write nothing")
    exp = sub.add_parser("export", help="export clients, tasks, deals, leads and day reports to XLSX")
    exp.add_argument("--team", required=True, help="team name")
    exp.add_argument("--from", dest="start", help="first day YYYY-MM-DD (default: this month's first)")
    exp.add_argument("--to", dest="end", help="last day YYYY-MM-DD (default: this month's last)")
    exp.add_argument("--out", required=True, help="the .xlsx file to write")
    demo = sub.add_parser(
        "demo", help="play a scripted working day in a throwaway database (no token, no network)"
    )
    demo.add_argument("--lang", choices=LOCALES, default=None, help="transcript language (default: ru)")
    from crm.cli import add_parser as add_crm_parser

    add_crm_parser(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    command = args.command or "run"
    try:
        settings = load_settings()
    except SettingsError as exc:
        print(exc, file=sys.stderr)
        return 2
    t = default_translator().get(settings.default_locale, html=False)
    setup_logging(settings.log_level, settings.secrets)  # the bot token and the webhook secret
    try:
        if command == "run":
            return _run(settings, t)
        if command == "webhook":
            from bot.webhook import run_webhook_command

            return run_webhook_command(settings, t)
        if command == "migrate":
            from storage.migrate import upgrade

            upgrade(settings.database_url)
            print(t("cli-migrated"))
            return 0
        if command == "team":
            return asyncio.run(_team_create(settings, t, args.name, args.tz or settings.default_timezone))
        if command == "invite":
            return asyncio.run(_invite(settings, t, args.team, Role(args.role)))
        if command == "job":
            from scheduler.cli import run_job_command

            return asyncio.run(run_job_command(settings, t, args.name, args.team, args.date))
        if command == "outbox":
            from scheduler.ops import run_outbox_command

            return asyncio.run(run_outbox_command(settings, t, args.team, args.days))
        if command in ("import", "export"):
            from importer.cli import run_export_command, run_import_command

            if command == "import":
                return asyncio.run(
                    run_import_command(settings, t, args.file, args.team, args.owner, args.dry_run)
                )
            return asyncio.run(run_export_command(settings, t, args.team, args.start, args.end, args.out))
        if command == "crm":
            from crm.cli import run_crm_command

            return asyncio.run(run_crm_command(settings, t, args))
        if command == "demo":
            from bot.demo import run_demo

            return asyncio.run(run_demo(settings, args.lang))
    except UserError as exc:
        print(t(exc.key, **exc.args_), file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    return 2


def _run(settings: Settings, t: Texts) -> int:
    if settings.bot_token is None:
        print(t("cli-no-token"), file=sys.stderr)
        return 2
    from bot.app import NotMigrated, run_polling

    try:
        asyncio.run(run_polling(settings))
    except NotMigrated:
        print(t("cli-not-migrated"), file=sys.stderr)
        return 2
    return 0


async def _open(settings: Settings, t: Texts):
    from storage.db import create_engine, create_session_pool
    from storage.migrate import is_up_to_date

    engine = create_engine(settings.database_url)
    if not await is_up_to_date(engine):
        await engine.dispose()
        print(t("cli-not-migrated"), file=sys.stderr)
        return None, None
    return engine, create_session_pool(engine)


async def _team_create(settings: Settings, t: Texts, name: str, tz: str) -> int:
    try:
        ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError):
        print(t("cli-bad-tz", tz=tz), file=sys.stderr)
        return 2
    engine, pool = await _open(settings, t)
    if engine is None:
        return 2
    from bot.clock import system_clock
    from storage.repo import Repo

    try:
        async with pool() as session, session.begin():
            repo = Repo(session)
            team = await repo.teams.create(name, tz)
            invite = await repo.invites.create(
                team.id, Role.HEAD, system_clock(), timedelta(hours=settings.invite_ttl_hours)
            )
        link = await _deep_link(settings, invite.code)
        print(t("cli-team-created", team=team.name, tz=tz))
        print(t("cli-invite", role=t("role-head"), hours=settings.invite_ttl_hours))
        print(link)
    finally:
        await engine.dispose()
    return 0


async def _invite(settings: Settings, t: Texts, team_name: str, role: Role) -> int:
    engine, pool = await _open(settings, t)
    if engine is None:
        return 2
    from bot.clock import system_clock
    from storage.repo import Repo

    try:
        async with pool() as session, session.begin():
            repo = Repo(session)
            team = await repo.teams.by_name(team_name)
            if team is None:
                raise UserError("team-unknown", name=team_name)
            invite = await repo.invites.create(
                team.id, role, system_clock(), timedelta(hours=settings.invite_ttl_hours)
            )
        print(t("cli-invite", role=t(f"role-{role}"), hours=settings.invite_ttl_hours))
        print(await _deep_link(settings, invite.code))
    finally:
        await engine.dispose()
    return 0


async def _deep_link(settings: Settings, code: str) -> str:
    """``https://t.me/<bot>?start=<code>``; the bot's username comes from getMe when a token is set."""
    username = settings.bot_username
    if username is None and settings.bot_token is not None:
        from bot.factory import create_bot

        bot = create_bot(settings)
        try:
            username = (await bot.get_me()).username
        except Exception:
            username = None
        finally:
            await bot.session.close()
    return f"https://t.me/{username or '<bot_username>'}?start={code}"
