"""A fake amoCRM account (API v4) that behaves like the real one where the bot can tell.

Faithful: HAL+JSON lists with ``_page``, ``_links.self``/``_links.next`` and ``_embedded``; ``limit`` at
most 250 (more → 400 with ``validation-errors``); 204 No Content for an empty page; the filters the bot
uses (``filter[is_completed]``, ``filter[updated_at][from]``, ``filter[id][]``); ``with=contacts`` adding
``_embedded.companies``/``contacts`` to leads; the problem body ``{"title","type","status","detail"}``;
401 for a wrong token; 429 past 7 requests a second per integration (a sliding second); statuses 142
(won) and 143 (lost) in every pipeline; PATCH/POST of tasks, notes and leads; ``updated_at`` in Unix
seconds, advanced by every change. OAuth 2 of an external integration: ``POST /oauth2/access_token``
(``authorization_code``/``refresh_token``, JSON or form) answering ``{"token_type", "expires_in",
"access_token", "refresh_token"}``; access tokens that expire after a day (401), refresh tokens that rotate;
400 for a used or revoked code or refresh token, 401 for a wrong client; expiry and revocation under the
control API (``crm_fakes/oauth.py``).
The abuse block (amoCRM: 429 over the limit, and on repeated abuse the integration blocked, 403 for a
period): off unless ``block_after`` is given; then ``block_after`` 429s within ``block_window`` seconds
block every API call with 403 for ``block_seconds`` (``blocks`` counts them; ``POST /_control/block``
blocks at once). ``retry_after``: the ``Retry-After`` header sent with each 429 (none by default); with
it set, a 403 of the block carries the block's remaining seconds as its ``Retry-After`` too.
``filter[responsible_user_id]`` and ``order[<field>]=asc|desc`` on lists, as documented.
Simplified: one account; no custom fields, tags or events API; ``down`` answers 503 to everything but the
control API.
"""

from __future__ import annotations

import math
import time
from collections import deque
from collections.abc import Awaitable, Callable
from functools import wraps
from itertools import count
from typing import Any

from aiohttp import web
from aiohttp.typedefs import Handler

from crm_fakes.oauth import Access, FakeOAuth, Refusal
from crm_fakes.server import FakeServer, ServedFake

MAX_LIMIT = 250
DEFAULT_LIMIT = 50
WON, LOST = 142, 143
ENTITY_TYPES = ("leads", "companies", "contacts")


def problem(status: int, title: str, detail: str, **extra: Any) -> web.Response:
    body = {
        "title": title,
        "type": "https://developers.amocrm.ru/v3/errors/ApiError",
        "status": status,
        "detail": detail,
        **extra,
    }
    return web.json_response(body, status=status, content_type="application/problem+json")


Objects = list[dict[str, Any]]


def _array_body(
    handler: Callable[[FakeAmoCrm, web.Request, Objects], Awaitable[web.Response]],
) -> Callable[[FakeAmoCrm, web.Request], Awaitable[web.Response]]:
    """A write that takes a JSON array of objects (one object counts as an array of one): a body that is
    not one is refused with amoCRM's 400 before the handler runs."""

    @wraps(handler)
    async def parsed(crm: FakeAmoCrm, request: web.Request) -> web.Response:
        body = await crm._json_list(request)
        if isinstance(body, web.Response):
            return body
        return await handler(crm, request, body)

    return parsed


class FakeAmoCrm(ServedFake):
    def __init__(
        self,
        token: str = "amo-long-lived-token-0000",
        *,
        subdomain: str = "fakeco",
        rate: int = 7,
        clock: Callable[[], float] = time.time,
        block_after: int | None = None,
        block_window: float = 60.0,
        block_seconds: float = 900.0,
        retry_after: int | None = None,
    ) -> None:
        self.token = token
        self.subdomain = subdomain
        self.rate = rate
        self.clock = clock
        self.down = False
        self.block_after, self.block_window, self.block_seconds = block_after, block_window, block_seconds
        self.retry_after = retry_after
        self.blocked_until = 0.0  # time.monotonic()
        self.blocks = 0
        self._refused: deque[float] = deque()
        self.users: dict[int, dict[str, Any]] = {}
        self.pipelines: dict[int, dict[str, Any]] = {}
        self.tasks: dict[int, dict[str, Any]] = {}
        #: tasks the token's user has no rights to change: a PATCH of one answers 403 (not the block)
        self.forbidden_tasks: set[int] = set()
        self.leads: dict[int, dict[str, Any]] = {}
        self.companies: dict[int, dict[str, Any]] = {}
        self.contacts: dict[int, dict[str, Any]] = {}
        self.notes: list[dict[str, Any]] = []
        #: OAuth 2 of external integrations: access tokens live a day, refresh tokens rotate
        self.oauth = FakeOAuth(clock, ttl=86400, revoke_access_on_refresh=False, redirect_uri_required=True)
        self._ids = count(1_000_001)
        self._window: deque[float] = deque()
        #: every request the API part answered: (method, path, status)
        self.log: list[tuple[str, str, int]] = []
        #: when each of them came (``time.monotonic()``)
        self.stamps: list[float] = []
        self.app = web.Application(middlewares=[self._gate])
        self._routes()
        self.server = FakeServer(self.app)
        self.add_pipeline("Воронка", ["Первичный контакт", "Переговоры", "Принимают решение"])

    # ------------------------------------------------------------------ serving

    @property
    def url(self) -> str:
        return self.server.url

    def now(self) -> int:
        return int(self.clock())

    @property
    def limited(self) -> int:
        return sum(1 for _, _, status in self.log if status == 429)

    @property
    def requests(self) -> int:
        return len(self.log)

    # ------------------------------------------------------------------ control (as the CRM's users)

    def add_user(self, name: str, *, active: bool = True, email: str | None = None) -> int:
        uid = next(self._ids)
        self.users[uid] = {
            "id": uid,
            "name": name,
            "email": email or f"user{uid}@example.com",
            "lang": "ru",
            "rights": {"is_active": active, "is_admin": False, "is_free": False},
        }
        return uid

    def add_pipeline(self, name: str, stages: list[str]) -> int:
        pid = next(self._ids)
        statuses = [
            {"id": next(self._ids), "name": s, "sort": 10 * (i + 1), "pipeline_id": pid, "type": 0}
            for i, s in enumerate(stages)
        ]
        statuses += [
            {"id": WON, "name": "Успешно реализовано", "sort": 10000, "pipeline_id": pid, "type": 0},
            {"id": LOST, "name": "Закрыто и не реализовано", "sort": 11000, "pipeline_id": pid, "type": 0},
        ]
        self.pipelines[pid] = {
            "id": pid,
            "name": name,
            "sort": len(self.pipelines) + 1,
            "is_main": not self.pipelines,
            "_embedded": {"statuses": statuses},
        }
        return pid

    def open_status(self, pipeline_id: int | None = None, index: int = 0) -> int:
        pipeline = self.pipelines[pipeline_id or next(iter(self.pipelines))]
        return int(pipeline["_embedded"]["statuses"][index]["id"])

    def add_company(self, name: str, responsible: int | None = None) -> int:
        cid = next(self._ids)
        self.companies[cid] = self._stamp({"id": cid, "name": name, "responsible_user_id": responsible})
        return cid

    def add_contact(self, name: str, responsible: int | None = None) -> int:
        cid = next(self._ids)
        self.contacts[cid] = self._stamp({"id": cid, "name": name, "responsible_user_id": responsible})
        return cid

    def add_lead(
        self,
        name: str,
        responsible: int,
        *,
        pipeline_id: int | None = None,
        status_id: int | None = None,
        company_id: int | None = None,
        price: int = 0,
    ) -> int:
        lid = next(self._ids)
        pipeline_id = pipeline_id or next(iter(self.pipelines))
        status_id = status_id or self.open_status(pipeline_id)
        lead = {
            "id": lid,
            "name": name,
            "price": price,
            "responsible_user_id": responsible,
            "status_id": status_id,
            "pipeline_id": pipeline_id,
            "created_at": self.now(),
            "closed_at": self.now() if status_id in (WON, LOST) else None,
            "company_id": company_id,
        }
        self.leads[lid] = self._stamp(lead)
        return lid

    def set_lead_status(self, lead_id: int, status_id: int, price: int | None = None) -> None:
        lead = self.leads[lead_id]
        lead["status_id"] = status_id
        if price is not None:
            lead["price"] = price
        lead["closed_at"] = self.now() if status_id in (WON, LOST) else None
        self._stamp(lead)

    def add_task(
        self,
        text: str,
        responsible: int,
        *,
        due: int | None = None,
        entity_type: str | None = "leads",
        entity_id: int | None = None,
    ) -> int:
        tid = next(self._ids)
        self.tasks[tid] = self._stamp(
            {
                "id": tid,
                "created_by": responsible,
                "responsible_user_id": responsible,
                "group_id": 0,
                "entity_id": entity_id,
                "entity_type": entity_type if entity_id else None,
                "is_completed": False,
                "task_type_id": 1,
                "text": text,
                "duration": 0,
                "complete_till": due if due is not None else self.now() + 3600,
                "result": [],
                "created_at": self.now(),
                "account_id": 1,
            }
        )
        return tid

    def complete_task(self, task_id: int, result: str = "") -> None:
        task = self.tasks[task_id]
        task["is_completed"] = True
        task["result"] = {"text": result}
        self._stamp(task)

    def move_task(self, task_id: int, due: int) -> None:
        self._stamp(self.tasks[task_id])["complete_till"] = due

    def reassign_task(self, task_id: int, user_id: int) -> None:
        self._stamp(self.tasks[task_id])["responsible_user_id"] = user_id

    def edit_task(self, task_id: int, text: str) -> None:
        self._stamp(self.tasks[task_id])["text"] = text

    def webhook_form(self, key: str, action: str, ids: list[int]) -> bytes:
        """A webhook body as amoCRM posts it (``application/x-www-form-urlencoded``), e.g. ``key`` "task"
        and ``action`` "update": ``task[update][0][id]=…`` with the row's fields, then ``account[…]``."""
        from urllib.parse import urlencode

        rows = {"task": self.tasks, "leads": self.leads}[key]
        pairs: list[tuple[str, str]] = []
        for n, ident in enumerate(ids):
            for field, value in rows[ident].items():
                if isinstance(value, dict | list) or value is None:
                    continue
                pairs.append((f"{key}[{action}][{n}][{field}]", str(value)))
        pairs += [("account[subdomain]", self.subdomain), ("account[id]", "1")]
        return urlencode(pairs).encode()

    def _stamp(self, row: dict[str, Any]) -> dict[str, Any]:
        row["updated_at"] = max(self.now(), int(row.get("updated_at") or 0))
        return row

    # ------------------------------------------------------------------ the API

    def _routes(self) -> None:
        """amoCRM's paths and the methods each answers, then the control API of the tests."""
        api: dict[str, dict[str, Handler]] = {
            "/api/v4/account": {"GET": self._account},
            "/api/v4/users": {"GET": self._list_of(lambda: self.users, "users")},
            "/api/v4/leads/pipelines": {"GET": self._pipelines},
            "/api/v4/tasks": {"GET": self._tasks, "PATCH": self._patch_tasks, "POST": self._post_tasks},
            "/api/v4/leads": {"GET": self._leads, "PATCH": self._patch_leads},
            "/api/v4/companies": {"GET": self._list_of(lambda: self.companies, "companies")},
            "/api/v4/contacts": {"GET": self._list_of(lambda: self.contacts, "contacts")},
            "/api/v4/{entity}/notes": {"POST": self._post_notes},
            "/oauth2/access_token": {"POST": self._oauth_token},
        }
        control: dict[str, dict[str, Handler]] = {
            "/_control/users": {"POST": self._control_user},
            "/_control/tasks": {"POST": self._control_task},
            "/_control/tasks/{id}/complete": {"POST": self._control_complete},
            "/_control/down": {"POST": self._control_down},
            "/_control/state": {"GET": self._control_state},
            "/_control/block": {"POST": self._control_block},
        }
        for path, methods in (api | control).items():
            for method, handler in methods.items():
                if method == "GET":  # answers HEAD too, as aiohttp's add_get does
                    self.app.router.add_get(path, handler)
                else:
                    self.app.router.add_route(method, path, handler)
        self.oauth.add_control(self.app.router)

    @web.middleware
    async def _gate(self, request: web.Request, handler: Any) -> web.StreamResponse:
        if request.path.startswith("/_control/"):
            answer: web.StreamResponse = await handler(request)
            return answer
        response: web.StreamResponse | None = None
        if self.down:
            response = web.Response(status=503, text="Service Unavailable")
        elif not request.path.startswith("/oauth2/"):
            response = await self._check(request)
        if response is None:
            response = await handler(request)
        self.log.append((request.method, request.path, response.status))
        self.stamps.append(time.monotonic())
        return response

    async def _check(self, request: web.Request) -> web.Response | None:
        bearer = request.headers.get("Authorization", "").removeprefix("Bearer ")
        if bearer != self.token:
            access = self.oauth.check(bearer)
            if access is Access.EXPIRED:
                return problem(401, "Unauthorized", "Authorization failed: the access token has expired")
            if access is not Access.OK:
                return problem(401, "Unauthorized", "Authorization failed: the access token is invalid")
        now = time.monotonic()
        if now < self.blocked_until:
            blocked = problem(403, "Forbidden", "The integration is blocked for exceeding the API limits")
            if self.retry_after is not None:
                blocked.headers["Retry-After"] = str(math.ceil(self.blocked_until - now))
            return blocked
        while self._window and self._window[0] <= now - 1.0:
            self._window.popleft()
        if len(self._window) >= self.rate:
            return self._refuse(now)
        self._window.append(now)
        return None

    def _refuse(self, now: float) -> web.Response:
        """A 429; and past ``block_after`` of them within ``block_window``, the block."""
        if self.block_after is not None:
            self._refused.append(now)
            while self._refused and self._refused[0] <= now - self.block_window:
                self._refused.popleft()
            if len(self._refused) >= self.block_after:
                self.block(self.block_seconds)
        answer = problem(429, "Too Many Requests", "Too many requests: at most 7 a second")
        if self.retry_after is not None:
            answer.headers["Retry-After"] = str(self.retry_after)
        return answer

    def block(self, seconds: float) -> None:
        self.blocked_until = time.monotonic() + seconds
        self.blocks += 1
        self._refused.clear()

    async def _account(self, request: web.Request) -> web.Response:
        return web.json_response(
            {
                "id": 1,
                "name": f"Компания {self.subdomain}",
                "subdomain": self.subdomain,
                "country": "RU",
                "currency": "RUB",
                "_links": {"self": {"href": f"{self._base(request)}/api/v4/account"}},
            }
        )

    async def _pipelines(self, request: web.Request) -> web.Response:
        return web.json_response(
            {
                "_total_items": len(self.pipelines),
                "_links": {"self": {"href": f"{self._base(request)}/api/v4/leads/pipelines"}},
                "_embedded": {"pipelines": list(self.pipelines.values())},
            }
        )

    def _list_of(self, rows: Callable[[], dict[int, dict[str, Any]]], key: str) -> Any:
        async def handler(request: web.Request) -> web.Response:
            items = self._by_ids(request, list(rows().values()))
            return self._page(request, key, [self._public(x) for x in items])

        return handler

    async def _tasks(self, request: web.Request) -> web.Response:
        items = self._by_ids(request, list(self.tasks.values()))
        done = request.query.get("filter[is_completed]")
        if done is not None:
            want = done in ("1", "true")
            items = [t for t in items if bool(t["is_completed"]) is want]
        items = self._updated_from(request, items)
        responsible = set(request.query.getall("filter[responsible_user_id]", []))
        responsible |= set(request.query.getall("filter[responsible_user_id][]", []))
        if responsible:
            items = [t for t in items if str(t["responsible_user_id"]) in responsible]
        return self._page(request, "tasks", items)

    async def _leads(self, request: web.Request) -> web.Response:
        items = self._updated_from(request, self._by_ids(request, list(self.leads.values())))
        with_contacts = "contacts" in request.query.get("with", "").split(",")
        out = []
        for lead in items:
            row = self._public(lead)
            embedded: dict[str, Any] = {"tags": []}
            if with_contacts:
                cid = lead.get("company_id")
                embedded["companies"] = [{"id": cid}] if cid else []
                embedded["contacts"] = []
            row["_embedded"] = embedded
            out.append(row)
        return self._page(request, "leads", out)

    @_array_body
    async def _patch_tasks(self, request: web.Request, body: Objects) -> web.Response:
        for item in body:
            if int(item.get("id") or 0) not in self.tasks:
                return self._invalid("id", "task not found")
            if int(item["id"]) in self.forbidden_tasks:
                return problem(403, "Forbidden", "Access denied: no rights to edit this task")
        out = []
        for item in body:
            task = self.tasks[int(item["id"])]
            if "is_completed" in item:
                task["is_completed"] = bool(item["is_completed"])
            if isinstance(item.get("result"), dict):
                task["result"] = {"text": str(item["result"].get("text") or "")}
            for field in ("complete_till", "responsible_user_id", "text"):
                if field in item:
                    task[field] = item[field]
            self._stamp(task)
            out.append({"id": task["id"], "updated_at": task["updated_at"]})
        return web.json_response({"_embedded": {"tasks": out}})

    @_array_body
    async def _post_tasks(self, request: web.Request, body: Objects) -> web.Response:
        out = []
        for i, item in enumerate(body):
            if not item.get("text") or not item.get("complete_till"):
                return self._invalid(f"[{i}]", "text and complete_till are required")
            entity_type = item.get("entity_type")
            if entity_type is not None and entity_type not in ENTITY_TYPES:
                return self._invalid(f"[{i}].entity_type", "unknown entity type")
            tid = self.add_task(
                str(item["text"]),
                int(item.get("responsible_user_id") or next(iter(self.users), 0)),
                due=int(item["complete_till"]),
                entity_type=entity_type,
                entity_id=item.get("entity_id"),
            )
            out.append({"id": tid, "request_id": str(item.get("request_id", i))})
        return web.json_response({"_embedded": {"tasks": out}})

    @_array_body
    async def _patch_leads(self, request: web.Request, body: Objects) -> web.Response:
        out = []
        for item in body:
            lead = self.leads.get(int(item.get("id") or 0))
            if lead is None:
                return self._invalid("id", "lead not found")
            if "status_id" in item:
                self.set_lead_status(lead["id"], int(item["status_id"]), item.get("price"))
            elif "price" in item:
                lead["price"] = item["price"]
            if "responsible_user_id" in item:
                lead["responsible_user_id"] = item["responsible_user_id"]
            self._stamp(lead)
            out.append({"id": lead["id"], "updated_at": lead["updated_at"]})
        return web.json_response({"_embedded": {"leads": out}})

    async def _post_notes(self, request: web.Request) -> web.Response:
        entity = request.match_info["entity"]
        if entity not in ENTITY_TYPES:
            return problem(404, "Not Found", "Unknown entity")
        body = await self._json_list(request)
        if isinstance(body, web.Response):
            return body
        out = []
        for item in body:
            note = {
                "id": next(self._ids),
                "entity_type": entity,
                "entity_id": item.get("entity_id"),
                "note_type": item.get("note_type"),
                "params": item.get("params") or {},
                "created_at": self.now(),
            }
            self.notes.append(note)
            out.append({"id": note["id"], "entity_id": note["entity_id"]})
        return web.json_response({"_embedded": {"notes": out}})

    async def _oauth_token(self, request: web.Request) -> web.Response:
        """``POST /oauth2/access_token``: the code or a refresh token for a new pair. A wrong client is a
        401, a used, expired or revoked code or refresh token a 400, each with a problem body and a hint."""
        try:
            params = (
                await request.json() if request.content_type == "application/json" else await request.post()
            )
        except ValueError:
            return problem(400, "Bad Request", "Invalid JSON")
        try:
            issued = await self.oauth.grant(dict(params))
        except Refusal as exc:
            status = 401 if exc.code == "invalid_client" else 400
            return problem(
                status, "Bad Request" if status == 400 else "Unauthorized", exc.code, hint=exc.description
            )
        return web.json_response(
            {
                "token_type": "Bearer",
                "expires_in": issued.expires_in,
                "access_token": issued.access_token,
                "refresh_token": issued.refresh_token,
            }
        )

    # ------------------------------------------------------------------ control over HTTP

    async def _control_user(self, request: web.Request) -> web.Response:
        body = await request.json()
        return web.json_response({"id": self.add_user(str(body["name"]))})

    async def _control_task(self, request: web.Request) -> web.Response:
        b = await request.json()
        tid = self.add_task(
            str(b["text"]),
            int(b["responsible_user_id"]),
            due=b.get("complete_till"),
            entity_type=b.get("entity_type", "leads"),
            entity_id=b.get("entity_id"),
        )
        return web.json_response({"id": tid})

    async def _control_complete(self, request: web.Request) -> web.Response:
        b = await request.json()
        self.complete_task(int(request.match_info["id"]), str(b.get("result", "")))
        return web.json_response({"ok": True})

    async def _control_down(self, request: web.Request) -> web.Response:
        self.down = bool((await request.json()).get("down", True))
        return web.json_response({"down": self.down})

    async def _control_block(self, request: web.Request) -> web.Response:
        seconds = float((await request.json()).get("seconds", self.block_seconds))
        if seconds > 0:
            self.block(seconds)
        else:
            self.blocked_until = 0.0
        return web.json_response({"blocked_for": max(0.0, self.blocked_until - time.monotonic())})

    async def _control_state(self, request: web.Request) -> web.Response:
        return web.json_response(
            {"tasks": list(self.tasks.values()), "leads": list(self.leads.values()), "notes": self.notes}
        )

    # ------------------------------------------------------------------ helpers

    @staticmethod
    def _base(request: web.Request) -> str:
        return f"{request.scheme}://{request.host}"

    @staticmethod
    def _public(row: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in row.items() if k != "company_id"}

    @staticmethod
    def _by_ids(request: web.Request, items: list[dict[str, Any]]) -> list[dict[str, Any]]:
        ids = request.query.getall("filter[id][]", [])
        if not ids:
            return items
        wanted = {int(i) for i in ids if i.isdigit()}
        return [x for x in items if x["id"] in wanted]

    @staticmethod
    def _updated_from(request: web.Request, items: list[dict[str, Any]]) -> list[dict[str, Any]]:
        since = request.query.get("filter[updated_at][from]")
        if since is None or not since.isdigit():
            return items
        return [x for x in items if int(x["updated_at"]) >= int(since)]

    def _page(self, request: web.Request, key: str, items: list[dict[str, Any]]) -> web.Response:
        try:
            limit = int(request.query.get("limit", DEFAULT_LIMIT))
            page = int(request.query.get("page", 1))
        except ValueError:
            return self._invalid("limit", "must be an integer")
        if limit > MAX_LIMIT or limit < 1:
            return self._invalid("limit", f"limit must be between 1 and {MAX_LIMIT}")
        items = sorted(items, key=lambda x: x["id"])
        for param, way in request.query.items():
            if param.startswith("order[") and param.endswith("]"):
                field = param[len("order[") : -1]
                items.sort(key=lambda x: (x.get(field) is None, x.get(field) or 0), reverse=way == "desc")
        chunk = items[(page - 1) * limit : page * limit]
        if not chunk:
            return web.Response(status=204)
        base = self._base(request)
        query = [(k, v) for k, v in request.query.items() if k != "page"]

        def href(n: int) -> str:
            from urllib.parse import urlencode

            return f"{base}{request.path}?{urlencode([*query, ('page', str(n))])}"

        links: dict[str, Any] = {"self": {"href": href(page)}}
        if page * limit < len(items):
            links["next"] = {"href": href(page + 1)}
        return web.json_response({"_page": page, "_links": links, "_embedded": {key: chunk}})

    @staticmethod
    def _invalid(path: str, detail: str) -> web.Response:
        return problem(
            400,
            "Bad Request",
            "Request validation failed",
            **{"validation-errors": [{"request_id": "0", "errors": [{"path": path, "detail": detail}]}]},
        )

    async def _json_list(self, request: web.Request) -> Objects | web.Response:
        try:
            body = await request.json()
        except ValueError:
            return problem(400, "Bad Request", "Invalid JSON")
        if isinstance(body, dict):
            body = [body]
        if not isinstance(body, list) or not all(isinstance(x, dict) for x in body):
            return problem(400, "Bad Request", "Expected an array of objects")
        return body
