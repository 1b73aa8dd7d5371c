"""The queries rewritten to stay bounded as history grows (``bench/digest.py``) answer exactly what the
rules say: frozen clients read from each client's latest tasks, and the evening digest's facts read for
the whole team at once agree with each manager's own evening report."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy import insert, select

from domain.digest import EveningFacts
from domain.enums import PlanStatus, Role, Stage, TaskStatus
from domain.frozen import is_client_frozen, task_outcome
from storage.day_repo import DayRepo, member_calendar
from storage.head_repo import HeadRepo
from storage.models import Client, Member, Plan, Task, Team, Vacation
from storage.repo import ClientRepo, TaskRepo
from storage.sales_repo import SalesRepo

TODAY = date(2026, 11, 23)  # a Monday
JOINED = datetime(2026, 11, 2, 7, tzinfo=UTC)
MSK = ZoneInfo("Europe/Moscow")
YEKT = ZoneInfo("Asia/Yekaterinburg")  # two hours ahead of the team


def at(day: date, hour: int, minute: int = 0, zone: ZoneInfo = MSK) -> datetime:
    return datetime.combine(day, time(hour, minute), zone).astimezone(UTC)


async def _team(session, *people: tuple[str, Role, str | None]) -> tuple[Team, list[Member]]:
    team = Team(name="Отдел", timezone="Europe/Moscow")
    session.add(team)
    await session.flush()
    members = [
        Member(
            team_id=team.id,
            tg_id=5000 + i,
            name=name,
            role=role,
            timezone=zone,
            locale="ru",
            joined_at=JOINED,  # before TODAY: asked for TODAY's report (the default is the real now)
        )
        for i, (name, role, zone) in enumerate(people)
    ]
    session.add_all(members)
    await session.flush()
    return team, members


async def test_frozen_clients_follow_the_rule_over_each_clients_latest_tasks(session_pool) -> None:
    rng = random.Random(11)
    async with session_pool() as s, s.begin():
        team, (manager,) = await _team(s, ("Анна", Role.MANAGER, None))
        clients = [await ClientRepo(s).create(team.id, manager.id, f"Клиент {n}") for n in range(60)]
        rows = []
        for client in clients:
            for _ in range(rng.randint(0, 7)):
                status = rng.choice([TaskStatus.OPEN, TaskStatus.DONE, *[TaskStatus.NOT_DONE] * 3])
                status = rng.choice([status, TaskStatus.CANCELLED]) if rng.random() < 0.1 else status
                rows.append(
                    {
                        "team_id": team.id,
                        "client_id": client.id,
                        "assignee_id": manager.id,
                        "action": "позвонить",
                        "due_date": TODAY,
                        "status": status,
                        "moves": rng.choice([0, 0, 1, 2, 3]),
                        # few distinct times: ties are broken by id, the later task first
                        "updated_at": at(TODAY - timedelta(days=rng.randint(0, 4)), 12),
                    }
                )
        rng.shuffle(rows)
        await s.execute(insert(Task), rows)
        tasks = (
            await s.execute(select(Task.id, Task.client_id, Task.status, Task.moves, Task.updated_at))
        ).all()
        expected = set()
        for client in clients:
            own = sorted(
                (
                    t
                    for t in tasks
                    if t.client_id == client.id and (t.status != TaskStatus.OPEN or t.moves > 0)
                ),
                key=lambda t: (t.updated_at, t.id),
                reverse=True,
            )
            if is_client_frozen([task_outcome(TaskStatus(t.status), t.moves) for t in own]):
                expected.add(client.id)
        assert 0 < len(expected) < len(clients)  # the world has both kinds
        got = await DayRepo(s).frozen_clients(c.id for c in clients)
    assert got == expected


async def _reference_facts(s, team: Team, managers: list[Member], today: date) -> list[EveningFacts]:
    """The evening digest's facts as each manager's own evening report gives them, one by one."""
    days, heads = DayRepo(s), HeadRepo(s)
    overdue = await heads.overdue(team.id, today, [m.id for m in managers])
    facts = []
    for m in managers:
        calendar = await member_calendar(s, team, m)
        zone = ZoneInfo(m.timezone or team.timezone)
        rep = await days.evening(m, today, calendar.next_working_day(today), zone)
        facts.append(
            EveningFacts(
                member_id=m.id,
                name=m.name,
                fact=rep.fact,
                overdue=sum(1 for r in overdue if r.task.assignee_id == m.id),
                leads=len(rep.leads),
                deals=len(rep.deals),
                revenue=sum((d.amount for d in rep.deals), Decimal(0)),
                working=calendar.is_working_day(today),
                reported=rep.report is not None and rep.report.submitted_at is not None,
            )
        )
    return facts


async def test_evening_facts_for_the_team_agree_with_each_managers_evening(session_pool) -> None:
    async with session_pool() as s, s.begin():
        team, members = await _team(
            s,
            ("Ирина", Role.HEAD, None),
            ("Анна", Role.MANAGER, None),
            ("Борис", Role.MANAGER, "Asia/Yekaterinburg"),
            ("Вера", Role.MANAGER, None),
        )
        head, anna, boris, vera = members
        s.add(Vacation(member_id=vera.id, starts=TODAY - timedelta(days=2), ends=TODAY + timedelta(days=5)))
        days, heads, tasks = DayRepo(s), HeadRepo(s), TaskRepo(s)

        async def task(member: Member, due: date, client: Client | None = None) -> Task:
            return await tasks.create(
                team.id,
                member.id,
                "отправить КП",
                due,
                client_id=client.id if client else None,
                created_by=member.id,
            )

        for m in (anna, boris):
            client = await ClientRepo(s).create(team.id, m.id, f"ООО {m.name}")
            done, failed, moved, _waiting = [await task(m, TODAY, client) for _ in range(4)]
            await days.mark_done(m, done, at(TODAY, 11))
            await days.mark_not_done(m, failed, "не дозвонился", at(TODAY, 12))
            await days.move(m, moved, TODAY + timedelta(days=1), at(TODAY, 13))
            by_head, by_self = await task(m, TODAY), await task(m, TODAY)
            plan = Plan(team_id=team.id, member_id=m.id, for_date=TODAY, status=PlanStatus.APPROVED)
            s.add(plan)
            heads.cancel(head, plan, by_head, at(TODAY, 14))  # off the plan: does not count
            await days.cancel(m, by_self, at(TODAY, 15))  # counts, not done
            old = await task(m, TODAY - timedelta(days=3), client)  # overdue, closed today
            await days.mark_done(m, old, at(TODAY, 16))
            await task(m, TODAY - timedelta(days=5), client)  # still overdue
            await days.add_lead(m, client, "сайт", TODAY)
            # what /deal does (handlers/leads.py): the deal recorded, the client won
            await SalesRepo(s).record_deal(m, client, Decimal("150000.50"), TODAY, at(TODAY, 17))
            await days.set_stage(client, Stage.WON, at(TODAY, 17))
        # Boris's day ends two hours before the team's: what he marks at 23:00 in Moscow is tomorrow for him
        late = await task(boris, TODAY - timedelta(days=2))
        await days.mark_done(boris, late, at(TODAY, 23))
        report = await days.ensure_report(anna, TODAY)
        report.planned, report.done, report.submitted_at = 7, 2, at(TODAY, 18)
        await task(vera, TODAY)
        await s.flush()
        managers = [anna, boris, vera]
        got = await heads.evening_facts(team, managers, TODAY)
        expected = await _reference_facts(s, team, managers, TODAY)
    assert got == expected
    anna_facts, boris_facts, vera_facts = got
    # today's six but the head's cancel, the overdue one done today, the one still overdue
    assert (anna_facts.fact.planned, anna_facts.fact.done, anna_facts.fact.moved) == (7, 2, 1)
    assert anna_facts.overdue == 1
    assert anna_facts.reported and not boris_facts.reported
    assert anna_facts.revenue == Decimal("150000.50") and anna_facts.leads == 1
    assert boris_facts.fact.planned == 7  # the task done at 01:00 his time is not on today's list
    assert not vera_facts.working and vera_facts.fact.open == 1
