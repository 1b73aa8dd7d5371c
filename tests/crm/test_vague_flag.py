"""A CRM task whose wording names no action: ⚠️ and a hint in the manager's list, counted with its wording
in the head's morning and evening digests; fixed in the CRM, the mark goes."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from bot.i18n import default_translator
from crm.base import ProviderKind
from crm.service import connect
from crm.sync import CrmSync
from crm.vault import Vault, generate_key
from crm_fakes.amocrm import FakeAmoCrm
from domain.digest import VagueTask, not_actions
from handlers.day_views import today_page
from handlers.digest import build_evening, build_morning, render_evening, render_morning
from storage.repo import Repo
from tests.crm.conftest import AMO_TOKEN, Clock, amo_client, make_team

TODAY = date(2026, 12, 4)
MSK = ZoneInfo("Europe/Moscow")


def _ts(d: int, h: int = 15) -> int:
    return int(datetime(2026, 12, d, h, tzinfo=UTC).timestamp())


async def _sync(pool, team_id: int, amo: FakeAmoCrm, clock: Clock) -> None:  # type: ignore[no-untyped-def]
    client = amo_client(amo)
    try:
        await CrmSync(pool, client, team_id, clock).run()
    finally:
        await client.close()


def test_not_actions_counts_per_manager_most_first() -> None:
    tasks = [
        VagueTask(1, "Анна", "Ромашка", "Ромашка", "only-client-name"),
        VagueTask(2, "Борис", "перезвонить", None, "no-object"),
        VagueTask(2, "Борис", "Лилия", "Лилия", "only-client-name"),
    ]
    counts = not_actions(tasks)
    assert [(c.name, c.count, c.names) for c in counts] == [
        ("Борис", 2, ("перезвонить", "Лилия")),
        ("Анна", 1, ("Ромашка",)),
    ]
    assert not_actions([]) == []


async def test_vague_crm_task_is_flagged_in_the_list_and_counted_in_the_digests(
    session_pool, amo: FakeAmoCrm, clock: Clock
) -> None:
    team = await make_team(session_pool)
    anna = amo.add_user("Анна Смирнова")
    boris = amo.add_user("Борис Ёлкин")
    romashka = amo.add_lead("ООО Ромашка", anna, price=50000)
    lilia = amo.add_lead("Лилия", boris, price=70000)
    amo.add_task("Позвонить ЛПР и согласовать договор", anna, due=_ts(4), entity_id=romashka)
    vague = amo.add_task("Ромашка", anna, due=_ts(4), entity_id=romashka)
    amo.add_task("перезвонить", boris, due=_ts(4), entity_id=lilia)
    amo.add_task("<b>Лилия</b>", boris, due=_ts(9), entity_id=lilia)  # not due yet: not counted today
    client = amo_client(amo)
    try:
        await connect(
            session_pool,
            Vault(generate_key()),
            team.team_id,
            ProviderKind.AMOCRM,
            amo.url,
            AMO_TOKEN,
            clock,
            client,
        )
    finally:
        await client.close()
    await _sync(session_pool, team.team_id, amo, clock)

    t = default_translator().get("ru")
    async with session_pool() as session:
        repo = Repo(session)
        anna_m = await repo.members.in_team(team.team_id, team.anna_id)
        head = await repo.members.in_team(team.team_id, team.head_id)
        tm = await repo.teams.get(team.team_id)
        assert anna_m is not None and head is not None and tm is not None
        day = await repo.days.day_list(anna_m, TODAY, MSK)
        page = today_page(day, t).text
        morning = await build_morning(repo, tm, TODAY, clock())
        evening = await build_evening(repo, tm, head, TODAY)
    lines = page.split("\n")
    flagged = [i for i, line in enumerate(lines) if ": Ромашка" in line]
    assert len(flagged) == 1 and "⚠️" in lines[flagged[0]]
    assert "только название клиента" in lines[flagged[0] + 1] and "поправьте формулировку в CRM" in page
    concrete = next(line for line in lines if "Позвонить ЛПР" in line)
    assert "⚠️" not in concrete
    assert page.count("⚠️") == 2  # the mark and its hint, once

    assert morning is not None and evening is not None
    for text in (render_morning(morning, TODAY, t), render_evening(evening[0], TODAY, evening[1], t)):
        assert "Задачи из CRM — не действие: <b>2</b>" in text
        assert "<b>1</b> — Анна Смирнова: «Ромашка»" in text
        assert "<b>1</b> — Борис Ёлкин: «перезвонить»" in text
        assert "Лилия" not in text.split("не действие")[1].split("\n\n")[0]

    # fixed in the CRM: the next sync clears the mark and the count
    clock.advance(minutes=5)
    amo.edit_task(vague, "Отправить Ромашке договор на подпись")
    await _sync(session_pool, team.team_id, amo, clock)
    async with session_pool() as session:
        repo = Repo(session)
        anna_m = await repo.members.in_team(team.team_id, team.anna_id)
        tm = await repo.teams.get(team.team_id)
        assert anna_m is not None and tm is not None
        page = today_page(await repo.days.day_list(anna_m, TODAY, MSK), t).text
        morning = await build_morning(repo, tm, TODAY, clock())
    assert "⚠️" not in page
    assert morning is not None
    text = render_morning(morning, TODAY, t)
    assert "не действие: <b>1</b>" in text and "Анна Смирнова: «" not in text
