"""``python -m bot demo``: a scripted working day of a sales team, printed as a readable transcript.

No token and no network: a throwaway SQLite database in a temporary directory, migrated like any other;
the real dispatcher, middlewares and handlers (``bot.inprocess.InProcessBot``) over the in-process Bot API
emulator; a ``ManualClock`` that the script moves through the day. The team is built through the same
paths as production: ``team create`` of the command line, ``/start <code>``, ``/invite`` in the chat.

Every line of the transcript that is not a bot message (scene titles, "who does what", notes) comes from
``locales/<lang>/demo.ftl``; Russian by default, ``--lang en`` for English. Bot messages are shown the way
a Telegram client shows them: HTML tags stripped, entities unescaped, inline buttons as ``[Button]``
rows, a press's answer as a toast line, edits flagged.

Extension point: the day is the list returned by ``day()`` at the bottom of this module
-----------------------------------------------------------------------------------------
A scene is ``async def my_scene(demo: Demo) -> None``. To add one when your feature lands:

1. write it here or in your own module (``from bot.demo import Demo``); import it inside ``day()`` if it
   lives elsewhere, so there is no import cycle;
2. open it with ``demo.title("demo-scene-<name>")`` and narrate with ``demo.note("demo-note-<name>")``;
   put the texts in your own ``locales/{ru,en}/*.ftl`` (keys are shared by all files of a locale);
3. act as people: ``await demo.say(demo.anna, "/today")``, then
   ``await demo.press(demo.anna, demo.last(demo.anna, "Сделано"), "Сделано")``; the people are
   ``demo.head`` (Ирина, РОП), ``demo.anna``, ``demo.boris``, ``demo.vera`` (managers), ``demo.managers``;
4. move time with ``demo.at(18, 0)`` (local time of the team; ``days=1`` for tomorrow); send a scheduled
   message the way production does with ``await demo.deliver("morning", "demo-note-<name>")`` (outbox
   and deliverer over the in-process bot); anything else that is not a user's action goes through
   ``await demo.happens(coro_fn, "demo-note-<name>")``; both print what everyone received;
5. reach the database with ``async with demo.repo() as repo:`` (one committed transaction);
6. insert the scene into ``day()`` where it belongs in the day; ``tests/test_demo.py`` plays the whole
   day, so add an assertion there for your scene's key moment.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import logging
import re
import sys
import tempfile
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any, TextIO, overload
from zoneinfo import ZoneInfo

from pydantic import SecretStr
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.clock import ManualClock
from bot.config import LOCALES, Settings
from bot.i18n import Texts, default_translator
from bot.inprocess import InProcessBot, Reply, Speaker
from botapi_emulator.models import ApiCall, CallbackAnswer, SentMessage
from domain.enums import Stage
from storage.repo import Repo

#: The demo's day: a Tuesday, an ordinary working day in Russia. Fixed, so the transcript is stable.
DEMO_DAY = date(2026, 11, 17)
DEMO_TZ = "Europe/Moscow"
DEMO_BOT = "rop_demo_bot"
DEMO_TOKEN = "1000000001:DEMO-not-a-real-token-never-leaves-this-process"
#: Telegram ids of the people (private chat id == user id).
HEAD_ID, STRANGER_ID = 7001, 7999
MANAGER_IDS = {"anna": 7101, "boris": 7102, "vera": 7103}
LINK = re.compile(r"https://t\.me/\S+\?start=([A-Za-z0-9_-]+)")

Scene = Callable[["Demo"], Awaitable[None]]


@dataclass
class Person:
    """Someone in the demo: a Telegram user (``speaker``) with a role label for the transcript."""

    key: str
    speaker: Speaker
    role: str  # a ``demo-role-*`` suffix: head, manager, owner, stranger

    @property
    def name(self) -> str:
        return self.speaker.name

    @property
    def tg_id(self) -> int:
        return self.speaker.user_id


@dataclass
class Seen:
    """What one action brought: new messages, edited ones, the press's answer, menus set."""

    messages: list[SentMessage]
    edited: list[SentMessage]
    answer: CallbackAnswer | None
    menus: list[ApiCall]

    @property
    def reply(self) -> Reply:
        return Reply(self.messages, self.answer)


class _Cast:
    """``demo.anna``: the person of the demo named so (``Demo.person`` creates them); read-only."""

    def __set_name__(self, owner: type, name: str) -> None:
        self.key = name

    @overload
    def __get__(self, demo: None, owner: type) -> _Cast: ...
    @overload
    def __get__(self, demo: Demo, owner: type | None = None) -> Person: ...
    def __get__(self, demo: Demo | None, owner: type | None = None) -> Person | _Cast:
        return self if demo is None else demo.people[self.key]

    def __set__(self, demo: Demo, value: object) -> None:
        raise AttributeError(f"the demo's {self.key} is its person of that name, not to be replaced")


@dataclass
class Demo:
    """The stage: one team, one clock, one database, the people, and the transcript being written."""

    app: InProcessBot
    clock: ManualClock
    lang: str
    out: TextIO
    tz: ZoneInfo = field(default_factory=lambda: ZoneInfo(DEMO_TZ))
    team_name: str = ""
    team_id: int = 0
    people: dict[str, Person] = field(default_factory=dict)
    invite_codes: list[str] = field(default_factory=list)
    scene_no: int = 0
    actions: int = 0

    def __post_init__(self) -> None:
        self.t: Texts = default_translator().get(self.lang, html=False)
        self._noting = False

    # ------------------------------------------------------------------ who is who

    @property
    def settings(self) -> Settings:
        return self.app.settings

    @property
    def session_pool(self) -> async_sessionmaker[AsyncSession]:
        return self.app.session_pool

    head = _Cast()
    anna = _Cast()
    boris = _Cast()
    vera = _Cast()

    @property
    def managers(self) -> list[Person]:
        return [p for p in self.people.values() if p.role == "manager"]

    def person(self, key: str, role: str, name_key: str) -> Person:
        """A Telegram user of the demo (created once; the name comes from the locale files)."""
        if key not in self.people:
            user_id = HEAD_ID if key == "head" else MANAGER_IDS.get(key, STRANGER_ID)
            speaker = self.app.user(user_id, self.t(name_key), language_code=self.lang)
            self.people[key] = Person(key, speaker, role)
        return self.people[key]

    def who(self, person: Person) -> str:
        return self.t("demo-who", name=person.name, role=self.t(f"demo-role-{person.role}"))

    # ------------------------------------------------------------------ writing

    def line(self, text: str = "") -> None:
        self.out.write(text + "\n")
        self._noting = False

    def title(self, key: str, **args: Any) -> None:
        self.scene_no += 1
        self.line()
        self.line(self.t("demo-scene", n=self.scene_no, title=self.t(key, **args)))

    def note(self, key: str, **args: Any) -> None:
        """Narration (not a bot message), marked with ``»``; a run of notes starts after a blank line."""
        if not self._noting:
            self.line()
        for i, text in enumerate(self.t(key, **args).splitlines()):
            self.line(f"{'»' if i == 0 else ' '} {text}")
        self._noting = True

    def local_now(self) -> datetime:
        return self.clock().astimezone(self.tz)

    def at(self, hour: int, minute: int = 0, *, days: int = 0) -> None:
        """Move the clock to ``hour:minute`` local time, ``days`` after the demo's day, and say so."""
        day = DEMO_DAY + timedelta(days=days)
        self.clock.set(datetime.combine(day, time(hour, minute), tzinfo=self.tz))
        now = self.local_now()
        self.line(
            self.t(
                "demo-clock",
                weekday=self.t(f"demo-weekday-{now.isoweekday()}"),
                date=now.strftime("%d.%m.%Y"),
                time=now.strftime("%H:%M"),
                tz=DEMO_TZ,
            )
        )

    # ------------------------------------------------------------------ acting

    async def say(self, person: Person, text: str) -> Reply:
        """``person`` sends ``text`` to the bot; prints it and what everyone saw."""
        self.line()
        self.line(self.t("demo-says", who=self.who(person), text=text))
        seen = await self._observe(lambda: _none(person.speaker.send(text)))
        self._show(seen)
        return seen.reply

    async def say_texts(self, person: Person, *keys: str) -> None:
        """``person`` sends the demo's texts ``keys`` (in the demo's language), one message each, in turn."""
        for key in keys:
            await self.say(person, self.t(key))

    async def press(self, person: Person, message: SentMessage, label: str) -> Reply:
        """``person`` presses the inline button whose text contains ``label`` on ``message``."""
        button = message.button(label)
        self.line()
        self.line(self.t("demo-presses", who=self.who(person), label=button.get("text", label)))
        data = button["callback_data"]
        seen = await self._observe(lambda: self._press(person, message.message_id, data))
        self._show(seen)
        return seen.reply

    async def happens(
        self, action: Callable[[], Awaitable[Any]], key: str | None = None, **args: Any
    ) -> Seen:
        """Something that is not a user's action (a scheduled job): narrate ``key``, run it, print results."""
        if key:
            self.note(key, **args)
        seen = await self._observe(lambda: _none(action()))
        self._show(seen)
        return seen

    async def deliver(self, kind: str, key: str | None = None, **args: Any) -> Seen:
        """A scheduled message of ``kind`` (``"morning"``, ``"evening"``, a digest…) for the demo team on
        the clock's local date, through the same outbox and deliverer as production (the calendar is
        honoured, the time of day is not: move the clock first with ``at``); prints what everyone got."""
        from scheduler.kinds import KINDS
        from scheduler.plan import rule
        from scheduler.runner import Runner, enqueue_for_date
        from storage.models import Team
        from storage.outbox_repo import Filter

        async def run() -> None:
            runner = Runner.from_settings(
                self.app.bot,
                self.session_pool,
                self.settings,
                translator=default_translator(),
                clock=self.clock,
            )
            try:
                async with self.session_pool() as session, session.begin():
                    team = await session.get(Team, self.team_id)
                    assert team is not None
                    day, _, _ = await enqueue_for_date(session, team, rule(KINDS[kind]), None, self.clock())
                only = Filter(team_id=self.team_id, kinds=frozenset({kind}), local_date=day)
                await runner.deliverer.drain(only, enforce_window=False)
            finally:
                await runner.close()

        return await self.happens(run, key, **args)

    async def cli(self, argv: str, action: Callable[[], Awaitable[int]]) -> str:
        """An operator's command line: prints the command and its output; returns the output."""
        self.line()
        self.line(self.t("demo-cli", command=argv))
        buffer = io.StringIO()
        with contextlib.redirect_stdout(buffer), contextlib.redirect_stderr(buffer):
            code = await action()
        output = buffer.getvalue().rstrip()
        for text in output.splitlines():
            self.line(f"  {text}")
        if code != 0:
            raise RuntimeError(f"{argv} exited with {code}: {output}")
        return output

    def last(self, person: Person, button: str | None = None) -> SentMessage:
        """The latest message ``person`` got (with a button containing ``button``, if given)."""
        for message in reversed(person.speaker.inbox):
            if message.deleted:
                continue
            if button is None or any(button in b.get("text", "") for b in message.buttons):
                return message
        raise LookupError(f"{person.name} has no message" + (f" with a button {button!r}" if button else ""))

    @contextlib.asynccontextmanager
    async def repo(self) -> AsyncIterator[Repo]:
        async with self.session_pool() as session, session.begin():
            yield Repo(session)

    async def _press(self, person: Person, message_id: int, data: str) -> CallbackAnswer | None:
        return (await person.speaker.press_data(message_id, data)).answer

    async def _observe(self, action: Callable[[], Awaitable[CallbackAnswer | None]]) -> Seen:
        emulator = self.app.emulator
        before = {id(m): (len(m.edits), m.deleted) for m in emulator.sent()}
        calls = len(emulator.calls)
        answer = await action()
        self.actions += 1
        new = [m for m in emulator.sent() if id(m) not in before]
        edited = [
            m for m in emulator.sent() if id(m) in before and (len(m.edits), m.deleted) != before[id(m)]
        ]
        menus = [c for c in emulator.calls[calls:] if c.method.lower() == "setmycommands" and c.status == 200]
        return Seen(new, edited, answer, menus)

    def _show(self, seen: Seen) -> None:
        if seen.answer is not None and seen.answer.text:
            key = "demo-alert" if seen.answer.show_alert else "demo-toast"
            self.line(f"  {self.t(key, text=seen.answer.text)}")
        shown = False
        order = [p.tg_id for p in self.people.values()]
        for chat_id, items in _by_chat(
            [*((m, True) for m in seen.edited), *((m, False) for m in seen.messages)], order
        ):
            shown = True
            self.line(f"  {self.t('demo-sees', name=self._name_of(chat_id))}")
            for message, was_edited in items:
                self._show_message(message, was_edited)
        for call in seen.menus:
            scope = call.json("scope") or {}
            if "chat_id" not in scope:
                continue
            commands = " ".join(f"/{c['command']}" for c in call.json("commands") or [])
            self.line(
                f"  {self.t('demo-menu', name=self._name_of(int(scope['chat_id'])), commands=commands)}"
            )
        if not shown and (seen.answer is None or not seen.answer.text):
            self.line(f"  {self.t('demo-nothing')}")

    def _show_message(self, message: SentMessage, was_edited: bool) -> None:
        if was_edited:
            label = "demo-deleted" if message.deleted else "demo-edited"
            self.line(f"  │ {self.t(label)}")
            if message.deleted:
                return
        if message.kind != "text" and message.file is not None:
            size = max(1, round(message.file.size / 1024))
            self.line(f"  │ {self.t('demo-file', name=message.file.filename, kb=size)}")
        for text in (message.plain_text or "").splitlines():
            self.line(f"  │ {text}".rstrip())
        rows = (message.reply_markup or {}).get("inline_keyboard") or []
        for row in rows:
            self.line("  │ " + " ".join(f"[{b.get('text', '')}]" for b in row))
        self.line("  │")

    def _name_of(self, chat_id: int) -> str:
        for person in self.people.values():
            if person.tg_id == chat_id:
                return person.name
        return str(chat_id)


async def _none(awaitable: Awaitable[Any]) -> None:
    await awaitable


def _by_chat(
    items: Iterable[tuple[SentMessage, bool]], order: list[int]
) -> list[tuple[int, list[tuple[SentMessage, bool]]]]:
    """Messages grouped by recipient, people in the demo's order (scheduled sends go out concurrently)."""
    groups: dict[int, list[tuple[SentMessage, bool]]] = {}
    for message, edited in items:
        groups.setdefault(message.chat_id, []).append((message, edited))
    rank = {chat: i for i, chat in enumerate(order)}
    return sorted(groups.items(), key=lambda item: rank.get(item[0], len(rank)))


def invite_code(text: str) -> str:
    found = LINK.search(text)
    if not found:
        raise LookupError(f"no invite link in {text!r}")
    return found.group(1)


# ---------------------------------------------------------------------- the scenes of the foundation


async def team_forms(demo: Demo) -> None:
    """The operator creates the team on the command line; the head joins by the printed link."""
    from bot.cli import _team_create

    demo.title("demo-scene-team-create")
    demo.at(8, 30)
    demo.team_name = demo.t("demo-team-name")
    output = await demo.cli(
        f'python -m bot team create "{demo.team_name}" --tz {DEMO_TZ}',
        lambda: _team_create(demo.settings, _cli_texts(demo), demo.team_name, DEMO_TZ),
    )
    async with demo.repo() as repo:
        team = await repo.teams.by_name(demo.team_name)
        assert team is not None
        demo.team_id = team.id
    head = demo.person("head", "head", "demo-name-head")
    demo.note("demo-note-head-joins", name=head.name)
    await demo.say(head, f"/start {invite_code(output)}")


async def managers_join(demo: Demo) -> None:
    """The head invites three managers from the chat; each joins by their own link."""
    demo.title("demo-scene-invites")
    demo.at(8, 40)
    codes = []
    for _ in MANAGER_IDS:
        reply = await demo.say(demo.head, "/invite")
        codes.append(invite_code(reply.text))
    for (key, _), code in zip(MANAGER_IDS.items(), codes, strict=True):
        manager = demo.person(key, "manager", f"demo-name-{key}")
        await demo.say(manager, f"/start {code}")
    demo.invite_codes.extend(codes)


async def strangers_refused(demo: Demo) -> None:
    """Someone without an invite, and a used link: a polite refusal and nothing else."""
    demo.title("demo-scene-stranger")
    stranger = demo.person("stranger", "stranger", "demo-name-stranger")
    await demo.say(stranger, "/start")
    await demo.say(stranger, demo.t("demo-stranger-asks"))
    demo.note("demo-note-used-link", name=demo.vera.name)
    await demo.say(stranger, f"/start {demo.invite_codes[-1]}")


async def team_list(demo: Demo) -> None:
    """``/team``: the head sees everyone, with a button to deactivate each member."""
    demo.title("demo-scene-team")
    await demo.say(demo.head, "/team")
    demo.note("demo-note-team")


async def roles_enforced(demo: Demo) -> None:
    """A manager tries the head's commands and is refused politely."""
    demo.title("demo-scene-roles")
    await demo.say(demo.anna, "/invite")
    await demo.say(demo.anna, "/team")
    await demo.say(demo.anna, "/help")


async def languages(demo: Demo) -> None:
    """``/lang``: the head switches to the other language by a button, sees the team there, and back."""
    other = next(locale for locale in LOCALES if locale != demo.lang)
    demo.title("demo-scene-lang")
    reply = await demo.say(demo.head, "/lang")
    choose = reply.to(demo.head.tg_id)[-1]
    other_label = default_translator().get(other)("lang-name")
    await demo.press(demo.head, choose, other_label)
    await demo.say(demo.head, "/team")
    await demo.say(demo.head, f"/lang {demo.lang}")


#: The managers' client base, loaded before the day starts (as an import from a CRM would):
#: (manager, client text key, stage, task text key or None, due in days from the demo's day).
CLIENT_BASE: tuple[tuple[str, str, Stage, str | None, int], ...] = (
    ("anna", "demo-client-romashka", Stage.NEGOTIATION, "demo-task-romashka", 0),
    ("anna", "demo-client-vektor", Stage.PROPOSAL, "demo-task-vektor", -2),
    ("anna", "demo-client-sever", Stage.QUALIFIED, "demo-task-sever", 0),
    ("anna", "demo-client-lotos", Stage.NEW, None, 0),
    ("boris", "demo-client-atlant", Stage.NEGOTIATION, "demo-task-atlant", 0),
    ("boris", "demo-client-granit", Stage.PROPOSAL, "demo-task-granit", -1),
    ("boris", "demo-client-meridian", Stage.NEW, "demo-task-meridian", 1),
    ("vera", "demo-client-orbita", Stage.PROPOSAL, "demo-task-orbita", 0),
    ("vera", "demo-client-polus", Stage.QUALIFIED, "demo-task-polus", 0),
    ("vera", "demo-client-zenit", Stage.NEW, None, 0),
)


async def client_base(demo: Demo) -> None:
    """The managers' clients and open tasks, some overdue, some clients with no task at all."""
    demo.title("demo-scene-clients")
    demo.at(8, 50)
    counts: dict[str, list[int]] = {key: [0, 0, 0, 0] for key in MANAGER_IDS}
    async with demo.repo() as repo:
        by_tg = {m.tg_id: m for m in await repo.members.team_members(demo.team_id)}
        for key, client_key, stage, task_key, due in CLIENT_BASE:
            manager = by_tg[MANAGER_IDS[key]]
            client = await repo.clients.create(demo.team_id, manager.id, demo.t(client_key), stage)
            counts[key][0] += 1
            if task_key is None:
                counts[key][3] += 1
                continue
            await repo.tasks.create(
                demo.team_id,
                manager.id,
                demo.t(task_key),
                DEMO_DAY + timedelta(days=due),
                client_id=client.id,
                created_by=manager.id,
            )
            counts[key][1] += 1
            counts[key][2] += due < 0
    demo.note("demo-note-clients")
    for key, (clients, tasks, overdue, idle) in counts.items():
        demo.note(
            "demo-note-client-line",
            name=demo.people[key].name,
            clients=clients,
            tasks=tasks,
            overdue=overdue,
            idle=idle,
        )


def day() -> list[Scene]:
    """The scripted day, in order. The one extension point: add your scene to this list (see the module
    docstring). Scenes share ``demo``: the team, the people, the clock and the database."""
    from bot.demo_crm import SCENES as with_crm  # here, not at the top: no import cycle
    from bot.demo_day import SCENES as manager_day

    return [
        team_forms,
        managers_join,
        strangers_refused,
        team_list,
        roles_enforced,
        languages,
        client_base,
        *manager_day,
        *with_crm,
    ]


# ---------------------------------------------------------------------- running it


def _cli_texts(demo: Demo) -> Texts:
    return default_translator().get(demo.lang, html=False)


def demo_settings(settings: Settings, database_url: str, lang: str) -> Settings:
    """The operator's settings with what the demo needs: its own database, a fake token that never
    leaves the process, a known bot username, the demo's language, and no flood control (the script
    types faster than a person)."""
    return settings.model_copy(
        update={
            "database_url": database_url,
            "bot_token": _secret(DEMO_TOKEN),
            "bot_username": DEMO_BOT,
            "telegram_api_url": None,
            "redis_url": None,
            "default_locale": lang,
            "default_timezone": DEMO_TZ,
            "throttle_rate": 1000.0,
            "throttle_burst": 1000,
        }
    )


def _secret(value: str) -> SecretStr:
    return SecretStr(value)


async def play(
    settings: Settings,
    lang: str | None = None,
    out: TextIO | None = None,
    scenes: list[Scene] | None = None,
    workdir: Path | None = None,
) -> Demo:
    """Play ``scenes`` (default: the whole ``day()``) in a throwaway database; returns the finished demo."""
    from storage.db import create_engine, create_session_pool
    from storage.migrate import upgrade

    lang = lang if lang in LOCALES else settings.default_locale
    out = out if out is not None else sys.stdout
    with tempfile.TemporaryDirectory(prefix="rop-demo-", dir=workdir) as tmp:
        url = f"sqlite+aiosqlite:///{Path(tmp) / 'demo.sqlite3'}"
        await asyncio.to_thread(upgrade, url)
        settings = demo_settings(settings, url, lang)
        engine = create_engine(url)
        try:
            start = datetime.combine(DEMO_DAY, time(8, 0), tzinfo=ZoneInfo(DEMO_TZ))
            clock = ManualClock(start)
            app = InProcessBot(settings, create_session_pool(engine), clock)
            await app.start()
            demo = Demo(app, clock, lang, out)
            try:
                demo.line(demo.t("demo-header"))
                demo.note("demo-intro")
                for scene in scenes if scenes is not None else day():
                    await scene(demo)
                demo.line()
                demo.line(
                    demo.t(
                        "demo-end",
                        scenes=demo.scene_no,
                        actions=demo.actions,
                        messages=len(app.all_sent()),
                    )
                )
            finally:
                await app.close()
        finally:
            await engine.dispose()
    return demo


async def run_demo(settings: Settings, lang: str | None = None) -> int:
    """The command line's ``demo``: the transcript on stdout; logs (stderr) only from warnings up, so
    the per-update lines do not interleave with the transcript."""
    root = logging.getLogger()
    level = root.level
    root.setLevel(max(level, logging.WARNING))
    try:
        await play(settings, lang)
    finally:
        root.setLevel(level)
    return 0
