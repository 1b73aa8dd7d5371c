"""Text entities the way Telegram computes them: the HTML parse mode and ``bot_command`` detection.

The HTML parser follows tdlib's ``parse_html`` (the code behind the Bot API): the same supported tags, the
same attribute rules, the same error wording and UTF-8 byte offsets in the errors. Entity offsets and
lengths are in UTF-16 code units, as in the Bot API.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

SUPPORTED_TAGS = frozenset(
    {
        "a",
        "b",
        "strong",
        "i",
        "em",
        "s",
        "strike",
        "del",
        "u",
        "ins",
        "tg-spoiler",
        "tg-emoji",
        "span",
        "pre",
        "code",
        "blockquote",
    }
)
_ENTITY_TYPES = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "span": "spoiler",
    "code": "code",
    "pre": "pre",
    "blockquote": "blockquote",
    "a": "text_link",
    "tg-emoji": "custom_emoji",
}
_NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_SPACES = " \t\r\n\v\0"
_MARKUP = re.compile(r"[<&]")  # where a run of plain text ends
_COMMAND = re.compile(r"(?<!\S)/[A-Za-z0-9_]{1,64}(?:@[A-Za-z0-9_]{3,32})?(?![A-Za-z0-9_@/])")


class EntityParseError(ValueError):
    """The text does not parse; ``str(error)`` is tdlib's wording (without the Bot API prefix)."""


def utf16_len(text: str) -> int:
    """Length in UTF-16 code units, the unit of Bot API entity offsets."""
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


@dataclass
class _Open:
    tag: str
    argument: str
    offset: int
    extra: dict[str, Any] = field(default_factory=dict)


def _decode_entity(text: str, i: int) -> tuple[str, int] | None:
    """Decode the HTML entity at ``text[i] == '&'``: (character, characters consumed) or None."""
    end = text.find(";", i + 1, i + 12)
    if end == -1:
        return None
    body = text[i + 1 : end]
    if body in _NAMED_ENTITIES:
        return _NAMED_ENTITIES[body], end - i + 1
    try:
        if body[:2] in ("#x", "#X"):
            code = int(body[2:], 16)
        elif body[:1] == "#" and body[1:].isdigit():
            code = int(body[1:])
        else:
            return None
    except ValueError:
        return None
    if code == 0 or code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
        return None
    return chr(code), end - i + 1


def parse_html(text: str) -> tuple[str, list[dict[str, Any]]]:
    """Return the visible text and its entities, or raise :class:`EntityParseError` like Telegram."""
    n = len(text)
    out: list[str] = []
    utf16 = 0
    stack: list[_Open] = []
    entities: list[dict[str, Any]] = []

    def at(pos: int) -> str:
        return text[pos] if pos < n else "\0"

    def byte_offset(pos: int) -> int:
        return len(text[:pos].encode("utf-8", "surrogatepass"))

    i = 0
    while i < n:
        ch = text[i]
        if ch == "&" and (decoded := _decode_entity(text, i)) is not None:
            out.append(decoded[0])
            utf16 += utf16_len(decoded[0])
            i += decoded[1]
            continue
        if ch == "&":  # not an entity: the character itself
            out.append(ch)
            utf16 += 1
            i += 1
            continue
        if ch != "<":  # a run of plain text up to the next tag or entity, at once
            found = _MARKUP.search(text, i)
            stop = found.start() if found else n
            run = text[i:stop]
            out.append(run)
            utf16 += utf16_len(run)
            i = stop
            continue

        begin = i
        i += 1
        if at(i) != "/":
            while at(i) not in _SPACES and at(i) != ">":
                i += 1
            if i >= n:
                raise EntityParseError(f"Unclosed start tag at byte offset {byte_offset(begin)}")
            tag = text[begin + 1 : i].lower()
            if tag not in SUPPORTED_TAGS:
                raise EntityParseError(f'Unsupported start tag "{tag}" at byte offset {byte_offset(begin)}')
            opened = _Open(tag, "", utf16)
            while at(i) != ">":
                while i < n and at(i) in _SPACES:
                    i += 1
                if at(i) == ">":
                    break
                name_begin = i
                while at(i) not in _SPACES and at(i) not in "=>":
                    i += 1
                name = text[name_begin:i].lower()
                if not name:
                    raise EntityParseError(
                        f'Empty attribute name in the tag "{tag}" at byte offset {byte_offset(begin)}'
                    )
                while i < n and at(i) in _SPACES:
                    i += 1
                if at(i) != "=":
                    if tag == "blockquote" and name == "expandable":
                        opened.extra["expandable"] = True
                        continue
                    raise EntityParseError(
                        f'Expected equal sign in declaration of an attribute of the tag "{tag}" '
                        f"at byte offset {byte_offset(begin)}"
                    )
                i += 1
                while i < n and at(i) in _SPACES:
                    i += 1
                if i >= n:
                    raise EntityParseError(f'Unclosed start tag "{tag}" at byte offset {byte_offset(begin)}')
                value, i = _attribute_value(text, i, begin, byte_offset)
                _apply_attribute(opened, name, value)
            i += 1  # the '>'
            if tag == "span" and opened.argument != "spoiler":
                raise EntityParseError(
                    f'Tag "span" must have class "tg-spoiler" at byte offset {byte_offset(begin)}'
                )
            stack.append(opened)
            continue

        # an end tag
        if not stack:
            raise EntityParseError(f"Unexpected end tag at byte offset {byte_offset(begin)}")
        i += 1
        name_begin = i
        while at(i) not in _SPACES and at(i) != ">":
            i += 1
        end_tag = text[name_begin:i].lower()
        while i < n and at(i) in _SPACES:
            i += 1
        if at(i) != ">":
            raise EntityParseError(f"Unclosed end tag at byte offset {byte_offset(begin)}")
        i += 1
        opened = stack.pop()
        if end_tag and end_tag != opened.tag:
            raise EntityParseError(
                f'Unmatched end tag at byte offset {byte_offset(begin)}, expected "</{opened.tag}>", '
                f'found "</{end_tag}>"'
            )
        _close(opened, utf16, stack, entities)

    if stack:
        raise EntityParseError(f'Can\'t find end tag corresponding to start tag "{stack[-1].tag}"')
    entities.sort(key=lambda e: (e["offset"], -e["length"]))
    return "".join(out), entities


def _attribute_value(text: str, i: int, begin: int, byte_offset: Any) -> tuple[str, int]:
    """Read an attribute value starting at ``i``: a quoted string literal or a name token."""
    n = len(text)
    if text[i] not in "'\"":
        start = i
        while i < n and ((text[i].isascii() and text[i].isalnum()) or text[i] in ".-"):
            i += 1
        if i < n and text[i] not in _SPACES and text[i] != ">":
            raise EntityParseError(f"Unexpected end of name token at byte offset {byte_offset(start)}")
        return text[start:i].lower(), i
    quote = text[i]
    i += 1
    value: list[str] = []
    while i < n and text[i] != quote:
        if text[i] == "&" and (decoded := _decode_entity(text, i)) is not None:
            value.append(decoded[0])
            i += decoded[1]
            continue
        value.append(text[i])
        i += 1
    if i >= n:
        raise EntityParseError(f"Unclosed start tag at byte offset {byte_offset(begin)}")
    return "".join(value), i + 1


def _apply_attribute(opened: _Open, name: str, value: str) -> None:
    if opened.tag == "a" and name == "href":
        opened.argument = value
    elif opened.tag == "code" and name == "class" and value.startswith("language-"):
        opened.argument = value[len("language-") :]
    elif opened.tag == "span" and name == "class" and value.startswith("tg-"):
        opened.argument = value[len("tg-") :]
    elif opened.tag == "tg-emoji" and name == "emoji-id":
        opened.argument = value


def _close(opened: _Open, utf16: int, stack: list[_Open], entities: list[dict[str, Any]]) -> None:
    """Turn a closed tag into an entity (empty ones are dropped, as Telegram does)."""
    length = utf16 - opened.offset
    if opened.tag == "code" and opened.argument and stack and stack[-1].tag == "pre":
        parent = stack[-1]
        if parent.offset == opened.offset:
            parent.extra["language"] = opened.argument
            return
    if length <= 0:
        return
    entity: dict[str, Any] = {"type": _ENTITY_TYPES[opened.tag], "offset": opened.offset, "length": length}
    if opened.tag == "a":
        if not opened.argument:
            return
        entity["url"] = opened.argument
    elif opened.tag == "pre" and "language" in opened.extra:
        entity["language"] = opened.extra["language"]
    elif opened.tag == "blockquote" and opened.extra.get("expandable"):
        entity["type"] = "expandable_blockquote"
    elif opened.tag == "tg-emoji":
        entity["custom_emoji_id"] = opened.argument
    entities.append(entity)


def strip_text(text: str, entities: list[dict[str, Any]]) -> tuple[str, list[dict[str, Any]]]:
    """Trim surrounding whitespace as Telegram does, moving and clipping the entities to match."""
    stripped = text.strip()
    if stripped == text:
        return text, entities
    lead = utf16_len(text[: len(text) - len(text.lstrip())])
    total = utf16_len(stripped)
    result = []
    for entity in entities:
        start = max(entity["offset"] - lead, 0)
        end = min(entity["offset"] + entity["length"] - lead, total)
        if end > start:
            result.append({**entity, "offset": start, "length": end - start})
    return stripped, result


def command_entities(text: str) -> list[dict[str, Any]]:
    """``bot_command`` entities for a user's message, with UTF-16 offsets and lengths."""
    return [
        {"type": "bot_command", "offset": utf16_len(text[: m.start()]), "length": utf16_len(m.group())}
        for m in _COMMAND.finditer(text)
    ]


def parse_text(text: str, parse_mode: str | None) -> tuple[str, list[dict[str, Any]]]:
    """Visible text and entities for ``text`` sent with ``parse_mode``.

    HTML is parsed and validated exactly; any other mode (Markdown, MarkdownV2) is passed through
    unvalidated: the bot uses HTML. The caller refuses unknown parse modes.
    """
    if (parse_mode or "").lower() == "html":
        plain, entities = parse_html(text)
    else:
        plain, entities = text, []
    return strip_text(plain, entities)
