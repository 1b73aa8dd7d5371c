"""Import rules: columns by name, dates, stages, row verdicts, people; and reading CSV encodings."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest

from domain.enums import Stage
from domain.import_rules import (
    ClientRow,
    Column,
    Person,
    PlanRow,
    Rejected,
    client_rows,
    map_columns,
    match_person,
    parse_date_cell,
    parse_stage,
    plan_rows,
    task_is_closed,
)
from importer.read import decode, read_file, sniff_delimiter


def test_columns_by_russian_and_english_headers() -> None:
    amo = map_columns(["ID", "Название сделки", "Компания", "Ответственный", "Этап сделки", "Бюджет"])
    assert amo.kind == "clients"
    assert (
        amo.columns[Column.CLIENT] == 2 and amo.columns[Column.OWNER] == 3 and amo.columns[Column.STAGE] == 4
    )
    assert "Бюджет" in amo.ignored and "Название сделки" in amo.ignored
    bitrix = map_columns(["Company name", "Responsible user", "Stage", "Task", "Due date"])
    assert bitrix.columns == {
        Column.CLIENT: 0,
        Column.OWNER: 1,
        Column.STAGE: 2,
        Column.TASK: 3,
        Column.DUE: 4,
    }
    # case, ё, punctuation and spaces do not matter; the first column of a kind wins
    messy = map_columns(["  НАЗВАНИЕ: ", "Срок выполнения*", "Название"])
    assert messy.columns == {Column.CLIENT: 0, Column.DUE: 1} and messy.ignored == ("Название",)
    plans = map_columns(["Менеджер", "Месяц", "Выручка", "Сделки"])
    assert plans.kind == "plans"
    assert map_columns(["Телефон", "Email"]).kind is None


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2026-12-10", date(2026, 12, 10)),
        ("2026-12-10 10:00", date(2026, 12, 10)),
        ("2026-12-10T10:00:00+03:00", date(2026, 12, 10)),
        ("10.12.2026", date(2026, 12, 10)),
        ("10.12.2026 18:30", date(2026, 12, 10)),
        ("10/12/2026", date(2026, 12, 10)),
        ("10.12.26", date(2026, 12, 10)),
        (datetime(2026, 12, 10, 9, 0), date(2026, 12, 10)),
        (date(2026, 12, 10), date(2026, 12, 10)),
        (46366, date(2026, 12, 10)),  # Excel's serial day number
    ],
)
def test_dates(value: object, expected: date) -> None:
    assert parse_date_cell(value) == expected


@pytest.mark.parametrize("value", ["32.13.2026", "31.02.2026", "завтра", "", "10.12", "1.1.1900", 5])
def test_bad_dates(value: object) -> None:
    with pytest.raises(ValueError):
        parse_date_cell(value)


@pytest.mark.parametrize(
    ("text", "stage"),
    [
        ("Первичный контакт", Stage.NEW),
        ("Неразобранное", Stage.NEW),
        ("Квалификация", Stage.QUALIFIED),
        ("КП отправлено", Stage.PROPOSAL),
        ("Счёт выставлен", Stage.PROPOSAL),
        ("Переговоры", Stage.NEGOTIATION),
        ("Принимают решение", Stage.NEGOTIATION),
        ("Успешно реализовано", Stage.WON),
        ("Закрыто и не реализовано", Stage.LOST),
        ("Closed lost", Stage.LOST),
        ("negotiation", Stage.NEGOTIATION),
        ("Что-то своё", None),
        ("", None),
    ],
)
def test_stages(text: str, stage: Stage | None) -> None:
    assert parse_stage(text) == stage


def test_task_status_cells() -> None:
    assert task_is_closed("Выполнена") and task_is_closed("да") and task_is_closed("Done")
    assert not task_is_closed("Не выполнена") and not task_is_closed("в работе") and not task_is_closed("")
    assert not task_is_closed("Дата")  # not "да"


def test_row_verdicts() -> None:
    columns = map_columns(["Название", "Ответственный", "Этап", "Задача", "Срок", "Статус задачи"])
    rows = [
        (2, ["Ромашка", "Анна", "Переговоры", "Согласовать условия договора", "15.12.2026", ""]),
        (3, ["", "Анна", "", "Позвонить", "10.12.2026", ""]),
        (4, ["Бета", "Анна", "", "Отправить КП", "32.13.2026", ""]),
        (5, ["Гамма", "Анна", "", "Отправить КП", "", ""]),
        (6, ["Эпсилон", "Анна", "", "Эпсилон", "12.12.2026", ""]),
        (7, ["Зета", "", "", "Отправить договор", "12.12.2026", "Выполнена"]),  # done: client only
        (8, ["", "", "", "", "", ""]),  # blank: skipped
        (9, ["Х" * 201, "Анна", "", "", "", ""]),
    ]
    result = client_rows(rows, columns)
    assert result[0] == ClientRow(
        2,
        "Ромашка",
        "Анна",
        Stage.NEGOTIATION,
        "Переговоры",
        "Согласовать условия договора",
        date(2026, 12, 15),
        None,
    )
    assert result[1:5] == [
        Rejected(3, "no-client"),
        Rejected(4, "bad-date", "32.13.2026"),
        Rejected(5, "no-date", "Отправить КП"),
        Rejected(6, "vague-task", "Эпсилон"),
    ]
    assert isinstance(result[5], ClientRow) and result[5].task is None and result[5].client == "Зета"
    assert isinstance(result[6], Rejected) and result[6].reason == "name-too-long"
    assert len(result) == 7


def test_plan_rows() -> None:
    columns = map_columns(["Менеджер", "Месяц", "Выручка", "Сделки"])
    rows = [
        (2, ["Анна", "2026-12", "500 000", "5"]),
        (3, ["Борис", datetime(2026, 12, 1), 300000, 3.0]),
        (4, ["Анна", "тринадцатый", "1", "1"]),
        (5, ["Анна", "2026-12", "много", "1"]),
        (6, ["", "2026-12", "1", "1"]),
    ]
    result = plan_rows(rows, columns, date(2026, 11, 20))
    assert result[:2] == [
        PlanRow(2, "Анна", date(2026, 12, 1), Decimal("500000.00"), 5),
        PlanRow(3, "Борис", date(2026, 12, 1), Decimal("300000.00"), 3),
    ]
    assert [r.reason for r in result[2:]] == ["bad-month", "bad-number", "no-owner"]


def test_people_by_name_username_or_a_unique_word() -> None:
    people = [Person(1, "Анна Петрова", "anna_p"), Person(2, "Борис Иванов"), Person(3, "Анна Смирнова")]
    assert match_person("Петрова Анна", people) == 1
    assert match_person("анна петрова", people) == 1
    assert match_person("@anna_p", people) == 1
    assert match_person("Борис", people) == 2
    assert match_person("Иванов", people) == 2
    assert match_person("Анна", people) is None  # two Annas
    assert match_person("Глеб", people) is None
    assert match_person("", people) is None


def test_csv_encodings_and_delimiters() -> None:
    text = "Название;Ответственный\nРомашка;Анна\n"
    assert decode(text.encode("cp1251")) == (text, "cp1251")
    assert decode(text.encode("utf-8")) == (text, "utf-8")
    assert decode("\ufeff".encode() + text.encode("utf-8")) == (text, "utf-8-sig")
    assert sniff_delimiter(text) == ";"
    assert sniff_delimiter('"Ромашка, ООО",Анна,x\n') == ","
    assert sniff_delimiter("a\tb\tc\n") == "\t"
    [table] = read_file(text.encode("cp1251"), "x.csv")
    assert table.headers == ["Название", "Ответственный"] and table.rows == [(2, ["Ромашка", "Анна"])]


def test_not_a_spreadsheet_is_refused() -> None:
    from domain.errors import UserError

    for data in (b"\xd0\xcf\x11\xe0old excel", b"\x00\x01\x02binary"):
        with pytest.raises(UserError) as error:
            read_file(data, "x.xls")
        assert error.value.code == "import-format"
    with pytest.raises(UserError) as error:
        read_file(b"PK\x03\x04 not really a zip", "x.xlsx")
    assert error.value.code == "import-unreadable"
