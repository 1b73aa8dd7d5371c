"""The sync's plain rules: matching CRM users to members, and the default stage map."""

from __future__ import annotations

from crm.base import Pipeline, Semantic, Stage
from crm.rules import default_stage, default_stage_rows, match_users, name_tokens
from domain.enums import Stage as BotStage


def test_names_match_whatever_the_case_order_and_yo() -> None:
    assert name_tokens("Ёлкин  Борис") == name_tokens("борис елкин")
    members = [(1, "Анна Смирнова"), (2, "Борис Ёлкин"), (3, "Виктор")]
    crm = [("a", "СМИРНОВА АННА"), ("b", "Елкин Борис"), ("c", "Виктор Петров"), ("d", "")]
    assert match_users(crm, members) == {"a": 1, "b": 2}


def test_ambiguous_names_match_nobody_and_taken_members_are_skipped() -> None:
    members = [(1, "Анна Смирнова"), (2, "Анна Смирнова"), (3, "Борис Ёлкин")]
    assert match_users([("a", "Анна Смирнова")], members) == {}
    assert match_users([("b", "Борис Ёлкин"), ("c", "Борис Ёлкин")], members) == {}
    assert match_users([("b", "Борис Ёлкин")], members, taken=[3]) == {}


def test_default_stages_by_meaning_then_funnel_order() -> None:
    assert default_stage(Semantic.WON, 0, 0) is BotStage.WON
    assert default_stage(Semantic.LOST, 0, 0) is BotStage.LOST
    assert [default_stage(Semantic.OPEN, i, 1) for i in range(1)] == [BotStage.NEW]
    assert [default_stage(Semantic.OPEN, i, 3) for i in range(3)] == [
        BotStage.NEW,
        BotStage.QUALIFIED,
        BotStage.PROPOSAL,
    ]
    assert [default_stage(Semantic.OPEN, i, 6) for i in range(6)][-1] is BotStage.NEGOTIATION
    stages = (
        Stage("142", "p", "Успешно", Semantic.WON, 10000),
        Stage("2", "p", "Переговоры", Semantic.OPEN, 20),
        Stage("1", "p", "Первичный контакт", Semantic.OPEN, 10),
        Stage("143", "p", "Закрыто", Semantic.LOST, 11000),
    )
    rows = default_stage_rows([Pipeline("p", "Воронка", stages)])
    assert [(r[1], r[4]) for r in rows] == [
        ("1", BotStage.NEW),
        ("2", BotStage.PROPOSAL),
        ("142", BotStage.WON),
        ("143", BotStage.LOST),
    ]
