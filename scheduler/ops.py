"""Operations from the command line: ``python -m bot job <kind> [--team] [--date]`` (enqueue and deliver a
kind now), ``python -m bot job tick`` (one scheduler tick now) and ``python -m bot outbox``."""

from __future__ import annotations

import functools
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.clock import clock_from_env
from bot.config import Settings
from bot.i18n import Texts, default_translator
from domain.due import zone
from domain.enums import OutboxStatus
from domain.errors import UserError
from scheduler.jobs import JOBS
from scheduler.kinds import KINDS
from scheduler.notices import NOTICE
from scheduler.plan import is_scheduled, rule
from scheduler.runner import Runner, enqueue_for_date
from storage.models import Outbox, Team
from storage.outbox_repo import Filter, OutboxRepo
from storage.repo import MemberRepo, TeamRepo

S = OutboxStatus


@asynccontextmanager
async def _opened(settings: Settings) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    from storage.db import create_engine, create_session_pool
    from storage.migrate import is_up_to_date

    engine = create_engine(settings.database_url)
    try:
        if not await is_up_to_date(engine):
            raise UserError("not-migrated")
        yield create_session_pool(engine)
    finally:
        await engine.dispose()


async def _teams(pool: async_sessionmaker[AsyncSession], name: str | None) -> list[Team]:
    async with pool() as session:
        teams = TeamRepo(session)
        if name is None:
            return list(await teams.listed())
        return [await teams.named(name)]


def _cli_texts(settings: Settings) -> Texts:
    return default_translator().get(settings.default_locale, html=False)


@asynccontextmanager
async def _sending(settings: Settings) -> AsyncIterator[tuple[async_sessionmaker[AsyncSession], Runner]]:
    """The database and a runner sending with the settings' bot, both closed on the way out."""
    from bot.factory import create_bot

    async with _opened(settings) as pool:
        bot = create_bot(settings)
        runner = Runner.from_settings(
            bot, pool, settings, translator=default_translator(), clock=clock_from_env()
        )
        try:
            yield pool, runner
        finally:
            await runner.close()
            await bot.session.close()


async def run_kind_job(
    settings: Settings, kind: str, team: str | None = None, date: str | None = None
) -> int:
    """Enqueue ``kind`` for the team(s) on the date (default: each team's today), honouring working days
    and vacations but not the time of day, and deliver it now."""
    t = _cli_texts(settings)
    try:
        day = datetime.strptime(date, "%Y-%m-%d").date() if date else None
    except ValueError:
        print(t("cli-job-bad-date", date=date), file=sys.stderr)
        return 2
    if settings.bot_token is None:
        print(t("cli-no-token"), file=sys.stderr)
        return 2
    async with _sending(settings) as (pool, runner):
        for one in await _teams(pool, team):
            async with pool() as session, session.begin():
                team_row = await TeamRepo(session).get(one.id)
                assert team_row is not None
                d, sends, new = await enqueue_for_date(
                    session, team_row, rule(KINDS[kind]), day, clock_from_env()()
                )
            stats = await runner.deliverer.drain(
                Filter(team_id=one.id, kinds=frozenset({kind}), local_date=d), enforce_window=False
            )
            await runner.deliverer.drain(Filter(team_id=one.id, kinds=frozenset({NOTICE})))
            print(
                t(
                    "cli-job-done",
                    kind=kind,
                    team=one.name,
                    date=d.isoformat(),
                    due=len(sends),
                    new=len(new),
                    sent=stats.sent,
                    skipped=stats.skipped,
                    retry=stats.retried + stats.unknown,
                    failed=stats.failed + stats.unreachable,
                )
            )
    return 0


async def run_tick_job(settings: Settings, team: str | None = None, date: str | None = None) -> int:
    """One scheduler tick now: enqueue what is due at this moment, deliver the outbox."""
    t = _cli_texts(settings)
    if settings.bot_token is None:
        print(t("cli-no-token"), file=sys.stderr)
        return 2
    async with _sending(settings) as (_, runner):
        result = await runner.tick()
    s = result.stats
    print(
        t(
            "cli-tick-done",
            new=result.enqueued,
            sent=s.sent,
            skipped=s.skipped,
            retry=s.retried + s.unknown,
            failed=s.failed + s.unreachable,
        )
    )
    return 0


def register_jobs() -> list[str]:
    """A job per registered scheduled kind (``morning``, ``evening``, ...) and ``tick``; jobs of the same
    name registered by a feature are kept."""
    for name, kind in KINDS.items():
        if is_scheduled(kind) and name not in JOBS:
            JOBS[name] = functools.partial(run_kind_job, kind=name)
    JOBS.setdefault("tick", run_tick_job)
    return sorted(JOBS)


# ---------------------------------------------------------------------- python -m bot outbox


async def run_outbox_command(settings: Settings, t: Texts, team: str | None = None, days: int = 7) -> int:
    """Per team: rows pending, in flight, unknown, failed, unreachable, skipped over the last ``days``
    local days, sent today, and the latest problems."""
    now = clock_from_env()()
    async with _opened(settings) as pool:
        teams = await _teams(pool, team)
        if not teams:
            print(t("cli-outbox-empty"))
        for one in teams:
            today = now.astimezone(zone(one.timezone)).date()
            since = today - timedelta(days=days)
            async with pool() as session:
                repo = OutboxRepo(session)
                counts = await repo.counts(one.id, since)
                sent_today = await repo.sent_on(one.id, today)
                problems = await repo.problems(one.id, since)
                names = await _names(session, problems)
            print(t("cli-outbox-team", team=one.name, tz=one.timezone, today=today.isoformat(), days=days))
            print(
                t(
                    "cli-outbox-counts",
                    pending=counts.get(S.PENDING, 0),
                    sending=counts.get(S.SENDING, 0),
                    unknown=counts.get(S.UNKNOWN, 0),
                    failed=counts.get(S.FAILED, 0),
                    unreachable=counts.get(S.UNREACHABLE, 0),
                    skipped=counts.get(S.SKIPPED, 0),
                    sent=counts.get(S.SENT, 0),
                )
            )
            print(t("cli-outbox-sent-today", count=sent_today))
            for row in problems:
                if row.status in (S.PENDING, S.SENDING) and row.next_attempt_at is not None:
                    local = row.next_attempt_at.astimezone(zone(one.timezone))
                    print(
                        t(
                            "cli-outbox-retrying",
                            date=row.local_date.isoformat(),
                            kind=row.kind,
                            name=names.get(row.member_id, str(row.member_id)),
                            next=local.strftime("%Y-%m-%d %H:%M"),
                            attempts=row.attempts,
                            error=row.error or "",
                        )
                    )
                    continue
                print(
                    t(
                        "cli-outbox-problem",
                        date=row.local_date.isoformat(),
                        kind=row.kind,
                        name=names.get(row.member_id, str(row.member_id)),
                        status=str(row.status),
                        attempts=row.attempts,
                        error=row.error or "",
                    )
                )
    return 0


async def _names(session: AsyncSession, rows: list[Outbox] | Any) -> dict[int, str]:
    return await MemberRepo(session).names(r.member_id for r in rows)
