"""Reading a spreadsheet: CSV (UTF-8, UTF-8 with BOM, UTF-16 with BOM, or CP1251; ``;``, ``,`` or tab
delimited) or XLSX (every sheet), into tables of raw cells with their row numbers.

The format is told by the content, not the name: XLSX is a ZIP archive; an old binary Excel file (.xls)
is refused with a hint to save it as .xlsx; anything else is read as CSV text. The encoding: a BOM
decides; otherwise UTF-8 if the bytes are valid UTF-8, else CP1251 (what Russian Excel and 1C write).
The delimiter is the one of ``;``, tab and ``,`` that occurs most in the first line outside quotes.
"""

from __future__ import annotations

import codecs
import csv
import io
from dataclasses import dataclass, field
from typing import Any

from domain.errors import UserError

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 5000

ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0"


@dataclass
class Table:
    name: str
    headers: list[Any]
    rows: list[tuple[int, list[Any]]] = field(default_factory=list)  # (row number in the file, cells)
    encoding: str | None = None
    delimiter: str | None = None


def decode(data: bytes) -> tuple[str, str]:
    """The text and the encoding's name."""
    for bom, name in (
        (codecs.BOM_UTF8, "utf-8-sig"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if data.startswith(bom):
            return data.decode(name), name
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        return data.decode("cp1251", errors="replace"), "cp1251"


def sniff_delimiter(text: str) -> str:
    first = next((line for line in text.splitlines() if line.strip()), "")
    counts = {";": 0, "\t": 0, ",": 0}
    quoted = False
    for ch in first:
        if ch == '"':
            quoted = not quoted
        elif not quoted and ch in counts:
            counts[ch] += 1
    best = max(counts, key=lambda d: (counts[d], d == ";"))
    return best if counts[best] else ","


def _table(name: str, rows: list[list[Any]], **kw: Any) -> Table | None:
    numbered = [(i, r) for i, r in enumerate(rows, 1) if any(c not in (None, "") for c in r)]
    if not numbered:
        return None
    headers = numbered[0][1]
    body = numbered[1:]
    if len(body) > MAX_ROWS:
        raise UserError("import-too-many-rows", max=MAX_ROWS)
    return Table(name, headers, body, **kw)


def read_csv(data: bytes, name: str = "") -> Table | None:
    text, encoding = decode(data)
    delimiter = sniff_delimiter(text)
    rows = [list(r) for r in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)]
    return _table(name, rows, encoding=encoding, delimiter=delimiter)


def read_xlsx(data: bytes) -> list[Table]:
    from openpyxl import load_workbook

    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds on a damaged file
        raise UserError("import-unreadable") from exc
    tables = []
    try:
        for ws in wb.worksheets:
            rows = []
            for row in ws.iter_rows(values_only=True):
                rows.append(list(row))
                if len(rows) > MAX_ROWS + 50:
                    raise UserError("import-too-many-rows", max=MAX_ROWS)
            table = _table(ws.title, rows)
            if table is not None:
                tables.append(table)
    finally:
        wb.close()
    return tables


def read_file(data: bytes, filename: str = "") -> list[Table]:
    """Every non-empty table of the file (one for CSV, one per sheet for XLSX)."""
    if len(data) > MAX_BYTES:
        raise UserError("import-too-big", mb=MAX_BYTES // (1024 * 1024))
    if data.startswith(ZIP_MAGIC):
        return read_xlsx(data)
    if data.startswith(OLE_MAGIC) or filename.lower().endswith(".xls"):
        raise UserError("import-format")
    if b"\x00" in data[:4096] and not data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise UserError("import-format")
    table = read_csv(data, filename)
    return [table] if table is not None else []
