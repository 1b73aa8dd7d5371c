"""The head's side through the real dispatcher (and the real scheduler for the timed messages): plan
approval (approve, return with a comment and the rewrite, edit, cancel, reassign, automatic approval at the
deadline), both digests against hand-computed numbers, the hot-list reminders, a review that sets tasks,
and who may do what (a manager nothing of the head's, an owner read only)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from bot.i18n import default_translator
from bot.inprocess import Reply, Speaker
from botapi_emulator.models import SentMessage
from domain.enums import HotOutcome, PlanStatus, Role, Stage, TaskEventKind, TaskStatus
from domain.plan import PlanEvent, PlanRefused
from handlers.head_callbacks import (
    PlanAct,
    PlanAction,
    PlanDrop,
    PlanGive,
    PlanTaskAct,
    PlanTaskAction,
    ReviewAct,
    ReviewAction,
    ReviewPick,
)
from scheduler.delivery import Deliverer
from scheduler.limiter import SendLimiter
from scheduler.runner import Runner
from storage import models
from storage.day_repo import DayRepo
from storage.repo import Repo
from tests.handlers.conftest import MONDAY, TeamWorld

MSK = ZoneInfo("Europe/Moscow")
TUESDAY = MONDAY + timedelta(days=1)
FRIDAY = MONDAY - timedelta(days=3)


def at(d: date, hh: int, mm: int = 0) -> datetime:
    return datetime.combine(d, time(hh, mm), MSK).astimezone(UTC)


def people(world: TeamWorld) -> tuple[Speaker, Speaker, Speaker]:
    """The head and both managers, each of whom has started the bot."""
    for m in [world.head, *world.managers]:
        world.app.emulator.add_user(m.tg_id, first_name=m.name, started=True)
    return world.speaker(world.head), world.speaker(world.managers[0]), world.speaker(world.managers[1])


def latest(who: Speaker, message: SentMessage) -> SentMessage:
    return next(m for m in who.inbox if m.message_id == message.message_id)


def plain(reply: Reply) -> str:
    return "\n\n".join(m.plain_text for m in reply.messages)


def runner(world: TeamWorld, *kinds: str) -> Runner:
    deliverer = Deliverer(
        world.app.bot,
        world.pool,
        translator=default_translator(),
        clock=world.clock,
        limiter=SendLimiter(1000.0, chat_rate=100.0, chat_burst=10),
    )
    return Runner(deliverer, kinds=kinds)


class Seed:
    """Rows for a test, written in one transaction."""

    def __init__(self, session, world: TeamWorld) -> None:  # type: ignore[no-untyped-def]
        self.s, self.world = session, world

    async def client(
        self, owner: models.Member, name: str, stage: Stage = Stage.NEW, **kw: object
    ) -> models.Client:
        c = models.Client(
            team_id=self.world.team.id, owner_id=owner.id, name=name, name_key=name.casefold(), stage=stage
        )
        for k, v in kw.items():
            setattr(c, k, v)
        self.s.add(c)
        await self.s.flush()
        return c

    async def task(
        self, who: models.Member, client: models.Client | None, action: str, due: date, **kw: object
    ) -> models.Task:
        t = models.Task(
            team_id=self.world.team.id,
            assignee_id=who.id,
            client_id=client.id if client else None,
            action=action,
            due_date=due,
            moves=0,
            created_by=who.id,
        )
        for k, v in kw.items():
            setattr(t, k, v)
        self.s.add(t)
        await self.s.flush()
        return t


async def submit(who: Speaker) -> tuple[SentMessage, list[SentMessage]]:
    """The manager's /report and "Отправить план": the plan message, and what reached anyone."""
    report = await who.send("/report")
    plan_msg = report.messages[-1]
    sent = await who.press(plan_msg, "Отправить план")
    assert sent.answer is not None and "отправлен" in (sent.answer.text or ""), sent.answer
    return plan_msg, sent.messages


async def the_plan(world: TeamWorld, member: models.Member, for_date: date = TUESDAY) -> models.Plan:
    async with world.pool() as s:
        plan = await s.scalar(
            select(models.Plan).where(models.Plan.member_id == member.id, models.Plan.for_date == for_date)
        )
        assert plan is not None
        s.expunge(plan)
        return plan


async def task_row(world: TeamWorld, task_id: int) -> models.Task:
    async with world.pool() as s:
        task = await s.get(models.Task, task_id)
        assert task is not None
        s.expunge(task)
        return task


async def evening_fact(world: TeamWorld, member: models.Member, day: date):  # type: ignore[no-untyped-def]
    async with world.pool() as s:
        m = await s.get(models.Member, member.id)
        assert m is not None
        return (await DayRepo(s).evening(m, day, day + timedelta(days=1), MSK)).fact


# ---------------------------------------------------------------------- approvals


async def test_return_with_comment_rewrite_and_approve(world: TeamWorld) -> None:
    head_m, anna_m = world.head, world.managers[0]
    async with world.pool() as s, s.begin():
        seed = Seed(s, world)
        romashka = await seed.client(anna_m, "Ромашка", Stage.NEGOTIATION)
        lutik = await seed.client(anna_m, "Лютик", Stage.PROPOSAL)
        s.add(
            models.HotEntry(
                team_id=world.team.id,
                client_id=romashka.id,
                reason="бюджет есть",
                next_step="звонок",
                next_date=TUESDAY,
            )
        )
        for n in range(3):  # Лютик is frozen: its last three tasks were not done
            await seed.task(
                anna_m,
                lutik,
                "Позвонить бухгалтеру",
                MONDAY - timedelta(days=10 + n),
                status=TaskStatus.NOT_DONE,
            )
        t1 = await seed.task(anna_m, romashka, "Получить решение об оплате", TUESDAY)
        t2 = await seed.task(anna_m, lutik, "Отправить новый счёт без скидки", TUESDAY)
    head, anna, _ = people(world)
    world.clock.set(at(MONDAY, 18))
    plan_msg, reached = await submit(anna)
    cards = [m for m in reached if m.chat_id == head_m.tg_id]
    assert len(cards) == 1
    card = cards[0]
    text = card.plain_text
    assert anna_m.name in text and "2 задачи" in text and "вт 24.11" in text
    assert "🔥" in next(x for x in text.split("\n") if "Ромашка" in x)
    assert "🧊" in next(x for x in text.split("\n") if "Лютик" in x)
    assert (await the_plan(world, anna_m)).status is PlanStatus.SUBMITTED
    assert "на согласование" in latest(anna, plan_msg).plain_text

    # return with a comment: the head types it, the manager gets it with the plan to rewrite
    asked = await head.press(card, "Вернуть")
    assert "Что поправить" in asked.text
    returned = await head.send("Добавьте звонок директору Ромашки, счёт Лютику пока не шлём")
    assert "возвращён" in returned.to(head_m.tg_id)[-1].plain_text
    to_anna = returned.to(anna_m.tg_id)
    assert len(to_anna) == 1
    rewrite = to_anna[0]
    assert "вернул" in rewrite.plain_text and "Добавьте звонок директору Ромашки" in rewrite.plain_text
    plan = await the_plan(world, anna_m)
    assert plan.status is PlanStatus.RETURNED and plan.decided_by == head_m.id
    assert "Возвращён" in latest(head, card).plain_text and not latest(head, card).buttons
    # the manager's own plan view shows the comment too
    again = await anna.send("/report")
    assert "Добавьте звонок директору Ромашки" in again.messages[-1].plain_text

    # the rewrite: take Лютик off (🗑 2), add a task, send again: a new card reaches the head
    dropped = await anna.press(rewrite, "🗑 2")
    assert dropped.answer is not None and "убрана" in (dropped.answer.text or "")
    assert (await task_row(world, t2.id)).status is TaskStatus.CANCELLED
    await anna.press(latest(anna, rewrite), "Задача на завтра")
    await anna.send("Ромашка")
    await anna.send("Позвонить директору и договориться о встрече")
    resent = await anna.press(latest(anna, rewrite), "Отправить план")
    assert resent.answer is not None and "отправлен" in (resent.answer.text or "")
    new_cards = resent.to(head_m.tg_id)
    assert len(new_cards) == 1
    new_card = new_cards[0].plain_text
    assert "Позвонить директору" in new_card and "Исправлен после возврата" in new_card
    assert "🚫" in next(x for x in new_card.split("\n") if "Лютик" in x and x[:1].isdigit())

    # approve all: the manager is told, the card says who approved
    ok = await head.press(new_cards[0], "Согласовать всё")
    assert ok.answer is not None and "согласован" in (ok.answer.text or "")
    told = ok.to(anna_m.tg_id)
    assert (
        len(told) == 1 and "согласовал" in told[0].plain_text and "Позвонить директору" in told[0].plain_text
    )
    plan = await the_plan(world, anna_m)
    assert plan.status is PlanStatus.APPROVED and plan.decided_by == head_m.id
    assert "Согласован" in latest(head, new_cards[0]).plain_text
    # a second press changes nothing and is answered
    twice = await head.press_data(
        new_cards[0].message_id, PlanAct(action=PlanAction.APPROVE, plan_id=plan.id).pack(), strict=False
    )
    assert twice.answer is not None and "уже решено" in (twice.answer.text or "")

    # on Tuesday the task taken off the returned plan does not count: 2 planned (t1 and the new one)
    fact = await evening_fact(world, anna_m, TUESDAY)
    assert fact.planned == 2 and t1.id
    assert not world.app.emulator.unanswered_callbacks()


async def test_edit_cancel_and_reassign_single_tasks(world: TeamWorld) -> None:
    head_m, anna_m, boris_m = world.head, *world.managers
    async with world.pool() as s, s.begin():
        seed = Seed(s, world)
        t1 = await seed.task(
            anna_m, await seed.client(anna_m, "Ромашка", Stage.NEGOTIATION), "Отправить КП", TUESDAY
        )
        t2 = await seed.task(
            anna_m, await seed.client(anna_m, "Лютик", Stage.PROPOSAL), "Позвонить ЛПР", TUESDAY
        )
        t3 = await seed.task(
            anna_m, await seed.client(anna_m, "Сирень"), "Подготовить презентацию для клиента", TUESDAY
        )
    head, anna, boris = people(world)
    world.clock.set(at(MONDAY, 18))
    _, reached = await submit(anna)
    card = next(m for m in reached if m.chat_id == head_m.tg_id)
    lines = card.plain_text.split("\n")
    assert [
        n
        for n, name in ((1, "Ромашка"), (2, "Лютик"), (3, "Сирень"))
        if any(f"{n}." in x and name in x for x in lines)
    ] == [1, 2, 3]

    # edit task 1: a vague wording is refused, a concrete one replaces it and the manager is told
    await head.press(card, "⚙️ 1")
    await head.press(latest(head, card), "Изменить формулировку")
    refused = await head.send("Ромашка")
    assert "клиент, а не действие" in refused.text
    assert (await task_row(world, t1.id)).action == "Отправить КП"
    edited = await head.send("Получить решение об оплате")
    assert "изменена" in edited.to(head_m.tg_id)[0].plain_text
    notice = edited.to(anna_m.tg_id)[0].plain_text
    assert "Было" in notice and "Отправить КП" in notice and "Получить решение об оплате" in notice
    assert (await task_row(world, t1.id)).action == "Получить решение об оплате"
    assert "Получить решение об оплате" in latest(head, card).plain_text

    # cancel task 2: off the plan, the manager is told
    await head.press(latest(head, card), "⚙️ 2")
    cancelled = await head.press(latest(head, card), "Отменить задачу")
    assert cancelled.answer is not None and "отменена" in (cancelled.answer.text or "")
    assert "отменил" in cancelled.to(anna_m.tg_id)[0].plain_text
    assert (await task_row(world, t2.id)).status is TaskStatus.CANCELLED

    # give task 3 to Boris: both are told; it leaves Anna's card
    await head.press(latest(head, card), "⚙️ 3")
    await head.press(latest(head, card), "Передать")
    given = await head.press(latest(head, card), boris_m.name)
    assert given.answer is not None and boris_m.name in (given.answer.text or "")
    assert "поручил" in given.to(boris_m.tg_id)[0].plain_text
    assert "передал" in given.to(anna_m.tg_id)[0].plain_text
    assert (await task_row(world, t3.id)).assignee_id == boris_m.id
    assert "Сирень" not in latest(head, card).plain_text
    async with world.pool() as s:
        kinds = [
            e.kind
            for e in (
                await s.scalars(
                    select(models.TaskEvent)
                    .where(models.TaskEvent.task_id.in_([t1.id, t2.id, t3.id]))
                    .order_by(models.TaskEvent.id)
                )
            ).all()
        ]
        by_head = await s.scalar(
            select(models.TaskEvent).where(
                models.TaskEvent.task_id == t2.id, models.TaskEvent.kind == TaskEventKind.CANCELLED
            )
        )
    assert TaskEventKind.EDITED in kinds and TaskEventKind.REASSIGNED in kinds
    assert by_head is not None and by_head.data == {"by_head": True} and by_head.actor_id == head_m.id

    await head.press(latest(head, card), "Согласовать всё")
    # Tuesday: Anna's plan counts only task 1 (2 cancelled by the head, 3 is Boris's), Boris has Сирень
    assert (await evening_fact(world, anna_m, TUESDAY)).planned == 1
    assert (await evening_fact(world, boris_m, TUESDAY)).planned == 1
    world.clock.set(at(TUESDAY, 9))
    assert "Сирень" in (await boris.send("/today")).text
    # a pressed button of a task that left the plan is refused politely
    gone = await head.press_data(
        card.message_id,
        PlanTaskAct(
            action=PlanTaskAction.MENU, plan_id=(await the_plan(world, anna_m)).id, task_id=t3.id
        ).pack(),
        strict=False,
    )
    assert gone.answer is not None and "Не нашёл" in (gone.answer.text or "")
    assert not world.app.emulator.unanswered_callbacks()


async def test_automatic_approval_at_the_deadline(world: TeamWorld) -> None:
    head_m, anna_m, boris_m = world.head, *world.managers
    async with world.pool() as s, s.begin():
        seed = Seed(s, world)
        await seed.task(anna_m, await seed.client(anna_m, "Ромашка"), "Отправить КП", TUESDAY)
        await seed.task(boris_m, await seed.client(boris_m, "Лютик"), "Позвонить ЛПР", TUESDAY)
    head, anna, boris = people(world)
    world.clock.set(at(MONDAY, 18))
    await submit(anna)
    sched = runner(world, "approval")
    world.clock.set(at(MONDAY, 20, 59))
    await sched.tick()
    assert (await the_plan(world, anna_m)).status is PlanStatus.SUBMITTED  # not yet
    before = len(head.inbox)
    world.clock.set(at(MONDAY, 21, 0) + timedelta(seconds=30))
    await sched.tick()
    notices = head.inbox[before:]
    assert len(notices) == 1 and "Согласованы автоматически: 1" in notices[0].plain_text
    assert anna_m.name in notices[0].plain_text
    plan = await the_plan(world, anna_m)
    assert plan.status is PlanStatus.AUTO_APPROVED and plan.decided_by is None
    opened = await head.press(notices[0], anna_m.name)
    assert "Согласован автоматически" in opened.to(head_m.tg_id)[0].plain_text
    # the manager's plan reads approved; approving it by hand now is refused
    assert "согласован" in (await anna.send("/report")).messages[-1].plain_text
    late = await head.press_data(
        notices[0].message_id, PlanAct(action=PlanAction.APPROVE, plan_id=plan.id).pack(), strict=False
    )
    assert late.answer is not None and "автоматически" in (late.answer.text or "")
    await sched.tick()
    assert len(head.inbox) == before + 2  # the notice once (plus the opened card), not again

    # a plan sent after the deadline waits for the morning of its day, then is approved too
    world.clock.set(at(MONDAY, 21, 30))
    await submit(boris)
    assert (await the_plan(world, boris_m)).status is PlanStatus.SUBMITTED
    world.clock.set(at(TUESDAY, 9, 1))
    assert "Планов на согласовании нет" in (await head.send("/plans")).text
    assert (await the_plan(world, boris_m)).status is PlanStatus.AUTO_APPROVED


# ---------------------------------------------------------------------- digests


async def seed_digest_team(world: TeamWorld) -> dict[str, int]:
    """Hand-computed fixture (Monday 23.11; the previous working day is Friday 20.11):

    Anna: overdue a1 (19.11) and a2 (20.11, moved 3 times: frozen); a3 due today; clients Альфа (tasks),
    Бета and Гамма (no open task), Сигма (frozen: a2 moved, two earlier not done). Friday report in.
    Boris: overdue b1 (18.11), b2 (19.11), b3 (20.11); b4 due today; no Friday report.
    Hot list: Альфа (Anna's) due today; Дельта (Boris's) due 25.11, untouched since 10.11 (stale).
    Reports for the fall rule: Anna 18.11 4/4, 19.11 5/4, 20.11 4/2 (100, 80, 50 %); Boris 18.11 2/2,
    19.11 4/3, none on 20.11. The head: 5 tasks in the fortnight, 2 of them for the head's own client.
    """
    head_m, anna_m, boris_m = world.head, *world.managers
    ids: dict[str, int] = {}
    async with world.pool() as s, s.begin():
        for m in (head_m, anna_m, boris_m):  # everyone joined weeks ago
            (await s.get(models.Member, m.id)).joined_at = at(date(2026, 11, 2), 10)  # type: ignore[union-attr]
        seed = Seed(s, world)
        alfa = await seed.client(anna_m, "Альфа", Stage.NEGOTIATION)
        await seed.client(anna_m, "Бета", Stage.QUALIFIED)
        await seed.client(anna_m, "Гамма", Stage.PROPOSAL)
        sigma = await seed.client(anna_m, "Сигма", Stage.PROPOSAL)
        ids["a1"] = (await seed.task(anna_m, alfa, "Позвонить ЛПР", date(2026, 11, 19))).id
        ids["a2"] = (await seed.task(anna_m, sigma, "Отправить КП", FRIDAY, moves=3)).id
        ids["a3"] = (await seed.task(anna_m, alfa, "Согласовать договор", MONDAY)).id
        for d in (10, 11):
            await seed.task(
                anna_m, sigma, "Позвонить бухгалтеру", date(2026, 11, d), status=TaskStatus.NOT_DONE
            )
        delta = await seed.client(boris_m, "Дельта", Stage.NEGOTIATION)
        elka = await seed.client(boris_m, "Ёлка")
        await seed.task(boris_m, delta, "Отправить договор", date(2026, 11, 18))
        await seed.task(boris_m, elka, "Позвонить директору", date(2026, 11, 19))
        await seed.task(boris_m, delta, "Получить решение", FRIDAY)
        ids["b4"] = (await seed.task(boris_m, elka, "Провести встречу", MONDAY)).id
        s.add(
            models.HotEntry(
                team_id=world.team.id,
                client_id=alfa.id,
                reason="бюджет утверждён",
                next_step="встреча с директором",
                next_date=MONDAY,
                touched_at=at(FRIDAY, 10),
            )
        )
        s.add(
            models.HotEntry(
                team_id=world.team.id,
                client_id=delta.id,
                reason="тендер",
                next_step="созвон с закупками",
                next_date=date(2026, 11, 25),
                touched_at=at(date(2026, 11, 10), 10),
            )
        )
        for who, d, planned, done, mood in (
            (anna_m, date(2026, 11, 18), 4, 4, 5),
            (anna_m, date(2026, 11, 19), 5, 4, 4),
            (anna_m, FRIDAY, 4, 2, 4),
            (boris_m, date(2026, 11, 18), 2, 2, 5),
            (boris_m, date(2026, 11, 19), 4, 3, 4),
        ):
            s.add(
                models.DayReport(
                    team_id=world.team.id,
                    member_id=who.id,
                    on_date=d,
                    planned=planned,
                    done=done,
                    mood=mood,
                    submitted_at=at(d, 18),
                )
            )
        key = await seed.client(head_m, "Ключевой клиент", Stage.NEGOTIATION)
        for d in (FRIDAY, MONDAY):
            await seed.task(head_m, key, "Провести переговоры с собственником", d)
        for n in range(3):
            await seed.task(head_m, None, "Провести разбор звонков с менеджерами", MONDAY - timedelta(days=n))
    return ids


async def test_morning_digest_and_hot_reminder(world: TeamWorld) -> None:
    await seed_digest_team(world)
    head, _, _ = people(world)
    anna_m, boris_m = world.managers
    before = len(head.inbox)
    result = await runner(world, "digest_morning", "hot_reminder").tick()
    assert result.stats.sent == 2, result
    new = head.inbox[before:]
    digest = next(m for m in new if "Утренняя сводка" in m.plain_text).plain_text
    lines = digest.split("\n")
    assert "Просрочено задач: 5 (цель — 0)" in digest
    # the number first, the most first
    assert lines.index(f"3 — {boris_m.name}") < lines.index(f"2 — {anna_m.name}")
    # clients with no next step, nearest to a decision first
    assert "Клиенты без следующего шага: 2" in digest and f"2 — {anna_m.name}: Гамма, Бета" in digest
    hot = digest[digest.index("Горячий список") :]
    assert "Альфа" in hot and "сегодня" in hot and "Дельта" not in hot
    assert f"Не сдали итоги дня в пятницу, 20.11: {boris_m.name}" in digest  # Monday: the day named
    reminder = next(m for m in new if "напоминание" in m.plain_text).plain_text
    due, stale = reminder.split("Не трогали")
    assert "Альфа" in due and "Дельта" not in due and "Дельта" in stale
    # composed once per day: another tick sends nothing new
    await runner(world, "digest_morning", "hot_reminder").tick()
    assert len(head.inbox) == before + 2


async def test_evening_digest_and_the_one_tap_reminder(world: TeamWorld) -> None:
    ids = await seed_digest_team(world)
    head, _, boris = people(world)
    head_m, anna_m, boris_m = world.head, *world.managers
    # Monday: Anna does a3 only (1 of 3 on her list), a lead and a deal, and reports (mood 3);
    # Boris marks b4 not done and does not report
    async with world.pool() as s, s.begin():
        days = DayRepo(s)
        anna = await s.get(models.Member, anna_m.id)
        boris_row = await s.get(models.Member, boris_m.id)
        assert anna is not None and boris_row is not None
        await days.mark_done(anna, await s.get(models.Task, ids["a3"]), at(MONDAY, 11))  # type: ignore[arg-type]
        await days.mark_not_done(
            boris_row, await s.get(models.Task, ids["b4"]), "Клиент перенёс", at(MONDAY, 12)
        )  # type: ignore[arg-type]
        omega = models.Client(team_id=world.team.id, owner_id=anna_m.id, name="Омега", name_key="омега")
        s.add(omega)
        await s.flush()
        s.add(
            models.Lead(
                team_id=world.team.id, client_id=omega.id, member_id=anna_m.id, source="сайт", on_date=MONDAY
            )
        )
        beta = await s.scalar(select(models.Client).where(models.Client.name == "Бета"))
        assert beta is not None
        s.add(
            models.Deal(
                team_id=world.team.id,
                client_id=beta.id,
                member_id=anna_m.id,
                amount=Decimal(150000),
                on_date=MONDAY,
            )
        )
        s.add(
            models.DayReport(
                team_id=world.team.id,
                member_id=anna_m.id,
                on_date=MONDAY,
                planned=3,
                done=1,
                mood=3,
                submitted_at=at(MONDAY, 18),
            )
        )
    world.clock.set(at(MONDAY, 19, 0) + timedelta(seconds=5))
    before = len(head.inbox)
    result = await runner(world, "digest_evening").tick()
    assert result.stats.sent == 1
    digest_msg = head.inbox[before]
    text = digest_msg.plain_text
    # the team: 1 done of 7 planned (Anna 1/3, Boris 0/4) = 14 %; overdue 2 + 3; 1 lead, 1 deal
    assert "Сделано 1 из 7 — 14% · просрочено: 5 · лидов: 1 · сделок: 1 на 150\u202f000 ₽" in text, text
    assert f"{anna_m.name}: 1/3 — 33% · просрочено 2 · лидов 1 · сделок 1 (150\u202f000 ₽)" in text
    assert f"{boris_m.name}: 0/4 — 0% · просрочено 3 · лидов 0 · сделок 0" in text
    assert f"Не сдали итоги дня: {boris_m.name}" in text
    assert f"{anna_m.name} — задачи (1): Сигма: Отправить КП" in text
    assert f"{anna_m.name} — клиенты (1): Сигма" in text
    assert f"{anna_m.name} — выполнение плана: 100% → 80% → 50% → 33%" in text
    assert boris_m.name not in text.split("один на один")[1]  # no report on Friday breaks Boris's run
    assert "2 из 5 ваших задач за 14 дней (40%)" in text
    # one tap reminds Boris: he gets the nudge and his evening report
    nudged = await head.press(digest_msg, boris_m.name)
    assert nudged.answer is not None and "отправлено" in (nudged.answer.text or "")
    to_boris = nudged.to(boris_m.tg_id)
    assert "напоминает" in to_boris[0].plain_text and any("Итоги дня" in m.plain_text for m in to_boris)
    assert head_m.name in to_boris[0].plain_text
    # the same numbers on demand, and in /status
    assert "Сделано 1 из 7 — 14%" in plain(await head.send("/digest"))
    status = plain(await head.send("/status"))
    assert f"{anna_m.name}: 1/3 — 33% · просрочено 2 · итоги дня: ✅ сданы" in status
    assert boris.inbox


# ---------------------------------------------------------------------- hot list


async def test_hot_list_edit_reminders_and_outcome(world: TeamWorld) -> None:
    anna_m = world.managers[0]
    async with world.pool() as s, s.begin():
        seed = Seed(s, world)
        romashka = await seed.client(anna_m, "Ромашка", Stage.PROPOSAL)
        lutik = await seed.client(anna_m, "Лютик", Stage.QUALIFIED)
        await seed.task(anna_m, romashka, "Отправить КП", MONDAY)
        s.add(
            models.HotEntry(
                team_id=world.team.id,
                client_id=lutik.id,
                reason="тендер",
                next_step="созвон с закупками",
                next_date=date(2026, 11, 30),
                touched_at=at(date(2026, 11, 13), 10),
            )
        )
    head, anna, _ = people(world)
    empty = await head.send("/hot Ромашка")
    assert "Почему вы верите" in empty.text
    await head.send("Директор готов подписать до конца месяца")
    refused = await head.send("Ромашка")
    assert "клиент, а не действие" in refused.text
    ask_date = await head.send("Провести встречу с директором")
    assert "Когда?" in ask_date.text
    saved = await head.press(ask_date.messages[-1], "ср 25.11")
    assert "Сохранено" in saved.text and "Ромашка" in saved.text
    async with world.pool() as s:
        entry = await s.scalar(select(models.HotEntry).where(models.HotEntry.client_id == romashka.id))
        assert entry is not None and entry.next_date == date(2026, 11, 25) and entry.closed_at is None
        assert (
            entry.reason == "Директор готов подписать до конца месяца"
            and entry.next_step == "Провести встречу с директором"
        )
    listing = await head.send("/hot")
    assert "Горячий список: 2" in listing.text
    # the manager sees the hot mark in their list
    assert "🔥" in next(
        x for x in (await anna.send("/today")).messages[0].plain_text.split("\n") if "Ромашка" in x
    )

    # Wednesday morning: Ромашка due today, Лютик untouched 12 days (stale after 5)
    world.clock.set(at(date(2026, 11, 25), 9, 0) + timedelta(seconds=5))
    before = len(head.inbox)
    await runner(world, "hot_reminder").tick()
    reminder = head.inbox[before]
    due, stale = reminder.plain_text.split("Не трогали")
    assert "Ромашка" in due and "Лютик" in stale
    # touching Лютик (a new date) takes it off the stale list
    await head.press(reminder, "Лютик")
    menu = head.inbox[-1]
    await head.press(menu, "Перенести дату")
    picked = await head.press(head.inbox[-1], "пт 27.11")
    assert "Сохранено" in picked.text
    world.clock.set(at(date(2026, 11, 26), 9, 0) + timedelta(seconds=5))
    before = len(head.inbox)
    await runner(world, "hot_reminder").tick()
    text = head.inbox[before].plain_text
    assert "Ромашка" in text and "просрочено с 25.11" in text and "Лютик" not in text
    # a won client leaves the list with its outcome
    await anna.send("/deal Ромашка 100 000")
    async with world.pool() as s:
        entry = await s.scalar(select(models.HotEntry).where(models.HotEntry.client_id == romashka.id))
        assert entry is not None and entry.outcome is HotOutcome.WON and entry.closed_at is not None
    assert "Ромашка" not in (await head.send("/hot")).text


# ---------------------------------------------------------------------- commercial review


async def test_review_agenda_tasks_and_outcome(world: TeamWorld) -> None:
    head_m, anna_m = world.head, world.managers[0]

    def ts(d: date) -> datetime:
        return at(d, 12)

    async with world.pool() as s, s.begin():
        seed = Seed(s, world)
        alfa = await seed.client(
            anna_m,
            "Альфа",
            Stage.NEGOTIATION,
            created_at=ts(date(2026, 11, 1)),
            updated_at=ts(date(2026, 11, 20)),
        )
        beta = await seed.client(
            anna_m, "Бета", Stage.PROPOSAL, created_at=ts(date(2026, 10, 1)), updated_at=ts(date(2026, 10, 1))
        )
        gamma = await seed.client(
            anna_m,
            "Гамма",
            Stage.QUALIFIED,
            created_at=ts(date(2026, 10, 20)),
            updated_at=ts(date(2026, 10, 20)),
        )
        eps = await seed.client(
            anna_m, "Эпсилон", Stage.WON, created_at=ts(date(2026, 10, 1)), updated_at=ts(date(2026, 11, 10))
        )
        for client, day in (
            (alfa, date(2026, 11, 22)),
            (beta, date(2026, 11, 1)),
            (gamma, date(2026, 11, 21)),
        ):
            task = await seed.task(anna_m, client, "Позвонить ЛПР", day, status=TaskStatus.DONE)
            s.add(
                models.TaskEvent(
                    task_id=task.id, actor_id=anna_m.id, kind=TaskEventKind.DONE, from_date=day, at=ts(day)
                )
            )
        s.add(
            models.Deal(
                team_id=world.team.id,
                client_id=eps.id,
                member_id=anna_m.id,
                amount=Decimal(150000),
                on_date=date(2026, 11, 10),
                created_at=ts(date(2026, 11, 10)),
            )
        )
    head, anna, _ = people(world)
    reply = await head.send("/review 1001")
    agenda = reply.messages[-1]
    text = "\n".join(m.plain_text for m in reply.messages)
    assert f"Коммерческий разбор: {anna_m.name}" in text and "Клиентов в работе: 3" in text
    assert "Без движения: 1" in text and "Бета — тишина 22 дн." in text
    assert "Ни рыба ни мясо: 1" in text and "Гамма — 34 дн." in text
    assert "Принесли в этом месяце: 150\u202f000 ₽" in text and "Эпсилон — 150\u202f000 ₽" in text
    assert "Альфа" not in text.split("Без движения")[1].split("Принесли")[0]

    # an agreed action in a tap, a line and a tap: the manager gets the task
    await head.press(agenda, "➕ Бета")
    refused = await head.send("Бета")
    assert "клиент, а не действие" in refused.text
    ask_due = await head.send("Отправить новое КП со скидкой 5%")
    added = await head.press(ask_due.messages[-1], "вт 24.11")
    assert "Задач из разбора: 1" in added.to(head_m.tg_id)[0].plain_text
    assert "По итогам разбора" in added.to(anna_m.tg_id)[0].plain_text
    async with world.pool() as s:
        review = await s.scalar(select(models.Review))
        assert review is not None and review.held_on == MONDAY and review.head_id == head_m.id
        agreed = await s.scalar(select(models.Task).where(models.Task.review_id == review.id))
        assert agreed is not None and agreed.assignee_id == anna_m.id and agreed.created_by == head_m.id
        assert (
            agreed.client_id == beta.id
            and agreed.due_date == TUESDAY
            and agreed.action.startswith("Отправить новое КП")
        )
        assert (
            review.agenda is not None
            and review.agenda["stale"] == [beta.id]
            and review.agenda["limbo"] == [gamma.id]
        )
    # another client by name, then finish with the outcome
    await head.press(added.to(head_m.tg_id)[0], "другому клиенту")
    await head.send("Гамм")
    ask_due = await head.send("Выйти на директора и провести переговоры")
    await head.press(ask_due.messages[-1], "пн 23.11")
    await head.press(head.inbox[-1], "Завершить")
    closed = await head.send("Дожимаем Бету скидкой, по Гамме идём к директору")
    assert "сохранён" in closed.text and "Задач поставлено: 2" in closed.text
    async with world.pool() as s:
        review = await s.scalar(select(models.Review))
        assert review is not None and review.closed_at is not None
        assert review.outcome == "Дожимаем Бету скидкой, по Гамме идём к директору"
        assert (
            await s.scalar(
                select(func.count()).select_from(models.Task).where(models.Task.review_id == review.id)
            )
            == 2
        )
    # the next review names the last one
    assert "Прошлый разбор" in (await head.send(f"/review {anna_m.name}")).text
    assert anna.inbox


# ---------------------------------------------------------------------- who may do what


async def test_a_manager_can_use_nothing_of_the_heads_and_an_owner_only_reads(world: TeamWorld) -> None:
    head_m, anna_m, boris_m = world.head, *world.managers
    async with world.pool() as s, s.begin():
        seed = Seed(s, world)
        romashka = await seed.client(anna_m, "Ромашка", Stage.PROPOSAL)
        overdue = await seed.task(anna_m, romashka, "Позвонить ЛПР", FRIDAY, moves=3)
        plan = models.Plan(
            team_id=world.team.id,
            member_id=anna_m.id,
            for_date=TUESDAY,
            status=PlanStatus.SUBMITTED,
            submitted_at=at(MONDAY, 8),
        )
        s.add(plan)
        await s.flush()
        task = await seed.task(anna_m, romashka, "Отправить КП", TUESDAY, plan_id=plan.id)
        entry = models.HotEntry(
            team_id=world.team.id,
            client_id=romashka.id,
            reason="бюджет",
            next_step="звонок",
            next_date=MONDAY,
        )
        s.add(entry)
        owner = models.Member(
            team_id=world.team.id, tg_id=1009, name="Собственник", role=Role.OWNER, locale="ru"
        )
        s.add(owner)
        review = models.Review(team_id=world.team.id, manager_id=anna_m.id, head_id=head_m.id, held_on=MONDAY)
        s.add(review)
        await s.flush()
        ids = {"plan": plan.id, "task": task.id, "entry": entry.id, "review": review.id, "boris": boris_m.id}
        ids["overdue"] = overdue.id
    head, anna, _ = people(world)
    world.app.emulator.add_user(1009, first_name="Собственник", started=True)
    owner_s = world.app.user(1009, "Собственник")
    forged = [
        PlanAct(action=PlanAction.APPROVE, plan_id=ids["plan"]).pack(),
        PlanAct(action=PlanAction.RETURN, plan_id=ids["plan"]).pack(),
        PlanTaskAct(action=PlanTaskAction.CANCEL, plan_id=ids["plan"], task_id=ids["task"]).pack(),
        PlanTaskAct(action=PlanTaskAction.EDIT, plan_id=ids["plan"], task_id=ids["task"]).pack(),
        PlanGive(plan_id=ids["plan"], task_id=ids["task"], to=ids["boris"]).pack(),
        f"nu:{ids['boris']}",
        f"ha:off!:{ids['entry']}",
        ReviewAct(action=ReviewAction.END, review_id=ids["review"]).pack(),
        ReviewPick(member_id=ids["boris"]).pack(),
    ]

    async def snapshot() -> tuple[object, ...]:
        async with world.pool() as s:
            p = await s.get(models.Plan, ids["plan"])
            t = await s.get(models.Task, ids["task"])
            e = await s.get(models.HotEntry, ids["entry"])
            r = await s.get(models.Review, ids["review"])
            assert p and t and e and r
            return (p.status, p.comment, t.status, t.assignee_id, t.action, e.closed_at, r.closed_at)

    state = await snapshot()
    listing = (await anna.send("/today")).messages[0]
    for command in ("/plans", "/hot", "/review Менеджер1002", "/digest", "/status", "/overdue", "/frozen"):
        reply = await anna.send(command)
        assert "доступна другой роли" in reply.text, (command, reply.text)
    for data in [*forged, f"so:{ids['boris']}"]:
        reply = await anna.press_data(listing.message_id, data, strict=False)
        assert reply.answer is not None and "не действует" in (reply.answer.text or ""), (data, reply.answer)
        assert not reply.to(boris_m.tg_id) and not reply.to(head_m.tg_id)
    assert await snapshot() == state

    # the owner reads the status, overdue and frozen views, and nothing else
    status = await owner_s.send("/status")
    assert anna_m.name in status.text and "Отдел сегодня" in status.text
    assert "Ромашка" in (await owner_s.send("/overdue")).text
    assert "Ромашка" in (await owner_s.send("/frozen")).text
    detail = await owner_s.send(f"/status {anna_m.name}")
    assert "Ромашка" in detail.text and all(not m.buttons for m in detail.messages)
    opened = await owner_s.press(status.messages[-1], boris_m.name)
    assert boris_m.name in opened.text
    for command in ("/plans", "/hot", "/review", "/digest"):
        assert "доступна другой роли" in (await owner_s.send(command)).text, command
    for data in forged:
        reply = await owner_s.press_data(status.messages[-1].message_id, data, strict=False)
        assert reply.answer is not None and "не действует" in (reply.answer.text or ""), (data, reply.answer)
    assert await snapshot() == state
    # the head may: the same approval from the head's card works
    card = (await head.send("/plans")).messages[-1]
    ok = await head.press_data(
        card.message_id, PlanAct(action=PlanAction.APPROVE, plan_id=ids["plan"]).pack()
    )
    assert ok.answer is not None and "согласован" in (ok.answer.text or "")
    assert (await snapshot())[0] is PlanStatus.APPROVED
    assert not world.app.emulator.unanswered_callbacks()


async def test_pickers_menus_and_on_demand_views(world: TeamWorld) -> None:
    anna_m, boris_m = world.managers
    async with world.pool() as s, s.begin():
        seed = Seed(s, world)
        for name in ("Ромашка Юг", "Ромашка Север"):
            await seed.client(anna_m, name, Stage.PROPOSAL)
        await seed.task(anna_m, await seed.client(anna_m, "Лютик"), "Отправить КП", TUESDAY)
    head, anna, _ = people(world)
    # /hot → ➕ → an ambiguous name → pick → reason → step → a typed date
    listing = await head.send("/hot")
    assert "Горячий список пуст" in listing.text
    await head.press(listing.messages[-1], "Добавить")
    pick = await head.send("ромашка")
    assert "несколько" in pick.text
    await head.press(pick.messages[-1], "Ромашка Север")
    await head.send("Новый директор за нас")
    await head.send("Провести встречу с новым директором")
    saved = await head.send("в пятницу")
    assert "Сохранено" in saved.text and "пт 27.11" in saved.text
    # rewrite the reason from the entry's menu, then take it off the list
    await head.press(saved.messages[-1], "Почему верю")
    await head.send("Бюджет на следующий год утверждён")
    async with world.pool() as s:
        entry = await s.scalar(select(models.HotEntry))
        assert entry is not None and entry.reason == "Бюджет на следующий год утверждён"
    await head.press(saved.messages[-1], "Убрать из списка")
    await head.press(latest(head, saved.messages[-1]), "Да, убрать")
    async with world.pool() as s:
        entry = await s.scalar(select(models.HotEntry))
        assert entry is not None and entry.outcome is HotOutcome.REMOVED
    # /review without a name offers the managers; /status with a part of a name that fits both
    offer = await head.send("/review")
    assert "Чей разбор" in offer.text
    started = await head.press(offer.messages[-1], boris_m.name)
    assert f"Коммерческий разбор: {boris_m.name}" in started.text
    assert "Выберите" in (await head.send("/status Менеджер")).text
    assert "не нашёл" in (await head.send("/status Никто")).text
    # the morning digest on demand
    assert "Утренняя сводка" in plain(await head.send("/digest утро"))
    # a manager drops a task from a plan not yet sent (a draft): it never counted
    world.clock.set(at(MONDAY, 18))
    assert (await anna.send("/report")).messages
    async with world.pool() as s:
        task = await s.scalar(select(models.Task).where(models.Task.action == "Отправить КП"))
        assert task is not None
    dropped = await anna.press_data(anna.inbox[-1].message_id, PlanDrop(task_id=task.id).pack(), strict=False)
    assert dropped.answer is not None and "убрана" in (dropped.answer.text or "")
    assert (await task_row(world, task.id)).status is TaskStatus.CANCELLED
    assert (await evening_fact(world, anna_m, TUESDAY)).planned == 0
    assert not world.app.emulator.unanswered_callbacks()


# ---------------------------------------------------------------------- escaping on the plan screens

HOSTILE = "<b>Зло</b> & &lt; $x$"


def shows_literally(message: SentMessage, text: str) -> bool:
    """``text`` reaches the user as typed: the HTML was escaped exactly once (unescaped, the emulator
    would render a bold «Зло» and a «<»; escaped twice, it would show «&lt;b&gt;»)."""
    return text in message.plain_text and "&lt;b&gt;" not in message.plain_text


async def test_plan_screens_escape_text_once_and_buttons_not_at_all(world: TeamWorld) -> None:
    head_m, anna_m, boris_m = world.head, *world.managers
    async with world.pool() as s, s.begin():
        seed = Seed(s, world)
        client = await seed.client(anna_m, HOSTILE, Stage.PROPOSAL)
        await seed.task(anna_m, client, HOSTILE, TUESDAY)
        boris = await s.get(models.Member, boris_m.id)
        assert boris is not None
        boris.name = HOSTILE  # a manager's name too: it is a button label on «Кому передать»
    head, anna, _ = people(world)
    world.clock.set(at(MONDAY, 18))
    _, reached = await submit(anna)
    card = next(m for m in reached if m.chat_id == head_m.tg_id)
    assert shows_literally(card, f"{HOSTILE}: {HOSTILE}")

    # the task's menu
    await head.press(card, "⚙️ 1")
    menu = latest(head, card)
    assert "Что сделать с задачей" in menu.plain_text and shows_literally(menu, f"{HOSTILE}: {HOSTILE}")

    # «Кому передать»: the task in the text, the manager's raw name on the button
    await head.press(menu, "Передать")
    give = latest(head, card)
    assert "Кому передать" in give.plain_text and shows_literally(give, f"{HOSTILE}: {HOSTILE}")
    assert next(b["text"] for b in give.buttons if "callback_data" in b) == HOSTILE
    await head.press(give, "Назад")

    # «Сейчас:» in the request for a new wording
    await head.press(latest(head, card), "⚙️ 1")
    asked = await head.press(latest(head, card), "Изменить формулировку")
    prompt = asked.to(head_m.tg_id)[-1]
    assert "Сейчас:" in prompt.plain_text and shows_literally(prompt, f"{HOSTILE}: {HOSTILE}")
    assert not world.app.emulator.unanswered_callbacks()


async def test_auto_approval_and_review_buttons_carry_raw_names(world: TeamWorld) -> None:
    head_m, anna_m = world.head, world.managers[0]
    async with world.pool() as s, s.begin():
        seed = Seed(s, world)
        anna = await s.get(models.Member, anna_m.id)
        assert anna is not None
        anna.name = HOSTILE
        stale_at = at(date(2026, 10, 1), 12)
        client = await seed.client(anna, HOSTILE, Stage.PROPOSAL, created_at=stale_at, updated_at=stale_at)
        await seed.task(anna, client, "Позвонить ЛПР", TUESDAY)
    head, anna_s, _ = people(world)
    world.clock.set(at(MONDAY, 18))
    await submit(anna_s)
    sched = runner(world, "approval")
    world.clock.set(at(MONDAY, 21, 0) + timedelta(seconds=30))
    before = len(head.inbox)
    await sched.tick()
    notice = head.inbox[before:][0]
    assert shows_literally(notice, HOSTILE)
    assert notice.buttons[0]["text"] == f"📋 {HOSTILE}"

    review = await head.send("/review")
    pick = review.messages[-1]
    assert pick.button(HOSTILE)["text"] == HOSTILE
    agenda = (await head.press(pick, HOSTILE)).messages[-1]
    assert shows_literally(agenda, HOSTILE)
    assert agenda.button(HOSTILE)["text"] == f"➕ {HOSTILE}"
    asked = await head.press(agenda, HOSTILE)
    assert shows_literally(asked.to(head_m.tg_id)[-1], HOSTILE)
    assert not world.app.emulator.unanswered_callbacks()


# ---------------------------------------------------------------------- the plan's states guard every path


async def test_refused_transitions_change_nothing_and_are_explained(world: TeamWorld) -> None:
    head_m, anna_m = world.head, world.managers[0]
    async with world.pool() as s, s.begin():
        seed = Seed(s, world)
        task = await seed.task(anna_m, await seed.client(anna_m, "Ромашка"), "Отправить КП", TUESDAY)
    head, anna, _ = people(world)
    world.clock.set(at(MONDAY, 18))
    plan_msg, reached = await submit(anna)
    card = next(m for m in reached if m.chat_id == head_m.tg_id)
    plan = await the_plan(world, anna_m)

    # a sent plan is not the manager's to cut
    drop = PlanDrop(task_id=task.id).pack()
    refused = await anna.press_data(plan_msg.message_id, drop, strict=False)
    assert refused.answer is not None and "только руководитель" in (refused.answer.text or "")
    assert (await task_row(world, task.id)).status is TaskStatus.OPEN

    # returned: the head may neither approve it nor change its tasks any more
    await head.press(card, "Вернуть")
    await head.send("Добавьте звонок директору")
    assert (await the_plan(world, anna_m)).status is PlanStatus.RETURNED
    for data in (
        PlanAct(action=PlanAction.APPROVE, plan_id=plan.id).pack(),
        PlanAct(action=PlanAction.RETURN, plan_id=plan.id).pack(),
        *(
            PlanTaskAct(action=a, plan_id=plan.id, task_id=task.id).pack()
            for a in (PlanTaskAction.MENU, PlanTaskAction.EDIT, PlanTaskAction.CANCEL, PlanTaskAction.GIVE)
        ),
        PlanGive(plan_id=plan.id, task_id=task.id, to=world.managers[1].id).pack(),
    ):
        reply = await head.press_data(card.message_id, data, strict=False)
        assert reply.answer is not None and "возвращён на доработку" in (reply.answer.text or ""), data
        assert not reply.to(anna_m.tg_id)
    row = await task_row(world, task.id)
    assert (row.status, row.assignee_id, row.action) == (TaskStatus.OPEN, anna_m.id, "Отправить КП")
    assert (await the_plan(world, anna_m)).status is PlanStatus.RETURNED

    # the repositories refuse as well, whoever calls them
    async with world.pool() as s:
        repo = Repo(s)
        stored = await repo.heads.plan(world.team.id, plan.id)
        head_row = await repo.members.in_team(world.team.id, head_m.id)
        with pytest.raises(PlanRefused):
            repo.heads.decide(stored, PlanEvent.APPROVE, head_row, at(MONDAY, 19))
        with pytest.raises(PlanRefused):
            repo.heads.cancel(
                head_row, stored, await repo.heads.plan_task(world.team.id, stored, task.id), at(MONDAY, 19)
            )
        assert stored.status is PlanStatus.RETURNED
    assert not world.app.emulator.unanswered_callbacks()
