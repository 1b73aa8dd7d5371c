"""A team forms in the chat: the head joins by the command-line invite, invites two managers, strangers
and reused codes are refused, and /team lists exactly the three, in Russian and then in English."""

from __future__ import annotations

import asyncio
import re
import sys

import pytest

from botapi_emulator import Emulator
from tests.conftest import TEST_TOKEN
from tests.e2e.harness import ROOT, LiveBot, Person

pytestmark = pytest.mark.e2e
LINK = re.compile(r"https://t\.me/rop_test_bot\?start=([A-Za-z0-9_-]{22,64})")


async def cli(bot: LiveBot, *args: str) -> str:
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        *args,
        cwd=ROOT,
        env=bot.environment(),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await proc.communicate()
    assert proc.returncode == 0, err.decode()
    return out.decode()


def invite_code(text: str) -> str:
    found = LINK.search(text)
    assert found, text
    return found.group(1)


async def test_a_team_forms_by_invites(live_bot: LiveBot, emulator: tuple[Emulator, str]) -> None:
    emu, _ = emulator
    head_code = invite_code(await cli(live_bot, "team", "create", "Отдел продаж", "--tz", "Europe/Moscow"))

    head = Person(emu, 101, "Ирина", "irina_rop")
    welcome = await head.send(f"/start {head_code}", expect="Добро пожаловать")
    assert "руководитель отдела продаж" in welcome.text

    codes = []
    for _ in range(2):
        msg = await head.send("/invite", expect="Приглашение")
        codes.append(invite_code(msg.text))
    assert len(set(codes)) == 2

    anna, boris = Person(emu, 201, "Анна"), Person(emu, 202, "Борис", "boris")
    assert "менеджер" in (await anna.send(f"/start {codes[0]}", expect="Добро пожаловать")).text
    await boris.send(f"/start {codes[1]}", expect="Добро пожаловать")

    stranger = Person(emu, 999, "Чужой")
    assert "по приглашению" in (await stranger.send("/start", expect="приглашени")).text
    await stranger.send("Привет, дайте задачи", expect="по приглашению")
    await stranger.send("/team", expect="по приглашению")
    await stranger.send(f"/start {codes[0]}", expect="уже использовано")
    await stranger.send("/start AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", expect="Такого приглашения нет")

    team = await head.send("/team", expect="Команда «Отдел продаж»")
    assert "3 человека" in team.text
    names = re.findall(r"• (\S+)", team.text)
    assert sorted(names) == ["Анна", "Борис", "Ирина"]
    assert "@boris" in team.text and "@irina_rop" in team.text

    await head.send("/lang en", expect="speaks English")
    team_en = await head.send("/team", expect="Team “Отдел продаж”")
    assert "3 people" in team_en.text and "sales manager" in team_en.text
    assert sorted(re.findall(r"• (\S+)", team_en.text)) == ["Анна", "Борис", "Ирина"]

    # the menu is set per member, in the member's role and language
    scoped = [
        c for c in emu.calls if c.method.lower() == "setmycommands" and "chat_id" in (c.json("scope") or {})
    ]
    by_chat = {c.json("scope")["chat_id"]: [x["command"] for x in c.json("commands")] for c in scoped}
    assert "invite" in by_chat[101] and "invite" not in by_chat[201]
    head_menu = [c for c in scoped if c.json("scope")["chat_id"] == 101][-1]
    assert any(x["description"] == "The team" for x in head_menu.json("commands"))

    # every press answered, no API call refused
    assert not emu.unanswered_callbacks()
    refused = [(c.method, c.description) for c in emu.calls if c.status not in (None, 200)]
    assert refused == []
    await live_bot.stop()
    secret = TEST_TOKEN.split(":", 1)[1]
    log = live_bot.log_text()
    assert "getUpdates" in log or "Update id=" in log  # the DEBUG log really was captured
    assert secret not in log


async def test_head_deactivates_a_manager_who_is_then_refused(
    live_bot: LiveBot, emulator: tuple[Emulator, str]
) -> None:
    emu, _ = emulator
    head = Person(emu, 101, "Ирина")
    await head.send(f"/start {invite_code(await cli(live_bot, 'team', 'create', 'Продажи'))}", expect="Добро")
    manager = Person(emu, 201, "Анна")
    code = invite_code((await head.send("/invite", expect="Приглашение")).text)
    await manager.send(f"/start {code}", expect="Добро")

    await manager.send("/invite", expect="другой роли")
    team = await head.send("/team", expect="Команда")
    await head.press(team, "Отключить: Анна")
    confirm = await head.wait("Отключить сотрудника Анна?")
    yes = confirm.button("Да, отключить")["callback_data"]
    answer = await head.press(confirm, "Да, отключить")
    assert "отключён" in (answer.text or "")
    await manager.send("/help", expect="по приглашению")
    # pressing the same confirmation again changes nothing and is still answered politely
    again = await head.press_data(confirm.message_id, yes, strict=False)
    assert "уже отключён" in (again.text or "")
