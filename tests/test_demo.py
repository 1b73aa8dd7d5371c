"""The demo plays the scripted day through the real handlers and prints a readable transcript."""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from bot.config import load_settings
from bot.demo import Demo, day, play, team_forms

ROOT = Path(__file__).resolve().parent.parent
RAW_HTML = re.compile(
    r"</?(b|i|u|s|a|code|pre|em|strong|tg-spoiler|blockquote|span)\b[^>]*>|&(lt|gt|amp|quot);"
)
CYRILLIC = re.compile(r"[А-Яа-яЁё]")


async def _transcript(lang: str, scenes=None) -> tuple[str, Demo]:
    out = io.StringIO()
    settings = load_settings(_env_file=None, bot_token=None)
    demo = await play(settings, lang, out=out, scenes=scenes)
    return out.getvalue(), demo


def _after(text: str, marker: str) -> str:
    """The transcript from ``marker`` to the next action line (what that one action brought)."""
    start = text.index(marker)
    rest = text[start + len(marker) :]
    stop = min((i for i in (rest.find(" → "), rest.find("\n──")) if i >= 0), default=len(rest))
    return rest[:stop]


async def test_the_russian_day_holds_the_key_moments() -> None:
    text, demo = await _transcript("ru")
    assert text.startswith("═══ РОП-ассистент")
    # the operator creates the team; the head joins by the printed link
    assert '$ python -m bot team create "Отдел продаж" --tz Europe/Moscow' in text
    assert re.search(r"Ирина \(РОП\) → /start [A-Za-z0-9_-]{32}\n", text)
    assert (
        "Добро пожаловать, Ирина! Вы в команде «Отдел продаж», ваша роль — руководитель отдела продаж."
        in text
    )
    # three invites from the chat, three managers join with them
    assert text.count("Ирина (РОП) → /invite") == 3
    assert text.count("Приглашение для роли «менеджер»") == 3
    for name in ("Анна", "Борис", "Вера"):
        assert f"{name} (менеджер) → /start " in text
        assert f"Добро пожаловать, {name}! Вы в команде «Отдел продаж», ваша роль — менеджер." in text
        assert f"☰ {name} — меню команд: " in text
    # strangers and a used link are refused
    assert "по приглашению" in _after(text, "Кирилл (посторонний) → /start\n")
    assert "уже использовано" in text
    # /team lists the four, with the head's buttons shown as buttons
    team = _after(text, "Ирина (РОП) → /team")
    assert "Команда «Отдел продаж» — 4 человека" in team
    assert re.findall(r"• (\S+) —", team) == ["Ирина", "Анна", "Борис", "Вера"]
    assert "│ [Отключить: Анна]" in team
    # a manager is refused the head's command, politely
    assert "Эта команда доступна другой роли" in _after(text, "Анна (менеджер) → /invite")
    # the language: a button row, a toast, the edit, the team in English, and back
    assert "│ [🇷🇺 Русский] [🇬🇧 English]" in text
    assert "нажимает кнопку «🇬🇧 English»" in text
    assert "💬 всплывающая подсказка: Done: the bot now speaks English to you." in text
    assert "✎ сообщение изменилось:" in text
    assert "Team “Отдел продаж” — 4 people" in text
    assert "Готово: бот говорит с вами по-русски." in _after(text, "Ирина (РОП) → /lang ru")
    # the client base for the later scenes
    assert "• Анна: 4 клиента, 3 открытые задачи, просрочено: 1, клиентов без задач: 1" in text
    # readable: no raw HTML, no traceback, no internal errors shown to anyone
    assert not RAW_HTML.search(text), RAW_HTML.search(text)
    assert "Traceback" not in text and "Что-то пошло не так" not in text
    assert demo.scene_no == len(day())
    assert text.rstrip().endswith("═══")
    assert not demo.app.emulator.unanswered_callbacks()


async def test_the_english_transcript_narrates_in_english() -> None:
    text, _ = await _transcript("en")
    assert "═══ РОП-ассистент: a working day of a sales team, played out ═══" in text
    assert "Irina (head of sales) → /invite" in text
    assert "Welcome, Anna! You are in the team “Sales team” as sales manager." in text
    assert "Team “Sales team” — 4 people" in text
    assert "│ [Deactivate: Anna]" in text
    assert "presses “🇷🇺 Русский”" in text and "Команда «Sales team» — 4 человека" in text
    # narration, and who acts (what they type or press is theirs: a Russian team may type Russian)
    narration = [
        line.split(" → ")[0].split(" presses “")[0]
        for line in text.splitlines()
        if line.startswith(("»", "──", "🕘", "═══ End"))
        or " → " in line
        or " presses “" in line
        or "sees:" in line
    ]
    assert len(narration) > 30
    russian = [line for line in narration if CYRILLIC.search(line)]
    assert not russian, russian
    assert not RAW_HTML.search(text)


async def test_a_scene_added_to_the_day_plays_on_the_same_stage() -> None:
    async def deactivate_boris(demo: Demo) -> None:
        demo.title("demo-scene-team")
        reply = await demo.say(demo.head, "/team")
        await demo.press(demo.head, reply.messages[-1], demo.boris.name)
        await demo.press(demo.head, demo.last(demo.head, "Да, отключить"), "Да, отключить")
        await demo.say(demo.boris, "/help")

    from bot.demo import managers_join

    text, demo = await _transcript("ru", [team_forms, managers_join, deactivate_boris])
    assert "Ирина (РОП) нажимает кнопку «Отключить: Борис»" in text
    assert "Отключить сотрудника Борис?" in text and "Сотрудник Борис отключён." in text
    assert "по приглашению" in _after(text, "Борис (менеджер) → /help")
    assert demo.scene_no == 3


async def test_a_scene_can_deliver_a_scheduled_message_as_production_does() -> None:
    async def morning(demo: Demo) -> None:
        demo.title("demo-scene-clients")
        demo.at(9, 0)
        await demo.deliver("morning")

    from bot.demo import client_base, managers_join

    text, _ = await _transcript("ru", [team_forms, managers_join, client_base, morning])
    delivered = text[text.rindex("09:00") :]
    for name in ("Анна", "Борис", "Вера"):
        assert f"{name} видит:" in delivered
    assert "Отправить новый счёт без скидки" in delivered  # Анна's overdue task, from the client base
    assert "[✅ 1]" in delivered


def test_python_m_bot_demo_needs_no_token(tmp_path: Path) -> None:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("BOT_", "DATABASE_", "TELEGRAM_", "REDIS_", "DEFAULT_", "LOG_"))
    }
    result = subprocess.run(
        [sys.executable, "-m", "bot", "demo"],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,  # no .env here
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert "Traceback" not in result.stderr
    assert result.stdout.startswith("═══ РОП-ассистент")
    assert "Команда «Отдел продаж» — 4 человека" in result.stdout
    assert not RAW_HTML.search(result.stdout)
    assert list(tmp_path.iterdir()) == []  # the throwaway database went with its temporary directory


@pytest.mark.parametrize("argv", [["demo", "--help"]])
def test_demo_help_names_the_language_option(argv: list[str]) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "bot", *argv], capture_output=True, text=True, cwd=ROOT, timeout=60
    )
    assert result.returncode == 0 and "--lang" in result.stdout
