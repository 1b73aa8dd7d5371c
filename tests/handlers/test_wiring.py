"""How the head's screens are wired: typed callback data (an enum per action, within Telegram's 64
bytes), one module-level handler per action registered in the router factory, no SQL and no
repository built by hand in these modules."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from enum import Enum
from pathlib import Path

import pytest
from aiogram import F, Router
from aiogram.dispatcher.event.bases import UNHANDLED
from aiogram.dispatcher.event.handler import CallableObject
from aiogram.filters.callback_data import CallbackData
from aiogram.types import Message

from bot.filters import Magic
from handlers import build_routers, callbacks, digest, head_callbacks, hot, lang, settings, status, team
from handlers.callbacks import MemberAction, MemberStep
from handlers.head_callbacks import HotAct, HotAction
from handlers.settings import SettingsAction, SettingsCb
from tests.handlers.conftest import TeamWorld

ROOT = Path(__file__).resolve().parents[2]
MODULES = [
    "handlers/hot.py",
    "handlers/settings.py",
    "handlers/team.py",
    "handlers/lang.py",
    "handlers/status.py",
    "handlers/digest.py",
    "handlers/reachability.py",
    "handlers/start.py",
    "handlers/errors.py",
    "handlers/fallback.py",
    "scheduler/notices.py",
    "scheduler/plan.py",
    "scheduler/kinds.py",
]


def tree(path: str) -> ast.Module:
    return ast.parse((ROOT / path).read_text(encoding="utf-8"))


@pytest.mark.parametrize("path", MODULES)
def test_no_closures_in_router_factories(path: str) -> None:
    for node in ast.walk(tree(path)):
        if isinstance(node, ast.FunctionDef) and node.name == "build_router":
            inner = [n.name for n in ast.walk(node) if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)]
            assert inner == ["build_router"], f"{path}: handlers defined inside build_router: {inner[1:]}"


@pytest.mark.parametrize("path", MODULES)
def test_no_sql_and_no_hand_built_repositories(path: str) -> None:
    source = (ROOT / path).read_text(encoding="utf-8")
    imported = {
        node.module
        for node in ast.walk(tree(path))
        if isinstance(node, ast.ImportFrom) and node.module is not None
    }
    assert not {m for m in imported if m == "sqlalchemy" or m.startswith("sqlalchemy.")} - {
        "sqlalchemy.ext.asyncio"  # the session type passed through
    }, f"{path} imports SQL"
    for name in ("HeadRepo(", "SettingsRepo(", "DayRepo(", "SalesRepo(", "select(", "update("):
        assert name not in source, f"{path}: {name}"


def test_actions_are_enums_and_callback_data_fits_64_bytes() -> None:
    for module in (callbacks, head_callbacks, settings):
        for value in vars(module).values():
            if isinstance(value, type) and issubclass(value, CallbackData) and value is not CallbackData:
                for name, field in value.model_fields.items():
                    assert name not in {"a", "action"} or (
                        isinstance(field.annotation, type) and issubclass(field.annotation, Enum)
                    ), f"{value.__name__}.{name} is not an enum"
    biggest = 2**63 - 1
    for action in HotAction:
        assert len(HotAct(action=action, entry_id=biggest).pack().encode()) <= 64
    for action in SettingsAction:
        assert len(SettingsCb(action=action, f=str(biggest), m=biggest).pack().encode()) <= 64
    for step in MemberStep:
        assert len(MemberAction(action=step, member_id=biggest).pack().encode()) <= 64


def test_old_buttons_in_chats_still_parse() -> None:
    """The enum values are the codes the buttons already sent carry."""
    assert HotAct.unpack("ha:off!:7") == HotAct(action=HotAction.REMOVE_CONFIRMED, entry_id=7)
    assert SettingsCb.unpack("st:zs:3:12") == SettingsCb(action=SettingsAction.SET_ZONE, f="3", m=12)
    assert MemberAction.unpack("mb:keep:5") == MemberAction(action=MemberStep.KEEP, member_id=5)
    with pytest.raises(ValueError):
        SettingsCb.unpack("st:nope::0")


def test_each_action_has_its_own_handler() -> None:
    """Every enum member is selected by exactly one registered handler of its router."""
    for module, cls, enum in (
        (hot, HotAct, HotAction),
        (settings, SettingsCb, SettingsAction),
        (team, MemberAction, MemberStep),
    ):
        router = module.build_router()
        routers = [router, *router.sub_routers]
        seen: dict[Enum, list[str]] = {}
        for r in routers:
            for handler in r.callback_query.handlers:
                for f in handler.filters or ():
                    callback = f.callback
                    if getattr(callback, "callback_data", None) is cls and callback.rule is not None:
                        for member in enum:
                            probe = cls.model_construct(action=member)
                            if callback.rule.resolve(probe):
                                seen.setdefault(member, []).append(handler.callback.__name__)
        assert {m: len(v) for m, v in seen.items()} == dict.fromkeys(enum, 1), (module.__name__, seen)
    assert lang.build_router() and status.build_router() and digest.build_router()


def _every_callable(router: Router) -> Iterator[tuple[str, CallableObject]]:
    for name, observer in router.observers.items():
        for event_filter in observer._handler.filters or []:
            yield f"{router.name}.{name} (router filter)", event_filter
        for handler in observer.handlers:
            where = f"{router.name}.{name} {handler.callback.__name__}"
            yield where, handler
            for event_filter in handler.filters or []:
                yield f"{where} (filter)", event_filter
    for child in router.sub_routers:
        yield from _every_callable(child)


def test_every_filter_and_handler_runs_on_the_loop() -> None:
    """aiogram runs a filter or handler that is not a coroutine function in a worker thread, a hop of about
    0.1 ms at every check (a bare ``F.text`` or a ``State`` as a filter): each is wrapped (``Magic``,
    ``StateFilter``) so that no update walks through a thread."""
    threaded = [where for where, item in _every_callable(build_routers()) if not item.awaitable]
    assert threaded == []


async def test_magic_checks_every_filter_and_passes_named_values() -> None:
    text = Message.model_validate(
        {"message_id": 1, "date": 0, "chat": {"id": 1, "type": "private"}, "text": "привет"}
    )
    assert await Magic(F.text, ~F.text.startswith("/"))(text) is True
    assert await Magic(F.text, F.text.startswith("/"))(text) is False
    assert await Magic(F.document)(text) is False
    assert await Magic(F.text.as_("typed"))(text) == {"typed": "привет"}


async def test_a_group_s_messages_go_nowhere(world: TeamWorld) -> None:
    """The root router admits private chats only, once for every router below it: a member's commands
    written in a group (/start, /help, /team, /today) reach no handler and get no answer, while the same
    commands in private are answered."""
    app, head = world.app, world.head
    app.user(head.tg_id, head.name)
    for text in ("/start", "/help", "/team", "/today"):
        app.emulator.send_text(head.tg_id, text)
        (update,) = app.emulator.take_updates()
        update["message"]["chat"] = {"id": -100_500, "type": "group", "title": "Отдел продаж"}
        sent = len(app.all_sent())
        assert await app.dp.feed_raw_update(app.bot, update, **app.dp.workflow_data) is UNHANDLED
        assert len(app.all_sent()) == sent
    assert "/today" in (await world.speaker(head).send("/help")).text
