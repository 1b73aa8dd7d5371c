"""Migration 0008: names and task texts written before cleaning existed are cleaned, keys recomputed."""

from __future__ import annotations

import asyncio
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from storage.migrate import upgrade


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
