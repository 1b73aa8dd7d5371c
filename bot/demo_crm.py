"""The next morning with a CRM connected (see ``bot.demo`` for the extension point): a fake amoCRM in this
process (``crm_fakes``, over loopback) holds the department's deals and tasks; the team connects it, the
sync brings the CRM's tasks onto the morning lists (a vague one flagged, and counted in the head's
digest), Anna marks a CRM task done with a result and the write-back completes it in the CRM with that
text, and a deal Boris won in the CRM is on the board."""

from __future__ import annotations

import html
import re
import time as time_module
from datetime import datetime, time

from bot.demo import Demo, Scene
from crm.amocrm import AmoCrm
from crm.base import ProviderKind
from crm.outbox import CrmWriteBack
from crm.service import connect
from crm.sync import CrmSync
from crm.vault import Vault, generate_key
from crm_fakes.amocrm import WON, FakeAmoCrm

#: a made-up token of the fake: the CRM secret of the demo (stored encrypted, shown only by its last four)
DEMO_CRM_TOKEN = "demo-amo-token-not-a-secret-0000"


async def crm_morning(demo: Demo) -> None:
    demo.title("demo-scene-crm")
    demo.at(8, 30, days=1)
    today = demo.local_now().date()
    noon = int(datetime.combine(today, time(12, 0), demo.tz).timestamp())
    # the CRM's clock runs from the demo's moment at real speed (its rate limit counts real seconds)
    base, start = demo.clock().timestamp(), time_module.monotonic()
    fake = FakeAmoCrm(DEMO_CRM_TOKEN, clock=lambda: base + time_module.monotonic() - start)
    await fake.start()
    try:
        anna = fake.add_user(demo.anna.name)
        boris = fake.add_user(demo.boris.name)
        fake.add_user(demo.vera.name)
        sirius = fake.add_lead(demo.t("demo-crm-deal-anna"), anna, price=380_000)
        call = fake.add_task(demo.t("demo-crm-task-call"), anna, due=noon, entity_id=sirius)
        fake.add_task(demo.t("demo-crm-task-vague"), anna, due=noon, entity_id=sirius)
        fake.add_lead(demo.t("demo-crm-deal-boris"), boris, price=320_000, status_id=WON)

        vault = Vault(generate_key())
        client = AmoCrm(fake.url, DEMO_CRM_TOKEN)
        try:
            summary = await connect(
                demo.session_pool,
                vault,
                demo.team_id,
                ProviderKind.AMOCRM,
                fake.url,
                DEMO_CRM_TOKEN,
                demo.clock,
                client,
            )
            demo.note(
                "demo-note-crm-connected",
                users=summary.users,
                tasks=summary.open_tasks,
                tail=DEMO_CRM_TOKEN[-4:],
            )
            report = await CrmSync(demo.session_pool, client, demo.team_id, demo.clock).run()
            demo.note(
                "demo-note-crm-synced",
                matched=report.matched,
                tasks=report.tasks_created,
                vague=report.tasks_vague,
                won=report.deals_won,
            )
            await demo.deliver("morning", "demo-note-crm-morning")
            await demo.deliver("digest_morning", "demo-note-crm-digest")

            demo.at(10, 40, days=1)
            listing = demo.last(demo.anna, "✅")
            n = _number(listing.text or "", demo.t("demo-crm-task-call"))
            await demo.press(demo.anna, listing, f"✅ {n}")
            await demo.say(demo.anna, demo.t("demo-crm-anna-result"))

            demo.at(10, 45, days=1)  # the next sync (the server's cron): the bot's marks go first
            back = CrmWriteBack(demo.session_pool, client, demo.team_id, demo.clock, demo.t)
            await back.collect()
            pushed = await back.drain()
            task = fake.tasks[call]
            result = (
                (task.get("result") or {}).get("text", "") if isinstance(task.get("result"), dict) else ""
            )
            demo.note(
                "demo-note-crm-written",
                sent=pushed.sent,
                done="yes" if task["is_completed"] else "no",
                result=result,
            )
        finally:
            await client.close()
        await _board(demo)
    finally:
        await fake.stop()


def _number(text: str, action: str) -> int:
    """The number of the list line that carries ``action``."""
    for line in text.splitlines():
        found = re.match(r"\s*(\d+)\.", line)
        if found and action in line:
            return int(found.group(1))
    raise LookupError(action)


async def _board(demo: Demo) -> None:
    """The results board as the head gets it, its text printed (the picture is the board scene's)."""
    from domain.sales import month_period
    from reports.send import board_snapshot

    today = demo.local_now().date()
    async with demo.repo() as repo:
        team = await repo.teams.get(demo.team_id)
        assert team is not None
        _, text = await board_snapshot(repo.session, team, month_period(today), today, demo.t)
    demo.note("demo-note-crm-board")
    for line in re.sub(r"<[^>]+>", "", text).splitlines():
        demo.line("  │ " + html.unescape(line))


SCENES: list[Scene] = [crm_morning]
