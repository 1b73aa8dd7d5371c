"""The vague-task mark (⚠️ and the hint) in the evening report and in tomorrow's plan: the manager's plan
card before submitting, and the plan's card the head approves from."""

from __future__ import annotations

from datetime import timedelta

from bot.i18n import default_translator
from crm_fakes.amocrm import FakeAmoCrm
from handlers.approvals import card_pages
from handlers.day_views import render_plan, report_page
from storage.repo import Repo
from tests.crm.conftest import Clock, make_team
from tests.crm.test_sync import _connect, _sync
from tests.crm.test_vague_flag import MSK, TODAY, _ts

TOMORROW = TODAY + timedelta(days=3)  # Friday → Monday


def _flagged(text: str, wording: str) -> tuple[str, str]:
    """The line of the task worded ``wording`` and the line after it (the hint)."""
    lines = text.split("\n")
    i = next(i for i, line in enumerate(lines) if line.endswith(wording) or f": {wording}" in line)
    return lines[i], lines[i + 1] if i + 1 < len(lines) else ""


async def test_vague_tasks_are_marked_in_the_evening_report_and_in_tomorrows_plan(
    session_pool, amo: FakeAmoCrm, clock: Clock
) -> None:
    team = await make_team(session_pool)
    anna = amo.add_user("Анна Смирнова")
    romashka, lilia = (amo.add_lead(name, anna) for name in ("ООО Ромашка", "Лилия"))
    for wording, day, lead in (
        ("Позвонить ЛПР и согласовать договор", 4, romashka),
        ("Ромашка", 4, romashka),  # today's, vague
        ("Лилия", 7, lilia),  # tomorrow's (Monday), vague
        ("Отправить Лилии счёт на оплату", 7, lilia),
    ):
        amo.add_task(wording, anna, due=_ts(day), entity_id=lead)
    await _connect(session_pool, team.team_id, amo, clock)
    await _sync(session_pool, team.team_id, amo, clock)

    t = default_translator().get("ru")
    async with session_pool() as session, session.begin():
        repo = Repo(session)
        member = await repo.members.in_team(team.team_id, team.anna_id)
        head = await repo.members.in_team(team.team_id, team.head_id)
        tm = await repo.teams.get(team.team_id)
        rep = await repo.days.evening(member, TODAY, TOMORROW, MSK)
        report = report_page(rep, t).text
        plan_card = render_plan(rep, t).text
        plan = await repo.days.ensure_plan(member, TOMORROW)
        await repo.days.submit_plan(member, plan, TODAY, clock())
        head_card = "\n\n".join(p.text for p in await card_pages(repo, tm, plan, head, t, clock()))

    line, hint = _flagged(report, "Ромашка")
    assert "⚠️" in line and "только название клиента" in hint
    assert "⚠️" not in _flagged(report, "Позвонить ЛПР и согласовать договор")[0]
    for card in (plan_card, head_card):
        line, hint = _flagged(card, "Лилия")
        assert "⚠️" in line and "только название клиента" in hint, card
        assert "⚠️" not in _flagged(card, "Отправить Лилии счёт на оплату")[0]
