"""Splitting long messages: UTF-16 lengths, break preferences, HTML kept valid per chunk."""

from __future__ import annotations

import re
import time as clock

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from domain.text import MESSAGE_LIMIT, split_message, utf16_len

BREAK_SPACE = " \t\n\r\f\v"
TAG = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9-]*)[^>]*>")
TOKEN = re.compile(r"<[^>]*>|&[^;\s&<]+;|.", re.DOTALL)


def visible(html: str) -> str:
    return TAG.sub("", html)


def assert_balanced(chunk: str) -> None:
    stack: list[str] = []
    for m in TAG.finditer(chunk):
        closing, name = m.group(1), m.group(2)
        if closing:
            assert stack and stack[-1] == name, (chunk, name, stack)
            stack.pop()
        else:
            stack.append(name)
    assert not stack, (chunk, stack)


def assert_preserved(original: str, pieces: list[str]) -> None:
    """The pieces are consecutive slices of ``original`` separated only by whitespace (which a break
    drops, along with any whitespace after the last visible character)."""
    pos = 0
    for piece in pieces:
        piece = piece.strip()
        while pos < len(original) and original[pos].isspace():
            pos += 1
        assert original.startswith(piece, pos), (original[pos : pos + 40], piece[:40])
        pos += len(piece)
    assert original[pos:].strip() == ""


def formatting(html: str) -> list[tuple[str, tuple[str, ...]]]:
    """Each non-whitespace character or entity with the opening tags around it."""
    stack: list[str] = []
    out: list[tuple[str, tuple[str, ...]]] = []
    for token in TOKEN.findall(html):
        if token.startswith("</"):
            stack.pop()
        elif token.startswith("<"):
            stack.append(token)
        elif not token.isspace():
            out.append((token, tuple(stack)))
    return out


def check(text: str, limit: int, *, html: bool = True) -> list[str]:
    chunks = split_message(text, limit, html=html)
    for chunk in chunks:
        assert utf16_len(chunk) <= limit
        assert chunk.strip(BREAK_SPACE)
        assert (visible(chunk) if html else chunk).strip()
        if html:
            assert_balanced(chunk)
    assert_preserved(visible(text) if html else text, [visible(c) if html else c for c in chunks])
    return chunks


# --- utf16_len -------------------------------------------------------------------------------------


def test_utf16_len() -> None:
    assert utf16_len("") == 0
    assert utf16_len("abc") == 3
    assert utf16_len("Привет") == 6
    assert utf16_len("😀") == 2
    assert utf16_len("a😀b") == 4
    assert utf16_len("✅") == 1  # U+2705 is in the BMP
    assert utf16_len("👍🏽") == 4
    assert utf16_len("👨\u200d👩\u200d👧") == 8
    assert utf16_len("a\ud83db") == 3  # a lone surrogate is one unit


@given(st.text())
def test_utf16_len_matches_encoding(s: str) -> None:
    assert utf16_len(s) == len(s.encode("utf-16-le", "surrogatepass")) // 2


# --- break preferences -----------------------------------------------------------------------------


def test_short_text_is_one_chunk() -> None:
    assert split_message("Доброе утро!") == ["Доброе утро!"]
    assert split_message("x" * MESSAGE_LIMIT) == ["x" * MESSAGE_LIMIT]


def test_empty_and_blank_texts_give_no_chunks() -> None:
    assert split_message("") == []
    assert split_message(" \n\n \t") == []
    assert split_message("<b> </b>\n") == []


def test_outer_whitespace_is_dropped() -> None:
    assert split_message("\n\n  hello  \n") == ["hello"]


def test_blank_line_preferred_to_line_end() -> None:
    assert check("aaaa\n\nbbbb\ncccc", 11) == ["aaaa", "bbbb\ncccc"]


def test_line_end_preferred_to_space() -> None:
    assert check("aa bb\ncc dd ee", 10) == ["aa bb", "cc dd ee"]


def test_space_when_no_line_fits() -> None:
    assert check("one two three four", 9) == ["one two", "three", "four"]


def test_whitespace_run_at_a_break_is_dropped() -> None:
    assert check("first  \n \n\t second", 6) == ["first", "second"]


def test_hard_split_only_for_a_too_long_word() -> None:
    assert check("a" * 25, 10) == ["a" * 10, "a" * 10, "a" * 5]
    assert check("word " + "x" * 15 + " end", 10) == ["word", "x" * 10, "xxxxx end"]


def test_non_breaking_space_is_not_a_break() -> None:
    assert check("aaaa\u00a0bbbb cc", 10) == ["aaaa\u00a0bbbb", "cc"]


def test_limit_counts_utf16_units() -> None:
    assert check("😀" * 5, 4) == ["😀😀", "😀😀", "😀"]
    assert check("😀 😀 😀", 5) == ["😀 😀", "😀"]
    with pytest.raises(ValueError):
        split_message("😀", 1)


def test_graphemes_kept_whole_when_possible() -> None:
    family = "👨\u200d👩\u200d👧"
    assert check(family * 3, 10) == [family] * 3
    flag = "🇷🇺"
    assert check(flag * 3, 6) == [flag] * 3
    assert check(flag * 3, 10) == [flag * 2, flag]
    assert check("👍🏽" * 3, 5) == ["👍🏽"] * 3
    accented = "е\u0301" * 6  # е + combining acute
    assert check(accented, 5) == ["е\u0301" * 2] * 3


def test_grapheme_longer_than_limit_is_still_split() -> None:
    family = "👨\u200d👩\u200d👧"
    chunks = check(family, 4)
    assert "".join(chunks) == family


def test_bad_limit() -> None:
    with pytest.raises(ValueError):
        split_message("text", 0)


# --- HTML -----------------------------------------------------------------------------------------


def test_tags_closed_and_reopened_at_a_break() -> None:
    assert check("<b>bold line one\nbold line two</b>", 20) == [
        "<b>bold line one</b>",
        "<b>bold line two</b>",
    ]


def test_nested_tags_and_attributes_reopened() -> None:
    text = '<a href="https://example.com/?a=1&amp;b=2"><i>первая строка</i>\nвторая строка</a>'
    chunks = check(text, 70)
    assert chunks == [
        '<a href="https://example.com/?a=1&amp;b=2"><i>первая строка</i></a>',
        '<a href="https://example.com/?a=1&amp;b=2">вторая строка</a>',
    ]


def test_tag_split_inside_pre_code() -> None:
    text = '<pre><code class="language-python">line1\nline2\nline3</code></pre>'
    chunks = check(text, 60)
    assert chunks == [
        '<pre><code class="language-python">line1\nline2</code></pre>',
        '<pre><code class="language-python">line3</code></pre>',
    ]


def test_tags_and_entities_never_cut() -> None:
    assert check("&amp;" * 10, 12) == ["&amp;&amp;"] * 5
    assert check("&#128512;&lt;" * 3, 14) == ["&#128512;&lt;"] * 3
    chunks = check('<a href="https://example.com/x">' + "link " * 10 + "</a>", 50)
    assert all(c.startswith('<a href="https://example.com/x">') and c.endswith("</a>") for c in chunks)


def test_empty_pairs_are_dropped_at_breaks() -> None:
    assert check("first <b>\n\nsecond</b>", 16) == ["first", "<b>second</b>"]
    assert check("<b>first\n\n</b>second", 16) == ["<b>first</b>", "second"]


def test_limit_too_small_for_the_open_tags() -> None:
    with pytest.raises(ValueError, match="no room"):
        split_message('<a href="https://example.com/x">' + "word " * 10 + "</a>", 30)


def test_malformed_html_is_left_alone() -> None:
    chunks = split_message("<b>open " + "word " * 6, 20)
    assert all(c.startswith("<b>") and c.endswith("</b>") for c in chunks)
    assert split_message("a </i> b", 100) == ["a </i> b"]
    assert split_message("1 < 2 & 3 > 2", 100) == ["1 < 2 & 3 > 2"]


def test_plain_mode_does_not_parse_tags() -> None:
    assert split_message("x<b>y" * 3, 5, html=False) == ["x<b>y"] * 3
    assert split_message("ab<b>cd", 4, html=False) == ["ab<b", ">cd"]
    assert split_message("&amp;&amp;", 7, html=False) == ["&amp;&a", "mp;"]


def test_telegram_sized_digest() -> None:
    lines = [f"<b>Менеджер {i}</b>: 5 задач ✅, 2 просрочено ⚠️ &amp; 1 горячий клиент 🔥" for i in range(300)]
    text = "\n\n".join("\n".join(lines[i : i + 5]) for i in range(0, 300, 5))
    chunks = check(text, MESSAGE_LIMIT)
    assert len(chunks) > 1
    assert all(not c.startswith("\n") for c in chunks)
    # Blocks of five lines are never torn apart.
    assert all(c.count("\n") % 6 == 4 for c in chunks)


def test_long_text_is_fast() -> None:
    """A quadratic splitter takes minutes here; a linear one a fraction of a second. The bound is on this
    process's CPU time, not the wall clock, so other processes on a loaded machine do not fail it."""
    text = ("<b>слово</b> " * 20 + "\n") * 500 + "<b>" + "x" * 50000 + "</b>"
    started = clock.process_time()
    chunks = split_message(text)
    assert clock.process_time() - started < 5
    assert all(utf16_len(c) <= MESSAGE_LIMIT for c in chunks)


# --- properties -----------------------------------------------------------------------------------

WORD_CHARS = "abcxyzабвгдеёжя0123456789.,!?-–" + "😀🔥✅" + "\u00a0"
words = st.text(alphabet=WORD_CHARS, min_size=1, max_size=30)
entities = st.sampled_from(["&amp;", "&lt;", "&gt;", "&quot;", "&#128512;", "&#x1F525;"])
spaces = st.sampled_from([" ", " ", " ", "\n", "\n\n", "  ", "\t", " \n \n "])
pieces = st.lists(st.one_of(words, entities, spaces), min_size=1, max_size=25).map("".join)
OPENING = [
    "<b>",
    "<i>",
    "<u>",
    "<s>",
    "<code>",
    "<pre>",
    "<blockquote>",
    '<span class="tg-spoiler">',
    '<a href="https://example.com/?q=1&amp;r=2">',
    "<tg-spoiler>",
]


def _wrap(children: list[str], opening: str) -> str:
    name = TAG.match(opening).group(2)  # type: ignore[union-attr]
    return f"{opening}{''.join(children)}</{name}>"


html_texts = st.recursive(
    pieces,
    lambda inner: st.one_of(
        st.builds(_wrap, st.lists(inner, min_size=1, max_size=4), st.sampled_from(OPENING)),
        st.lists(inner, min_size=1, max_size=4).map("".join),
    ),
    max_leaves=30,
)


@settings(max_examples=300)
@given(html_texts, st.integers(min_value=180, max_value=600))
def test_html_split_property(text: str, limit: int) -> None:
    chunks = check(text, limit)
    # Every character keeps exactly the formatting it had.
    assert [f for c in chunks for f in formatting(c)] == formatting(text)
    if utf16_len(text.strip(BREAK_SPACE)) <= limit and visible(text).strip():
        assert len(chunks) == 1


@settings(max_examples=300)
@given(st.text(alphabet=st.characters(exclude_categories=("Cs",)), max_size=300), st.integers(2, 60))
def test_plain_split_property(text: str, limit: int) -> None:
    chunks = check(text, limit, html=False)
    assert "".join(c for c in "".join(chunks) if not c.isspace()) == "".join(
        c for c in text if not c.isspace()
    )


@settings(max_examples=300)
@given(st.lists(st.one_of(words, spaces), max_size=80).map("".join), st.integers(2, 40))
def test_no_word_cut_when_words_fit(text: str, limit: int) -> None:
    """If every word fits within the limit, chunks end and start only at whitespace."""
    tokens = re.split(r"[ \t\n\r\f\v]+", text.strip(BREAK_SPACE))
    assume(all(utf16_len(t) <= limit for t in tokens))
    chunks = check(text, limit, html=False)
    assert [w for c in chunks for w in c.split()] == text.split()
