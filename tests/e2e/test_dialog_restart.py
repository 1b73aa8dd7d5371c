"""A dialog survives a restart without Redis: the real process is killed with SIGKILL in the middle of
``/add`` and started again; the typed answer continues the dialog where it stopped (the dialog state is in
the database, ``bot/dialog_storage.py``), and the finished dialog leaves no row behind."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from botapi_emulator import Emulator
from storage.models import DialogState, Task
from tests.e2e.harness import LiveBot, Person, next_working_day, opened
from tests.e2e.test_onboarding import cli, invite_code

pytestmark = pytest.mark.e2e


async def open_dialogs(url: str) -> int:
    async with opened(url) as pool, pool() as session:
        return await session.scalar(select(func.count()).select_from(DialogState)) or 0


async def test_sigkill_in_the_middle_of_add_and_the_answer_continues_after_restart(
    live_bot: LiveBot, emulator: tuple[Emulator, str]
) -> None:
    emu, _ = emulator
    head = Person(emu, 101, "Ирина")
    await head.send(f"/start {invite_code(await cli(live_bot, 'team', 'create', 'Продажи'))}", expect="Добро")
    anna = Person(emu, 201, "Анна")
    await anna.send(f"/start {invite_code((await head.send('/invite', expect='Приглашение')).text)}")
    await anna.send("/newclient Альфа", expect="создан")
    assert await open_dialogs(live_bot.db_url) == 0  # nobody is in a dialog: no rows

    await anna.send("/add", expect="Для какого клиента задача?")
    assert await open_dialogs(live_bot.db_url) == 1
    await live_bot.kill()
    await live_bot.start()

    asked = await anna.send("Альфа", expect=lambda m: "Что конкретно сделать для" in m.plain_text)
    assert "Что конкретно сделать для Альфа" in asked.plain_text
    await anna.send("позвонить ЛПР и согласовать встречу", expect="Когда?")
    await anna.send(next_working_day(), expect="Задача добавлена")
    async with opened(live_bot.db_url) as pool, pool() as session:
        actions = (await session.scalars(select(Task.action))).all()
    assert actions == ["позвонить ЛПР и согласовать встречу"]
    assert await open_dialogs(live_bot.db_url) == 0  # the finished dialog is forgotten
    assert "Не понял" not in "\n".join(m.plain_text for m in anna.inbox)
