"""Bitrix24 REST over an inbound webhook or a local application's OAuth: a small typed client over aiohttp.

Why our own: the official SDK (``b24pysdk``) is synchronous (each call would hold a thread), and
``fast-bitrix24``'s async client throttles and batches inside each instance, so the sync and the
write-back could not share one limiter per portal, and it draws progress bars. What this uses, each as
Bitrix24 documents it:

- the webhook ``https://<portal>/rest/<user>/<token>/`` is the secret; a call is ``POST <webhook><method>``
  with a JSON body; with OAuth (``crm/oauth.py``) it is ``POST <client_endpoint><method>?auth=<access>``;
  the answer is ``{"result", "next", "total", "time"}``; lists give 50 a page and take
  ``start``; errors are ``{"error", "error_description"}``;
- ``batch`` of up to 50 calls in one request (``cmd`` as query strings; ``result.result``,
  ``result_next``, ``result_total``, ``result_error``), which counts once against the limit;
- ``user.get``; ``crm.dealcategory.list`` and ``crm.status.list`` (deal stages with ``SEMANTICS`` S won, F
  lost); ``crm.deal.list`` with ``STAGE_SEMANTIC_ID``; ``crm.activity.list`` (open "дела", to-dos
  included) and ``tasks.task.list`` bound to CRM entities (``UF_CRM_TASK``); ``crm.company.list``,
  ``crm.contact.list``, ``crm.lead.list``;
- writes: ``crm.activity.update``, ``crm.activity.todo.add``, ``crm.timeline.comment.add``,
  ``tasks.task.complete``/``update``/``add``, ``task.commentitem.add``, ``crm.deal.update``.

Limits: a leaky bucket of 50 requests draining 2 a second (``LeakyBucket(50, 2)``), past it 503
``QUERY_LIMIT_EXCEEDED``; the per-method operating-time limit, 503 ``OPERATION_TIME_LIMIT``; both retried
with backoff, as are timeouts and 5xx. ``expired_token`` (401) is an OAuth access token past its hour
(``CrmTokenExpired``: refreshed, tried once more); ``invalid_token``, ``INVALID_CREDENTIALS`` and
``NO_AUTH_FOUND`` (401) mean the secret is wrong or revoked.

Task ids: an activity is ``a<ID>``, a task ``t<ID>``, so one string says which API to write back to.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode, urlsplit

import aiohttp

from crm.base import (
    AccountSummary,
    CrmAuthError,
    CrmCompany,
    CrmDeal,
    CrmError,
    CrmTask,
    CrmTokenExpired,
    CrmUser,
    EntityKind,
    EntityRef,
    Pipeline,
    ProviderKind,
    Semantic,
    Stage,
)
from crm.client import CrmClient
from crm.http import Retry, Transport
from crm.limiter import LeakyBucket, Limiter, shared
from crm.oauth import Auth

BUCKET, DRAIN = 50, 2.0
PAGE = 50
BATCH = 50
AUTH_ERRORS = {"expired_token", "invalid_token", "invalid_credentials", "no_auth_found", "wrong_auth_type"}
LIMIT_ERRORS = {"query_limit_exceeded", "operation_time_limit"}

OWNER_TYPES: dict[int, EntityKind] = {
    1: EntityKind.LEAD,
    2: EntityKind.DEAL,
    3: EntityKind.CONTACT,
    4: EntityKind.COMPANY,
}
OWNER_TYPE_IDS = {kind: n for n, kind in OWNER_TYPES.items()}
UF_PREFIXES = {"L": EntityKind.LEAD, "D": EntityKind.DEAL, "C": EntityKind.CONTACT, "CO": EntityKind.COMPANY}
TASK_SELECT = ("ID", "TITLE", "RESPONSIBLE_ID", "DEADLINE", "STATUS", "CHANGED_DATE", "UF_CRM_TASK")
ACTIVITY_FIELDS = (
    "ID",
    "OWNER_TYPE_ID",
    "OWNER_ID",
    "SUBJECT",
    "RESPONSIBLE_ID",
    "DEADLINE",
    "COMPLETED",
    "LAST_UPDATED",
    "RESULT_TEXT",
)
DEAL_FIELDS = (
    "ID",
    "TITLE",
    "ASSIGNED_BY_ID",
    "CATEGORY_ID",
    "STAGE_ID",
    "STAGE_SEMANTIC_ID",
    "OPPORTUNITY",
    "CLOSEDATE",
    "CLOSED",
    "DATE_MODIFY",
    "COMPANY_ID",
)
TASK_COMPLETED = {"4", "5"}  # tasks.task STATUS: 4 awaiting control, 5 completed


def webhook_url(url: str) -> str:
    """The inbound webhook with its trailing slash; anything else is refused."""
    value = url.strip()
    parts = urlsplit(value)
    path = [p for p in parts.path.split("/") if p]
    if parts.scheme not in ("https", "http") or not parts.netloc or len(path) < 3 or path[-3] != "rest":
        raise ValueError("expected https://<portal>/rest/<user>/<token>/")
    return f"{parts.scheme}://{parts.netloc}/{'/'.join(path)}/"


def rest_endpoint(url: str) -> str:
    """An OAuth application's ``client_endpoint``: the portal's ``/rest/`` with its trailing slash."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("https", "http") or not parts.netloc:
        raise ValueError("expected https://<portal>/rest/")
    return f"{parts.scheme}://{parts.netloc}/rest/"


def portal_of(url: str) -> str:
    """What may be shown of a webhook: the portal's address, without the user and token."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def portal_limiter(url: str) -> Limiter:
    return shared(f"bitrix24:{urlsplit(url).netloc}", lambda: LeakyBucket(BUCKET, DRAIN))


def _dt(value: Any) -> datetime:
    if not value:
        return datetime.fromtimestamp(0, UTC)
    moment = datetime.fromisoformat(str(value))
    return moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds")


def _query(params: dict[str, Any]) -> str:
    """A batch command's parameters as PHP-style query keys (``filter[>=DATE_MODIFY]=…``, ``select[]=…``)."""
    pairs: list[tuple[str, str]] = []

    def walk(prefix: str, value: Any) -> None:
        if isinstance(value, dict):
            for k, v in value.items():
                walk(f"{prefix}[{k}]" if prefix else str(k), v)
        elif isinstance(value, list | tuple):
            for v in value:
                walk(f"{prefix}[]", v)
        elif isinstance(value, bool):
            pairs.append((prefix, "Y" if value else "N"))
        else:
            pairs.append((prefix, str(value)))

    walk("", params)
    return urlencode(pairs)


class Bitrix24(CrmClient):
    kind = ProviderKind.BITRIX24

    def __init__(
        self,
        url: str,
        auth: Auth | None = None,
        *,
        limiter: Limiter | None = None,
        transport: Transport | None = None,
    ) -> None:
        """``url``: the inbound webhook (``auth`` None: the URL is the secret), or with an OAuth ``auth``
        the portal's ``client_endpoint`` (``https://<portal>/rest/``), each call carrying ``?auth=``."""
        self._hook = webhook_url(url) if auth is None else rest_endpoint(url)
        self._oauth = auth is not None
        self.portal = portal_of(self._hook)
        super().__init__(auth or "", transport or Transport(limiter or portal_limiter(self._hook)))

    # ------------------------------------------------------------------ HTTP

    async def call(self, method: str, params: dict[str, Any] | None = None) -> dict[str, Any]:
        """One method; the whole answer (``result``, ``next``, ``total``)."""

        async def attempt(token: str, session: aiohttp.ClientSession) -> dict[str, Any]:
            query = {"auth": token} if self._oauth else None
            async with session.post(f"{self._hook}{method}", params=query, json=params or {}) as r:
                try:
                    body = await r.json(content_type=None)
                except ValueError:
                    body = None
                if not isinstance(body, dict):
                    if r.status >= 500:
                        raise Retry(f"{r.status}")
                    raise CrmError(f"{method}: HTTP {r.status}", status=r.status)
                error = str(body.get("error") or "").lower()
                detail = f"{body.get('error')}: {body.get('error_description') or ''}".strip(": ")
                if error in LIMIT_ERRORS:
                    raise Retry(detail, limited=True)
                if error == "expired_token":
                    raise CrmTokenExpired(detail, status=401)
                if r.status == 401 or error in AUTH_ERRORS:
                    raise CrmAuthError(detail or "the webhook is wrong or revoked", status=401)
                if r.status >= 500:
                    raise Retry(f"{r.status} {detail}")
                if error or r.status >= 400:
                    raise CrmError(f"{method}: {detail or r.status}", status=r.status)
                return body

        return await self.send(method, attempt)

    async def batch(self, commands: dict[str, tuple[str, dict[str, Any]]]) -> dict[str, Any]:
        """Up to 50 calls in one request; ``result`` holds ``result``, ``result_next``, ``result_total``."""
        if len(commands) > BATCH:
            raise ValueError("at most 50 commands in a batch")
        cmd = {key: f"{method}?{_query(params)}" for key, (method, params) in commands.items()}
        body = await self.call("batch", {"halt": 0, "cmd": cmd})
        result: dict[str, Any] = body.get("result") or {}
        errors = result.get("result_error") or {}
        if errors:
            first = next(iter(errors.values()))
            detail = first.get("error_description") if isinstance(first, dict) else first
            raise CrmError(f"batch: {detail}")
        return result

    async def _list(
        self, method: str, params: dict[str, Any], key: str | None = None
    ) -> AsyncIterator[list[dict[str, Any]]]:
        """Every page of a list: the first page alone (it gives ``total``), then the rest 50 pages to
        a ``batch``. ``key``: the list inside ``result`` (``tasks.task.list`` answers ``{"tasks": […]}``)."""
        first = await self.call(method, {**params, "start": 0})
        yield _items(first.get("result"), key)
        total, nxt = int(first.get("total") or 0), first.get("next")
        if nxt is None:
            return
        starts = list(range(int(nxt), total, PAGE))
        for i in range(0, len(starts), BATCH):
            chunk = starts[i : i + BATCH]
            result = await self.batch({f"p{s}": (method, {**params, "start": s}) for s in chunk})
            pages = result.get("result") or {}
            items: list[dict[str, Any]] = []
            for s in chunk:
                items.extend(_items(pages.get(f"p{s}"), key))
            yield items

    # ------------------------------------------------------------------ reads

    async def users(self) -> list[CrmUser]:
        users: list[CrmUser] = []
        async for page in self._list("user.get", {"FILTER": {"USER_TYPE": "employee"}}):
            for u in page:
                name = " ".join(x for x in (u.get("NAME"), u.get("LAST_NAME")) if x)
                users.append(
                    CrmUser(
                        id=str(u["ID"]), name=name, email=u.get("EMAIL"), active=bool(u.get("ACTIVE", True))
                    )
                )
        return users

    async def pipelines(self) -> list[Pipeline]:
        result = await self.batch(
            {
                "default": ("crm.dealcategory.default.get", {}),
                "categories": ("crm.dealcategory.list", {"order": {"SORT": "ASC"}}),
                "stages": ("crm.status.list", {"order": {"SORT": "ASC"}}),
            }
        )
        got = result.get("result") or {}
        default = got.get("default") or {}
        categories = [(0, str(default.get("NAME") or "—"))]
        categories += [(int(c["ID"]), str(c.get("NAME") or "")) for c in got.get("categories") or []]
        stages: dict[int, list[Stage]] = {cid: [] for cid, _ in categories}
        for s in got.get("stages") or []:
            entity = str(s.get("ENTITY_ID") or "")
            if entity == "DEAL_STAGE":
                cid = 0
            elif entity.startswith("DEAL_STAGE_"):
                cid = int(entity.removeprefix("DEAL_STAGE_"))
            else:
                continue
            semantics = str(s.get("SEMANTICS") or (s.get("EXTRA") or {}).get("SEMANTICS") or "")
            stages.setdefault(cid, []).append(
                Stage(
                    id=str(s["STATUS_ID"]),
                    pipeline_id=str(cid),
                    name=str(s.get("NAME") or ""),
                    semantic=_semantic(semantics),
                    sort=int(s.get("SORT") or 0),
                )
            )
        return [
            Pipeline(id=str(cid), name=name, stages=tuple(stages.get(cid, []))) for cid, name in categories
        ]

    async def tasks(self, updated_since: datetime | None, *, open_only: bool) -> AsyncIterator[list[CrmTask]]:
        activity_filter: dict[str, Any] = {}
        task_filter: dict[str, Any] = {"!UF_CRM_TASK": ""}
        if open_only:
            activity_filter["COMPLETED"] = "N"
            task_filter["!STATUS"] = sorted(TASK_COMPLETED)
        if updated_since is not None:
            activity_filter[">=LAST_UPDATED"] = _iso(updated_since)
            task_filter[">=CHANGED_DATE"] = _iso(updated_since)
        activities = {
            "filter": activity_filter,
            "order": {"ID": "ASC"},
            "select": ACTIVITY_FIELDS,
        }
        async for page in self._list("crm.activity.list", activities):
            yield [_activity(a) for a in page]
        tasks = {
            "filter": task_filter,
            "order": {"ID": "ASC"},
            "select": TASK_SELECT,
        }
        async for page in self._list("tasks.task.list", tasks, key="tasks"):
            yield [_task(t) for t in page]

    async def tasks_by_id(self, ids: Sequence[str]) -> list[CrmTask]:
        """Activities (``a…``) and CRM-bound tasks (``t…``) by id, a page of 50 ids at a time."""
        found: list[CrmTask] = []
        unique = list(dict.fromkeys(ids))
        activities = [i[1:] for i in unique if i.startswith("a") and i[1:].isdigit()]
        tasks = [i[1:] for i in unique if i.startswith("t") and i[1:].isdigit()]
        for i in range(0, len(activities), PAGE):
            params = {"filter": {"@ID": activities[i : i + PAGE]}, "select": ACTIVITY_FIELDS}
            async for page in self._list("crm.activity.list", params):
                found.extend(_activity(a) for a in page)
        for i in range(0, len(tasks), PAGE):
            params = {"filter": {"@ID": tasks[i : i + PAGE]}, "select": TASK_SELECT}
            async for page in self._list("tasks.task.list", params, key="tasks"):
                found.extend(_task(t) for t in page)
        return found

    async def open_tasks_of(self, user_id: str, first: int) -> tuple[int, bool, list[CrmTask]]:
        """The first page of the user's open activities and of their open CRM tasks, soonest first, in
        one ``batch``: each list's ``total`` is the exact count."""
        result = await self.batch(
            {
                "a": (
                    "crm.activity.list",
                    {
                        "filter": {"COMPLETED": "N", "RESPONSIBLE_ID": user_id},
                        "order": {"DEADLINE": "ASC"},
                        "select": ACTIVITY_FIELDS,
                    },
                ),
                "t": (
                    "tasks.task.list",
                    {
                        "filter": {
                            "!UF_CRM_TASK": "",
                            "!STATUS": sorted(TASK_COMPLETED),
                            "RESPONSIBLE_ID": user_id,
                        },
                        "order": {"DEADLINE": "ASC"},
                        "select": TASK_SELECT,
                    },
                ),
            }
        )
        pages = result.get("result") or {}
        totals = result.get("result_total") or {}
        tasks = [_activity(a) for a in _items(pages.get("a"), None)]
        tasks += [_task(t) for t in _items(pages.get("t"), "tasks")]
        count = sum(int(totals.get(key) or 0) for key in ("a", "t")) or len(tasks)
        return count, False, sorted(tasks, key=lambda task: (task.due, task.id))[:first]

    async def deals(self, updated_since: datetime | None) -> AsyncIterator[list[CrmDeal]]:
        flt: dict[str, Any] = {}
        if updated_since is not None:
            flt[">=DATE_MODIFY"] = _iso(updated_since)
        async for page in self._list("crm.deal.list", _deal_params(flt)):
            yield [_deal(d) for d in page]

    async def deals_by_id(self, ids: Sequence[str]) -> list[CrmDeal]:
        found: list[CrmDeal] = []
        unique = list(dict.fromkeys(ids))
        for i in range(0, len(unique), PAGE):
            async for page in self._list("crm.deal.list", _deal_params({"@ID": unique[i : i + PAGE]})):
                found.extend(_deal(d) for d in page)
        return found

    async def companies(self, refs: Sequence[EntityRef]) -> list[CrmCompany]:
        found: list[CrmCompany] = []
        sources = (
            (EntityKind.COMPANY, "crm.company.list", ["ID", "TITLE", "ASSIGNED_BY_ID"]),
            (EntityKind.CONTACT, "crm.contact.list", ["ID", "NAME", "LAST_NAME", "ASSIGNED_BY_ID"]),
            (EntityKind.LEAD, "crm.lead.list", ["ID", "TITLE", "ASSIGNED_BY_ID"]),
        )
        for kind, method, select in sources:
            ids = list(dict.fromkeys(r.id for r in refs if r.kind is kind))
            for i in range(0, len(ids), PAGE):
                params = {"filter": {"@ID": ids[i : i + PAGE]}, "select": select}
                async for page in self._list(method, params):
                    for row in page:
                        name = row.get("TITLE") or " ".join(
                            x for x in (row.get("NAME"), row.get("LAST_NAME")) if x
                        )
                        found.append(
                            CrmCompany(
                                EntityRef(kind, str(row["ID"])),
                                str(name or ""),
                                _opt(row.get("ASSIGNED_BY_ID")),
                            )
                        )
        return found

    async def summary(self) -> AccountSummary:
        result = await self.batch(
            {
                "profile": ("profile", {}),
                "users": ("user.get", {"FILTER": {"USER_TYPE": "employee"}}),
                "activities": ("crm.activity.list", {"filter": {"COMPLETED": "N"}, "select": ["ID"]}),
                "tasks": (
                    "tasks.task.list",
                    {"filter": {"!UF_CRM_TASK": "", "!STATUS": sorted(TASK_COMPLETED)}, "select": ["ID"]},
                ),
            }
        )
        totals = result.get("result_total") or {}
        pipelines = await self.pipelines()
        return AccountSummary(
            account_id=urlsplit(self.portal).netloc,
            name=urlsplit(self.portal).netloc,
            users=int(totals.get("users") or 0),
            pipelines=len(pipelines),
            open_tasks=int(totals.get("activities") or 0) + int(totals.get("tasks") or 0),
        )

    # ------------------------------------------------------------------ writes

    async def complete_task(self, task_id: str, result: str) -> None:
        kind, n = _split(task_id)
        if kind == "t":
            commands: dict[str, tuple[str, dict[str, Any]]] = {"done": ("tasks.task.complete", {"taskId": n})}
            if result:
                commands["comment"] = (
                    "task.commentitem.add",
                    {"TASKID": n, "FIELDS": {"POST_MESSAGE": result}},
                )
            await self.batch(commands)
            return
        fields: dict[str, Any] = {"COMPLETED": "Y"}
        if result:
            fields["RESULT_TEXT"] = result
        await self.call("crm.activity.update", {"id": n, "fields": fields})

    async def _update_task(self, task_id: str, fields: dict[str, Any], activity: dict[str, Any]) -> None:
        """A task (``t…``) gets ``fields``, a CRM activity (``a…``) ``activity``: their field names differ."""
        kind, n = _split(task_id)
        if kind == "t":
            await self.call("tasks.task.update", {"taskId": n, "fields": fields})
        else:
            await self.call("crm.activity.update", {"id": n, "fields": activity})

    async def move_task(self, task_id: str, due: datetime) -> None:
        fields = {"DEADLINE": _iso(due)}
        await self._update_task(task_id, fields, fields)

    async def set_responsible(self, task_id: str, user_id: str) -> None:
        fields = {"RESPONSIBLE_ID": int(user_id)}
        await self._update_task(task_id, fields, fields)

    async def set_task_text(self, task_id: str, text: str) -> None:
        await self._update_task(task_id, {"TITLE": text}, {"SUBJECT": text})

    async def add_note(self, entity: EntityRef, text: str) -> None:
        fields: dict[str, Any] = {
            "ENTITY_ID": int(entity.id),
            "ENTITY_TYPE": entity.kind.value,
            "COMMENT": text,
        }
        await self.call("crm.timeline.comment.add", {"fields": fields})

    async def create_task(
        self, entity: EntityRef | None, responsible_id: str, text: str, due: datetime
    ) -> str:
        if entity is None:
            fields: dict[str, Any] = {
                "TITLE": text,
                "RESPONSIBLE_ID": int(responsible_id),
                "DEADLINE": _iso(due),
            }
            body = await self.call("tasks.task.add", {"fields": fields})
            task = (body.get("result") or {}).get("task") or {}
            return f"t{task['id']}"
        body = await self.call(
            "crm.activity.todo.add",
            {
                "ownerTypeId": OWNER_TYPE_IDS[entity.kind],
                "ownerId": int(entity.id),
                "deadline": _iso(due),
                "description": text,
                "responsibleId": int(responsible_id),
            },
        )
        return f"a{(body.get('result') or {})['id']}"

    async def win_deal(self, deal_id: str, amount: Decimal) -> None:
        body = await self.call("crm.deal.get", {"id": int(deal_id)})
        category = int((body.get("result") or {}).get("CATEGORY_ID") or 0)
        stage = "WON" if category == 0 else f"C{category}:WON"
        await self.call(
            "crm.deal.update", {"id": int(deal_id), "fields": {"STAGE_ID": stage, "OPPORTUNITY": str(amount)}}
        )

    async def set_deal_price(self, deal_id: str, amount: Decimal) -> None:
        await self.call("crm.deal.update", {"id": int(deal_id), "fields": {"OPPORTUNITY": str(amount)}})

    async def move_deal(self, deal_id: str, pipeline_id: str, stage_id: str) -> None:
        await self.call("crm.deal.update", {"id": int(deal_id), "fields": {"STAGE_ID": stage_id}})


def _items(result: Any, key: str | None) -> list[dict[str, Any]]:
    if key is not None and isinstance(result, dict):
        result = result.get(key)
    return [x for x in result or [] if isinstance(x, dict)]


def _semantic(code: str) -> Semantic:
    code = code.lower()
    if code in ("s", "success"):
        return Semantic.WON
    if code in ("f", "failure"):
        return Semantic.LOST
    return Semantic.OPEN


def _opt(value: Any) -> str | None:
    return None if value in (None, "", 0, "0") else str(value)


def _split(task_id: str) -> tuple[str, int]:
    kind, n = task_id[:1], task_id[1:]
    if kind not in ("a", "t") or not n.isdigit():
        raise CrmError(f"not a Bitrix24 task id: {task_id}")
    return kind, int(n)


def _deal_params(flt: dict[str, Any]) -> dict[str, Any]:
    return {
        "filter": flt,
        "order": {"ID": "ASC"},
        "select": DEAL_FIELDS,
    }


def _activity(a: dict[str, Any]) -> CrmTask:
    kind = OWNER_TYPES.get(int(a.get("OWNER_TYPE_ID") or 0))
    owner = _opt(a.get("OWNER_ID"))
    return CrmTask(
        id=f"a{a['ID']}",
        text=str(a.get("SUBJECT") or ""),
        responsible_id=str(a.get("RESPONSIBLE_ID") or ""),
        due=_dt(a.get("DEADLINE")),
        entity=EntityRef(kind, owner) if kind is not None and owner else None,
        completed=str(a.get("COMPLETED") or "N") == "Y",
        updated_at=_dt(a.get("LAST_UPDATED")),
        result=a.get("RESULT_TEXT") or None,
    )


def _task(t: dict[str, Any]) -> CrmTask:
    entity = None
    for binding in t.get("ufCrmTask") or t.get("UF_CRM_TASK") or []:
        prefix, _, n = str(binding).partition("_")
        if prefix in UF_PREFIXES and n.isdigit():
            entity = EntityRef(UF_PREFIXES[prefix], n)
            break
    return CrmTask(
        id=f"t{t.get('id') or t.get('ID')}",
        text=str(t.get("title") or t.get("TITLE") or ""),
        responsible_id=str(t.get("responsibleId") or t.get("RESPONSIBLE_ID") or ""),
        due=_dt(t.get("deadline") or t.get("DEADLINE")),
        entity=entity,
        completed=str(t.get("status") or t.get("STATUS") or "") in TASK_COMPLETED,
        updated_at=_dt(t.get("changedDate") or t.get("CHANGED_DATE")),
    )


def _deal(d: dict[str, Any]) -> CrmDeal:
    closed = str(d.get("CLOSED") or "N") == "Y"
    return CrmDeal(
        id=str(d["ID"]),
        name=str(d.get("TITLE") or ""),
        responsible_id=str(d.get("ASSIGNED_BY_ID") or ""),
        pipeline_id=str(d.get("CATEGORY_ID") or "0"),
        stage_id=str(d.get("STAGE_ID") or ""),
        amount=Decimal(str(d.get("OPPORTUNITY") or 0)),
        updated_at=_dt(d.get("DATE_MODIFY")),
        closed_at=_dt(d.get("CLOSEDATE")) if closed and d.get("CLOSEDATE") else None,
        company_id=_opt(d.get("COMPANY_ID")),
    )
