"""``python -m bot crm deals --team X win|record``: the team's setting for /deal and the CRM."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from crm_fakes.amocrm import FakeAmoCrm
from storage.db import create_engine, create_session_pool
from storage.models import CrmConnection
from tests.crm.conftest import Clock, make_team
from tests.crm.test_cli import run_cli
from tests.crm.test_sync import _connect


async def test_the_team_chooses_win_in_the_crm_or_record_only(
    sqlite_url: str, amo: FakeAmoCrm, clock: Clock, tmp_path: Path
) -> None:
    engine = create_engine(sqlite_url)
    pool = create_session_pool(engine)
    try:
        team = await make_team(pool)
        env = {"DATABASE_URL": sqlite_url}
        code, _, err = await run_cli("crm", "deals", "--team", "Отдел продаж", "record", env=env)
        assert code == 1 and "нет подключённой CRM" in err  # nothing to set before a CRM is connected

        amo.add_user("Анна Смирнова")
        await _connect(pool, team.team_id, amo, clock)

        async def win_deals() -> bool:
            async with pool() as session:
                conn = await session.scalar(
                    select(CrmConnection).where(CrmConnection.team_id == team.team_id)
                )
                assert conn is not None
                return conn.win_deals

        assert await win_deals()  # the default: /deal wins the deal in the CRM
        code, out, err = await run_cli("crm", "deals", "--team", "Отдел продаж", "record", env=env)
        assert code == 0 and "только записываются в боте" in out, err
        assert not await win_deals()
        code, out, err = await run_cli("crm", "deals", "--team", "Отдел продаж", "win", env=env)
        assert code == 0 and "Успешно реализовано" in out, err
        assert await win_deals()
        code, _, err = await run_cli("crm", "deals", "--team", "Отдел продаж", "maybe", env=env)
        assert code != 0 and await win_deals()
    finally:
        await engine.dispose()
