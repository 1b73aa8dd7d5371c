"""A fake Bitrix24 portal answering an inbound webhook or a local application, like the real one where
the bot can tell.

Faithful: ``/rest/<user>/<token>/<method>`` (``.json`` optional), parameters as JSON or as PHP-style query
keys; ``{"result", "next", "total", "time"}`` with 50 a page and ``start``; ``batch`` of at most 50
commands given as query strings, answering ``result``/``result_error``/``result_total``/``result_next``;
filters with the prefixes the bot uses (``>=``, ``@``, ``!``); ``{"error", "error_description"}`` errors:
401 ``INVALID_CREDENTIALS`` for a wrong token, 503 ``QUERY_LIMIT_EXCEEDED`` past a leaky bucket of 50
draining 2 a second (a batch counts once), 503 ``OPERATION_TIME_LIMIT`` when a method has used its
operating time (off unless ``operating_budget`` is set), 404 ``ERROR_METHOD_NOT_FOUND``; deal stages
with ``SEMANTICS`` S/F and ``STAGE_SEMANTIC_ID`` P/S/F; ``tasks.task.list`` answering camelCase
``{"tasks": […]}``. A local application's OAuth as oauth.bitrix.info does it (``/oauth/token/``, served
here: the answer with ``expires``, ``client_endpoint``, ``member_id``; ``invalid_grant``/``invalid_client``),
calls to ``/rest/<method>?auth=<access>`` (401 ``expired_token`` after an hour, ``invalid_token`` for an
unknown or superseded one), rotation and expiry under the control API (``crm_fakes/oauth.py``).
Simplified: one portal; no events or custom fields beyond ``UF_CRM_TASK``; dates in UTC.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from datetime import UTC, datetime
from itertools import count
from typing import Any
from urllib.parse import parse_qsl

from aiohttp import web

from crm_fakes.oauth import Access, FakeOAuth, Refusal
from crm_fakes.server import FakeServer, ServedFake

PAGE = 50
MAX_BATCH = 50
#: tasks.task.list answers camelCase but filters by the upper-case names
TASK_FIELDS = {
    "ID": "id",
    "TITLE": "title",
    "RESPONSIBLE_ID": "responsibleId",
    "STATUS": "status",
    "CHANGED_DATE": "changedDate",
    "UF_CRM_TASK": "ufCrmTask",
}


def iso_of(ts: float) -> str:
    return datetime.fromtimestamp(ts, UTC).isoformat(timespec="seconds")


def timestamp_of(value: Any) -> float:
    moment = datetime.fromisoformat(str(value))
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).timestamp()


def parse_query(query: str) -> dict[str, Any]:
    """PHP-style ``a[b][]=1&a[c]=2`` into nested dicts and lists, as Bitrix24 reads them."""
    out: dict[str, Any] = {}
    for key, value in parse_qsl(query, keep_blank_values=True):
        head, _, rest = key.partition("[")
        parts = [head] + ([p.rstrip("]") for p in ("[" + rest).split("[")[1:]] if rest else [])
        node: Any = out
        for i, part in enumerate(parts):
            last = i == len(parts) - 1
            if part == "":
                node.append(value)
                break
            if last:
                node[part] = value
            else:
                nxt = parts[i + 1]
                node = node.setdefault(part, [] if nxt == "" else {})
    return out


class BitrixError(Exception):
    def __init__(self, status: int, code: str, description: str) -> None:
        super().__init__(code)
        self.status, self.code, self.description = status, code, description


class FakeBitrix24(ServedFake):
    def __init__(
        self,
        token: str = "b24hooktoken0000",
        *,
        user_id: int = 1,
        capacity: int = 50,
        drain: float = 2.0,
        operating_budget: float | None = None,
        operating_cost: float = 0.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.token, self.hook_user = token, user_id
        self.capacity, self.drain = capacity, drain
        self.operating_budget, self.operating_cost = operating_budget, operating_cost
        self._operating: dict[str, float] = {}
        #: filtered rows of each list inside one batch (its 50 pages share one filter)
        self._batch_rows: dict[tuple[int, str], list[dict[str, Any]]] | None = None
        self.clock = clock
        self.down = False
        self._level = 0.0
        self._at = time.monotonic()
        self._ids = count(1001)
        self.users: dict[int, dict[str, Any]] = {}
        self.categories: dict[int, dict[str, Any]] = {}
        self.statuses: list[dict[str, Any]] = []
        self.deals: dict[int, dict[str, Any]] = {}
        self.companies: dict[int, dict[str, Any]] = {}
        self.contacts: dict[int, dict[str, Any]] = {}
        self.leads: dict[int, dict[str, Any]] = {}
        self.activities: dict[int, dict[str, Any]] = {}
        self.tasks: dict[int, dict[str, Any]] = {}
        self.comments: list[dict[str, Any]] = []
        #: every request answered: (method, HTTP status)
        self.log: list[tuple[str, int]] = []
        #: a local application's OAuth (what oauth.bitrix.info does for the portal): access tokens live an
        #: hour; a refresh ends the old access token with the old refresh token
        self.oauth = FakeOAuth(clock, ttl=3600, revoke_access_on_refresh=True, redirect_uri_required=False)
        self.member_id = "0123456789abcdef0123456789abcdef"
        self.app = web.Application()
        self.app.router.add_route("*", "/rest/{user}/{token}/{method}", self._handle)
        self.app.router.add_route("*", "/rest/{method}", self._handle)
        self.app.router.add_route("*", "/oauth/token/", self._oauth_token)
        self.oauth.add_control(self.app.router)
        self.server = FakeServer(self.app)
        self._stages(0, ["Новая", "Подготовка документов", "Счёт на предоплату"])

    # ------------------------------------------------------------------ serving

    @property
    def webhook(self) -> str:
        return f"{self.server.url}/rest/{self.hook_user}/{self.token}/"

    @property
    def oauth_server(self) -> str:
        """What stands in for https://oauth.bitrix.info (``/oauth/token/`` is served here)."""
        return self.server.url

    @property
    def client_endpoint(self) -> str:
        return f"{self.server.url}/rest/"

    @property
    def requests(self) -> int:
        return len(self.log)

    @property
    def limited(self) -> int:
        return sum(1 for _, status in self.log if status == 503)

    def now(self) -> str:
        return iso_of(self.clock())

    # ------------------------------------------------------------------ control (as the portal's users)

    def add_user(self, name: str, last_name: str = "", *, active: bool = True) -> int:
        uid = next(self._ids)
        self.users[uid] = {
            "ID": str(uid),
            "NAME": name,
            "LAST_NAME": last_name,
            "EMAIL": f"u{uid}@example.com",
            "ACTIVE": active,
            "USER_TYPE": "employee",
        }
        return uid

    def add_category(self, name: str, stages: list[str]) -> int:
        cid = next(self._ids)
        self.categories[cid] = {"ID": str(cid), "NAME": name, "SORT": 100 * (len(self.categories) + 1)}
        self._stages(cid, stages)
        return cid

    def _stages(self, cid: int, names: list[str]) -> None:
        entity = "DEAL_STAGE" if cid == 0 else f"DEAL_STAGE_{cid}"
        prefix = "" if cid == 0 else f"C{cid}:"
        rows: list[tuple[str, str, str | None]] = [
            (f"{prefix}S{i}" if i else f"{prefix}NEW", n, None) for i, n in enumerate(names)
        ]
        rows += [(f"{prefix}WON", "Сделка успешна", "S"), (f"{prefix}LOSE", "Сделка провалена", "F")]
        for i, (status_id, name, semantics) in enumerate(rows):
            self.statuses.append(
                {
                    "ID": str(next(self._ids)),
                    "ENTITY_ID": entity,
                    "STATUS_ID": status_id,
                    "NAME": name,
                    "SORT": 10 * (i + 1),
                    "CATEGORY_ID": str(cid),
                    "SEMANTICS": semantics,
                    "EXTRA": {"SEMANTICS": {"S": "success", "F": "failure"}.get(semantics or "", "process")},
                }
            )

    def stage_semantic(self, stage_id: str) -> str:
        row = next((s for s in self.statuses if s["STATUS_ID"] == stage_id), None)
        return (row or {}).get("SEMANTICS") or "P"

    def add_company(self, title: str, assigned: int | None = None) -> int:
        cid = next(self._ids)
        self.companies[cid] = {
            "ID": str(cid),
            "TITLE": title,
            "ASSIGNED_BY_ID": str(assigned or ""),
            "DATE_MODIFY": self.now(),
        }
        return cid

    def add_contact(self, name: str, last_name: str = "", assigned: int | None = None) -> int:
        cid = next(self._ids)
        self.contacts[cid] = {
            "ID": str(cid),
            "NAME": name,
            "LAST_NAME": last_name,
            "ASSIGNED_BY_ID": str(assigned or ""),
        }
        return cid

    def add_lead(self, title: str, assigned: int) -> int:
        lid = next(self._ids)
        self.leads[lid] = {"ID": str(lid), "TITLE": title, "ASSIGNED_BY_ID": str(assigned)}
        return lid

    def add_deal(
        self,
        title: str,
        assigned: int,
        *,
        amount: float = 0,
        stage: str = "NEW",
        category: int = 0,
        company: int | None = None,
    ) -> int:
        did = next(self._ids)
        deal: dict[str, Any] = {
            "ID": str(did),
            "TITLE": title,
            "ASSIGNED_BY_ID": str(assigned),
            "CATEGORY_ID": str(category),
            "STAGE_ID": stage,
            "OPPORTUNITY": f"{amount:.2f}",
            "COMPANY_ID": str(company or 0),
            "DATE_MODIFY": self.now(),
        }
        self._deal_stage(deal, stage)
        self.deals[did] = deal
        return did

    def set_deal_stage(self, deal_id: int, stage: str, amount: float | None = None) -> None:
        deal = self.deals[deal_id]
        if amount is not None:
            deal["OPPORTUNITY"] = f"{amount:.2f}"
        self._deal_stage(deal, stage)

    def _deal_stage(self, deal: dict[str, Any], stage: str) -> None:
        semantic = self.stage_semantic(stage)
        deal["STAGE_ID"], deal["STAGE_SEMANTIC_ID"] = stage, semantic
        deal["CLOSED"] = "Y" if semantic in ("S", "F") else "N"
        deal["CLOSEDATE"] = self.now() if semantic in ("S", "F") else ""
        deal["DATE_MODIFY"] = self.now()

    def add_activity(
        self,
        subject: str,
        responsible: int,
        *,
        owner_type: int = 2,
        owner_id: int,
        deadline: float | None = None,
    ) -> int:
        aid = next(self._ids)
        self.activities[aid] = {
            "ID": str(aid),
            "OWNER_TYPE_ID": str(owner_type),
            "OWNER_ID": str(owner_id),
            "TYPE_ID": "6",
            "PROVIDER_ID": "CRM_TODO",
            "SUBJECT": subject,
            "DESCRIPTION": "",
            "RESPONSIBLE_ID": str(responsible),
            "DEADLINE": iso_of(deadline if deadline is not None else self.clock() + 3600),
            "COMPLETED": "N",
            "LAST_UPDATED": self.now(),
            "RESULT_TEXT": "",
        }
        return aid

    def complete_activity(self, aid: int, result: str = "") -> None:
        self.activities[aid].update(COMPLETED="Y", RESULT_TEXT=result, LAST_UPDATED=self.now())

    def move_activity(self, aid: int, deadline: float) -> None:
        self.activities[aid].update(DEADLINE=iso_of(deadline), LAST_UPDATED=self.now())

    def add_task(
        self, title: str, responsible: int, *, bindings: list[str], deadline: float | None = None
    ) -> int:
        tid = next(self._ids)
        self.tasks[tid] = {
            "id": str(tid),
            "title": title,
            "responsibleId": str(responsible),
            "deadline": iso_of(deadline if deadline is not None else self.clock() + 3600),
            "status": "2",
            "changedDate": self.now(),
            "ufCrmTask": bindings,
        }
        return tid

    def event_form(self, event: str, ident: int, application_token: str) -> bytes:
        """An outbound event as Bitrix24 posts it to a handler (a form with ``auth[application_token]``)."""
        from urllib.parse import urlencode

        pairs = [
            ("event", event),
            ("event_handler_id", "7"),
            ("data[FIELDS][ID]", str(ident)),
            ("ts", str(int(self.clock()))),
            ("auth[domain]", "fake.bitrix24.ru"),
            ("auth[client_endpoint]", "https://fake.bitrix24.ru/rest/"),
            ("auth[member_id]", "0123456789abcdef"),
            ("auth[application_token]", application_token),
        ]
        return urlencode(pairs).encode()

    # ------------------------------------------------------------------ the API

    async def _handle(self, request: web.Request) -> web.Response:
        method = request.match_info["method"].removesuffix(".json")
        try:
            if self.down:
                raise BitrixError(503, "SERVICE_UNAVAILABLE", "Service temporarily unavailable")
            params = await self._params(request)
            self._authorise(request, params)
            self._bucket()
            start = time.monotonic()
            result = self._batch(params) if method == "batch" else self._call(method, params)
        except BitrixError as exc:
            self.log.append((method, exc.status))
            return web.json_response(
                {"error": exc.code, "error_description": exc.description}, status=exc.status
            )
        body = {
            **result,
            "time": {"start": start, "finish": time.monotonic(), "duration": time.monotonic() - start},
        }
        self.log.append((method, 200))
        return web.json_response(body)

    def _authorise(self, request: web.Request, params: dict[str, Any]) -> None:
        """The webhook's user and token in the path, or an application's ``auth`` parameter."""
        if "token" in request.match_info:
            if request.match_info["token"] != self.token or request.match_info["user"] != str(self.hook_user):
                raise BitrixError(401, "INVALID_CREDENTIALS", "Invalid request credentials")
            return
        access = self.oauth.check(str(params.pop("auth", "") or ""))
        if access is Access.EXPIRED:
            raise BitrixError(401, "expired_token", "The access token provided has expired.")
        if access is not Access.OK:
            raise BitrixError(401, "invalid_token", "The access token provided is invalid.")

    async def _oauth_token(self, request: web.Request) -> web.Response:
        """``/oauth/token/?grant_type=…&client_id=…&client_secret=…&code=…|refresh_token=…`` as
        oauth.bitrix.info answers it; a refusal is ``{"error", "error_description"}``."""
        params = parse_query(request.query_string)
        if request.can_read_body:
            params.update(parse_query((await request.read()).decode()))
        try:
            issued = await self.oauth.grant(params)
        except Refusal as exc:
            status = 401 if exc.code == "invalid_client" else 400
            return web.json_response({"error": exc.code, "error_description": exc.description}, status=status)
        return web.json_response(
            {
                "access_token": issued.access_token,
                "expires": issued.expires,
                "expires_in": issued.expires_in,
                "scope": "app",
                "domain": "oauth.bitrix.info",
                "server_endpoint": f"{self.server.url}/rest/",
                "status": "L",
                "client_endpoint": self.client_endpoint,
                "member_id": self.member_id,
                "user_id": self.hook_user,
                "refresh_token": issued.refresh_token,
            }
        )

    def _bucket(self) -> None:
        now = time.monotonic()
        self._level = max(0.0, self._level - (now - self._at) * self.drain)
        self._at = now
        if self._level + 1 > self.capacity:
            raise BitrixError(503, "QUERY_LIMIT_EXCEEDED", "Too many requests")
        self._level += 1

    async def _params(self, request: web.Request) -> dict[str, Any]:
        params: dict[str, Any] = parse_query(request.query_string)
        if request.can_read_body:
            raw = await request.read()
            if request.content_type == "application/json":
                try:
                    body = json.loads(raw or b"{}")
                except ValueError:
                    raise BitrixError(400, "INVALID_REQUEST", "Invalid JSON") from None
                if not isinstance(body, dict):
                    raise BitrixError(400, "INVALID_REQUEST", "Expected an object")
                params.update(body)
            else:
                params.update(parse_query(raw.decode()))
        return params

    def _batch(self, params: dict[str, Any]) -> dict[str, Any]:
        cmd = params.get("cmd") or {}
        if not isinstance(cmd, dict) or len(cmd) > MAX_BATCH:
            raise BitrixError(400, "ERROR_BATCH_LENGTH_EXCEEDED", "Max batch length exceeded")
        self._batch_rows = {}
        try:
            return self._run_batch(cmd)
        finally:
            self._batch_rows = None

    def _run_batch(self, cmd: dict[str, Any]) -> dict[str, Any]:
        results: dict[str, Any] = {}
        errors: dict[str, Any] = {}
        totals: dict[str, Any] = {}
        nexts: dict[str, Any] = {}
        for key, line in cmd.items():
            method, _, query = str(line).partition("?")
            try:
                answer = self._call(method, parse_query(query))
            except BitrixError as exc:
                if exc.code in ("OPERATION_TIME_LIMIT",):
                    raise
                errors[key] = {"error": exc.code, "error_description": exc.description}
                continue
            results[key] = answer["result"]
            if "total" in answer:
                totals[key] = answer["total"]
            if "next" in answer:
                nexts[key] = answer["next"]
        return {
            "result": {
                "result": results,
                "result_error": errors,
                "result_total": totals,
                "result_next": nexts,
                "result_time": {},
            }
        }

    def _call(self, method: str, p: dict[str, Any]) -> dict[str, Any]:
        if self.operating_budget is not None:
            used = self._operating.get(method, 0.0) + self.operating_cost
            if used > self.operating_budget:
                raise BitrixError(
                    503, "OPERATION_TIME_LIMIT", "Method is blocked due to operation time limit."
                )
            self._operating[method] = used
        handler = getattr(self, "_m_" + method.replace(".", "_"), None)
        if handler is None:
            raise BitrixError(404, "ERROR_METHOD_NOT_FOUND", "Method not found!")
        result: dict[str, Any] = handler(p)
        return result

    # lists ------------------------------------------------------------

    @staticmethod
    def _page(rows: list[dict[str, Any]], p: dict[str, Any], key: str | None = None) -> dict[str, Any]:
        try:
            start = int(p.get("start") or 0)
        except ValueError:
            raise BitrixError(400, "INVALID_ARG_VALUE", "start must be a number") from None
        chunk = rows[start : start + PAGE]
        out: dict[str, Any] = {"result": {key: chunk} if key else chunk, "total": len(rows)}
        if start + PAGE < len(rows):
            out["next"] = start + PAGE
        return out

    @staticmethod
    def _match(row: dict[str, Any], flt: dict[str, Any]) -> bool:
        for key, want in (flt or {}).items():
            field = key.lstrip("<>=!@")
            op = key[: len(key) - len(field)]
            have = row.get(field, row.get(TASK_FIELDS.get(field, field)))
            if field == "UF_CRM_TASK" and op == "!" and want in ("", None, False, "N"):
                if not have:
                    return False
                continue
            values = {str(v) for v in (want if isinstance(want, list) else [want])}
            if op == ">=":
                if not have or timestamp_of(have) < timestamp_of(want):
                    return False
            elif op == "!":
                if str(have) in values:
                    return False
            elif str(have) not in values:  # "=", "@" (in a list) and no prefix
                return False
        return True

    def _list(
        self, rows: dict[int, dict[str, Any]], p: dict[str, Any], key: str | None = None
    ) -> dict[str, Any]:
        flt = p.get("filter") or p.get("FILTER") or {}
        memo = (id(rows), json.dumps(flt, sort_keys=True))
        found = self._batch_rows.get(memo) if self._batch_rows is not None else None
        if found is None:
            found = [r for _, r in sorted(rows.items()) if self._match(r, flt)]
            if self._batch_rows is not None:
                self._batch_rows[memo] = found
        for field, way in reversed(list((p.get("order") or {}).items())):
            if field.upper() != "ID":  # by ID is how they are kept
                found = sorted(
                    found,
                    key=lambda r: str(
                        r.get(field)
                        or r.get(TASK_FIELDS.get(field.upper(), field))
                        or r.get(field.lower())
                        or ""
                    ),
                    reverse=str(way).upper() == "DESC",
                )
        return self._page(found, p, key)

    def _m_profile(self, p: dict[str, Any]) -> dict[str, Any]:
        return {"result": {"ID": str(self.hook_user), "ADMIN": True, "NAME": "Admin"}}

    def _m_user_get(self, p: dict[str, Any]) -> dict[str, Any]:
        return self._list(self.users, p)

    def _m_crm_dealcategory_default_get(self, p: dict[str, Any]) -> dict[str, Any]:
        return {"result": {"ID": 0, "NAME": "Общая"}}

    def _m_crm_dealcategory_list(self, p: dict[str, Any]) -> dict[str, Any]:
        return self._page(list(self.categories.values()), p)

    def _m_crm_status_list(self, p: dict[str, Any]) -> dict[str, Any]:
        flt = p.get("filter") or {}
        rows = [s for s in self.statuses if self._match(s, flt)]
        return {"result": rows, "total": len(rows)}

    def _m_crm_deal_list(self, p: dict[str, Any]) -> dict[str, Any]:
        return self._list(self.deals, p)

    def _m_crm_company_list(self, p: dict[str, Any]) -> dict[str, Any]:
        return self._list(self.companies, p)

    def _m_crm_contact_list(self, p: dict[str, Any]) -> dict[str, Any]:
        return self._list(self.contacts, p)

    def _m_crm_lead_list(self, p: dict[str, Any]) -> dict[str, Any]:
        return self._list(self.leads, p)

    def _m_crm_activity_list(self, p: dict[str, Any]) -> dict[str, Any]:
        return self._list(self.activities, p)

    def _m_tasks_task_list(self, p: dict[str, Any]) -> dict[str, Any]:
        return self._list(self.tasks, p, key="tasks")

    # reads of one and writes ---------------------------------------------

    def _one(self, rows: dict[int, dict[str, Any]], value: Any) -> dict[str, Any]:
        try:
            row = rows.get(int(value))
        except (TypeError, ValueError):
            row = None
        if row is None:
            raise BitrixError(400, "ERROR_CORE", "Not found")
        return row

    def _m_crm_deal_get(self, p: dict[str, Any]) -> dict[str, Any]:
        return {"result": self._one(self.deals, p.get("id"))}

    def _m_crm_deal_update(self, p: dict[str, Any]) -> dict[str, Any]:
        deal = self._one(self.deals, p.get("id"))
        fields = p.get("fields") or {}
        if "OPPORTUNITY" in fields:
            deal["OPPORTUNITY"] = f"{float(fields['OPPORTUNITY']):.2f}"
        if "STAGE_ID" in fields:
            if not any(s["STATUS_ID"] == fields["STAGE_ID"] for s in self.statuses):
                raise BitrixError(400, "ERROR_CORE", "Stage not found")
            self._deal_stage(deal, str(fields["STAGE_ID"]))
        deal["DATE_MODIFY"] = self.now()
        return {"result": True}

    def _m_crm_activity_update(self, p: dict[str, Any]) -> dict[str, Any]:
        activity = self._one(self.activities, p.get("id"))
        fields = p.get("fields") or {}
        for key in ("COMPLETED", "RESULT_TEXT", "DEADLINE", "RESPONSIBLE_ID", "SUBJECT"):
            if key in fields:
                activity[key] = str(fields[key]) if key != "DEADLINE" else iso_of(timestamp_of(fields[key]))
        activity["LAST_UPDATED"] = self.now()
        return {"result": True}

    def _m_crm_activity_todo_add(self, p: dict[str, Any]) -> dict[str, Any]:
        if not p.get("ownerId") or not p.get("deadline"):
            raise BitrixError(400, "ERROR_CORE", "ownerTypeId, ownerId and deadline are required")
        aid = self.add_activity(
            str(p.get("title") or p.get("description") or ""),
            int(p.get("responsibleId") or self.hook_user),
            owner_type=int(p.get("ownerTypeId") or 2),
            owner_id=int(p["ownerId"]),
            deadline=timestamp_of(p["deadline"]),
        )
        return {"result": {"id": aid}}

    def _m_crm_timeline_comment_add(self, p: dict[str, Any]) -> dict[str, Any]:
        fields = p.get("fields") or {}
        if not fields.get("ENTITY_ID") or not fields.get("COMMENT"):
            raise BitrixError(400, "ERROR_CORE", "ENTITY_ID and COMMENT are required")
        self.comments.append(dict(fields))
        return {"result": next(self._ids)}

    def _m_tasks_task_add(self, p: dict[str, Any]) -> dict[str, Any]:
        fields = p.get("fields") or {}
        tid = self.add_task(
            str(fields.get("TITLE") or ""),
            int(fields.get("RESPONSIBLE_ID") or self.hook_user),
            bindings=list(fields.get("UF_CRM_TASK") or []),
            deadline=timestamp_of(fields["DEADLINE"]) if fields.get("DEADLINE") else None,
        )
        return {"result": {"task": self.tasks[tid]}}

    def _m_tasks_task_update(self, p: dict[str, Any]) -> dict[str, Any]:
        task = self._one(self.tasks, p.get("taskId"))
        fields = p.get("fields") or {}
        if "DEADLINE" in fields:
            task["deadline"] = iso_of(timestamp_of(fields["DEADLINE"]))
        if "RESPONSIBLE_ID" in fields:
            task["responsibleId"] = str(fields["RESPONSIBLE_ID"])
        if "TITLE" in fields:
            task["title"] = str(fields["TITLE"])
        task["changedDate"] = self.now()
        return {"result": {"task": task}}

    def _m_tasks_task_complete(self, p: dict[str, Any]) -> dict[str, Any]:
        task = self._one(self.tasks, p.get("taskId"))
        task["status"], task["changedDate"] = "5", self.now()
        return {"result": {"task": task}}

    def _m_task_commentitem_add(self, p: dict[str, Any]) -> dict[str, Any]:
        self._one(self.tasks, p.get("TASKID"))
        self.comments.append({"TASKID": str(p.get("TASKID")), **(p.get("FIELDS") or {})})
        return {"result": next(self._ids)}
