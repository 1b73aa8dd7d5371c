"""A member of one team can neither read nor change another team's data, through any button or command.

Two teams, A and B, each with a row in every table. Members of A (head, managers, owner) then:

* press every ``CallbackData`` class defined in ``handlers/`` (found by importing the package and walking
  the subclasses, so new ones are covered as they are added), built with team B's ids in the int fields
  (each object kind in turn, B's ids mixed with A's, ids that do not exist), and with the string values
  the code itself uses (keyword arguments and comparisons in ``handlers/``, the data of the buttons B's
  members were shown, enum values); the press is forged (``strict=False``) on a message in the presser's
  own chat, as a copied or forwarded keyboard would be;
* send every command of ``bot/commands.py`` ``MENU`` with B's names, ids, an invite code and partial names
  as arguments, and the same as the answers of any dialog the bare command opens.

After each class of buttons and each command: every press was answered, nobody was told "something went
wrong" and no error was logged; not one row of team B changed (a snapshot of B's rows of every table,
found through the SQLAlchemy metadata: ``team_id``, or a foreign key to a row of B), no row of A points at a
row of B, nothing was sent to B's members, and nothing A was shown holds B's data (B's names may appear
only when A typed them). ``test_the_probe_catches_a_forgotten_team_check`` shows the probe fails when a
lookup forgets the team.
"""

from __future__ import annotations

import ast
import importlib
import json
import logging
import pkgutil
import typing
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from enum import Enum
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from aiogram import Router
from aiogram.filters.callback_data import CallbackData, CallbackQueryFilter
from aiogram.fsm.storage.base import StorageKey
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

import domain.enums
import handlers
from bot.clock import ManualClock
from bot.commands import MENU
from bot.config import LOCALES, Settings, load_settings
from bot.filters import RoleFilter
from bot.i18n import default_translator
from bot.inprocess import InProcessBot
from domain.enums import OutboxStatus, PlanStatus, Role, Stage, TaskEventKind, TaskStatus
from storage.db import create_engine, create_session_pool
from storage.models import (
    Base,
    BonusScheme,
    Client,
    DayReport,
    Deal,
    HotEntry,
    Invite,
    Lead,
    Member,
    Outbox,
    Plan,
    Review,
    SalesPlan,
    Task,
    TaskEvent,
    Team,
    Vacation,
)
from tests.conftest import TEST_TOKEN

HANDLERS_DIR = Path(handlers.__file__).resolve().parent
DAY = date(2026, 11, 17)  # a Tuesday
NOW = datetime.combine(DAY, time(11, 0), tzinfo=ZoneInfo("Europe/Moscow"))
MISSING_ID = 987_654_321
MAX_TEMPLATES = 8  # string-value combinations per class (each value of each field appears at least once)

#: Team B's ids start high and differ per table, so a B id is never also an id of A's rows of another
#: kind by accident, and a hit on a B row is unambiguous.
B_ID = {
    "members": 9101,
    "clients": 9201,
    "tasks": 9301,
    "plans": 9401,
    "day_reports": 9501,
    "leads": 9601,
    "deals": 9701,
    "hot_entries": 9801,
    "outbox": 9901,
    "sales_plans": 10001,
    "reviews": 10101,
    "invites": 10201,
    "vacations": 10301,
    "task_events": 10401,
}
#: The kinds of B's ids an int field of an unknown meaning takes in turn.
SWEEP_IDS = tuple(
    B_ID[t] for t in ("members", "clients", "tasks", "plans", "hot_entries", "reviews", "deals", "leads")
)
#: What an int field is an id of, by its name (``<kind>_id``); unknown names get every kind in turn.
KINDS = {
    "members": ("member", "manager", "assignee", "head", "owner", "user", "target", "to_member", "author"),
    "clients": ("client", "company"),
    "tasks": ("task",),
    "plans": ("plan",),
    "day_reports": ("report", "day_report"),
    "leads": ("lead",),
    "deals": ("deal",),
    "hot_entries": ("hot", "entry", "hot_entry"),
    "reviews": ("review",),
    "sales_plans": ("sales_plan", "goal"),
    "invites": ("invite",),
    "vacations": ("vacation",),
    "outbox": ("outbox",),
}

# Everything of team B carries a distinctive word: if A is ever shown one of these, it read B's data.
B_TEAM = "Отдел Зюйд-Бета"
B_HEAD, B_MANAGER, B_OWNER = "Зюйдаглав Бетов", "Зюйдамена Бетова", "Зюйдавлад Бетов"
B_USERNAME = "zuid_beta_mgr"
B_CLIENTS = ("ООО Зюйдасекрет", "ЗАО Зюйдапродукт")
B_SECRETS = (
    "Зюйдазадача получить решение об оплате",
    "Зюйдазадача отправить счёт без скидки",
    "Зюйдазадача провести переговоры с директором",
    "Зюйдапричина верит в сделку",
    "Зюйдашаг позвонить директору",
    "Зюйдаитог разбора",
    "Зюйдазаметка о клиенте",
    "Зюйдаисточник выставка",
)
B_MARKERS = (B_TEAM, B_HEAD, B_MANAGER, B_OWNER, B_USERNAME, *B_CLIENTS, *B_SECRETS)


@dataclass
class World:
    app: InProcessBot
    pool: async_sessionmaker[AsyncSession]
    team_a: int
    team_b: int
    actors: dict[Role, int]  # tg ids of A's members by role
    a_ids: dict[str, int]  # table -> one id of A's rows
    b_chats: tuple[int, ...]
    b_invite: str


@dataclass
class Violation:
    where: str
    what: str

    def __str__(self) -> str:
        return f"{self.where}: {self.what}"


# ---------------------------------------------------------------------------------------------- setup


@dataclass(frozen=True)
class Words:
    team: str
    head: str
    manager: str
    owner: str
    username: str
    clients: tuple[str, str]
    tasks: tuple[str, str, str]
    notes: str
    source: str
    reason: str
    step: str
    outcome: str
    invite: str


A_WORDS = Words(
    "Отдел Альфа",
    "Алла",
    "Антон",
    "Аркадий",
    "anton_alfa",
    ("ООО Альфа-Клиент", "ЗАО Альфа-Ключ"),
    ("Получить решение об оплате", "Отправить новый счёт без скидки", "Провести переговоры с директором"),
    "Заметка",
    "сайт",
    "Верю в сделку",
    "Позвонить директору",
    "Итог разбора",
    "AlfaInviteCode0123456789abcdefXY",
)
B_WORDS = Words(
    B_TEAM,
    B_HEAD,
    B_MANAGER,
    B_OWNER,
    B_USERNAME,
    B_CLIENTS,
    B_SECRETS[:3],
    B_SECRETS[6],
    B_SECRETS[7],
    B_SECRETS[3],
    B_SECRETS[4],
    B_SECRETS[5],
    "ZuidInviteCode0123456789abcdefXY",
)


async def seed_team(s: AsyncSession, w: Words, tg_base: int, b_ids: bool) -> tuple[int, dict[str, int]]:
    """One team with a row in every table; B's rows get the ids of ``B_ID``. Returns the team id and
    one id per table."""

    def pk(table: str, n: int = 0) -> dict[str, int]:
        return {"id": B_ID[table] + n} if b_ids else {}

    async def add(*rows: Base) -> None:
        s.add_all(rows)
        await s.flush()

    team = Team(name=w.team, timezone="Europe/Moscow")
    await add(team)
    head = Member(**pk("members"), team_id=team.id, tg_id=tg_base + 1, name=w.head, role=Role.HEAD)
    mgr = Member(**pk("members", 1), team_id=team.id, tg_id=tg_base + 2, name=w.manager, role=Role.MANAGER)
    owner = Member(**pk("members", 2), team_id=team.id, tg_id=tg_base + 3, name=w.owner, role=Role.OWNER)
    mgr.username = w.username
    await add(head, mgr, owner)
    if not b_ids:  # a second manager in A, for delegating within the team
        await add(Member(team_id=team.id, tg_id=tg_base + 4, name="Ася", role=Role.MANAGER, locale="en"))
    c1 = Client(
        **pk("clients"),
        team_id=team.id,
        owner_id=mgr.id,
        name=w.clients[0],
        name_key=w.clients[0].casefold(),
        stage=Stage.NEGOTIATION,
        notes=w.notes,
    )
    c2 = Client(
        **pk("clients", 1),
        team_id=team.id,
        owner_id=head.id,
        name=w.clients[1],
        name_key=w.clients[1].casefold(),
        stage=Stage.PROPOSAL,
    )
    submitted = datetime.combine(DAY, time(6, 0), tzinfo=UTC)
    plan = Plan(
        **pk("plans"),
        team_id=team.id,
        member_id=mgr.id,
        for_date=DAY + timedelta(days=1),
        status=PlanStatus.SUBMITTED,
        submitted_at=submitted,
    )
    await add(c1, c2, plan)

    def task(n: int, client: Client, who: Member, due: date, **extra: Any) -> Task:
        return Task(
            **pk("tasks", n),
            team_id=team.id,
            client_id=client.id,
            assignee_id=who.id,
            created_by=who.id,
            action=w.tasks[n],
            due_date=due,
            status=TaskStatus.OPEN,
            moves=extra.pop("moves", 0),
            **extra,
        )

    tasks = [
        task(0, c1, mgr, DAY),
        task(1, c2, head, DAY - timedelta(days=2), moves=1),
        task(2, c1, mgr, DAY + timedelta(days=1), plan_id=plan.id),
    ]
    await add(*tasks)
    rows: dict[str, Base] = {
        "task_events": TaskEvent(
            **pk("task_events"),
            task_id=tasks[1].id,
            actor_id=head.id,
            kind=TaskEventKind.MOVED,
            from_date=DAY - timedelta(days=3),
            data={"to": (DAY - timedelta(days=2)).isoformat()},
        ),
        "day_reports": DayReport(
            **pk("day_reports"),
            team_id=team.id,
            member_id=mgr.id,
            on_date=DAY - timedelta(days=1),
            submitted_at=submitted - timedelta(hours=10),
            planned=3,
            done=2,
            mood=4,
        ),
        "leads": Lead(
            **pk("leads"), team_id=team.id, client_id=c1.id, member_id=mgr.id, source=w.source, on_date=DAY
        ),
        "deals": Deal(
            **pk("deals"),
            team_id=team.id,
            client_id=c1.id,
            member_id=mgr.id,
            amount=Decimal("150000.00"),
            on_date=DAY - timedelta(days=1),
        ),
        "hot_entries": HotEntry(
            **pk("hot_entries"),
            team_id=team.id,
            client_id=c1.id,
            reason=w.reason,
            next_step=w.step,
            next_date=DAY,
            created_by=head.id,
            touched_at=submitted - timedelta(days=10),
        ),
        "outbox": Outbox(
            **pk("outbox"),
            team_id=team.id,
            member_id=mgr.id,
            kind="morning",
            local_date=DAY,
            status=OutboxStatus.SENT,
            attempts=1,
            message_ids=[1],
        ),
        "sales_plans": SalesPlan(
            **pk("sales_plans"),
            team_id=team.id,
            member_id=mgr.id,
            month=DAY.replace(day=1),
            revenue=Decimal("1000000"),
            deals=5,
        ),
        "bonus_schemes": BonusScheme(
            team_id=team.id,
            base=Decimal("50000"),
            scale=[{"from": 0, "to": 70, "rate": 0}, {"from": 70, "to": 100, "rate": 1}],
        ),
        "reviews": Review(
            **pk("reviews"),
            team_id=team.id,
            manager_id=mgr.id,
            head_id=head.id,
            held_on=DAY - timedelta(days=7),
            agenda={"clients": [c1.id]},
            outcome=w.outcome,
        ),
        "invites": Invite(
            **pk("invites"),
            code=w.invite,
            team_id=team.id,
            role=Role.MANAGER,
            created_by=head.id,
            expires_at=NOW + timedelta(days=2),
        ),
        "vacations": Vacation(
            **pk("vacations"),
            member_id=mgr.id,
            starts=DAY + timedelta(days=20),
            ends=DAY + timedelta(days=27),
        ),
    }
    await add(*rows.values())
    ids = {"members": mgr.id, "clients": c1.id, "tasks": tasks[0].id, "plans": plan.id}
    ids |= {table: row.id for table, row in rows.items() if table != "bonus_schemes"}
    return team.id, ids


def probe_settings(url: str) -> Settings:
    # no flood control: the probe presses hundreds of buttons a second
    return load_settings(
        bot_token=TEST_TOKEN, database_url=url, throttle_rate=1e6, throttle_burst=10**6, _env_file=None
    )


async def build_world(settings: Settings, pool: async_sessionmaker[AsyncSession]) -> World:
    async with pool() as s, s.begin():
        team_a, a_ids = await seed_team(s, A_WORDS, 1000, b_ids=False)
        team_b, _ = await seed_team(s, B_WORDS, 2000, b_ids=True)
    app = InProcessBot(settings, pool, ManualClock(NOW))
    await app.start()
    for uid in (1001, 1002, 1003, 1004, 2001, 2002, 2003):
        app.emulator.add_user(uid, first_name=f"U{uid}", started=True)
    actors = {Role.HEAD: 1001, Role.MANAGER: 1002, Role.OWNER: 1003}
    return World(app, pool, team_a, team_b, actors, a_ids, (2001, 2002, 2003), B_WORDS.invite)


# ---------------------------------------------------------------------------------------------- discovery


def callback_classes() -> list[type[CallbackData]]:
    """Every CallbackData subclass defined in ``handlers/`` (all its modules imported first)."""
    for info in pkgutil.iter_modules([str(HANDLERS_DIR)]):
        importlib.import_module(f"handlers.{info.name}")
    found: list[type[CallbackData]] = []
    stack = list(CallbackData.__subclasses__())
    while stack:
        cls = stack.pop()
        stack.extend(cls.__subclasses__())
        if cls.__module__.split(".")[0] == "handlers" and cls not in found:
            found.append(cls)
    return sorted(found, key=lambda c: (c.__module__, c.__name__))


def _field_kind(annotation: Any) -> tuple[str, list[Any]]:
    origin = typing.get_origin(annotation)
    if origin is typing.Union or str(origin) == "<class 'types.UnionType'>":
        annotation = next(a for a in typing.get_args(annotation) if a is not type(None))
        origin = typing.get_origin(annotation)
    if origin is typing.Literal:
        return "choice", list(typing.get_args(annotation))
    if isinstance(annotation, type) and issubclass(annotation, Enum):
        return "choice", list(annotation)
    if annotation is bool:
        return "choice", [True, False]
    if annotation in (int, float, Decimal):
        return "int", []
    if annotation is str:
        return "str", []
    return "other", []


def code_strings() -> dict[tuple[str | None, str], set[str]]:
    """String values the handlers use, by (CallbackData class name, field) and by (None, field):
    keyword arguments ``TaskAct(a="d")``, filters ``MemberAction.filter(F.action == "off")`` and
    ``F.a.in_({...})``, comparisons and ``match`` on a parameter annotated with the class
    (``callback_data: TaskAct`` … ``callback_data.a == "d"``)."""
    constants: dict[str, str] = {}
    trees = [ast.parse(p.read_text(encoding="utf-8")) for p in sorted(HANDLERS_DIR.glob("*.py"))]
    for tree in trees:
        for node in tree.body:
            if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant):
                for target in node.targets:
                    if isinstance(target, ast.Name) and isinstance(node.value.value, str):
                        constants[target.id] = node.value.value

    def values(node: ast.AST) -> list[str]:
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            return [node.value]
        if isinstance(node, ast.Name) and node.id in constants:
            return [constants[node.id]]
        if isinstance(node, ast.Tuple | ast.List | ast.Set):
            return [v for elt in node.elts for v in values(elt)]
        return []

    found: dict[tuple[str | None, str], set[str]] = defaultdict(set)

    def add(scope: str | None, name: str, node: ast.AST) -> None:
        found[(None, name)].update(values(node))
        if scope:
            found[(scope, name)].update(values(node))

    def uses(root: ast.AST, scope_of: typing.Callable[[ast.AST], str | None]) -> None:
        """Comparisons, ``.in_()`` and ``match`` on ``<x>.field``, scoped by what ``<x>`` is."""
        for node in ast.walk(root):
            if isinstance(node, ast.Compare):
                sides = [node.left, *node.comparators]
                for side in sides:
                    if isinstance(side, ast.Attribute):
                        for other in sides:
                            add(scope_of(side.value), side.attr, other)
            elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
                target = node.func.value
                if node.func.attr == "in_" and isinstance(target, ast.Attribute):
                    for arg in node.args:
                        add(scope_of(target.value), target.attr, arg)
            elif isinstance(node, ast.Match) and isinstance(node.subject, ast.Attribute):
                for case in node.cases:
                    for sub in ast.walk(case.pattern):
                        if isinstance(sub, ast.MatchValue):
                            add(scope_of(node.subject.value), node.subject.attr, sub.value)

    for tree in trees:
        uses(tree, lambda _: None)
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                params = {
                    a.arg: a.annotation.id
                    for a in (*node.args.args, *node.args.kwonlyargs)
                    if isinstance(a.annotation, ast.Name)
                }
                uses(node, lambda x, p=params: p.get(x.id) if isinstance(x, ast.Name) else None)
            elif isinstance(node, ast.Call):
                func = node.func
                name = (
                    func.id
                    if isinstance(func, ast.Name)
                    else func.attr
                    if isinstance(func, ast.Attribute)
                    else None
                )
                for kw in node.keywords:
                    if kw.arg:
                        add(name, kw.arg, kw.value)
                if (
                    isinstance(func, ast.Attribute)
                    and func.attr == "filter"
                    and isinstance(func.value, ast.Name)
                ):
                    scope = func.value.id
                    for arg in node.args:
                        uses(arg, lambda x, c=scope: c if isinstance(x, ast.Name) and x.id == "F" else None)
    return found


def id_kind(name: str) -> str | None:
    """The table an int field holds an id of, by its name; None when the name does not say."""
    if name != "id" and not name.endswith("_id"):
        return None
    base = name.removesuffix("_id")
    for table, words in KINDS.items():
        if base in words or any(base.endswith(f"_{w}") for w in words):
            return table
    return None


def roles_by_class(root: Router) -> dict[type[CallbackData], set[Role]]:
    """Which roles can reach a handler of each CallbackData class (RoleFilters on the way down)."""
    result: dict[type[CallbackData], set[Role]] = defaultdict(set)

    def roles_of(filters: Iterable[Any] | None) -> frozenset[Role] | None:
        sets = [f.callback.roles for f in filters or () if isinstance(f.callback, RoleFilter)]
        return frozenset.intersection(*sets) if sets else None

    def walk(router: Router, allowed: frozenset[Role]) -> None:
        own = roles_of(router.callback_query._handler.filters)
        allowed = allowed & own if own is not None else allowed
        for handler in router.callback_query.handlers:
            mine = roles_of(handler.filters)
            roles = allowed & mine if mine is not None else allowed
            for f in handler.filters or ():
                if isinstance(f.callback, CallbackQueryFilter):
                    result[f.callback.callback_data] |= roles
        for sub in router.sub_routers:
            walk(sub, allowed)

    walk(root, frozenset(Role))
    return result


def forged(
    cls: type[CallbackData],
    harvested: Iterable[str],
    literals: dict[tuple[str | None, str], set[str]],
    a_ids: dict[str, int],
) -> tuple[list[str], list[str]]:
    """Packed callback data of ``cls`` aimed at team B: the string values the code uses (each at least
    once) with B's ids by kind (mixed with A's) and missing ids; then a sweep of the first string values
    with every int field holding B's id of each kind in turn."""
    fields = cls.model_fields
    seen: list[CallbackData] = []
    for data in harvested:
        try:
            seen.append(cls.unpack(data))
        except (TypeError, ValueError):
            continue
    ints = [n for n, f in fields.items() if _field_kind(f.annotation)[0] == "int"]
    choices: dict[str, list[Any]] = {}
    for name, info in fields.items():
        kind, options = _field_kind(info.annotation)
        if kind == "int":
            continue
        values = [getattr(s, name) for s in seen] + options
        if kind == "str":
            values += sorted(literals.get((cls.__name__, name)) or literals.get((None, name), ()))
            enum = next(
                (
                    e
                    for e in vars(domain.enums).values()
                    if isinstance(e, type) and issubclass(e, Enum) and e.__name__.lower() == name.lower()
                ),
                None,
            )
            values += [m.value for m in enum] if enum else []
            values += [(DAY + timedelta(days=1)).strftime("%Y%m%d"), "x"]
        if isinstance(info.default, str | bool | Enum):
            values.append(info.default)
        choices[name] = list(dict.fromkeys(values)) or [info.default]
    templates: list[dict[str, Any]] = [{n: getattr(s, n) for n in choices} for s in seen[:MAX_TEMPLATES]]
    width = min(MAX_TEMPLATES, max((len(v) for v in choices.values()), default=1))
    for i in range(width):
        templates.append({n: v[i % len(v)] for n, v in choices.items()})
    templates = list({json.dumps(t, default=str, sort_keys=True): t for t in templates}.values())

    typed = {n: id_kind(n) for n in ints if id_kind(n)}
    missing = dict.fromkeys(ints, MISSING_ID)
    aimed: list[dict[str, int]] = []  # for every string template
    if typed:
        aimed.append({n: B_ID[typed[n]] if n in typed else 0 for n in ints})
        if len(typed) > 1:  # B's object with A's other objects, each in turn
            for n in typed:
                aimed.append({m: B_ID[typed[m]] if m == n else a_ids.get(typed.get(m, ""), 0) for m in ints})
    aimed = aimed or [missing]
    # for the first template only: ids that do not exist, and an int field whose name does not say what
    # it holds (``to``, ``p``, ``value``), which may still be an id, with B's id of each kind in turn
    untyped = [n for n in ints if n not in typed]
    sweep = [missing] if ints else []
    sweep += [aimed[0] | dict.fromkeys(untyped, v) for v in (*SWEEP_IDS, -1, 0)] if untyped else []

    def pack(combos: Iterable[tuple[dict[str, Any], dict[str, int]]]) -> list[str]:
        packed: list[str] = []
        for template, ids in combos:
            try:
                packed.append(cls(**template, **ids).pack())
            except (ValueError, TypeError):
                continue  # a value the class cannot carry (":" in a string, over 64 bytes)
        return list(dict.fromkeys(packed))

    main = pack((t, a) for t in templates for a in aimed)
    return main, [d for d in pack((templates[0], a) for a in sweep) if d not in main]


# ---------------------------------------------------------------------------------------------- the probe


async def team_rows(
    pool: async_sessionmaker[AsyncSession], team_id: int
) -> tuple[dict[str, frozenset], list[str]]:
    """The rows of ``team_id`` in every table (``team_id`` column, or a foreign key to one of its rows),
    and the rows of other teams that point at one of them."""
    owned: dict[str, set[Any]] = defaultdict(set)
    snapshot: dict[str, frozenset] = {}
    crossing: list[str] = []
    async with pool() as s:
        for table in Base.metadata.sorted_tables:  # parents before children
            pk = [c.name for c in table.primary_key.columns]
            fks = [(fk.parent.name, fk.column.table.name) for fk in table.foreign_keys]
            mine = []
            for row in (await s.execute(select(table))).mappings():
                if table.name == "teams":
                    is_b = row["id"] == team_id
                elif "team_id" in row:
                    is_b = row["team_id"] == team_id
                else:
                    is_b = any(row[col] in owned[ref] for col, ref in fks if row[col] is not None)
                points_at_b = [
                    col
                    for col, ref in fks
                    if ref != "teams" and row[col] is not None and row[col] in owned[ref]
                ]
                if is_b:
                    owned[table.name].add(row[pk[0]] if len(pk) == 1 else tuple(row[c] for c in pk))
                    mine.append(tuple((k, repr(v)) for k, v in sorted(row.items())))
                elif points_at_b:
                    crossing.append(f"{table.name} {dict(row)} points at team B through {points_at_b}")
            snapshot[table.name] = frozenset(mine)
    return snapshot, crossing


class Probe:
    def __init__(self, world: World) -> None:
        self.w = world
        self.emulator = world.app.emulator
        self.violations: list[Violation] = []
        self.presses: dict[str, int] = defaultdict(int)
        translator = default_translator()
        self.unexpected = [translator.get(loc)("error-unexpected") for loc in LOCALES]
        self.errors: list[logging.LogRecord] = []
        self.rows: dict[str, frozenset] = {}
        self.b_sent = 0
        #: everything A has typed so far: A's own data may hold B's names after A typed them
        self.typed: list[str] = []
        self.argued: set[str] = set()  # commands whose answer depends on their arguments

    # -- bookkeeping

    async def baseline(self) -> None:
        self.rows, crossing = await team_rows(self.w.pool, self.w.team_b)
        assert not crossing, crossing
        assert all(self.rows[t] for t in ("teams", "members", "clients", "tasks", "task_events", "plans"))
        self.b_sent = sum(len(self.emulator.sent(c)) for c in self.w.b_chats)

    async def settle(self, where: str) -> None:
        """After a batch: B's rows unchanged, nothing of A points at B, nothing sent to B, no errors."""
        rows, crossing = await team_rows(self.w.pool, self.w.team_b)
        for table in rows:
            if rows[table] != self.rows[table]:
                gone = [dict(r) for r in self.rows[table] - rows[table]]
                new = [dict(r) for r in rows[table] - self.rows[table]]
                self.fail(where, f"team B's {table} changed: before {gone[:2]} after {new[:2]}")
        for line in crossing[:3]:
            self.fail(where, line)
        self.rows = rows
        b_sent = sum(len(self.emulator.sent(c)) for c in self.w.b_chats)
        if b_sent != self.b_sent:
            self.fail(where, f"{b_sent - self.b_sent} message(s) sent to team B's members")
            self.b_sent = b_sent
        for record in self.errors:
            self.fail(where, f"logged {record.levelname} {record.name}: {record.getMessage()[:200]}")
        self.errors.clear()

    def fail(self, where: str, what: str) -> None:
        self.violations.append(Violation(where, what))

    def check_calls(self, where: str, first_call: int) -> None:
        """What the bot did for one action: nothing to B, nothing of B shown (but what A typed),
        nothing impolite."""
        typed = "\n".join(self.typed)
        for call in self.emulator.calls[first_call:]:
            chat = call.params.get("chat_id")
            if chat is not None and str(chat) in {str(c) for c in self.w.b_chats}:
                self.fail(where, f"{call.method} to team B's chat {chat}")
            blob = " ".join(str(call.params.get(k) or "") for k in ("text", "caption", "reply_markup"))
            if not blob.strip():
                continue
            if "Traceback" in blob or any(u in blob for u in self.unexpected):
                self.fail(where, f"{call.method}: an error instead of a polite answer: {blob[:160]!r}")
            folded, typed_folded = blob.casefold(), typed.casefold()
            for token in ("зюйд", "zuid"):
                if token in folded and token not in typed_folded:
                    self.fail(where, f"{call.method} showed team B's data: {blob[:200]!r}")
                    break
            else:
                leaked = [m for m in B_MARKERS if m in blob and m not in typed]
                if leaked:
                    self.fail(where, f"{call.method} showed team B's {leaked}: {blob[:200]!r}")

    async def reset(self, uid: int) -> None:
        key = StorageKey(bot_id=self.w.app.bot.id, chat_id=uid, user_id=uid)
        await self.w.app.dp.storage.set_state(key, None)
        await self.w.app.dp.storage.set_data(key, {})

    # -- acting

    async def press(self, role: Role, cls: type[CallbackData], data: str) -> None:
        uid = self.w.actors[role]
        await self.reset(uid)
        keyboard = InlineKeyboardMarkup(
            inline_keyboard=[[InlineKeyboardButton(text="·", callback_data=data)]]
        )
        message = await self.w.app.bot.send_message(uid, "·", reply_markup=keyboard)
        first = len(self.emulator.calls)
        speaker = self.w.app.user(uid, f"U{uid}")
        reply = await speaker.press_data(message.message_id, data, strict=False)
        where = f"{role} presses {cls.__name__} {data!r}"
        self.presses[cls.__name__] += 1
        if reply.answer is None:
            self.fail(where, "the press was never answered")
        self.check_calls(where, first)

    async def send(self, role: Role, text: str) -> list[str]:
        """``role`` sends ``text``; returns the texts the bot sent or edited in answer."""
        uid = self.w.actors[role]
        first = len(self.emulator.calls)
        self.typed.append(text)
        await self.w.app.user(uid, f"U{uid}").send(text)
        self.check_calls(f"{role} sends {text!r}", first)
        return [
            str(c.params.get("text") or c.params.get("caption") or "") for c in self.emulator.calls[first:]
        ]

    async def state_of(self, role: Role) -> str | None:
        uid = self.w.actors[role]
        return await self.w.app.dp.storage.get_state(
            StorageKey(bot_id=self.w.app.bot.id, chat_id=uid, user_id=uid)
        )


class _Collect(logging.Handler):
    def __init__(self, sink: list[logging.LogRecord]) -> None:
        super().__init__(logging.ERROR)
        self.sink = sink

    def emit(self, record: logging.LogRecord) -> None:
        if record.name.startswith(("handlers", "aiogram")):
            self.sink.append(record)


def menu_commands() -> dict[str, set[Role]]:
    """Every command of the menu and the roles that have it (a command open to everyone: a manager)."""
    commands: dict[str, set[Role]] = defaultdict(set)
    for role, names in MENU.items():
        for name in names:
            commands[name] |= {Role.MANAGER} if role is None else {role}  # open to all: one is enough
    return commands


def command_args(world: World) -> list[str]:
    client, other = B_CLIENTS
    args = [
        client,
        other[:9],  # a partial name: a search must not find B's client
        B_MANAGER,
        f"@{B_USERNAME}",
        f"{client}: получить решение об оплате завтра",
        f"{client} 150000",
        world.b_invite,
    ]
    return args + [str(B_ID[k]) for k in ("members", "clients", "tasks")]


FOLLOW_UPS = (B_CLIENTS[0], B_CLIENTS[1][:9], B_MANAGER)


async def run_probe(
    world: World, classes: list[type[CallbackData]] | None = None, commands: bool = True
) -> Probe:
    probe = Probe(world)
    emulator = world.app.emulator
    # The buttons B's head and manager are shown by their menus: real callback data to copy and forge.
    for uid, role in ((2001, Role.HEAD), (2002, Role.MANAGER)):
        for name in MENU[role]:
            if name != "start":
                await world.app.user(uid, f"U{uid}").send(f"/{name}")
        key = StorageKey(bot_id=world.app.bot.id, chat_id=uid, user_id=uid)
        await world.app.dp.storage.set_state(key, None)
    harvested: dict[str, set[str]] = defaultdict(set)
    for message in emulator.sent():
        for button in message.buttons:
            if data := button.get("callback_data"):
                harvested[data.split(":", 1)[0]].add(data)
    await probe.baseline()

    collector = _Collect(probe.errors)
    logging.getLogger().addHandler(collector)
    try:
        literals = code_strings()
        reach = roles_by_class(world.app.dp)
        for cls in classes if classes is not None else callback_classes():
            prefix = cls.__prefix__
            aimed, sweep = forged(cls, harvested.get(prefix, ()), literals, world.a_ids)
            # the roles a handler of the class lets through; none yet: it lands in the catch-all, once
            roles = sorted(reach[cls]) if cls in reach else [Role.HEAD]
            for role in roles:
                for data in aimed:
                    await probe.press(role, cls, data)
            for data in sweep:
                await probe.press(roles[0], cls, data)
            for role in sorted(set(Role) - set(roles)):  # the wrong role: refused, politely
                await probe.press(role, cls, aimed[-1])
            await probe.settle(cls.__name__)
        if commands:
            args = command_args(world)
            for name, roles in sorted(menu_commands().items()):
                for role in sorted(roles):
                    bare = await probe.send(role, f"/{name}")
                    if await probe.state_of(role) is not None:  # a dialog opened: answer it with B's names
                        for text in FOLLOW_UPS:
                            await probe.send(role, f"/{name}")
                            await probe.send(role, text)
                    await probe.reset(world.actors[role])
                    junk = [
                        await probe.send(role, f"/{name} {arg}") for arg in ("Qq7", "Qq7: Qq7 Qq7 150000")
                    ]
                    await probe.reset(world.actors[role])
                    if all(answer == bare for answer in junk):
                        continue  # the command ignores its arguments
                    probe.argued.add(f"/{name}")
                    for arg in args:
                        await probe.send(role, f"/{name} {arg}")
                        await probe.reset(world.actors[role])
                await probe.settle(f"/{name}")
    finally:
        logging.getLogger().removeHandler(collector)
    return probe


# ---------------------------------------------------------------------------------------------- tests


@pytest.fixture
async def world(sqlite_url: str):
    engine = create_engine(sqlite_url)
    world = await build_world(probe_settings(sqlite_url), create_session_pool(engine))
    try:
        yield world
    finally:
        await world.app.close()
        await engine.dispose()


def test_every_callback_class_of_the_handlers_is_found() -> None:
    names = {c.__name__ for c in callback_classes()}
    assert {"MemberAction", "LangChoice"} <= names
    literals = code_strings()
    # the probe knows the values the code uses, class by class (an enum field: all of its members)
    from handlers.callbacks import MemberAction

    kind, options = _field_kind(MemberAction.model_fields["action"].annotation)
    assert kind == "choice" and {str(o) for o in options} == {"off", "off!", "keep"}
    for cls in callback_classes():
        assert forged(cls, (), literals, {})[0], f"{cls.__name__}: no callback data could be built"


def test_int_fields_are_read_as_ids_of_their_kind() -> None:
    assert id_kind("member_id") == "members" and id_kind("assignee_id") == "members"
    assert id_kind("task_id") == "tasks" and id_kind("client_id") == "clients"
    assert id_kind("to_member_id") == "members" and id_kind("hot_id") == "hot_entries"
    assert id_kind("page") is None and id_kind("value") is None


async def test_no_member_reaches_another_teams_data(world: World) -> None:
    probe = await run_probe(world)
    classes = callback_classes()
    assert all(probe.presses[c.__name__] > 0 for c in classes), probe.presses
    assert not world.app.emulator.unanswered_callbacks()
    report = "\n".join(str(v) for v in probe.violations[:25])
    assert not probe.violations, f"{len(probe.violations)} violation(s):\n{report}"


async def test_the_probe_catches_a_forgotten_team_check(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A lookup that forgets the team (as a careless handler would) is caught: B's member is shown and
    deactivated by A's head."""
    from handlers.callbacks import MemberAction
    from storage.repo import MemberRepo

    async def in_any_team(self: MemberRepo, team_id: int, member_id: int) -> Member:
        member = await self.session.get(Member, member_id)
        if member is None:
            from domain.errors import NotFound

            raise NotFound("member")
        return member

    monkeypatch.setattr(MemberRepo, "in_team", in_any_team)
    probe = await run_probe(world, classes=[MemberAction], commands=False)
    text = "\n".join(map(str, probe.violations))
    assert "team B's members changed" in text, text
    assert "showed team B's data" in text, text
