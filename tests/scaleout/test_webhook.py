"""Webhook mode in process: the real aiohttp app of ``python -m bot webhook`` with the real dispatcher and
database. The secret is checked; the 200 comes after the commit; a redelivered update is handled once;
each update leaves one structured log line; /healthz tells the truth. On SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from domain.enums import OutboxStatus, Stage
from storage.models import Client, Outbox, ProcessedUpdate, Task
from tests.scaleout.conftest import SECRET, WEBHOOK_PATH, WEBHOOK_URL, WebhookWorld

ADD = "/add Альфа: отправить договор завтра"


async def alpha(world: WebhookWorld) -> None:
    async with world.pool() as s, s.begin():
        s.add(
            Client(
                team_id=world.team.id,
                owner_id=world.managers[0].id,
                name="Альфа",
                name_key="альфа",
                stage=Stage.NEW,
            )
        )


async def test_the_webhook_is_registered_with_the_secret(webhook_world: WebhookWorld) -> None:
    hook = webhook_world.emu.webhook
    assert hook is not None and hook["url"] == WEBHOOK_URL and hook["secret_token"] == SECRET
    assert {"message", "callback_query"} <= set(hook["allowed_updates"])
    assert webhook_world.emu.commands, "the command menu is registered too"


@pytest.mark.parametrize("secret", [None, "", "wrong-secret-0123456789", SECRET[:-1]])
async def test_a_request_without_the_right_secret_is_refused(
    webhook_world: WebhookWorld, secret: str | None
) -> None:
    anna = webhook_world.managers[0]
    response = await webhook_world.post(webhook_world.says(anna.tg_id, "/today"), secret=secret)
    assert response.status == 401
    assert webhook_world.emu.sent() == [] and await webhook_world.processed() == 0


async def test_other_paths_and_methods_are_not_the_webhook(webhook_world: WebhookWorld) -> None:
    anna = webhook_world.managers[0]
    update = webhook_world.says(anna.tg_id, "/today")
    headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
    assert (await webhook_world.client.post("/other", json=update, headers=headers)).status == 404
    assert (await webhook_world.client.get(WEBHOOK_PATH, headers=headers)).status == 405
    assert webhook_world.emu.sent() == []


async def test_the_answer_comes_after_the_commit(webhook_world: WebhookWorld) -> None:
    await alpha(webhook_world)
    anna = webhook_world.managers[0]
    update = webhook_world.says(anna.tg_id, ADD)
    response = await webhook_world.post(update)
    assert response.status == 200
    # nothing awaited after the answer: the task, the processed id and the reply are all there already
    assert await webhook_world.count(Task, Task.action == "отправить договор") == 1
    async with webhook_world.pool() as s:
        assert await s.get(ProcessedUpdate, update["update_id"]) is not None
    assert "Задача добавлена" in webhook_world.emu.sent(anna.tg_id)[-1].plain_text


async def test_a_redelivered_update_is_handled_once(webhook_world: WebhookWorld) -> None:
    await alpha(webhook_world)
    anna = webhook_world.managers[0]
    update = webhook_world.says(anna.tg_id, ADD)
    for _ in range(3):  # Telegram retries when it did not get the 200 (a timeout, a lost connection)
        assert (await webhook_world.post(update)).status == 200
    assert len(webhook_world.emu.sent(anna.tg_id)) == 1
    assert await webhook_world.count(Task, Task.action == "отправить договор") == 1
    assert await webhook_world.processed() == 1
    # a different update with the same text is new work
    assert (await webhook_world.post(webhook_world.says(anna.tg_id, ADD))).status == 200
    assert await webhook_world.count(Task, Task.action == "отправить договор") == 2


async def test_a_redelivery_racing_the_first_delivery_is_handled_once(webhook_world: WebhookWorld) -> None:
    await alpha(webhook_world)
    anna = webhook_world.managers[0]
    update = webhook_world.says(anna.tg_id, ADD)
    responses = await asyncio.gather(*(webhook_world.post(update) for _ in range(4)))
    assert [r.status for r in responses] == [200] * 4
    assert len(webhook_world.emu.sent(anna.tg_id)) == 1
    assert await webhook_world.count(Task, Task.action == "отправить договор") == 1


async def test_a_refused_action_leaves_no_record_and_is_refused_again(webhook_world: WebhookWorld) -> None:
    await alpha(webhook_world)
    anna = webhook_world.managers[0]
    update = webhook_world.says(anna.tg_id, "/add Альфа: Альфа")  # a client, not an action: refused
    assert (await webhook_world.post(update)).status == 200
    assert (await webhook_world.post(update)).status == 200
    # the handler's transaction rolled back with its record, so the redelivery ran again: same answer
    texts = [m.plain_text for m in webhook_world.emu.sent(anna.tg_id)]
    assert len(texts) == 2 and texts[0] == texts[1]
    assert await webhook_world.count(Task) == 0


async def test_one_structured_log_line_per_update(
    webhook_world: WebhookWorld, caplog: pytest.LogCaptureFixture
) -> None:
    await alpha(webhook_world)
    anna = webhook_world.managers[0]
    caplog.set_level(logging.INFO, logger="bot.updates")
    update = webhook_world.says(anna.tg_id, ADD)
    await webhook_world.post(update)
    await webhook_world.post(update)
    lines = [r.getMessage() for r in caplog.records if r.name == "bot.updates"]
    assert len(lines) == 2, lines
    first, second = lines
    assert first.startswith(f"update={update['update_id']} type=message user={anna.tg_id} ")
    assert "handler=handlers.add.start_add outcome=handled ms=" in first
    assert "handler=- outcome=duplicate ms=" in second
    assert float(first.rsplit("ms=", 1)[1]) > 0
    assert "договор" not in first, "the message text is not logged"


async def test_health_reports_database_outbox_and_scheduler(webhook_world: WebhookWorld) -> None:
    now = datetime.now(UTC)
    anna = webhook_world.managers[0]
    async with webhook_world.pool() as s, s.begin():
        for i, status in enumerate(
            [OutboxStatus.PENDING, OutboxStatus.PENDING, OutboxStatus.SENDING, OutboxStatus.SENT]
        ):
            s.add(
                Outbox(
                    team_id=webhook_world.team.id,
                    member_id=anna.id,
                    kind=f"k{i}",
                    local_date=date(2026, 11, 23),
                    status=status,
                    next_attempt_at=now - timedelta(minutes=10 - i),
                )
            )

    response = await webhook_world.client.get("/healthz")
    body = await response.json()
    assert response.status == 200 and body["status"] == "ok"
    assert body["database"]["ok"] is True
    assert body["outbox"]["backlog"] == 3 and 590 <= body["outbox"]["oldest_due_s"] <= 700
    assert body["scheduler"] == {"ok": True, "state": "absent"}

    class Runner:
        heartbeat = now - timedelta(minutes=30)

    webhook_world.dp["scheduler"] = Runner()
    response = await webhook_world.client.get("/healthz")
    body = await response.json()
    assert response.status == 503 and body["status"] == "fail"
    assert body["scheduler"]["ok"] is False and body["scheduler"]["heartbeat_age_s"] >= 1800

    Runner.heartbeat = datetime.now(UTC)
    assert (await webhook_world.client.get("/healthz")).status == 200


async def test_health_fails_when_the_database_is_gone(webhook_world: WebhookWorld) -> None:
    from sqlalchemy.ext.asyncio import async_sessionmaker

    from bot.health import health_report
    from storage.db import create_engine

    engine = create_engine("postgresql+asyncpg://nobody@127.0.0.1:1/none")
    try:
        healthy, body = await health_report(async_sessionmaker(engine), None, datetime.now(UTC))
    finally:
        await engine.dispose()
    assert not healthy and body["database"]["ok"] is False and body["status"] == "fail"


async def test_processed_ids_are_pruned_after_two_days(webhook_world: WebhookWorld) -> None:
    from bot.housekeeping import prune_processed_updates

    now = datetime.now(UTC)
    async with webhook_world.pool() as s, s.begin():
        s.add_all(
            [
                ProcessedUpdate(update_id=1, handled_at=now - timedelta(days=3)),
                ProcessedUpdate(update_id=2, handled_at=now - timedelta(days=2, minutes=1)),
                ProcessedUpdate(update_id=3, handled_at=now - timedelta(days=1)),
                ProcessedUpdate(update_id=4, handled_at=now),
            ]
        )
    assert await prune_processed_updates(webhook_world.pool, now) == 2
    async with webhook_world.pool() as s:
        assert list(
            await s.scalars(select(ProcessedUpdate.update_id).order_by(ProcessedUpdate.update_id))
        ) == [
            3,
            4,
        ]


async def test_log_lines_for_refusals_strangers_and_errors(
    webhook_world: WebhookWorld, caplog: pytest.LogCaptureFixture
) -> None:
    await alpha(webhook_world)
    anna = webhook_world.managers[0]
    webhook_world.emu.add_user(999, "Чужой")
    caplog.set_level(logging.INFO, logger="bot.updates")
    refused = webhook_world.says(anna.tg_id, "/add Альфа: Альфа")  # UserError: a client, not an action
    stranger = webhook_world.says(999, "/today")  # not a member: refused by the middleware
    for update in (refused, stranger):
        assert (await webhook_world.post(update)).status == 200
    lines = [r.getMessage() for r in caplog.records if r.name == "bot.updates"]
    assert f"update={refused['update_id']} " in lines[0]
    assert "handler=handlers.add.start_add outcome=error error=UserError" in lines[0]
    assert lines[1].startswith(
        f"update={stranger['update_id']} type=message user=999 handler=- outcome=dropped"
    )
