"""Reading the webhooks each CRM sends, into typed events (the receiving endpoint is a later step).

- amoCRM posts ``application/x-www-form-urlencoded`` with PHP-style keys: ``task[update][0][id]=…``,
  ``leads[status][0][id]=…&leads[status][0][status_id]=142``, ``account[subdomain]=…``.
- Bitrix24 posts its outbound events as a form too: ``event=ONCRMACTIVITYUPDATE``,
  ``data[FIELDS][ID]=…``, ``auth[application_token]=…`` (the token the portal gave the handler; compared
  in constant time: a wrong one is ``Unverified``, which the endpoint answers 401).

A body that does not have the shape is ``Malformed`` (400). Nothing here trusts a field before the shape
and the token are checked.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

from crm.base import ProviderKind

AMO_ENTITIES = {"task": "task", "tasks": "task", "leads": "deal", "lead": "deal"}
AMO_ACTIONS = {"add", "update", "delete", "status", "responsible"}
BITRIX_EVENTS = {
    "ONCRMACTIVITYADD": ("task", "add"),
    "ONCRMACTIVITYUPDATE": ("task", "update"),
    "ONCRMACTIVITYDELETE": ("task", "delete"),
    "ONTASKADD": ("task", "add"),
    "ONTASKUPDATE": ("task", "update"),
    "ONTASKDELETE": ("task", "delete"),
    "ONCRMDEALADD": ("deal", "add"),
    "ONCRMDEALUPDATE": ("deal", "update"),
    "ONCRMDEALDELETE": ("deal", "delete"),
}


class Malformed(ValueError):
    """Not a webhook of this CRM: answered 400, nothing changes."""


class Unverified(PermissionError):
    """The webhook's token is missing or wrong: answered 401, nothing changes."""


@dataclass(frozen=True, slots=True)
class WebhookEvent:
    provider: ProviderKind
    entity: str  # "task" or "deal"
    action: str  # "add", "update", "delete", "status", "responsible"
    id: str  # the CRM id as the provider's client spells it (Bitrix24: a123 / t45 for tasks)


def parse_form(body: bytes) -> dict[str, Any]:
    """PHP-style form keys (``a[b][0][c]=1``) into nested dicts; lists stay dicts keyed by index."""
    try:
        pairs = parse_qsl(body.decode("utf-8"), keep_blank_values=True, strict_parsing=True)
    except (UnicodeDecodeError, ValueError):
        raise Malformed("not a form") from None
    out: dict[str, Any] = {}
    for key, value in pairs:
        head, _, rest = key.partition("[")
        parts = [head] + ([p.rstrip("]") for p in ("[" + rest).split("[")[1:]] if rest else [])
        node = out
        for part in parts[:-1]:
            child = node.setdefault(part, {})
            if not isinstance(child, dict):
                raise Malformed(f"conflicting key {key}")
            node = child
        if isinstance(node.get(parts[-1]), dict):
            raise Malformed(f"conflicting key {key}")
        node[parts[-1]] = value
    return out


def parse_amocrm(body: bytes, content_type: str, subdomain: str | None = None) -> list[WebhookEvent]:
    if not content_type.startswith("application/x-www-form-urlencoded"):
        raise Malformed("amoCRM posts a form")
    form = parse_form(body)
    account = form.get("account")
    if not isinstance(account, dict) or not account.get("subdomain"):
        raise Malformed("no account")
    if subdomain is not None and account.get("subdomain") != subdomain:
        raise Unverified("another account")
    events: list[WebhookEvent] = []
    for key, actions in form.items():
        if key == "account":
            continue
        entity = AMO_ENTITIES.get(key)
        if entity is None or not isinstance(actions, dict):
            continue  # contacts, companies, notes…: not the bot's business
        for action, items in actions.items():
            if action not in AMO_ACTIONS or not isinstance(items, dict):
                raise Malformed(f"{key}[{action}]")
            for item in items.values():
                ident = item.get("id") if isinstance(item, dict) else None
                if not isinstance(ident, str) or not ident.isdigit():
                    raise Malformed(f"{key}[{action}] without an id")
                events.append(WebhookEvent(ProviderKind.AMOCRM, entity, action, ident))
    if not events:
        raise Malformed("no task or lead events")
    return events


def parse_bitrix24(body: bytes, content_type: str, application_token: str) -> WebhookEvent:
    if not content_type.startswith("application/x-www-form-urlencoded"):
        raise Malformed("Bitrix24 posts a form")
    form = parse_form(body)
    auth = form.get("auth")
    token = auth.get("application_token") if isinstance(auth, dict) else None
    if not isinstance(token, str) or not hmac.compare_digest(token.encode(), application_token.encode()):
        raise Unverified("application_token")
    kind = BITRIX_EVENTS.get(str(form.get("event") or "").upper())
    data = form.get("data")
    fields = data.get("FIELDS") if isinstance(data, dict) else None
    ident = (fields.get("ID") or fields.get("id")) if isinstance(fields, dict) else None
    if kind is None or not isinstance(ident, str) or not ident.isdigit():
        raise Malformed("unknown event or no id")
    entity, action = kind
    event = str(form["event"]).upper()
    prefix = "t" if event.startswith("ONTASK") else "a" if entity == "task" else ""
    return WebhookEvent(ProviderKind.BITRIX24, entity, action, f"{prefix}{ident}")
