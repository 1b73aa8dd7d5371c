"""Reading each CRM's webhooks as the fakes send them: verified, typed, and refused when malformed."""

from __future__ import annotations

import pytest

from crm.base import ProviderKind
from crm.webhooks import Malformed, Unverified, WebhookEvent, parse_amocrm, parse_bitrix24
from crm_fakes.amocrm import WON, FakeAmoCrm
from crm_fakes.bitrix24 import FakeBitrix24

FORM = "application/x-www-form-urlencoded"


def test_amocrm_task_and_status_webhooks() -> None:
    amo = FakeAmoCrm("t-0000000000", subdomain="acme")
    uid = amo.add_user("Анна")
    lead = amo.add_lead("Ромашка", uid)
    tasks = [amo.add_task("Позвонить", uid, entity_id=lead) for _ in range(2)]
    amo.set_lead_status(lead, WON)
    events = parse_amocrm(amo.webhook_form("task", "update", tasks), FORM, subdomain="acme")
    assert events == [WebhookEvent(ProviderKind.AMOCRM, "task", "update", str(t)) for t in tasks]
    status = parse_amocrm(amo.webhook_form("leads", "status", [lead]), FORM + "; charset=UTF-8")
    assert status == [WebhookEvent(ProviderKind.AMOCRM, "deal", "status", str(lead))]


def test_amocrm_refuses_another_account_and_malformed_bodies() -> None:
    amo = FakeAmoCrm("t-0000000000", subdomain="acme")
    uid = amo.add_user("Анна")
    task = amo.add_task("Позвонить", uid)
    with pytest.raises(Unverified):
        parse_amocrm(amo.webhook_form("task", "update", [task]), FORM, subdomain="other")
    for body, ctype in (
        (b'{"task": 1}', "application/json"),
        (b"account[subdomain]=acme", FORM),  # no event
        (b"task[update][0][id]=x&account[subdomain]=acme", FORM),  # no numeric id
        (b"task[update]=1&task[update][0][id]=5&account[subdomain]=acme", FORM),  # conflicting keys
        (b"\xff\xfe", FORM),
        (b"task[explode][0][id]=5&account[subdomain]=acme", FORM),
    ):
        with pytest.raises(Malformed):
            parse_amocrm(body, ctype)


def test_bitrix24_events_checked_by_application_token() -> None:
    b24 = FakeBitrix24("hook-0000000000")
    token = "app-token-9f8e7d"
    event = parse_bitrix24(b24.event_form("ONCRMACTIVITYUPDATE", 123, token), FORM, token)
    assert event == WebhookEvent(ProviderKind.BITRIX24, "task", "update", "a123")
    assert parse_bitrix24(b24.event_form("ONTASKUPDATE", 45, token), FORM, token).id == "t45"
    assert parse_bitrix24(b24.event_form("ONCRMDEALUPDATE", 7, token), FORM, token).entity == "deal"
    with pytest.raises(Unverified):
        parse_bitrix24(b24.event_form("ONCRMACTIVITYUPDATE", 123, "forged"), FORM, token)
    with pytest.raises(Unverified):
        parse_bitrix24(b"event=ONCRMACTIVITYUPDATE&data[FIELDS][ID]=1", FORM, token)
    with pytest.raises(Malformed):
        parse_bitrix24(b24.event_form("ONSOMETHINGELSE", 1, token), FORM, token)
