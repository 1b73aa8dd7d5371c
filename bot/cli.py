"""The command line: ``python -m bot [run|migrate|team create|invite|job|demo] --help``."""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from collections.abc import Sequence
from datetime import timedelta
from typing import TYPE_CHECKING, Any, NoReturn
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.config import LOCALES, Settings, SettingsError, load_settings
from bot.i18n import Texts, default_translator
from bot.logs import setup_logging
from domain.enums import Role
from domain.errors import UserError

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker


def build_parser(t: Texts) -> argparse.ArgumentParser:
    """The command line in the language of ``t`` (``DEFAULT_LOCALE``), its ``--help`` included."""

    class Formatter(argparse.HelpFormatter):
        def add_usage(self, usage: Any, actions: Any, groups: Any, prefix: str | None = None) -> None:
            super().add_usage(usage, actions, groups, t("cli-usage") if prefix is None else prefix)

    class Parser(argparse.ArgumentParser):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **{"add_help": False, "formatter_class": Formatter, **kwargs})
            self.arguments = self.add_argument_group(t("cli-arguments"))
            self.options = self.add_argument_group(t("cli-options"))
            self.options.add_argument("-h", "--help", action="help", help=t("cli-help-help"))

        def error(self, message: str) -> NoReturn:
            self.print_usage(sys.stderr)
            self.exit(2, f"{self.prog}: {t('cli-error')}: {message}\n")

    def command(name: str, key: str, **kwargs: Any) -> Parser:
        return sub.add_parser(name, help=t(key), description=t(key), **kwargs)

    parser = Parser(prog="python -m bot", description=t("cli-description"))
    sub = parser.add_subparsers(dest="command", title=t("cli-commands"), metavar="COMMAND")
    command("run", "cli-help-run")
    command("webhook", "cli-help-webhook")
    command("migrate", "cli-help-migrate")
    team = command("team", "cli-help-team")
    team_sub = team.add_subparsers(dest="team_command", required=True, title=t("cli-commands"))
    create = team_sub.add_parser(
        "create", help=t("cli-help-team-create"), description=t("cli-help-team-create")
    )
    create.arguments.add_argument("name", help=t("cli-help-team-name"))
    create.options.add_argument("--tz", default=None, help=t("cli-help-tz"))
    invite = command("invite", "cli-help-invite")
    invite.options.add_argument("--team", required=True, help=t("cli-help-team-option"))
    invite.options.add_argument(
        "--role", choices=[r.value for r in Role], default=Role.MANAGER.value, help=t("cli-help-role")
    )
    job = command("job", "cli-help-job")
    job.arguments.add_argument("name", nargs="?", help=t("cli-help-job-name"))
    job.options.add_argument("--team", help=t("cli-help-job-team"))
    job.options.add_argument("--date", help=t("cli-help-job-date"))
    outbox = command("outbox", "cli-help-outbox")
    outbox.options.add_argument("--team", help=t("cli-help-job-team"))
    outbox.options.add_argument("--days", type=int, default=7, help=t("cli-help-outbox-days"))
    imp = command("import", "cli-help-import")
    imp.arguments.add_argument("file", help=t("cli-help-import-file"))
    imp.options.add_argument("--team", required=True, help=t("cli-help-team-option"))
    imp.options.add_argument("--owner", help=t("cli-help-import-owner"))
    imp.options.add_argument("--dry-run", action="store_true", help=t("cli-help-import-dry-run"))
    exp = command("export", "cli-help-export")
    exp.options.add_argument("--team", required=True, help=t("cli-help-team-option"))
    exp.options.add_argument("--from", dest="start", help=t("cli-help-export-from"))
    exp.options.add_argument("--to", dest="end", help=t("cli-help-export-to"))
    exp.options.add_argument("--out", required=True, help=t("cli-help-export-out"))
    backup = command("backup", "cli-help-backup")
    backup.options.add_argument("--out", required=True, help=t("cli-help-backup-out"))
    restore = command("restore", "cli-help-restore")
    restore.arguments.add_argument("file", help=t("cli-help-restore-file"))
    demo = command("demo", "cli-help-demo")
    demo.options.add_argument("--lang", choices=LOCALES, default=None, help=t("cli-help-demo-lang"))
    from crm.cli import add_parser as add_crm_parser

    add_crm_parser(sub, t)
    return parser


def _env_locale() -> str:
    """``DEFAULT_LOCALE`` read by hand, for the help and the error when the settings do not load."""
    value = os.environ.get("DEFAULT_LOCALE", "").strip().lower()
    return value if value in LOCALES else LOCALES[0]


def main(argv: Sequence[str] | None = None) -> int:
    try:
        settings: Settings | None = load_settings()
        problem: SettingsError | None = None
    except SettingsError as exc:
        settings, problem = None, exc
    locale = settings.default_locale if settings is not None else _env_locale()
    t = default_translator().get(locale, html=False)
    args = build_parser(t).parse_args(argv)  # --help works even when a setting is wrong
    if settings is None:
        print(problem, file=sys.stderr)
        return 2
    command = args.command or "run"
    # the bot token and the webhook secret are redacted from every line
    setup_logging(settings.log_level, settings.secrets, settings.log_format)
    try:
        if command == "run":
            return _run(settings, t)
        if command == "webhook":
            from bot.webhook import run_webhook_command

            return run_webhook_command(settings, t)
        if command == "migrate":
            return _migrate(settings, t)
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
        if command in ("backup", "restore"):
            return _backup_or_restore(settings, t, command, args)
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


def _backup_or_restore(settings: Settings, t: Texts, command: str, args: argparse.Namespace) -> int:
    from pathlib import Path

    from storage import backup

    if command == "backup":
        revision = backup.backup(settings.database_url, Path(args.out))
        print(t("cli-backup-done", path=args.out, revision=revision))
    else:
        revision = backup.restore(settings.database_url, Path(args.file))
        print(t("cli-restore-done", path=args.file, revision=revision))
    return 0


def _migrate(settings: Settings, t: Texts) -> int:
    """Upgrade quietly (alembic's own lines only with ``LOG_LEVEL=DEBUG``) and say what became of it."""
    from storage.migrate import head_revision, revision_at, upgrade

    before = revision_at(settings.database_url)
    upgrade(settings.database_url, quiet=settings.log_level != "DEBUG")
    print(t("cli-migrate-current" if before == head_revision() else "cli-migrated"))
    return 0


def _run(settings: Settings, t: Texts) -> int:
    if settings.bot_token is None:
        print(t("cli-no-token", next=asyncio.run(_first_step(settings))), file=sys.stderr)
        return 2
    from bot.app import NotMigrated, run_polling
    from bot.commands import CannotStart

    try:
        asyncio.run(run_polling(settings))
    except NotMigrated:
        print(t("cli-not-migrated"), file=sys.stderr)
        return 2
    except CannotStart as exc:
        print(t(exc.key, **exc.args_), file=sys.stderr)
        return 2
    return 0


async def _first_step(settings: Settings) -> str:
    """What a person without a token does after getting one: ``migrate``, create a ``team``, or ``run``."""
    from storage.migrate import database_exists

    if not database_exists(settings.database_url):
        return "migrate"  # nothing to look at, and nothing created by looking
    from storage.db import create_engine, create_session_pool
    from storage.migrate import is_up_to_date
    from storage.repo import Repo

    engine = create_engine(settings.database_url)
    try:
        if not await is_up_to_date(engine):
            return "migrate"
        async with create_session_pool(engine)() as session:
            return "run" if await Repo(session).teams.all() else "team"
    except Exception:  # a database that cannot be read: setting it up is the next step
        return "migrate"
    finally:
        await engine.dispose()


async def open_db(
    settings: Settings, t: Texts
) -> tuple[AsyncEngine, async_sessionmaker[AsyncSession]] | None:
    """(engine, session pool) of an up-to-date database; None after saying it needs migrating."""
    from storage.db import create_engine, create_session_pool
    from storage.migrate import is_up_to_date

    engine = create_engine(settings.database_url)
    if not await is_up_to_date(engine):
        await engine.dispose()
        print(t("cli-not-migrated"), file=sys.stderr)
        return None
    return engine, create_session_pool(engine)


async def _team_create(settings: Settings, t: Texts, name: str, tz: str) -> int:
    try:
        ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError):
        print(t("cli-bad-tz", tz=tz), file=sys.stderr)
        return 2
    opened = await open_db(settings, t)
    if opened is None:
        return 2
    engine, pool = opened
    from bot.clock import system_clock
    from storage.repo import Repo

    try:
        async with pool() as session, session.begin():
            repo = Repo(session)
            team = await repo.teams.create(name, tz)
            invite = await repo.invites.create(
                team.id, Role.HEAD, system_clock(), timedelta(hours=settings.invite_ttl_hours)
            )
        link = await _deep_link(settings, invite.code, t)
        print(t("cli-team-created", team=team.name, tz=tz))
        print(t("cli-invite", role=t("role-head"), hours=settings.invite_ttl_hours))
        print(link)
    finally:
        await engine.dispose()
    return 0


async def _invite(settings: Settings, t: Texts, team_name: str, role: Role) -> int:
    opened = await open_db(settings, t)
    if opened is None:
        return 2
    engine, pool = opened
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
        print(await _deep_link(settings, invite.code, t))
    finally:
        await engine.dispose()
    return 0


async def _deep_link(settings: Settings, code: str, t: Texts) -> str:
    """``https://t.me/<bot>?start=<code>``; the bot's username comes from getMe when a token is set.
    Without one, the link has a placeholder, and a line after it says what to put there."""
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
    if username is None:
        return f"https://t.me/<bot_username>?start={code}\n{t('cli-link-unknown-bot')}"
    return f"https://t.me/{username}?start={code}"
