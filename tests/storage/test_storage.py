from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import func, select, text

from domain.enums import Role
from domain.errors import UserError
from storage.db import create_engine, create_session_pool
from storage.models import Base, Invite, Member, Task
from storage.repo import Repo

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


async def test_migrations_match_the_models(db_url: str) -> None:
    engine = create_engine(db_url)
    async with engine.connect() as conn:
        diff = await conn.run_sync(
            lambda sync: compare_metadata(MigrationContext.configure(sync), Base.metadata)
        )
    await engine.dispose()
    assert diff == []


async def test_sqlite_runs_in_wal_mode(sqlite_url: str) -> None:
    engine = create_engine(sqlite_url)
    async with engine.connect() as conn:
        assert (await conn.scalar(text("PRAGMA journal_mode"))) == "wal"
        assert (await conn.scalar(text("PRAGMA busy_timeout"))) >= 5000
    await engine.dispose()


async def _team_with_head(pool) -> tuple[int, int]:
    async with pool() as session, session.begin():
        repo = Repo(session)
        team = await repo.teams.create("Отдел продаж", "Europe/Moscow")
        invite = await repo.invites.create(team.id, Role.HEAD, NOW, timedelta(hours=1))
        joined = await repo.invites.redeem(invite.code, 1001, "Ирина", None, "ru", NOW)
        return team.id, joined.member.id


async def test_four_concurrent_writers_on_sqlite_see_no_lock_errors(sqlite_url: str) -> None:
    """Each writer has its own engine (like separate processes) and does read-then-write transactions:
    with a deferred BEGIN this pattern fails at once with "database is locked"."""
    setup_engine = create_engine(sqlite_url)
    team_id, head_id = await _team_with_head(create_session_pool(setup_engine))
    await setup_engine.dispose()

    async def writer(n: int) -> None:
        engine = create_engine(sqlite_url)
        pool = create_session_pool(engine)
        try:
            for i in range(40):
                async with pool() as session, session.begin():
                    count = await session.scalar(select(func.count()).select_from(Task))
                    session.add(
                        Task(
                            team_id=team_id,
                            assignee_id=head_id,
                            action=f"Позвонить {n}-{i}-{count}",
                            due_date=NOW.date(),
                        )
                    )
        finally:
            await engine.dispose()

    await asyncio.gather(*(writer(n) for n in range(4)))
    engine = create_engine(sqlite_url)
    async with engine.connect() as conn:
        assert await conn.scalar(select(func.count()).select_from(Task)) == 160
    await engine.dispose()


async def test_invite_is_single_use_and_expires(session_pool) -> None:
    async with session_pool() as session, session.begin():
        repo = Repo(session)
        team = await repo.teams.create("Продажи", "Europe/Moscow")
        fresh = await repo.invites.create(team.id, Role.MANAGER, NOW, timedelta(hours=1))
        old = await repo.invites.create(team.id, Role.MANAGER, NOW - timedelta(hours=2), timedelta(hours=1))
        codes = (fresh.code, old.code)
    assert len(codes[0]) <= 64 and len(codes[0]) >= 22  # >= 128 bits in URL-safe base64
    async with session_pool() as session, session.begin():
        joined = await Repo(session).invites.redeem(codes[0], 2001, "Олег", "oleg", "ru", NOW)
        assert joined.member.role is Role.MANAGER
    for code, tg_id, reason in (
        (codes[0], 2002, "invite-used"),
        (codes[1], 2003, "invite-expired"),
        ("nope", 2004, "invite-unknown"),
    ):
        with pytest.raises(UserError) as err:
            async with session_pool() as session, session.begin():
                await Repo(session).invites.redeem(code, tg_id, "X", None, "ru", NOW)
        assert err.value.code == reason
    async with session_pool() as session:
        assert await session.scalar(select(func.count()).select_from(Member)) == 1
        used = await session.scalar(select(Invite).where(Invite.code == codes[0]))
        assert used.used_by is not None


async def test_two_people_racing_for_one_code_one_wins(session_pool) -> None:
    async with session_pool() as session, session.begin():
        repo = Repo(session)
        team = await repo.teams.create("Гонка", "Europe/Moscow")
        code = (await repo.invites.create(team.id, Role.MANAGER, NOW, timedelta(hours=1))).code

    async def claim(tg_id: int) -> str:
        try:
            async with session_pool() as session, session.begin():
                await Repo(session).invites.redeem(code, tg_id, "N", None, "ru", NOW)
            return "ok"
        except UserError as exc:
            return exc.code
        except Exception as exc:  # a serialization failure also means "lost"
            return type(exc).__name__

    results = await asyncio.gather(*(claim(3000 + i) for i in range(5)))
    assert results.count("ok") == 1
    async with session_pool() as session:
        assert await session.scalar(select(func.count()).select_from(Member)) == 1


async def test_datetimes_read_back_aware_utc(session_pool) -> None:
    async with session_pool() as session, session.begin():
        repo = Repo(session)
        team = await repo.teams.create("Время", "Asia/Vladivostok")
        invite = await repo.invites.create(team.id, Role.OWNER, NOW, timedelta(hours=5))
        invite_id = invite.id
    async with session_pool() as session:
        invite = await session.get(Invite, invite_id)
        assert invite.expires_at == NOW + timedelta(hours=5)
        assert invite.expires_at.tzinfo is not None


async def test_upgrade_keeps_existing_teams(tmp_path) -> None:
    import asyncio as _asyncio

    from storage.migrate import upgrade

    url = f"sqlite+aiosqlite:///{tmp_path}/old.db"
    await _asyncio.to_thread(upgrade, url, "0001")
    engine = create_engine(url)
    async with engine.begin() as conn:
        await conn.execute(
            text(
                "INSERT INTO teams (name, timezone, workdays, morning_at, evening_at, approval_at)"
                " VALUES ('Старая', 'Europe/Moscow', '1,2,3,4,5', '09:00:00', '18:00:00', '21:00:00')"
            )
        )
    await engine.dispose()
    await _asyncio.to_thread(upgrade, url)
    engine = create_engine(url)
    async with engine.connect() as conn:
        row = (await conn.execute(text("SELECT name, digest_at, hot_stale_days FROM teams"))).one()
    await engine.dispose()
    assert row[0] == "Старая" and row[2] == 5


async def test_an_update_is_claimed_once_with_its_sender_looked_up_in_the_same_call(session_pool) -> None:
    """``claim_and_find`` (on PostgreSQL one statement) records the update id once and finds the active
    member with their team; a second claim of the id is refused; a stranger or an inactive member is
    nobody, and their update is claimed all the same."""
    from storage.updates_repo import ProcessedUpdateRepo
    from tests.handlers.conftest import make_team

    team, _head, (anna, boris) = await make_team(session_pool, "Отдел", 9_300_000)
    async with session_pool() as s, s.begin():
        (await s.get(Member, boris.id)).active = False
    now = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)
    async with session_pool() as s, s.begin():
        claimed, sender, _ = await ProcessedUpdateRepo(s).claim_and_find(1, now, anna.tg_id)
        assert claimed and sender is not None
        member, found_team = sender
        assert (member.id, found_team.id, found_team.name) == (anna.id, team.id, "Отдел")
        assert member in s  # loaded into the update's session: a handler's change to it is stored
        assert await ProcessedUpdateRepo(s).claim_and_find(2, now, 555) == (True, None, None)  # a stranger
        assert await ProcessedUpdateRepo(s).claim_and_find(3, now, boris.tg_id) == (True, None, None)
    async with session_pool() as s, s.begin():
        assert not (await ProcessedUpdateRepo(s).claim_and_find(1, now, anna.tg_id)).claimed  # handled
        ids = (await s.execute(text("SELECT update_id FROM processed_updates ORDER BY 1"))).scalars().all()
        assert ids == [1, 2, 3]
        assert (await s.execute(text("SELECT handled_at FROM processed_updates"))).scalars().first()


async def test_the_claim_brings_the_sender_s_dialog_under_the_key_asked_for(session_pool) -> None:
    """Given a dialog key, ``claim_and_find`` reads the open dialog under it in the same read: the state
    and data stored, or None when there is no row under that key (another bot, chat or destiny), for a
    member or anyone else."""
    from storage.dialog_repo import Dialog, DialogKey, DialogRepo
    from storage.updates_repo import ProcessedUpdateRepo
    from tests.handlers.conftest import make_team

    _team, _head, (anna, _boris) = await make_team(session_pool, "Отдел", 9_310_000)
    key = DialogKey(bot_id=42, chat_id=anna.tg_id, user_id=anna.tg_id)
    async with session_pool() as s, s.begin():
        await DialogRepo(s).save(key, "AddTask:client", {"client": "Альфа", "n": [1, 2]})
        await DialogRepo(s).save(DialogKey(bot_id=42, chat_id=555, user_id=555), None, {"left": True})
    now = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)
    async with session_pool() as s, s.begin():
        repo = ProcessedUpdateRepo(s)
        claim = await repo.claim_and_find(11, now, anna.tg_id, key)
        assert claim.claimed and claim.sender is not None and claim.sender[0].id == anna.id
        assert claim.dialog == Dialog("AddTask:client", {"client": "Альфа", "n": [1, 2]})
        elsewhere = DialogKey(bot_id=43, chat_id=anna.tg_id, user_id=anna.tg_id)
        assert (await repo.claim_and_find(12, now, anna.tg_id, elsewhere)).dialog is None
        other = DialogKey(bot_id=42, chat_id=anna.tg_id, user_id=anna.tg_id, destiny="other")
        assert (await repo.claim_and_find(13, now, anna.tg_id, other)).dialog is None
        stranger = await repo.claim_and_find(14, now, 555, DialogKey(bot_id=42, chat_id=555, user_id=555))
        assert stranger == (True, None, Dialog(None, {"left": True}))
        assert (await repo.claim_and_find(15, now, anna.tg_id)).dialog is None  # no key: not read
