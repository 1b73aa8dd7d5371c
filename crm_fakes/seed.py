"""A department in a fake CRM: ``managers`` users, ``deals`` deals (a tenth won) and ``tasks`` open tasks
on them, for the benchmark and the demo. Managers are named ``Менеджер 1`` … so members of the same names
match them."""

from __future__ import annotations

from crm_fakes.amocrm import WON, FakeAmoCrm
from crm_fakes.bitrix24 import FakeBitrix24, iso_of

#: how sales teams word their tasks: a few dozen phrases, repeated (and now and then only a client's name)
PHRASES = (
    "Позвонить и обсудить КП",
    "Перезвонить после совещания",
    "Отправить коммерческое предложение",
    "Отправить договор на согласование",
    "Согласовать условия оплаты",
    "Назначить встречу с ЛПР",
    "Провести демонстрацию",
    "Выставить счёт",
    "Уточнить сроки поставки",
    "Запросить реквизиты",
    "Подготовить спецификацию",
    "Напомнить об оплате",
    "Получить обратную связь по КП",
    "Согласовать скидку с руководителем",
    "Отправить презентацию",
    "Договориться о тестовом периоде",
    "Подписать акт",
    "Пригласить на вебинар",
    "Выяснить бюджет",
    "Обсудить продление договора",
)
SPREAD = 30 * 86400  # the last changes of a real department's tasks spread over a month


def wording(i: int, client: str) -> str:
    return client if i % 20 == 0 else PHRASES[i % len(PHRASES)]


def manager_name(i: int) -> str:
    return f"Менеджер {i}"


def seed_amocrm(fake: FakeAmoCrm, managers: int, tasks: int, deals: int) -> None:
    users = [fake.add_user(manager_name(i + 1)) for i in range(managers)]
    open_status = fake.open_status()
    leads = [
        fake.add_lead(
            f"Клиент {i + 1}",
            users[i % managers],
            price=10_000 * (1 + i % 20),
            status_id=WON if i % 10 == 0 else open_status,
        )
        for i in range(deals)
    ]
    now = int(fake.clock())
    for i in range(tasks):
        lead = i % deals
        fake.add_task(
            wording(i, f"Клиент {lead + 1}"),
            users[lead % managers],
            due=now + 3600 * (i % 72),
            entity_id=leads[lead],
        )
    for n, row in enumerate([*fake.leads.values(), *fake.tasks.values()]):
        row["updated_at"] = now - SPREAD + (n * 7919) % SPREAD


def seed_bitrix24(fake: FakeBitrix24, managers: int, tasks: int, deals: int) -> None:
    users = [fake.add_user("Менеджер", str(i + 1)) for i in range(managers)]
    ids = [
        fake.add_deal(
            f"Клиент {i + 1}",
            users[i % managers],
            amount=10_000 * (1 + i % 20),
            stage="WON" if i % 10 == 0 else "NEW",
        )
        for i in range(deals)
    ]
    now = fake.clock()
    for i in range(tasks):
        deal = i % deals
        fake.add_activity(
            wording(i, f"Клиент {deal + 1}"),
            users[deal % managers],
            owner_id=ids[deal],
            deadline=now + 3600 * (i % 72),
        )
    for n, deal_row in enumerate(fake.deals.values()):
        deal_row["DATE_MODIFY"] = iso_of(now - SPREAD + (n * 7919) % SPREAD)
    for n, activity in enumerate(fake.activities.values()):
        activity["LAST_UPDATED"] = iso_of(now - SPREAD + (n * 7919) % SPREAD)
