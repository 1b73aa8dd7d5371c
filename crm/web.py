"""``POST /crm/{provider}/{secret}``: the CRM webhooks, on the bot's own web server.

The path's secret (per team, ``crm.live.ensure_hook``) finds the team's active connection of that CRM; no
such connection is 401. amoCRM: the form's account must be the connected one's; Bitrix24: the form's
``auth[application_token]`` must be the stored one (none stored: 401). A body that is not the CRM's
webhook is 400. Nothing changes on a 401 or a 400. A verified webhook asks for the team's sync in the
background (``crm.live.CrmLive``) and is answered 200 at once; the sync applies the change, once however
often the CRM delivers it. The secret is never logged: aiohttp's access log is off on these servers and
the handler logs only the team.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from crm.base import ProviderKind
from crm.live import hook_hash, live_of
from crm.webhooks import Malformed, Unverified, parse_amocrm, parse_bitrix24
from storage.repo import Repo

log = logging.getLogger("crm.web")
PATH = "/crm/{provider}/{secret}"
MAX_BODY = 256 * 1024


def amo_subdomain(address: str) -> str | None:
    """``https://acme.amocrm.ru`` → ``acme``; None where the address has no subdomain (the fake)."""
    host = urlsplit(address).hostname or ""
    if host.endswith((".amocrm.ru", ".amocrm.com", ".kommo.com")):
        return host.split(".", 1)[0]
    return None


def crm_webhook_handler(pool: async_sessionmaker[AsyncSession], data: Mapping[str, Any]) -> Any:
    async def handle(request: web.Request) -> web.Response:
        try:
            kind = ProviderKind(request.match_info["provider"])
        except ValueError:
            return web.Response(status=404)
        live = live_of(data)
        if live is None:
            return web.Response(status=401)
        if request.content_length is not None and request.content_length > MAX_BODY:
            return web.Response(status=413)
        body = await request.read()
        async with pool() as session:
            conn = await Repo(session).crm.by_hook(kind.value, hook_hash(request.match_info["secret"]))
        if conn is None:
            log.warning("CRM webhook (%s) with an unknown path secret: 401", kind.value)
            return web.Response(status=401)
        ctype = request.headers.get("Content-Type", "")
        try:
            if kind is ProviderKind.AMOCRM:
                events = parse_amocrm(body, ctype, amo_subdomain(conn.address))
            else:
                if not conn.hook_token_enc:
                    raise Unverified("no application_token stored")
                events = [parse_bitrix24(body, ctype, live.vault.decrypt(conn.hook_token_enc))]
        except Unverified:
            log.warning("CRM webhook of team %s not verified: 401", conn.team_id)
            return web.Response(status=401)
        except Malformed as exc:
            log.warning("CRM webhook of team %s malformed (%s): 400", conn.team_id, exc)
            return web.Response(status=400)
        log.info("CRM webhook of team %s: %s event(s), sync requested", conn.team_id, len(events))
        live.request(conn.team_id)
        return web.Response(status=200, text="ok")

    return handle


def add_crm_route(
    app: web.Application, pool: async_sessionmaker[AsyncSession], data: Mapping[str, Any]
) -> None:
    app.router.add_post(PATH, crm_webhook_handler(pool, data))
