"""One client per company on every path: ``ClientRepo`` cleans names and refuses a company the team
has (whoever owns it), the import finds it under invisible characters, and migration 0008 cleans the
names and task texts written before."""

from __future__ import annotations

import asyncio
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine

from domain.errors import UserError
from importer.read import read_file
from importer.service import apply, prepare
from storage.migrate import upgrade
from storage.models import Client, Team
from storage.repo import Repo
from tests.handlers.conftest import make_team


async def test_client_repo_keeps_one_company_per_team(session_pool: async_sessionmaker[AsyncSession]) -> None:
    team, _, (anna, boris) = await make_team(session_pool, "Имена", 4000)
    other, _, (vera,) = await make_team(session_pool, "Другая", 5000, managers=1)
    async with session_pool() as s, s.begin():
        repo = Repo(s)
        first = await repo.clients.create(team.id, anna.id, "  \u200bООО\u00a0«Ромашка»\u202c ")
        assert (first.name, first.name_key) == ("ООО «Ромашка»", "ооо «ромашка»")
        for copy in ("ООО «Ромашка»", "ооо  «ромашка»\u2060", "\u202eООО «Ромашка»"):
            with pytest.raises(UserError) as refused:
                await repo.clients.create(team.id, boris.id, copy)
            assert refused.value.key == "error-client-exists"
            assert refused.value.args_ == {"name": "ООО «Ромашка»", "owner": anna.name}
            assert await repo.clients.by_exact_name(team.id, copy) is first
        for empty in ("\u200b\u2060\u00ad", "\u202e \u202c"):
            with pytest.raises(UserError) as refused:
                await repo.clients.create(team.id, anna.id, empty)
            assert refused.value.key == "error-client-name-empty"
        # another team has its own companies
        assert (await repo.clients.create(other.id, vera.id, "ООО «Ромашка»")).team_id == other.id
        task = await repo.tasks.create(
            team.id,
            anna.id,
            "\u200bПозвонить\u00ad  директору\u202e",
            date(2026, 12, 1),
            client_id=first.id,
            created_by=anna.id,
        )
        assert task.action == "Позвонить директору"
    async with session_pool() as s:
        count = await s.scalar(select(func.count()).select_from(Client).where(Client.team_id == team.id))
        assert count == 1


async def test_an_import_finds_the_company_under_invisible_characters(
    session_pool: async_sessionmaker[AsyncSession],
) -> None:
    team_row, head, (anna, _) = await make_team(session_pool, "Импорт имён", 6000)
    async with session_pool() as s, s.begin():
        await Repo(s).clients.create(team_row.id, anna.id, "Ромашка")
    csv = "\n".join(
        [
            "Название;Ответственный;Задача;Срок",
            "\u200bРомашка;;Отправить договор;10.12.2026",
            "Ромашка\u202c;;;",
            "\u200b\u2060;;Позвонить директору;10.12.2026",  # nothing visible: no client
        ]
    )
    async with session_pool() as s, s.begin():
        team = await s.get(Team, team_row.id)
        assert team is not None
        plan = await prepare(s, team, read_file(csv.encode(), "crm.csv"), date(2026, 11, 20), head.id)
        assert plan.new_clients == []
        assert [(r.row, r.reason) for r in plan.rejected] == [(4, "no-client")]
        await apply(s, team, plan, head.id)
    async with session_pool() as s:
        names = list(await s.scalars(select(Client.name).where(Client.team_id == team_row.id)))
    assert names == ["Ромашка"]


async def test_0008_cleans_old_names_and_keys(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path}/old.db"
    await asyncio.to_thread(upgrade, url, "0004")
    engine = create_async_engine(url)
    async with engine.begin() as conn:
        await conn.execute(
            text(
                "INSERT INTO teams (id, name, timezone, workdays, morning_at, evening_at, approval_at)"
                " VALUES (1, 'Старая', 'Europe/Moscow', '1,2,3,4,5', '09:00:00', '18:00:00', '21:00:00')"
            )
        )
        await conn.execute(
            text(
                "INSERT INTO members (id, tg_id, team_id, name, role, locale, active, unreachable)"
                " VALUES (1, 5, 1, 'Анна', 'manager', 'ru', 1, 0)"
            )
        )
        rows = [
            (1, "Ромашка", "ромашка"),
            (2, "Ромашка\u200b", "ромашка\u200b"),
            (3, "\u200bРомашка", "\u200bромашка"),
            (4, "\u202eЛуч\u202c", "\u202eлуч\u202c"),
            (5, "\u200b", "\u200b"),  # nothing visible: kept as it was
        ]
        for client_id, name, key in rows:
            await conn.execute(
                text(
                    "INSERT INTO clients (id, team_id, owner_id, name, name_key, stage)"
                    " VALUES (:id, 1, 1, :name, :key, 'new')"
                ),
                {"id": client_id, "name": name, "key": key},
            )
        await conn.execute(
            text(
                "INSERT INTO tasks (id, team_id, assignee_id, client_id, action, due_date, status, moves)"
                " VALUES (1, 1, 1, 1, :action, '2026-11-23', 'open', 0)"
            ),
            {"action": "Позвонить\u2060 директору\u00ad  сегодня"},
        )
    await engine.dispose()
    await asyncio.to_thread(upgrade, url)
    engine = create_async_engine(url)
    async with engine.connect() as conn:
        clients = (await conn.execute(text("SELECT id, name, name_key FROM clients ORDER BY id"))).all()
        action = (await conn.execute(text("SELECT action FROM tasks"))).scalar_one()
    await engine.dispose()
    assert [tuple(r) for r in clients] == [
        (1, "Ромашка", "ромашка"),
        (2, "Ромашка", "ромашка"),
        (3, "Ромашка", "ромашка"),
        (4, "Луч", "луч"),
        (5, "\u200b", "\u200b"),
    ]
    assert action == "Позвонить директору сегодня"
