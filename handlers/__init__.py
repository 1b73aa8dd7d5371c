"""Routers, composed top-down: each module builds its own router (factories, so tests can build many
dispatchers); parents carry the filters; the catch-all comes last."""

from __future__ import annotations

from aiogram import Router

from handlers import (
    add,
    approvals,
    clients,
    crm,
    day,
    digest,
    errors,
    fallback,
    hot,
    importing,
    lang,
    leads,
    reachability,
    report,
    review,
    sales,
    settings,
    start,
    status,
    team,
)
from handlers.routing import PRIVATE


def build_routers() -> Router:
    root = Router(name="root")
    root.message.filter(PRIVATE)  # checked here once for every router below: a group's messages go nowhere
    root.include_routers(
        errors.build_router(),
        start.build_router(),
        team.build_router(),
        lang.build_router(),
        day.build_router(),
        add.build_router(),
        clients.build_router(),
        leads.build_router(),
        report.build_router(),
        approvals.build_router(),
        digest.build_router(),
        hot.build_router(),
        review.build_router(),
        status.build_router(),
        sales.build_router(),
        importing.build_router(),
        settings.build_router(),
        crm.build_router(),
        reachability.build_router(),
        fallback.build_router(),
    )
    return root
