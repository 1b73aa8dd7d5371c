"""amoCRM (Kommo) API v4: a small typed client over aiohttp.

Why our own: the maintained Python clients are synchronous (``amocrm-api`` 2.6 wraps ``requests``) or
young single-author async wrappers without a rate limiter of their own; the bot is async and needs every
call of an account to share one limiter. What it uses of v4, each documented by amoCRM:

- ``GET /api/v4/account``, ``/users``, ``/leads/pipelines`` (statuses 142 won, 143 lost in every pipeline);
- ``GET /api/v4/tasks`` with ``filter[is_completed]=0`` and ``filter[updated_at][from]``, ``/leads``
  (``with=contacts``), ``/companies``, ``/contacts`` with ``filter[id][]``: HAL+JSON, ``_embedded`` and
  ``_links.next``, ``limit`` at most 250, 204 No Content for an empty page;
- ``PATCH /api/v4/tasks`` (``is_completed`` with ``result[text]``; ``complete_till``;
  ``responsible_user_id``), ``POST /api/v4/tasks``, ``POST /api/v4/{entity}/notes``, ``PATCH /api/v4/leads``.

The secret is a private integration's long-lived token or an external integration's OAuth 2 tokens
(``crm/oauth.py``), sent as ``Authorization: Bearer …``. Limits: 7 requests a second per integration
(``SlidingWindow(7, 1.0)``), 429 past it (its ``Retry-After`` honoured); on repeated abuse amoCRM blocks the
integration and answers 403 for a while: an outage (``CrmBlocked``), no call of the account is sent until
the block lapses (``crm/http.py``). Timeouts, 5xx and 429 are retried with backoff; 401 means the token
expired, is wrong or was revoked (``CrmTokenExpired``: OAuth refreshes once and tries again). Errors come
as ``{"title", "type", "status", "detail"}``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any
from urllib.parse import urlsplit

import aiohttp

from crm import base
from crm.client import CrmClient
from crm.http import Blocked, Retry, Transport
from crm.limiter import Limiter, SlidingWindow, shared
from crm.oauth import Auth

RATE = 7  # requests a second per integration
GUARD = 0.08
PAGE_LIMIT = 250
WON_STATUS, LOST_STATUS = 142, 143
TASK_TYPE_CALL = 1  # amoCRM's built-in "Звонок"; every account has it
ID_CHUNK = 50  # ids per filter[id][] read
USER_PAGES = 4  # pages of one user's open tasks the head's card reads at most (1,000 tasks)

ENTITY_TYPES: dict[str, base.EntityKind] = {
    "leads": base.EntityKind.DEAL,
    "companies": base.EntityKind.COMPANY,
    "contacts": base.EntityKind.CONTACT,
}
ENTITY_PATHS: dict[base.EntityKind, str] = {kind: path for path, kind in ENTITY_TYPES.items()}


def base_url(subdomain: str) -> str:
    """``mycompany`` → ``https://mycompany.amocrm.ru``; a full URL (kommo.com, a test server) as is."""
    value = subdomain.strip().rstrip("/")
    if "://" in value:
        return value
    if "." in value:
        return f"https://{value}"
    return f"https://{value}.amocrm.ru"


def account_limiter(url: str) -> Limiter:
    # 80 ms of margin on each second: requests reach the CRM a little later or earlier than they leave
    return shared(f"amocrm:{urlsplit(url).netloc}", lambda: SlidingWindow(RATE, 1.0, guard=GUARD))


def _ts(value: Any) -> datetime:
    return datetime.fromtimestamp(int(value or 0), UTC)


def _unix(value: datetime) -> int:
    return int(value.timestamp())


def _changed_since(updated_since: datetime | None) -> list[tuple[str, str]]:
    """The filter on records changed at ``updated_since`` or later (none: every record)."""
    if updated_since is None:
        return []
    return [("filter[updated_at][from]", str(_unix(updated_since)))]


class AmoCrm(CrmClient):
    kind = base.ProviderKind.AMOCRM

    def __init__(
        self,
        url: str,
        token: str | Auth,
        *,
        limiter: Limiter | None = None,
        transport: Transport | None = None,
        page_limit: int = PAGE_LIMIT,
    ) -> None:
        """``token``: a private integration's long-lived token, or an ``OAuthSession``."""
        self.url = base_url(url)
        super().__init__(token, transport or Transport(limiter or account_limiter(self.url)))
        self.page_limit = min(page_limit, PAGE_LIMIT)

    # ------------------------------------------------------------------ HTTP

    async def _request(
        self, method: str, path: str, *, params: Any = None, json: Any = None, url: str | None = None
    ) -> dict[str, Any] | None:
        target = url or f"{self.url}{path}"

        async def attempt(token: str, session: aiohttp.ClientSession) -> dict[str, Any] | None:
            headers = {"Authorization": f"Bearer {token}", "Accept": "application/hal+json"}
            async with session.request(method, target, params=params, json=json, headers=headers) as r:
                if r.status == 204:
                    return None
                if r.status == 429:
                    raise Retry("429 Too Many Requests", limited=True, after=_retry_after(r))
                if r.status == 403:
                    problem = _problem(await _json(r), "403 Forbidden")
                    if "blocked" in problem.lower() or self.transport.limited_recently():
                        # amoCRM's answer to an integration that kept going over its limit: blocked for
                        # a while (its docs: «при повторных нарушениях… блокировка»); an outage
                        raise Blocked(problem, seconds=_retry_after(r))
                    # no rights to this one entity: a refusal of this call, the account goes on
                    raise base.CrmError(problem, status=403)
                if r.status >= 500:
                    raise Retry(f"{r.status}")
                body = await _json(r)
                if r.status == 401:  # expired or revoked: amoCRM does not say which
                    raise base.CrmTokenExpired(_problem(body, "the token is wrong or revoked"), status=401)
                if r.status >= 400:
                    raise base.CrmError(_problem(body, f"HTTP {r.status}"), status=r.status)
                return body

        return await self.send(f"{method} {path}", attempt)

    async def _pages(self, path: str, key: str, params: list[tuple[str, str]]) -> AsyncIterator[list[Any]]:
        """Every page of a list: ``_embedded[key]``, following ``_links.next`` until it is gone or 204."""
        body = await self._request("GET", path, params=[*params, ("limit", str(self.page_limit))])
        while body is not None:
            items = body.get("_embedded", {}).get(key, [])
            if items:
                yield items
            nxt = body.get("_links", {}).get("next", {}).get("href")
            if not nxt or not items:
                return
            body = await self._request("GET", path, url=_same_origin(self.url, nxt))

    async def _by_id(
        self, path: str, key: str, ids: Sequence[str], params: Sequence[tuple[str, str]] = ()
    ) -> AsyncIterator[Any]:
        """The records of ``ids`` (``filter[id][]``), ``ID_CHUNK`` ids a request."""
        for chunk in _chunks(ids):
            async for page in self._pages(path, key, [*params, *(("filter[id][]", i) for i in chunk)]):
                for item in page:
                    yield item

    # ------------------------------------------------------------------ reads

    async def account(self) -> dict[str, Any]:
        return await self._request("GET", "/api/v4/account") or {}

    async def users(self) -> list[base.CrmUser]:
        users: list[base.CrmUser] = []
        async for page in self._pages("/api/v4/users", "users", []):
            for u in page:
                rights = u.get("rights") or {}
                users.append(
                    base.CrmUser(
                        id=str(u["id"]),
                        name=_text(u, "name"),
                        email=u.get("email"),
                        active=bool(rights.get("is_active", True)),
                    )
                )
        return users

    async def pipelines(self) -> list[base.Pipeline]:
        body = await self._request("GET", "/api/v4/leads/pipelines") or {}
        pipelines = []
        for p in body.get("_embedded", {}).get("pipelines", []):
            stages = tuple(
                base.Stage(
                    id=str(s["id"]),
                    pipeline_id=str(p["id"]),
                    name=_text(s, "name"),
                    semantic=_semantic(int(s["id"])),
                    sort=int(s.get("sort") or 0),
                )
                for s in p.get("_embedded", {}).get("statuses", [])
            )
            pipelines.append(base.Pipeline(id=str(p["id"]), name=_text(p, "name"), stages=stages))
        return pipelines

    async def tasks(
        self, updated_since: datetime | None, *, open_only: bool
    ) -> AsyncIterator[list[base.CrmTask]]:
        params = [("filter[is_completed]", "0")] if open_only else []
        async for page in self._pages("/api/v4/tasks", "tasks", [*params, *_changed_since(updated_since)]):
            yield [_task(t) for t in page]

    async def tasks_by_id(self, ids: Sequence[str]) -> list[base.CrmTask]:
        return [_task(t) async for t in self._by_id("/api/v4/tasks", "tasks", ids)]

    async def open_tasks_of(self, user_id: str, first: int) -> tuple[int, bool, list[base.CrmTask]]:
        """The user's open tasks only (``filter[responsible_user_id]``), soonest first
        (``order[complete_till]=asc``), at most ``USER_PAGES`` pages of 250: a user with more is counted
        as "at least" that. amoCRM gives no total, so the count is what the pages read held."""
        params = [
            ("filter[is_completed]", "0"),
            ("filter[responsible_user_id]", user_id),
            ("order[complete_till]", "asc"),
        ]
        count, pages, sample = 0, 0, list[base.CrmTask]()
        async for page in self._pages("/api/v4/tasks", "tasks", params):
            tasks = [_task(t) for t in page]
            count, pages = count + len(tasks), pages + 1
            sample = sorted(sample + tasks, key=lambda task: (task.due, task.id))[:first]
            if pages == USER_PAGES and len(page) == self.page_limit:
                return count, True, sample  # the bound: at least this many
        return count, False, sample

    async def deals(self, updated_since: datetime | None) -> AsyncIterator[list[base.CrmDeal]]:
        params = [("with", "contacts"), *_changed_since(updated_since)]
        async for page in self._pages("/api/v4/leads", "leads", params):
            yield [_deal(d) for d in page]

    async def deals_by_id(self, ids: Sequence[str]) -> list[base.CrmDeal]:
        return [_deal(d) async for d in self._by_id("/api/v4/leads", "leads", ids, [("with", "contacts")])]

    async def companies(self, refs: Sequence[base.EntityRef]) -> list[base.CrmCompany]:
        found: list[base.CrmCompany] = []
        for kind in (base.EntityKind.COMPANY, base.EntityKind.CONTACT):
            ids = [r.id for r in refs if r.kind is kind]
            path = ENTITY_PATHS[kind]
            found += [
                base.CrmCompany(
                    ref=base.EntityRef(kind, str(c["id"])),
                    name=_text(c, "name"),
                    responsible_id=_opt_id(c.get("responsible_user_id")),
                )
                async for c in self._by_id(f"/api/v4/{path}", path, ids)
            ]
        return found

    async def summary(self) -> base.AccountSummary:
        account = await self.account()
        users = await self.users()
        pipelines = await self.pipelines()
        open_tasks = 0
        async for page in self.tasks(None, open_only=True):
            open_tasks += len(page)
        return base.AccountSummary(
            account_id=str(account.get("id", "")),
            name=str(account.get("name") or account.get("subdomain") or ""),
            users=len(users),
            pipelines=len(pipelines),
            open_tasks=open_tasks,
        )

    # ------------------------------------------------------------------ writes

    async def complete_task(self, task_id: str, result: str) -> None:
        await self._request(
            "PATCH",
            "/api/v4/tasks",
            json=[{"id": int(task_id), "is_completed": True, "result": {"text": result}}],
        )

    async def move_task(self, task_id: str, due: datetime) -> None:
        await self._request(
            "PATCH", "/api/v4/tasks", json=[{"id": int(task_id), "complete_till": _unix(due)}]
        )

    async def set_responsible(self, task_id: str, user_id: str) -> None:
        await self._request(
            "PATCH", "/api/v4/tasks", json=[{"id": int(task_id), "responsible_user_id": int(user_id)}]
        )

    async def set_task_text(self, task_id: str, text: str) -> None:
        await self._request("PATCH", "/api/v4/tasks", json=[{"id": int(task_id), "text": text}])

    async def add_note(self, entity: base.EntityRef, text: str) -> None:
        path = ENTITY_PATHS[entity.kind]
        note = {"entity_id": int(entity.id), "note_type": "common", "params": {"text": text}}
        await self._request("POST", f"/api/v4/{path}/notes", json=[note])

    async def create_task(
        self, entity: base.EntityRef | None, responsible_id: str, text: str, due: datetime
    ) -> str:
        task: dict[str, Any] = {
            "text": text,
            "complete_till": _unix(due),
            "responsible_user_id": int(responsible_id),
            "task_type_id": TASK_TYPE_CALL,
        }
        if entity is not None:
            task["entity_id"], task["entity_type"] = int(entity.id), ENTITY_PATHS[entity.kind]
        body = await self._request("POST", "/api/v4/tasks", json=[task]) or {}
        created = body.get("_embedded", {}).get("tasks", [])
        if not created:
            raise base.CrmError("POST /api/v4/tasks: no task in the answer")
        return str(created[0]["id"])

    async def win_deal(self, deal_id: str, amount: Decimal) -> None:
        await self._request(
            "PATCH",
            "/api/v4/leads",
            json=[{"id": int(deal_id), "status_id": WON_STATUS, "price": int(amount)}],
        )

    async def set_deal_price(self, deal_id: str, amount: Decimal) -> None:
        await self._request("PATCH", "/api/v4/leads", json=[{"id": int(deal_id), "price": int(amount)}])

    async def move_deal(self, deal_id: str, pipeline_id: str, stage_id: str) -> None:
        lead = {"id": int(deal_id), "pipeline_id": int(pipeline_id), "status_id": int(stage_id)}
        await self._request("PATCH", "/api/v4/leads", json=[lead])


def _semantic(status_id: int) -> base.Semantic:
    if status_id == WON_STATUS:
        return base.Semantic.WON
    if status_id == LOST_STATUS:
        return base.Semantic.LOST
    return base.Semantic.OPEN


def _text(row: dict[str, Any], key: str) -> str:
    """A field as text: "" where it is missing, null or empty."""
    return str(row.get(key) or "")


def _opt_id(value: Any) -> str | None:
    return None if value in (None, 0, "") else str(value)


def _task(t: dict[str, Any]) -> base.CrmTask:
    kind = ENTITY_TYPES.get(_text(t, "entity_type"))
    entity = base.EntityRef(kind, str(t["entity_id"])) if kind is not None and t.get("entity_id") else None
    result = t.get("result")
    return base.CrmTask(
        id=str(t["id"]),
        text=_text(t, "text"),
        responsible_id=_text(t, "responsible_user_id"),
        due=_ts(t.get("complete_till")),
        entity=entity,
        completed=bool(t.get("is_completed")),
        updated_at=_ts(t.get("updated_at")),
        result=result.get("text") if isinstance(result, dict) else None,
    )


def _deal(d: dict[str, Any]) -> base.CrmDeal:
    companies = (d.get("_embedded") or {}).get("companies") or []
    return base.CrmDeal(
        id=str(d["id"]),
        name=_text(d, "name"),
        responsible_id=_text(d, "responsible_user_id"),
        pipeline_id=_text(d, "pipeline_id"),
        stage_id=_text(d, "status_id"),
        amount=Decimal(str(d.get("price") or 0)),
        updated_at=_ts(d.get("updated_at")),
        closed_at=_ts(d["closed_at"]) if d.get("closed_at") else None,
        company_id=str(companies[0]["id"]) if companies else None,
    )


def _chunks(ids: Sequence[str]) -> list[Sequence[str]]:
    unique = list(dict.fromkeys(ids))
    return [unique[i : i + ID_CHUNK] for i in range(0, len(unique), ID_CHUNK)]


def _same_origin(origin: str, href: str) -> str:
    """A ``_links.next`` href, kept on the account's own origin (never sends the token elsewhere)."""
    parts = urlsplit(href)
    query = f"?{parts.query}" if parts.query else ""
    return f"{origin}{parts.path}{query}"


def _retry_after(response: aiohttp.ClientResponse) -> float | None:
    value = response.headers.get("Retry-After")
    try:
        return float(value) if value else None
    except ValueError:
        return None


async def _json(response: aiohttp.ClientResponse) -> dict[str, Any]:
    try:
        body = await response.json(content_type=None)
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {"_items": body}


def _problem(body: dict[str, Any], default: str) -> str:
    title, detail = body.get("title"), body.get("detail")
    return ": ".join(str(x) for x in (title, detail) if x) or default
