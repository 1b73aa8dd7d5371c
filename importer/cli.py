"""``python -m bot import FILE --team NAME [--owner NAME] [--dry-run]`` and
``python -m bot export --team NAME [--from D] [--to D] --out FILE``."""

from __future__ import annotations

import asyncio
import sys
from datetime import date
from pathlib import Path

from bot.cli_db import migrated_pool
from bot.clock import system_clock
from bot.config import Settings
from bot.i18n import Texts
from domain.import_rules import Person, match_person
from domain.sales import month_period
from domain.schedule import local_today
from domain.zones import team_zone


def _date(text: str | None, t: Texts) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        print(t("cli-bad-date", value=text), file=sys.stderr)
        raise SystemExit(2) from None


async def run_import_command(
    settings: Settings, t: Texts, path: str, team_name: str, owner: str | None, dry_run: bool
) -> int:
    from importer.read import read_file
    from importer.service import apply, prepare
    from storage.repo import Repo

    data = await asyncio.to_thread(Path(path).read_bytes)
    tables = read_file(data, Path(path).name)
    async with migrated_pool(settings, t) as pool, pool() as session, session.begin():
        repo = Repo(session)
        team = await repo.teams.named(team_name)
        owner_id = None
        if owner:
            people = [
                Person(m.id, m.name, m.username)
                for m in await repo.members.team_members(team.id)
                if m.role.value in ("manager", "head")
            ]
            owner_id = match_person(owner, people)
            if owner_id is None:
                print(t("cli-owner-unknown", name=owner), file=sys.stderr)
                return 1
        plan = await prepare(session, team, tables, local_today(system_clock(), team_zone(team)), owner_id)
        if not plan.understood:
            print(t("cli-import-nothing"), file=sys.stderr)
            return 1
        print(
            t(
                "cli-import-summary",
                file=Path(path).name,
                rows=str(plan.rows),
                clients_new=str(len(plan.new_clients)),
                clients_known=str(plan.known_clients),
                tasks_new=str(len(plan.new_tasks)),
                tasks_known=str(plan.known_tasks),
                plans_new=str(len(plan.new_plans)),
                duplicates=str(plan.duplicates),
                rejected=str(len(plan.rejected)),
            )
        )
        for r in plan.rejected:
            reason = t(f"import-reason-{r.reason}", value=r.value)
            print(t("cli-import-rejected", row=str(r.row), reason=reason))
        if dry_run:
            print(t("cli-import-dry-run"))
            await session.rollback()
            return 0
        written = await apply(session, team, plan, None)
        print(
            t(
                "cli-import-done",
                clients=str(written.clients),
                tasks=str(written.tasks),
                plans=str(written.plans),
            )
        )
    return 0


async def run_export_command(
    settings: Settings, t: Texts, team_name: str, start: str | None, end: str | None, out: str
) -> int:
    from reports.xlsx import export_workbook
    from storage.repo import Repo

    first, last = _date(start, t), _date(end, t)
    async with migrated_pool(settings, t) as pool, pool() as session:
        team = await Repo(session).teams.named(team_name)
        month = month_period(local_today(system_clock(), team_zone(team)))
        first, last = first or month.start, last or month.end
        if last < first:
            print(t("cli-bad-date", value=end or ""), file=sys.stderr)
            return 2
        data, counts = await export_workbook(session, team, first, last, t)
    await asyncio.to_thread(Path(out).write_bytes, data)
    print(
        t(
            "cli-export-done",
            file=out,
            clients=str(counts.clients),
            tasks=str(counts.tasks),
            deals=str(counts.deals),
            leads=str(counts.leads),
            reports=str(counts.reports),
        )
    )
    return 0
