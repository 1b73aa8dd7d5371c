"""The manager's day in the demo (see ``bot.demo`` for the extension point): the morning list, marks in
two taps, a vague task refused and a concrete one accepted, a lead and a deal, the evening plan-vs-fact
and tomorrow's plan submitted."""

from __future__ import annotations

import html
import re
from decimal import Decimal

from bot.demo import Demo, Person, Scene
from botapi_emulator.models import SentMessage
from handlers.day_callbacks import Mood, ReportAct


def with_data(demo: Demo, person: Person, data: str) -> tuple[SentMessage, str]:
    """The latest message of ``person`` with a button carrying ``data``, and that button's label (the
    label is in the member's language, the data is not)."""
    for message in reversed(person.speaker.inbox):
        for button in message.buttons:
            if button.get("callback_data") == data:
                return message, button["text"]
    raise LookupError(data)


async def morning_list(demo: Demo) -> None:
    demo.title("demo-scene-morning")
    demo.at(9, 0)
    await demo.deliver("morning", "demo-note-morning")


async def marking(demo: Demo) -> None:
    demo.title("demo-scene-marking")
    demo.at(10, 30)
    await demo.press(demo.anna, demo.last(demo.anna, "✅ 1"), "✅ 1")
    await demo.say(demo.anna, demo.t("demo-anna-result"))
    demo.at(12, 15)
    await demo.press(demo.anna, demo.last(demo.anna, "📅 3"), "📅 3")
    menu = demo.last(demo.anna, "←")
    await demo.press(demo.anna, menu, menu.buttons[0]["text"])
    demo.note("demo-note-marking")


async def vague_task(demo: Demo) -> None:
    demo.title("demo-scene-vague")
    demo.at(13, 0)
    await demo.say_texts(demo.anna, "demo-anna-vague-1", "demo-anna-vague-2", "demo-anna-concrete")
    demo.note("demo-note-vague")


async def lead_and_deal(demo: Demo) -> None:
    demo.title("demo-scene-lead-deal")
    demo.at(14, 20)
    await demo.say_texts(demo.anna, "demo-anna-lead", "demo-anna-lead-step")
    demo.at(16, 40)
    await demo.say(demo.boris, demo.t("demo-boris-deal"))


async def evening(demo: Demo) -> None:
    demo.title("demo-scene-evening")
    demo.at(18, 0)
    first = len(demo.anna.speaker.inbox)
    await demo.deliver("evening", "demo-note-evening")
    demo.at(18, 10)
    report = [m.message_id for m in demo.anna.speaker.inbox[first:]]
    for message_id in report:  # Anna marks what is left, page by page
        for _ in range(20):
            page = next(m for m in demo.anna.speaker.inbox if m.message_id == message_id)
            labels = [b["text"] for b in page.buttons if b["text"].startswith("✅")]
            if not labels:
                break
            await demo.press(demo.anna, page, labels[0])
    plan, label = with_data(demo, demo.anna, ReportAct(a="add").pack())
    await demo.press(demo.anna, plan, label)
    await demo.say_texts(demo.anna, "demo-anna-plan-client", "demo-anna-plan-action")
    await demo.press(demo.anna, *with_data(demo, demo.anna, Mood(value=5).pack()))
    await demo.press(demo.anna, *with_data(demo, demo.anna, ReportAct(a="send").pack()))
    demo.note("demo-note-plan")


def with_prefix(person: Person, prefix: str) -> tuple[SentMessage, str]:
    """The latest message of ``person`` with a button whose data starts with ``prefix``, and its label."""
    for message in reversed(person.speaker.inbox):
        for button in message.buttons:
            if str(button.get("callback_data", "")).startswith(prefix):
                return message, button["text"]
    raise LookupError(prefix)


async def head_morning(demo: Demo) -> None:
    """The head's morning digest and a hot-list entry due today."""
    from storage.models import HotEntry

    demo.title("demo-scene-head-morning")
    demo.at(9, 5)
    async with demo.repo() as repo:
        client = await repo.clients.by_exact_name(demo.team_id, demo.t("demo-client-romashka"))
        assert client is not None
        repo.session.add(
            HotEntry(
                team_id=demo.team_id,
                client_id=client.id,
                reason=demo.t("demo-hot-reason"),
                next_step=demo.t("demo-hot-step"),
                next_date=demo.local_now().date(),
            )
        )
    await demo.deliver("digest_morning", "demo-note-head-morning")
    await demo.deliver("hot_reminder", "demo-note-hot")


async def approval(demo: Demo) -> None:
    """The head returns Anna's plan with a comment; Anna rewrites it; the head approves."""
    demo.title("demo-scene-approval")
    demo.at(18, 30)
    await demo.press(demo.head, *with_prefix(demo.head, "pa:ret"))
    await demo.say(demo.head, demo.t("demo-head-comment"))
    await demo.press(demo.anna, *with_data(demo, demo.anna, ReportAct(a="add").pack()))
    await demo.say_texts(demo.anna, "demo-anna-fix-client", "demo-anna-fix-action")
    await demo.press(demo.anna, *with_data(demo, demo.anna, ReportAct(a="send").pack()))
    await demo.press(demo.head, *with_prefix(demo.head, "pa:ok"))
    demo.note("demo-note-approval")


async def head_evening(demo: Demo) -> None:
    demo.title("demo-scene-head-evening")
    demo.at(19, 0)
    await month_so_far(demo)
    await demo.deliver("digest_evening", "demo-note-head-evening")
    await demo.say(demo.head, demo.t("demo-head-review"))


async def month_so_far(demo: Demo) -> None:
    """The month's plans, and the deals closed before the demo's day, as the head had them: written before
    the head's evening, so the review and the board tell the same month."""
    from storage.models import Deal, SalesPlan

    today = demo.local_now().date()
    async with demo.repo() as repo:
        by_tg = {m.tg_id: m for m in await repo.members.team_members(demo.team_id)}
        for key, plan, earlier in (
            ("anna", 900_000, 610_000),
            ("boris", 800_000, 190_000),
            ("vera", 700_000, 0),
        ):
            manager = by_tg[demo.people[key].tg_id]
            repo.session.add(
                SalesPlan(
                    team_id=demo.team_id,
                    member_id=manager.id,
                    month=today.replace(day=1),
                    revenue=Decimal(plan),
                    deals=4,
                )
            )
            if earlier:
                client = await repo.clients.create(
                    demo.team_id, manager.id, demo.t(f"demo-board-client-{key}")
                )
                repo.session.add(
                    Deal(
                        team_id=demo.team_id,
                        client_id=client.id,
                        member_id=manager.id,
                        amount=Decimal(earlier),
                        on_date=today.replace(day=5),
                    )
                )


async def board(demo: Demo) -> None:
    """The day ends with the results board: the picture saved to a file, its text printed."""
    from bot.config import ROOT
    from domain.sales import month_period
    from reports.send import board_snapshot

    demo.title("demo-scene-board")
    today = demo.local_now().date()
    async with demo.repo() as repo:
        team = await repo.teams.get(demo.team_id)
        assert team is not None
        png, text = await board_snapshot(repo.session, team, month_period(today), today, demo.t)
    path = ROOT / "data" / "demo-board.png"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(png)
    demo.note("demo-note-board", path=str(path), size=len(png))
    for line in re.sub(r"<[^>]+>", "", text).splitlines():
        demo.line("  │ " + html.unescape(line))


SCENES: list[Scene] = [
    morning_list,
    head_morning,
    marking,
    vague_task,
    lead_and_deal,
    evening,
    approval,
    head_evening,
    board,
]
