"""Splitting long messages for Telegram.

Rules:

* Length is counted as Telegram does, in UTF-16 code units (``utf16_len``): a character outside the
  Basic Multilingual Plane, such as most emoji, counts 2. A chunk's raw text, tags and entities included,
  is measured; that bounds the length Telegram counts after parsing the HTML.
* ``split_message`` cuts greedily: each chunk is as long as it can be while ending at the best kind of
  break available within the limit — a blank line, else a line end, else a space. Only a single word longer
  than the room left is cut inside, and then not inside a character, before a combining mark, around a
  zero-width joiner, or between the two halves of a flag, unless nothing else fits.
* The whitespace at a break (the whole run of spaces, tabs and newlines) is dropped, and so is any
  whitespace at the start or end of a chunk, non-breaking spaces included.
  Joining the chunks with the whitespace they were split at gives the text back. Non-breaking spaces are
  never break points. A text with nothing visible gives no chunks; no chunk is empty or blank.
* With ``html=True`` (the default, for ``parse_mode=HTML``) a tag ``<…>`` and an entity like ``&amp;``
  are never cut. Tags still open at a cut are closed at the end of the chunk and reopened, with their
  attributes, at the start of the next, so each chunk is balanced HTML. Empty tag pairs (``<b></b>``,
  as a cut may leave) are dropped. Closing a tag that is not open leaves it as it is; so does any other
  malformed markup.
* ``ValueError`` when ``limit`` leaves no room for a single character next to the tags to reopen and close.

Cleaning what people type (``clean_text``, ``clean_name``): Unicode NFKC, invisible and bidi control
characters removed (zero-width spaces and joiners, word joiners, soft hyphens, the byte-order mark,
left-to-right and right-to-left marks, embeddings, overrides and isolates, other format and control
characters), every run of whitespace one space, no space at either end. A zero-width joiner or a
variation selector between two pictographs stays (it is part of an emoji).
"""

from __future__ import annotations

import re
import unicodedata
from enum import Enum
from typing import NamedTuple

#: Telegram's limit for a message text.
MESSAGE_LIMIT = 4096
#: Telegram's limit for a media caption.
CAPTION_LIMIT = 1024

_BREAK_SPACE = frozenset(" \t\n\r\f\v")
_TAG = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9-]*)((?:[^<>\"']|\"[^\"]*\"|'[^']*')*)>")
_ENTITY = re.compile(r"&(?:#[0-9]+|#[xX][0-9A-Fa-f]+|[A-Za-z][A-Za-z0-9]*);")
_ZWJ = "\u200d"


#: Characters nobody sees that Unicode does not class as format (Cf) or control (Cc): the combining
#: grapheme joiner, Hangul fillers, Khmer inherent vowels, Mongolian free variation selectors and vowel
#: separator, variation selectors, the halfwidth Hangul filler, shorthand format controls, musical
#: formatting, tags and their supplement.
_IGNORABLE = re.compile(
    "[\u034f\u115f\u1160\u17b4\u17b5\u180b-\u180f\u3164\ufe00-\ufe0f\uffa0"
    "\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0000-\U000e0fff]"
)
_EMOJI_GLUE = frozenset("\u200d\ufe0e\ufe0f")


def _invisible(c: str) -> bool:
    return unicodedata.category(c) in ("Cf", "Cc", "Cs", "Zl", "Zp") or bool(_IGNORABLE.match(c))


def _pictograph(c: str) -> bool:
    return unicodedata.category(c) == "So" or ord(c) >= 0x1F000


def clean_text(text: str) -> str:
    """``text`` as one clean line (rules in the module docstring). The invisible characters go before
    NFKC too, so one between a letter and its accent does not keep them from composing."""
    text = unicodedata.normalize("NFKC", _visible(text))
    return " ".join(_visible(text).split())


def _visible(text: str) -> str:
    if text.isprintable() and not _IGNORABLE.search(text):
        return text  # the usual text: nothing invisible, and no whitespace but the plain space
    out: list[str] = []
    for i, c in enumerate(text):
        if c.isspace():
            out.append(" ")
        elif not _invisible(c) or _glues_emoji(text, i, out):
            out.append(c)
    return "".join(out)


def _glues_emoji(text: str, i: int, kept: list[str]) -> bool:
    """Whether ``text[i]`` is a joiner or variation selector inside an emoji: after a pictograph, and (a
    joiner) before another one, past other joiners and selectors."""
    if text[i] not in _EMOJI_GLUE or not kept or not _pictograph(kept[-1]):
        return False
    if text[i] != "\u200d":
        return True
    for c in text[i + 1 :]:
        if c not in _EMOJI_GLUE:
            return _pictograph(c)
    return False


def clean_name(name: str) -> str:
    """A name (a client, a company) as it is stored and compared: ``clean_text``."""
    return clean_text(name)


def name_key(name: str) -> str:
    """The comparison and search key of a name: cleaned, case-folded, ё as е."""
    return " ".join(clean_text(name).casefold().replace("ё", "е").split())


def utf16_len(s: str) -> int:
    """The length of ``s`` in UTF-16 code units, as Telegram counts it: two bytes a unit once encoded
    (a lone surrogate passes as one unit), encoded in C rather than a character at a time in Python."""
    return len(s) if s.isascii() else len(s.encode("utf-16-le", "surrogatepass")) >> 1


class _Kind(Enum):
    CHAR = "char"
    SPACE = "space"
    ENTITY = "entity"
    OPEN = "open"
    CLOSE = "close"


class _Atom(NamedTuple):
    """An indivisible piece of the text: one character, one entity or one tag."""

    raw: str
    kind: _Kind
    name: str = ""  # the tag name, lower-cased, for OPEN and CLOSE
    width: int = 1  # utf16_len(raw)

    @property
    def visible(self) -> bool:
        return self.kind is _Kind.ENTITY or (self.kind is _Kind.CHAR and not self.raw.isspace())


def _atoms(text: str, html: bool) -> list[_Atom]:
    atoms: list[_Atom] = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if html and c == "<" and (m := _TAG.match(text, i)):
            kind = _Kind.CLOSE if m.group(1) else _Kind.OPEN
            atoms.append(_Atom(m.group(0), kind, m.group(2).lower(), utf16_len(m.group(0))))
            i = m.end()
        elif html and c == "&" and (m := _ENTITY.match(text, i)):
            atoms.append(_Atom(m.group(0), _Kind.ENTITY, width=utf16_len(m.group(0))))
            i = m.end()
        else:
            kind = _Kind.SPACE if c in _BREAK_SPACE else _Kind.CHAR
            atoms.append(_Atom(c, kind, width=2 if ord(c) > 0xFFFF else 1))
            i += 1
    return atoms


def _closers(stack: list[_Atom] | tuple[_Atom, ...]) -> str:
    return "".join(f"</{a.name}>" for a in reversed(stack))


def _apply(stack: list[_Atom], atom: _Atom) -> None:
    """Track the open tags: push an opening tag, pop up to the matching one on a closing tag."""
    if atom.kind is _Kind.OPEN:
        stack.append(atom)
    elif atom.kind is _Kind.CLOSE:
        for j in range(len(stack) - 1, -1, -1):
            if stack[j].name == atom.name:
                del stack[j:]
                break


def _joins_previous(c: str) -> bool:
    """Characters that belong to the grapheme before them."""
    return (
        unicodedata.combining(c) != 0
        or unicodedata.category(c) in ("Mn", "Mc", "Me")
        or c == _ZWJ
        or "\ufe00" <= c <= "\ufe0f"
        or "\U0001f3fb" <= c <= "\U0001f3ff"
        or "\U000e0020" <= c <= "\U000e007f"
    )


def _is_regional(c: str) -> bool:
    return "\U0001f1e6" <= c <= "\U0001f1ff"


def _inside_grapheme(atoms: list[_Atom], k: int) -> bool:
    """Whether a cut before ``atoms[k]`` would split a user-perceived character (a heuristic)."""
    if k <= 0 or k >= len(atoms):
        return False
    before, after = atoms[k - 1].raw, atoms[k].raw
    if atoms[k].kind is _Kind.CHAR and _joins_previous(after):
        return True
    if atoms[k - 1].kind is _Kind.CHAR and before == _ZWJ:
        return True
    if _is_regional(before) and _is_regional(after):
        run = 0
        j = k - 1
        while j >= 0 and _is_regional(atoms[j].raw):
            run += 1
            j -= 1
        return run % 2 == 1
    return False


def _drop_empty_pairs(atoms: list[_Atom]) -> list[_Atom]:
    out: list[_Atom] = []
    for atom in atoms:
        if atom.kind is _Kind.CLOSE and out and out[-1].kind is _Kind.OPEN and out[-1].name == atom.name:
            out.pop()
        else:
            out.append(atom)
    return out


def _blank(atom: _Atom) -> bool:
    return atom.kind in (_Kind.SPACE, _Kind.CHAR) and not atom.visible


def _strip_spaces(atoms: list[_Atom]) -> list[_Atom]:
    """Drop whitespace at the very start and end (e.g. left there by dropped empty tag pairs)."""
    start, end = 0, len(atoms)
    while start < end and _blank(atoms[start]):
        start += 1
    while end > start and _blank(atoms[end - 1]):
        end -= 1
    return atoms[start:end]


# Break preferences, best first.
_BLANK_LINE, _LINE, _SPACE, _HARD = range(4)


def split_message(text: str, limit: int = MESSAGE_LIMIT, *, html: bool = True) -> list[str]:
    """Split ``text`` into chunks of at most ``limit`` UTF-16 code units each (see the module rules)."""
    if limit < 1:
        raise ValueError(f"limit must be positive, got {limit}")
    atoms = _atoms(text, html)
    # Nothing after the last visible atom matters: trailing whitespace goes, open tags get closed anyway.
    last = next((j for j in range(len(atoms) - 1, -1, -1) if atoms[j].visible), -1)
    del atoms[last + 1 :]
    n = len(atoms)
    chunks: list[str] = []
    stack: tuple[_Atom, ...] = ()  # the tags open before atoms[i]
    i = 0
    while True:
        while i < n and _blank(atoms[i]):
            i += 1
        if i >= n:
            break
        end, end_stack = _next_cut(atoms, i, stack, limit)
        closing = [_Atom(f"</{a.name}>", _Kind.CLOSE, a.name, len(a.name) + 3) for a in reversed(end_stack)]
        body = _strip_spaces(_drop_empty_pairs([*stack, *atoms[i:end], *closing]))
        chunks.append("".join(a.raw for a in body))
        stack, i = end_stack, end
    return chunks


def _next_cut(
    atoms: list[_Atom], i: int, stack: tuple[_Atom, ...], limit: int
) -> tuple[int, tuple[_Atom, ...]]:
    """Where the chunk starting at ``atoms[i]`` (inside the tags ``stack``) ends, and the tags open there:
    the farthest cut of the best kind that fits with the tags reopened and closed."""
    n = len(atoms)
    used = utf16_len("".join(a.raw for a in stack))
    best: dict[int, tuple[int, tuple[_Atom, ...]]] = {}  # break kind -> (end, tags open at end)
    hard: list[tuple[int, tuple[_Atom, ...]]] = []  # cuts inside a word, in order
    run_stack = stack
    closers_len = utf16_len(_closers(run_stack))
    content_len = 0
    seen_visible = False
    k = i
    while True:
        # Candidate: the chunk is atoms[i:k].
        if seen_visible and used + content_len + closers_len <= limit:
            kind = _break_kind(atoms, k) if k == n or atoms[k].kind is _Kind.SPACE else _HARD
            if kind == _HARD:
                hard.append((k, run_stack))
            else:
                best[kind] = (k, run_stack)
        if k == n or used + content_len > limit:
            break
        atom = atoms[k]
        content_len += atom.width
        if atom.kind in (_Kind.OPEN, _Kind.CLOSE):
            tags = list(run_stack)
            _apply(tags, atom)
            run_stack = tuple(tags)
            closers_len = utf16_len(_closers(tags))
        seen_visible = seen_visible or atom.visible
        k += 1
    if best:
        return best[min(best)]
    if not hard:
        raise ValueError(f"limit {limit} leaves no room for text next to the open tags")
    for cut in reversed(hard):
        if not _inside_grapheme(atoms, cut[0]):
            return cut
    return hard[-1]


def _break_kind(atoms: list[_Atom], k: int) -> int:
    """How good a cut before ``atoms[k]`` is: the end of the text or a blank line, a line end, a space,
    or a cut inside a word."""
    if k >= len(atoms):
        return _BLANK_LINE
    if atoms[k].kind is not _Kind.SPACE or (k > 0 and atoms[k - 1].kind is _Kind.SPACE):
        return _HARD
    newlines = 0
    j = k
    while j < len(atoms) and atoms[j].kind is _Kind.SPACE:
        newlines += atoms[j].raw == "\n"
        j += 1
    if newlines >= 2:
        return _BLANK_LINE
    return _LINE if newlines == 1 else _SPACE
