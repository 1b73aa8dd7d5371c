"""Every text comes from the locale files, and both languages are complete."""

from __future__ import annotations

import re

import pytest

from bot.config import ROOT
from bot.i18n import Html, Translator

SOURCES = [
    p for d in ("bot", "handlers", "scheduler") for p in (ROOT / d).rglob("*.py") if p.name != "i18n.py"
]
KEY_CALL = re.compile(r"""\bt\(\s*["']([a-z0-9-]+)["']""")
FSTRING_KEY = re.compile(r"""\bt\(\s*f["']([a-z0-9-]+)\{""")


@pytest.fixture(scope="module")
def translator() -> Translator:
    return Translator()


def test_russian_and_english_have_the_same_keys(translator: Translator) -> None:
    assert translator.keys("ru") == translator.keys("en")


def test_every_key_used_in_code_exists(translator: Translator) -> None:
    keys = translator.keys("ru")
    used = {k for path in SOURCES for k in KEY_CALL.findall(path.read_text(encoding="utf-8"))}
    missing = sorted(k for k in used if k not in keys)
    assert not missing, f"keys used but not in locales/: {missing}"
    prefixes = {k for path in SOURCES for k in FSTRING_KEY.findall(path.read_text(encoding="utf-8"))}
    for prefix in prefixes:
        assert any(k.startswith(prefix) for k in keys), prefix


def test_every_user_error_code_has_a_text(translator: Translator) -> None:
    codes = set()
    for path in [*SOURCES, *(ROOT / "storage").rglob("*.py"), *(ROOT / "domain").rglob("*.py")]:
        codes |= set(re.findall(r"""UserError\(\s*["']([a-z0-9-]+)["']""", path.read_text(encoding="utf-8")))
    assert codes
    missing = sorted(c for c in codes if f"error-{c}" not in translator.keys("ru"))
    assert not missing


@pytest.mark.parametrize(
    ("n", "word"),
    [
        (1, "человек"),
        (2, "человека"),
        (4, "человека"),
        (5, "человек"),
        (11, "человек"),
        (21, "человек"),
        (22, "человека"),
    ],
)
def test_russian_plurals(translator: Translator, n: int, word: str) -> None:
    assert translator.get("ru")("team-title", team="A", count=n).endswith(f"— {n} {word}")


def test_arguments_are_escaped_but_html_fragments_are_not(translator: Translator) -> None:
    t = translator.get("ru")
    assert "<b>Команда «&lt;script&gt; &amp; Co»</b>" in t("team-title", team="<script> & Co", count=1)
    assert "<i>x</i>" in t("team-line", name=Html("<i>x</i>"), handle="", role="r")
    plain = translator.get("ru", html=False)
    assert "«A & B»" in plain("cli-team-created", team="A & B", tz="Europe/Moscow")


def test_unknown_locale_falls_back_to_russian(translator: Translator) -> None:
    assert translator.get("de").locale == "ru"


def test_memoised_texts_keep_escaping_language_and_argument_types_apart(translator: Translator) -> None:
    ru, en, plain = translator.get("ru"), translator.get("en"), translator.get("ru", html=False)
    for _ in range(2):  # the second round is served from the memo
        assert "<i>x</i>" in ru("team-line", name=Html("<i>x</i>"), handle="", role="r")
        assert "&lt;i&gt;x&lt;/i&gt;" in ru("team-line", name="<i>x</i>", handle="", role="r")
        assert "«A & B»" in plain("cli-team-created", team="A & B", tz="Europe/Moscow")
        assert "«A &amp; B»" in ru("cli-team-created", team="A & B", tz="Europe/Moscow")
        assert ru("team-title", team="A", count=2).endswith("2 человека")
        assert en("team-title", team="A", count=2) != ru("team-title", team="A", count=2)
        assert ru("team-title", team="A", count=True) != ru("team-title", team="A", count=1)
    assert translator._memo.cache_info().hits >= 7
    # an unhashable argument is formatted without the memo
    assert ru("team-line", name=Html("y"), handle="", role=["r"]) is not None
