"""Is a task a concrete action? "Получить решение об оплате" is; "Ромашка" or "счёт" is not.

The rule, checked in this order (the first that fails is the problem):

1. ``EMPTY``: nothing but whitespace.
2. ``TOO_LONG``: more than ``MAX_ACTION_LENGTH`` characters (after trimming the ends).
3. ``TOO_SHORT``: fewer than ``MIN_LETTERS`` letters in all ("КП", "ок", "???", "😀😀").
4. The words are looked up with pymorphy3 (Russian morphology, no list of allowed verbs). Dropped: the
   client's name (words compared by normal form, so "по Ромашке" matches "Ромашка"), legal forms (ООО,
   ИП, …), and prepositions, conjunctions, particles and interjections. ``ONLY_CLIENT_NAME`` when a
   client name was given, some of its words were found and nothing else is left.
5. ``NO_ACTION`` unless a remaining word most likely names something the manager will do: the summed
   probability of its readings as an infinitive ("позвонить"), an imperative ("позвони") or a verb in
   the first or second person ("позвоню", "отправим", "уточнишь") is at least ``VERB_SCORE``.
   Abbreviation readings ("ср" as "сравни"), archaic ones ("суть") and the copula "быть" do not count.
   Deliberately not enough on their own: nouns, deverbal nouns too ("звонок", "отправка", "встреча":
   they name a topic, not a step), participles and gerunds ("подписан"), and past or third-person
   verbs, which report a state rather than plan a step ("клиент думает", "отправил КП").
6. English (pymorphy3 is Russian-only): accepted when the first remaining word, after "please"/"to",
   is in the small list ``ENGLISH_VERBS`` of verbs a sales task starts with ("send the invoice").
7. ``NO_OBJECT``: the action is a verb and nothing else ("перезвонить", "Вектор: дожать", "call"): a step
   with no object or goal cannot be honestly called done or not done in the evening. The method's
   examples all say what the step is for ("получить решение об оплате", "поджать клиента сроком действия
   КП"); the guide for managers shows «Вектор — дожать» refused.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from enum import StrEnum
from functools import cache, lru_cache

import pymorphy3

MAX_ACTION_LENGTH = 500
MIN_LETTERS = 3
VERB_SCORE = 0.4

LEGAL_FORMS = frozenset(
    {"ооо", "оао", "зао", "пао", "ао", "ип", "нко", "ано", "гк", "llc", "ltd", "inc", "gmbh", "corp", "co"}
)
_ENGLISH_VERB_WORDS = """
    agree approve arrange ask book call chase check clarify close collect confirm contact deliver demo
    discuss draft email e-mail finalise finalize find follow get give introduce invite invoice issue make
    meet message negotiate offer phone pitch ping prepare present propose quote reach remind renew reply
    request reschedule respond review ring schedule send set settle share sign submit text update visit
    write
"""
ENGLISH_VERBS = frozenset(_ENGLISH_VERB_WORDS.split())
_ENGLISH_FILLERS = frozenset({"please", "pls", "to"})
_FUNCTION_POS = frozenset({"PREP", "CONJ", "PRCL", "INTJ"})
_NOT_ACTIONS = frozenset({"быть", "являться"})
_WORD = re.compile(r"[^\W\d_]+(?:[-'][^\W\d_]+)*")


@dataclass(frozen=True, slots=True)
class ActionCheck:
    """What ``check_action`` says of a text: ``ok``, or the ``problem`` that keeps it from being a task."""

    ok: bool
    problem: ActionProblem | None = None


ACCEPTED = ActionCheck(ok=True)


class ActionProblem(StrEnum):
    """Why a text is not a concrete action: a task so worded is refused with the ``error-action-<problem>``
    text, and a CRM task so worded is flagged vague."""

    EMPTY = "empty"
    TOO_LONG = "too-long"
    TOO_SHORT = "too-short"
    ONLY_CLIENT_NAME = "only-client-name"
    NO_ACTION = "no-action"
    NO_OBJECT = "no-object"


@cache
def morph() -> pymorphy3.MorphAnalyzer:
    """The analyzer, created on first use (it takes a fraction of a second) and shared."""
    return pymorphy3.MorphAnalyzer(lang="ru")


def _words(text: str) -> list[str]:
    """Lower-case words; words with a letter Unicode gives no name to are skipped (pymorphy3 fails on
    them, and they are not Russian or English anyway)."""
    words = _WORD.findall(unicodedata.normalize("NFKC", text).lower().replace("ё", "е"))
    return [w for w in words if all(unicodedata.name(c, "") for c in w)]


@dataclass(frozen=True, slots=True)
class _Reading:
    """What the rules need of one word's morphology: its normal forms (and the word itself), whether its
    likeliest reading is a function word, and its action score (rule 5)."""

    forms: frozenset[str]
    function_word: bool
    action_score: float


@lru_cache(maxsize=8192)
def _reading(word: str) -> _Reading:
    """``word``'s morphology, parsed once: a pure function of the word (the dictionary is fixed), so it is
    remembered; a task's words repeat ("отправить", "договор"), and a parse walks the dictionary hundreds of
    steps. Bounded: the least recently used words go first."""
    parses = morph().parse(word)
    best = parses[0]
    return _Reading(
        forms=frozenset(p.normal_form.replace("ё", "е") for p in parses) | {word},
        function_word=best.tag.POS in _FUNCTION_POS and best.score >= 0.5,
        action_score=_score(parses),
    )


def _score(parses: list[pymorphy3.analyzer.Parse]) -> float:
    """How likely the word so parsed is a step the writer will take (see rule 5)."""
    score = 0.0
    for p in parses:
        tag = p.tag
        if "Abbr" in tag or "Arch" in tag or p.normal_form in _NOT_ACTIONS:
            continue
        if tag.POS == "INFN" or (
            tag.POS == "VERB" and (tag.mood == "impr" or tag.person in ("1per", "2per"))
        ):
            score += p.score
    return score


def _normal_forms(word: str) -> frozenset[str]:
    return _reading(word).forms


def _is_function_word(word: str) -> bool:
    return _reading(word).function_word


def _action_score(word: str) -> float:
    """How likely ``word`` is a step the writer will take (see rule 5)."""
    return _reading(word).action_score


def _is_english_action(words: list[str]) -> bool:
    rest = [w for w in words if w not in _ENGLISH_FILLERS]
    return bool(rest) and rest[0] in ENGLISH_VERBS


def check_action(text: str, client_name: str | None = None) -> ActionCheck:
    """Whether ``text`` names a concrete action (rules in the module docstring)."""
    text = text.strip()
    if not text:
        return ActionCheck(False, ActionProblem.EMPTY)
    if len(text) > MAX_ACTION_LENGTH:
        return ActionCheck(False, ActionProblem.TOO_LONG)
    if sum(c.isalpha() for c in text) < MIN_LETTERS:
        return ActionCheck(False, ActionProblem.TOO_SHORT)

    client_forms: frozenset[str] = frozenset()
    if client_name:
        client_forms = frozenset().union(*(_normal_forms(w) for w in _words(client_name)))
    named_client = False
    rest: list[str] = []
    for word in _words(text):
        if client_forms and _normal_forms(word) & client_forms:
            named_client = True
        elif word not in LEGAL_FORMS and not _is_function_word(word):
            rest.append(word)

    if not rest:
        return ActionCheck(False, ActionProblem.ONLY_CLIENT_NAME if named_client else ActionProblem.NO_ACTION)
    if any(_action_score(w) >= VERB_SCORE for w in rest) or _is_english_action(rest):
        content = [w for w in rest if w not in _ENGLISH_FILLERS]
        return ACCEPTED if len(content) > 1 else ActionCheck(False, ActionProblem.NO_OBJECT)
    return ActionCheck(False, ActionProblem.NO_ACTION)
