"""``python -m bot crm …`` as an operator runs it: a real subprocess, a real database file, the fake amoCRM
on loopback. The token never appears in any output, log or database column."""

from __future__ import annotations

import asyncio
import os
import sys
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlalchemy import select

from crm.vault import generate_key
from crm_fakes.amocrm import WON, FakeAmoCrm
from crm_fakes.bitrix24 import FakeBitrix24
from storage.db import create_engine, create_session_pool
from storage.models import CrmConnection, Task
from storage.repo import Repo
from tests.crm.conftest import AMO_TOKEN, make_team

ROOT = Path(__file__).resolve().parents[2]


async def run_cli(*args: str, env: dict[str, str]) -> tuple[int, str, str]:
    base = {
        k: v for k, v in os.environ.items() if not k.startswith(("BOT_", "DATABASE_", "TELEGRAM_", "CRM_"))
    }
    base.update(env)
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        *args,
        env=base,
        cwd=ROOT,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(proc.communicate(), timeout=120)
    return proc.returncode or 0, out.decode(), err.decode()


async def connect_sync_status(connect: list[str], env: dict[str, str]) -> list[str]:
    """``crm connect`` (with ``connect``'s provider and credentials), ``crm sync``, ``crm status`` for the
    team, each expected to succeed: what each printed."""
    texts = []
    for args in (
        ("connect", "--team", "Отдел продаж", *connect),
        ("sync", "--team", "Отдел продаж"),
        ("status", "--team", "Отдел продаж"),
    ):
        code, out, err = await run_cli("crm", *args, env=env)
        assert code == 0, err
        texts.append(out + err)
    return texts


async def test_connect_status_sync_disconnect(sqlite_url: str, amo: FakeAmoCrm, tmp_path: Path) -> None:
    engine = create_engine(sqlite_url)
    pool = create_session_pool(engine)
    team = await make_team(pool)
    anna = amo.add_user("Анна Смирнова")
    amo.add_user("Виктор Неизвестный")
    lead = amo.add_lead("Ромашка", anna, price=5000, status_id=WON)
    for i in range(3):
        amo.add_task(f"Позвонить по договору {i}", anna, entity_id=lead)
    amo.add_task("Ромашка", anna, entity_id=lead)  # names only the client: not an action
    env = {"DATABASE_URL": sqlite_url, "CRM_SECRET_KEY": generate_key(), "LOG_LEVEL": "DEBUG"}
    outputs: list[str] = []

    async def cli(*args: str) -> tuple[int, str]:
        code, out, err = await run_cli("crm", *args, env=env)
        outputs.extend((out, err))
        assert "Traceback" not in err, err
        return code, out + err

    code, text = await cli("status", "--team", "Отдел продаж")
    assert code == 1 and "нет подключённой CRM" in text

    code, text = await cli(
        "connect", "--team", "Отдел продаж", "amocrm", "--subdomain", amo.url, "--token", AMO_TOKEN
    )
    assert code == 0, text
    assert "2 пользователя, 1 воронка, 4 открытые задачи" in text
    assert f"…{AMO_TOKEN[-4:]}" in text

    # the bot (another process) is syncing the team: crm sync waits for it to end, then syncs
    now = datetime.now(UTC)
    async with pool() as session, session.begin():
        assert await Repo(session).crm.claim_sync(team.team_id, "bot:1:abc", now, now + timedelta(minutes=2))
    waiting = asyncio.ensure_future(cli("sync", "--team", "Отдел продаж"))
    await asyncio.sleep(10)
    assert not waiting.done() and amo.requests == 4  # the connect check's, none more
    async with pool() as session, session.begin():
        await Repo(session).crm.release_sync(team.team_id, "bot:1:abc")
    code, text = await waiting
    assert code == 0, text
    assert "runs elsewhere: waiting up to 130 s" in text
    assert "сопоставлены с участниками команды: 1" in text
    assert "Не сопоставлен: Виктор Неизвестный — открытые задачи среди прочитанных: 0" in text
    assert "новые задачи: 4" in text and "выигранные сделки: 1" in text
    assert "Задач без конкретного действия: 1" in text

    # a mark in the bot goes to the CRM with the next sync
    async with pool() as session, session.begin():
        repo = Repo(session)
        member = await repo.members.in_team(team.team_id, team.anna_id)
        task = (await session.scalars(select(Task).order_by(Task.id))).first()
        assert task is not None
        await repo.days.move(member, task, date(2026, 12, 30), datetime.now(UTC))
        crm_id = int((await repo.crm.links_of_tasks(team.team_id, "amocrm", [task.id]))[task.id])
    code, text = await cli("sync", "--team", "Отдел продаж")
    assert code == 0 and "новые задачи: 0" in text and "отправлено: 1" in text
    assert datetime.fromtimestamp(amo.tasks[crm_id]["complete_till"], UTC).date() == date(2026, 12, 30)

    code, text = await cli("status", "--team", "Отдел продаж")
    assert code == 0 and "подключена" in text and f"…{AMO_TOKEN[-4:]}" in text
    assert "Связано — задачи: 4 (открытые: 4), клиенты: 1, сделки: 1" in text
    assert "Из бота в CRM — ждут отправки: 0, отправлено: 1, отклонено CRM: 0" in text
    assert "Адрес для вебхуков CRM: /crm/amocrm/" in text and "CRM_PUBLIC_URL" in text  # no public address
    env["CRM_PUBLIC_URL"] = "https://bot.example.com/rop/"
    code, text = await cli("status", "--team", "Отдел продаж")
    assert code == 0 and "Адрес для вебхуков CRM: https://bot.example.com/rop/crm/amocrm/" in text, text
    assert "CRM_PUBLIC_URL" not in text

    code, text = await cli("disconnect", "--team", "Отдел продаж")
    assert code == 0 and "отключена" in text
    code, text = await cli("sync", "--team", "Отдел продаж")
    assert code == 1 and "нет подключённой CRM" in text

    async with pool() as session:
        conn = (await session.scalars(select(CrmConnection))).one()
        tasks = (await session.scalars(select(Task).where(Task.team_id == team.team_id))).all()
    await engine.dispose()
    assert conn.status == "disconnected" and len(tasks) == 4  # disconnecting keeps what was synced
    assert AMO_TOKEN not in conn.secret_enc and conn.secret_tail == AMO_TOKEN[-4:]
    assert not any(AMO_TOKEN in text for text in outputs)
    database = await asyncio.to_thread(Path(sqlite_url.split(":///", 1)[1]).read_bytes)
    assert AMO_TOKEN.encode() not in database


async def test_a_wrong_token_is_refused_and_nothing_is_stored(sqlite_url: str, amo: FakeAmoCrm) -> None:
    engine = create_engine(sqlite_url)
    pool = create_session_pool(engine)
    await make_team(pool)
    env = {"DATABASE_URL": sqlite_url, "CRM_SECRET_KEY": generate_key()}
    bad = "amo-wrong-token-1234567890"
    code, out, err = await run_cli(
        "crm", "connect", "--team", "Отдел продаж", "amocrm", "--subdomain", amo.url, "--token", bad, env=env
    )
    async with pool() as session:
        stored = (await session.scalars(select(CrmConnection))).all()
    await engine.dispose()
    assert code == 1 and "CRM отклонила ключ" in err and "ничего не сохранено" in err
    assert "Traceback" not in err and bad not in out + err
    assert stored == []


async def test_without_a_key_connect_refuses_and_says_how_to_make_one(
    sqlite_url: str, amo: FakeAmoCrm
) -> None:
    engine = create_engine(sqlite_url)
    await make_team(create_session_pool(engine))
    await engine.dispose()
    code, out, err = await run_cli(
        "crm",
        "connect",
        "--team",
        "Отдел продаж",
        "amocrm",
        "--subdomain",
        amo.url,
        "--token",
        AMO_TOKEN,
        env={"DATABASE_URL": sqlite_url},
    )
    assert code == 2 and "CRM_SECRET_KEY" in err and "python -m bot crm keygen" in err
    assert amo.requests == 0  # not even asked

    code, out, err = await run_cli("crm", "keygen", env={"DATABASE_URL": sqlite_url})
    assert code == 0 and len(out.strip().splitlines()[-1]) == 44


async def test_bitrix24_connect_shows_the_portal_never_the_webhook(
    sqlite_url: str, b24: FakeBitrix24
) -> None:
    engine = create_engine(sqlite_url)
    await make_team(create_session_pool(engine))
    await engine.dispose()
    anna = b24.add_user("Анна", "Смирнова")
    deal = b24.add_deal("Ромашка", anna)
    b24.add_activity("Позвонить по договору", anna, owner_id=deal)
    env = {"DATABASE_URL": sqlite_url, "CRM_SECRET_KEY": generate_key(), "LOG_LEVEL": "DEBUG"}
    texts = await connect_sync_status(["bitrix24", "--webhook", b24.webhook], env)
    assert "1 пользователь, 1 воронка, 1 открытая задача" in texts[0]
    assert "новые задачи: 1" in texts[1]
    assert f"Битрикс24 · {b24.server.url} · ключ …{b24.token[-4:]}" in texts[2]
    assert not any(b24.token in text for text in texts)


async def test_amocrm_by_oauth_connects_refreshes_and_syncs_and_never_shows_a_secret(
    sqlite_url: str, amo: FakeAmoCrm
) -> None:
    engine = create_engine(sqlite_url)
    pool = create_session_pool(engine)
    await make_team(pool)
    anna = amo.add_user("Анна Смирнова")
    lead = amo.add_lead("Ромашка", anna, price=5000)
    amo.add_task("Позвонить по договору", anna, entity_id=lead)
    client_id, client_secret = "5c1c0f2a-7d3e-4b8a-9f61-0e2d4c6b8a10", "integration-Secret-77QwErTy"
    redirect = "https://bot.example.com/oauth"
    code = amo.oauth.add_client(client_id, client_secret, redirect)
    env = {"DATABASE_URL": sqlite_url, "CRM_SECRET_KEY": generate_key(), "LOG_LEVEL": "DEBUG"}
    team = ("--team", "Отдел продаж")
    texts: list[str] = []

    async def cli(*args: str) -> tuple[int, str]:
        exit_code, out, err = await run_cli("crm", *args, env=env)
        assert "Traceback" not in err, err
        texts.append(out + err)
        return exit_code, out + err

    exit_code, text = await cli("connect", *team, "amocrm", "--subdomain", amo.url, "--client-id", client_id)
    assert exit_code == 2 and "--redirect-uri" in text and amo.requests == 0  # half an OAuth: asks for all
    oauth = ("--client-id", client_id, "--client-secret", client_secret, "--redirect-uri", redirect)
    exit_code, text = await cli("connect", *team, "amocrm", "--subdomain", amo.url, *oauth, "--code", code)
    assert exit_code == 0, text
    assert "1 пользователь, 1 воронка, 1 открытая задача" in text
    assert f"OAuth, секрет приложения …{client_secret[-4:]}" in text
    exit_code, text = await cli("connect", *team, "amocrm", "--subdomain", amo.url, *oauth, "--code", code)
    assert exit_code == 1 and "CRM отклонила ключ" in text  # a code works once

    amo.oauth.expire()  # a day later: the sync refreshes the token and goes on
    exit_code, text = await cli("sync", *team)
    assert exit_code == 0 and "новые задачи: 1" in text, text
    assert amo.oauth.granted == {"authorization_code": 1, "refresh_token": 1}
    exit_code, text = await cli("status", *team)
    assert exit_code == 0 and f"amoCRM · {amo.url} · OAuth, секрет приложения …{client_secret[-4:]}" in text

    async with pool() as session:
        conn = (await session.scalars(select(CrmConnection))).one()
    await engine.dispose()
    assert conn.auth == "oauth2" and conn.secret_version == 2  # connected, then refreshed once
    database = await asyncio.to_thread(Path(sqlite_url.split(":///", 1)[1]).read_bytes)
    assert len(amo.oauth.issued) == 5  # the code, the first pair, the refreshed pair
    for secret in (client_secret, *amo.oauth.issued):
        assert secret.encode() not in database
        assert not any(secret in text for text in texts)


async def test_bitrix24_by_application_oauth_connects_and_syncs(sqlite_url: str, b24: FakeBitrix24) -> None:
    engine = create_engine(sqlite_url)
    await make_team(create_session_pool(engine))
    await engine.dispose()
    anna = b24.add_user("Анна", "Смирнова")
    b24.add_activity("Позвонить по договору", anna, owner_id=b24.add_deal("Ромашка", anna))
    client_id, client_secret = "local.6667fc928a50a9.70414732", "ZeKyeYIgy2NsHZqsIHY6GfG1Vx"
    code = b24.oauth.add_client(client_id, client_secret)
    env = {"DATABASE_URL": sqlite_url, "CRM_SECRET_KEY": generate_key(), "LOG_LEVEL": "DEBUG"}
    oauth = ("--client-id", client_id, "--client-secret", client_secret, "--code", code)
    oauth += ("--oauth-server", b24.oauth_server)
    texts = await connect_sync_status(["bitrix24", "--portal", b24.server.url, *oauth], env)
    assert "1 пользователь, 1 воронка, 1 открытая задача" in texts[0]
    assert "новые задачи: 1" in texts[1]
    assert f"Битрикс24 · {b24.server.url} · OAuth, секрет приложения …{client_secret[-4:]}" in texts[2]
    assert len(b24.oauth.issued) == 3  # the code, then one access and one refresh token
    for secret in (client_secret, *b24.oauth.issued):
        assert not any(secret in text for text in texts)
