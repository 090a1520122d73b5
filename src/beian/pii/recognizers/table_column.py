"""PASSPORT and PHONE in a table whose header names the column: a Markdown table (``|``), tab-
or comma-separated lines (also the escaped tab ``\\t`` of an export). The label stands once in
the header (``| 姓名 | 护照/证件 | 入住 |``, ``Name<TAB>Country<TAB>Passport``,
``reg_id,name,email,phone``); each row below gives a value in that column with no label beside
it. A cell is read as the column's type when it has the type's shape: for passports eight or nine
capital letters and digits with at least two digits, one or two letters and six or seven digits,
or the Russian ``76 4829153``; for phones a local number (``6632 5018``) or one with a country
code (``+65 6516 2287``). Mobile numbers and numbers with an area code are left to their own
recognizers. The rows end at the first line without the separator."""

from __future__ import annotations

import re
from collections.abc import Iterator

from beian.pii._registry import Recognizer, register
from beian.pii._scan import Scan
from beian.pii._types import Entity
from beian.pii.recognizers.phone_label import ABROAD, LOCAL

_HEADERS = {
    "PASSPORT": re.compile(r"护照|護照|passport", re.I),
    "PHONE": re.compile(r"电话|座机|固话|^\s*(?:phone|tel|telephone)\s*$", re.I),
}
_SHAPES = {
    "PASSPORT": re.compile(
        r"(?=[A-Z0-9]*\d[A-Z0-9]*\d)[A-Z0-9]{8,9}|[A-Z]{1,2}\d{6,7}|\d{2} \d{7}"
    ),
    "PHONE": re.compile(rf"{LOCAL}|{ABROAD}", re.ASCII),
}
# A line can be a header only where one of these stands in it (one search per line).
_IN_LINE = {
    "PASSPORT": _HEADERS["PASSPORT"],
    "PHONE": re.compile(r"电话|座机|固话|phone|tel", re.I),
}
_SEPARATORS = ("|", "\t", "\\t", ",")
_SEPARATORS_IN = ("|", "\t", "\\", ",")


def _cells(line: str, offset: int, sep: str) -> list[tuple[int, str]]:
    """``(start, text)`` of each cell of ``line`` (at ``offset`` in the text), stripped."""
    cells = []
    pos = 0
    for part in line.split(sep):
        stripped = part.strip()
        cells.append((offset + pos + (part.find(stripped) if stripped else 0), stripped))
        pos += len(part) + len(sep)
    return cells


class _TableColumn(Recognizer):
    """Values of one type in the columns whose header names it."""

    score = 0.65
    # A table has a separator: one-character tests, the same tuple for both types (the engine
    # tests it once per text); the header words are looked for line by line in ``find``.
    needs = _SEPARATORS_IN

    def find(self, text: str, scan: Scan | None = None) -> Iterator[Entity]:
        header_re, shape = _HEADERS[self.entity_type], _SHAPES[self.entity_type]
        lines = text.split("\n")
        offsets = []
        pos = 0
        for line in lines:
            offsets.append(pos)
            pos += len(line) + 1
        in_line = _IN_LINE[self.entity_type]
        for n, line in enumerate(lines):
            if in_line.search(line) is None:
                continue
            for sep in _SEPARATORS:
                if sep not in line or (sep == "\t" and "\\t" in line):
                    continue
                header = _cells(line, offsets[n], sep)
                columns = [
                    i
                    for i, (_, cell) in enumerate(header)
                    if len(cell) <= 12 and header_re.search(cell)
                ]
                if columns:
                    yield from self._rows(lines, offsets, n + 1, sep, columns, len(header), shape)
                break

    def _rows(
        self,
        lines: list[str],
        offsets: list[int],
        first: int,
        sep: str,
        columns: list[int],
        width: int,
        shape: re.Pattern[str],
    ) -> Iterator[Entity]:
        for n in range(first, len(lines)):
            if sep not in lines[n]:
                return
            cells = _cells(lines[n], offsets[n], sep)
            if len(cells) != width:
                continue
            for i in columns:
                start, cell = cells[i]
                if shape.fullmatch(cell) and (
                    self.entity_type != "PHONE" or 7 <= sum(c.isdigit() for c in cell) <= 13
                ):
                    yield Entity(
                        self.entity_type, start, start + len(cell), cell, self.score, self.name
                    )


@register
class PassportTableRecognizer(_TableColumn):
    entity_type = "PASSPORT"
    name = "passport_table"


@register
class PhoneTableRecognizer(_TableColumn):
    entity_type = "PHONE"
    name = "phone_table"
