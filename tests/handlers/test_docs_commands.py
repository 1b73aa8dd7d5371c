"""The user guide matches the bot: every command named in ``docs/`` is in the guide's table of commands by
role (``docs/README.md``), each role the table marks has it in its menu (``/help`` is built from the menu),
and through the real dispatcher each command answers exactly the roles marked and refuses the others."""

from __future__ import annotations

import re
from pathlib import Path

from bot.commands import MENU
from bot.i18n import default_translator
from domain.enums import Role
from storage.models import Member
from tests.handlers.conftest import TeamWorld

DOCS = Path(__file__).resolve().parents[2] / "docs"
ROLES = (Role.MANAGER, Role.HEAD, Role.OWNER)  # the table's columns, in order
COMMAND = re.compile(r"`/([a-z_]+)")


def table() -> dict[str, set[Role]]:
    """command → the roles the guide's table gives it."""
    text = (DOCS / "README.md").read_text(encoding="utf-8")
    section = text[text.index("## Команды по ролям") :].split("\n## ")[0]
    rows: dict[str, set[Role]] = {}
    for line in section.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) != 4 or not COMMAND.search(cells[0]):
            continue
        roles = {role for role, mark in zip(ROLES, cells[1:], strict=True) if mark == "✓"}
        for name in COMMAND.findall(cells[0]):
            rows[name] = roles
    return rows


def test_every_command_in_the_docs_is_in_the_table_and_in_the_menus() -> None:
    rows = table()
    assert len(rows) > 20, rows
    named = {name for path in DOCS.glob("*.md") for name in COMMAND.findall(path.read_text(encoding="utf-8"))}
    assert named - rows.keys() == set(), "commands in docs/ missing from the table in docs/README.md"
    for name, roles in rows.items():
        if name == "start":  # joining: the menu of strangers
            assert name in MENU[None]
            continue
        for role in ROLES:
            assert (name in MENU[role]) == (role in roles), (name, role, "menu and docs disagree")


async def test_each_command_answers_exactly_the_roles_the_docs_give_it(world: TeamWorld) -> None:
    async with world.pool() as s, s.begin():
        owner = Member(team_id=world.team.id, tg_id=1900, name="Собственник", role=Role.OWNER, locale="ru")
        s.add(owner)
        await s.flush()
        s.expunge(owner)
    members = {Role.HEAD: world.head, Role.MANAGER: world.managers[0], Role.OWNER: owner}
    t = default_translator().get("ru", html=False)
    refused, unknown = t("command-not-for-role"), t("command-unknown")
    wrong: list[tuple[str, str, str]] = []
    for role, member in members.items():
        world.app.emulator.add_user(member.tg_id, first_name=member.name, started=True)
        who = world.app.user(member.tg_id, member.name)
        for name, roles in sorted(table().items()):
            if name == "start":
                continue
            reply = await who.send(f"/{name}")
            texts = "\n".join(m.plain_text for m in reply.messages)
            if role in roles and (refused in texts or unknown in texts or not texts):
                wrong.append((name, role, "refused, but the docs give it"))
            elif role not in roles and refused not in texts:
                wrong.append((name, role, "answered, but the docs do not give it: " + texts[:80]))
            await who.send("/cancel")  # leave any dialog the command opened
    assert not wrong, wrong
