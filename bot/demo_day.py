"""The manager's day in the demo (see ``bot.demo`` for the extension point): the morning list, marks in
two taps, a vague task refused and a concrete one accepted, a lead and a deal, the evening plan-vs-fact
and tomorrow's plan submitted."""

from __future__ import annotations

from bot.demo import Demo, Person, Scene
from bot.emulator.models import SentMessage
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
    await demo.say(demo.anna, demo.t("demo-anna-vague-1"))
    await demo.say(demo.anna, demo.t("demo-anna-vague-2"))
    await demo.say(demo.anna, demo.t("demo-anna-concrete"))
    demo.note("demo-note-vague")


async def lead_and_deal(demo: Demo) -> None:
    demo.title("demo-scene-lead-deal")
    demo.at(14, 20)
    await demo.say(demo.anna, demo.t("demo-anna-lead"))
    await demo.say(demo.anna, demo.t("demo-anna-lead-step"))
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
    await demo.say(demo.anna, demo.t("demo-anna-plan-client"))
    await demo.say(demo.anna, demo.t("demo-anna-plan-action"))
    await demo.press(demo.anna, *with_data(demo, demo.anna, Mood(value=5).pack()))
    await demo.press(demo.anna, *with_data(demo, demo.anna, ReportAct(a="send").pack()))
    demo.note("demo-note-plan")


SCENES: list[Scene] = [morning_list, marking, vague_task, lead_and_deal, evening]
