"""Plain rules of the CRM sync: matching CRM users to members, and the default stage map."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence

from crm.base import Pipeline, Semantic
from domain.enums import OPEN_STAGES, Stage


def name_tokens(name: str) -> tuple[str, ...]:
    """A person's name as a key: case-folded, ё as е, punctuation dropped, words in any order."""
    cleaned = "".join(c if c.isalnum() else " " for c in name.casefold().replace("ё", "е"))
    return tuple(sorted(cleaned.split()))


def match_users(
    crm_users: Iterable[tuple[str, str]], members: Iterable[tuple[int, str]], taken: Iterable[int] = ()
) -> dict[str, int]:
    """CRM user id → member id where the names agree (``Иванов Иван`` is ``иван иванов``).

    Only unambiguous pairs: a name two members share, or two CRM users share, matches nobody (the head
    chooses). Members in ``taken`` are already someone's."""
    taken = set(taken)
    by_member: dict[tuple[str, ...], list[int]] = defaultdict(list)
    for member_id, name in members:
        if member_id not in taken and name_tokens(name):
            by_member[name_tokens(name)].append(member_id)
    by_crm: dict[tuple[str, ...], list[str]] = defaultdict(list)
    for crm_id, name in crm_users:
        if name_tokens(name):
            by_crm[name_tokens(name)].append(crm_id)
    matched: dict[str, int] = {}
    for key, crm_ids in by_crm.items():
        member_ids = by_member.get(key, [])
        if len(crm_ids) == 1 and len(member_ids) == 1:
            matched[crm_ids[0]] = member_ids[0]
    return matched


def default_stage(semantic: Semantic, index: int, open_count: int) -> Stage:
    """The bot's stage for a CRM stage: won and lost by their meaning; the open ones spread over the bot's
    open stages in funnel order (the first is "new", the last of four or more "negotiation")."""
    if semantic is Semantic.WON:
        return Stage.WON
    if semantic is Semantic.LOST:
        return Stage.LOST
    if open_count <= 1:
        return Stage.NEW
    slot = index * len(OPEN_STAGES) // open_count
    return OPEN_STAGES[min(slot, len(OPEN_STAGES) - 1)]


def default_stage_rows(pipelines: Sequence[Pipeline]) -> list[tuple[str, str, str, str, Stage]]:
    """(pipeline id, stage id, name, semantic, bot stage) for every stage of every pipeline."""
    rows = []
    for pipeline in pipelines:
        stages = sorted(pipeline.stages, key=lambda s: (s.sort, s.id))
        open_ids = [s.id for s in stages if s.semantic is Semantic.OPEN]
        for stage in stages:
            index = open_ids.index(stage.id) if stage.id in open_ids else 0
            bot_stage = default_stage(stage.semantic, index, len(open_ids))
            rows.append((pipeline.id, stage.id, stage.name, stage.semantic.value, bot_stage))
    return rows
