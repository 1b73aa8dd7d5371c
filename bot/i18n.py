"""Texts from Fluent locale files (``locales/<lang>/*.ftl``), Russian first, English second.

Every text a user sees comes through ``Translator``. Messages are sent with HTML parse mode, so string
arguments are HTML-escaped here, in one place; a pre-rendered fragment passes through as ``Html``.
Scheduled jobs and the command line render with ``translator.get(locale)`` outside any handler.
"""

from __future__ import annotations

import html
import logging
from collections.abc import Mapping
from contextvars import ContextVar
from datetime import date, datetime
from decimal import Decimal
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

from fluent.runtime import FluentBundle, FluentResource
from fluent.runtime.types import FluentNone
from fluent.syntax.ast import Junk

from bot.config import LOCALES, ROOT

log = logging.getLogger(__name__)
LOCALES_DIR = ROOT / "locales"
MEMO_SIZE = 4096  # formatted texts kept per translator (a few hundred kB at most)


#: The texts of the update being handled, with the Telegram id of its sender: the error handler runs
#: outside the observers whose middlewares set ``t``, and must still answer in the sender's language.
CURRENT_TEXTS: ContextVar[tuple[int, Texts] | None] = ContextVar("current_texts", default=None)


class Html(str):
    """A string that is already HTML and must not be escaped again."""


class Translator:
    def __init__(self, directory: Path = LOCALES_DIR, default: str = "ru") -> None:
        self.default = default
        self.bundles: dict[str, FluentBundle] = {}
        for locale in LOCALES:
            bundle = FluentBundle([locale], use_isolating=False)
            for path in sorted((directory / locale).glob("*.ftl")):
                # add_resource returns nothing and skips what does not parse (Junk): look for it here, or
                # a broken entry would only show up as its key sent to users
                resource = FluentResource(path.read_text(encoding="utf-8"))
                junk = [e for e in resource.body if isinstance(e, Junk)]
                if junk:
                    errors = "; ".join(a.message or a.code for e in junk for a in e.annotations)
                    raise ValueError(f"{path}: {errors}")
                bundle.add_resource(resource)
            self.bundles[locale] = bundle
        self._memo = lru_cache(maxsize=MEMO_SIZE)(self._memo)  # type: ignore[method-assign]  # per-instance cache

    def keys(self, locale: str) -> set[str]:
        return set(self.bundles[locale]._messages)

    def get(self, locale: str | None, *, html: bool = True) -> Texts:
        """Texts in ``locale`` (the default one when unknown); ``html=False`` for plain-text output such
        as the command line, where arguments are not escaped."""
        return Texts(self, locale if locale in self.bundles else self.default, html)

    def format(self, locale: str, key: str, args: Mapping[str, Any], html: bool = True) -> str:
        """The text; memoised, since the same few texts (button labels, headers, statuses) are formatted
        thousands of times a minute and Fluent's resolver costs tens of microseconds each time."""
        try:
            # the type is part of the key: Html("<b>") and "<b>" are equal strings escaped differently
            return self._memo(locale, key, html, tuple((n, type(v), v) for n, v in args.items()))
        except TypeError:  # an unhashable argument
            return self._format(locale, key, args, html)

    def _memo(self, locale: str, key: str, html: bool, items: tuple[tuple[str, type, Any], ...]) -> str:
        return self._format(locale, key, {n: v for n, _, v in items}, html)

    def _format(self, locale: str, key: str, args: Mapping[str, Any], html: bool) -> str:
        for loc in (locale, self.default):
            bundle = self.bundles[loc]
            if bundle.has_message(key):
                message = bundle.get_message(key)
                if message.value is None:
                    break
                text, errors = bundle.format_pattern(message.value, _prepare(args, html))
                if errors:
                    log.warning("locale %s key %s: %s", loc, key, errors)
                if isinstance(text, FluentNone):  # the resolver found no value (a reference cycle): no text
                    break
                return text
        log.error("missing text %r for locale %s", key, locale)
        return key


class Texts:
    """The translator bound to one locale: ``t("key", name=...)``."""

    __slots__ = ("html", "locale", "translator")

    def __init__(self, translator: Translator, locale: str, html: bool = True) -> None:
        self.translator = translator
        self.locale = locale
        self.html = html

    def __call__(self, key: str, /, **args: Any) -> str:
        return self.translator.format(self.locale, key, args, self.html)

    @property
    def plain(self) -> Texts:
        """The same language for button labels, toasts and alerts: Telegram shows them as plain text, so
        their arguments go in as they are (a name ``<b>Зло</b> & Co`` shows as typed; escaping it would
        show ``&lt;b&gt;``). Message texts (``t(...)``) escape each argument once for HTML."""
        return self if not self.html else self.translator.get(self.locale, html=False)


def _prepare(args: Mapping[str, Any], escape: bool) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, value in args.items():
        if isinstance(value, Html) or (isinstance(value, str) and not escape):
            out[name] = str(value)
        elif isinstance(value, str):
            out[name] = html.escape(value, quote=False)
        elif isinstance(value, bool):
            out[name] = str(value).lower()
        elif isinstance(value, int | float | Decimal | date | datetime) or value is None:
            out[name] = value if value is not None else ""
        else:
            out[name] = html.escape(str(value), quote=False) if escape else str(value)
    return out


@cache
def default_translator() -> Translator:
    return Translator()
