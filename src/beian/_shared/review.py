"""The review workbook: one XLSX layout for every human review in beian (the assessment's
人工抽检 of answers, the corpus's 人工抽检 of documents).

Written atomically (a reader never sees half a workbook), with bold frozen headers, column
widths, drop-down lists for the reviewers' columns, highlighted rows for the ones to review
first and an explanation sheet. Read back row by row with ``file!sheet:row`` locations, and
every problem of a sheet reported at once (:class:`Problems`), so a reviewer fixes them in one
pass.
"""

from __future__ import annotations

import os
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from beian._shared.tables import open_workbook
from beian.errors import InputError
from beian.io import atomic_path

__all__ = [
    "MAX_CELL",
    "Column",
    "Problems",
    "ReviewRow",
    "cell_text",
    "read_workbook",
    "write_workbook",
]

MAX_CELL = 32_000  # Excel holds at most 32,767 characters in a cell
MARK_FILL = "FFF2CC"  # the highlight of rows to review first (a pale amber)
_SHOWN = 20  # problems listed in one error


@dataclass(frozen=True)
class Column:
    """One column of a review sheet: its header, width, and the values reviewers may pick."""

    header: str
    width: float = 12.0
    choices: tuple[str, ...] = ()
    wrap: bool = False


def cell_text(text: str, hint: str = "") -> str:
    """``text`` as a cell can hold it: characters XML forbids replaced, long texts cut with a note."""
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    clean: str = ILLEGAL_CHARACTERS_RE.sub("\ufffd", text)
    if len(clean) > MAX_CELL:
        clean = clean[:MAX_CELL] + f"……（已截断，共 {len(text)} 字{'，' + hint if hint else ''}）"
    return clean


def write_workbook(
    path: str | os.PathLike[str],
    *,
    sheet: str,
    columns: Sequence[Column],
    rows: Iterable[Sequence[Any]],
    marked: Collection[int] = (),
    info: Iterable[Sequence[Any]] = (),
    info_sheet: str = "说明",
    truncation_hint: str = "",
) -> int:
    """Write a review workbook to ``path`` (atomically); returns the number of data rows.

    ``marked`` holds the 0-based indexes of rows to highlight (to be reviewed first); ``info``
    rows go to a second sheet that explains the sample and how to fill the sheet in.
    """
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    wb = Workbook()
    ws = wb.active
    ws.title = sheet
    ws.append([c.header for c in columns])
    for c in ws[1]:
        c.font = Font(bold=True)
    count = 0
    for values in rows:
        ws.append([cell_text(v, truncation_hint) if isinstance(v, str) else v for v in values])
        count += 1
    last = count + 1
    fill = PatternFill("solid", start_color=MARK_FILL, end_color=MARK_FILL)
    for i in marked:
        for c in ws[i + 2]:
            c.fill = fill
    for j, col in enumerate(columns, start=1):
        letter = get_column_letter(j)
        ws.column_dimensions[letter].width = col.width
        if col.choices:
            dv = DataValidation(
                type="list", formula1='"' + ",".join(col.choices) + '"', allow_blank=True
            )
            ws.add_data_validation(dv)
            dv.add(f"{letter}2:{letter}{max(2, last)}")
        if col.wrap:
            for (cell,) in ws.iter_rows(min_row=2, max_row=last, min_col=j, max_col=j):
                cell.alignment = Alignment(wrap_text=True, vertical="top")
    ws.freeze_panes = "A2"
    notes = wb.create_sheet(info_sheet)
    for line in info:
        notes.append(list(line))
    with atomic_path(path, suffix=".xlsx") as tmp:
        wb.save(tmp)
    return count


@dataclass(frozen=True)
class ReviewRow:
    """One data row of a filled review sheet, by header."""

    row: int  # 1-based row number in the sheet (the header is row 1)
    where: str  # "file.xlsx!sheet:row", for messages
    cells: dict[str, Any] = field(default_factory=dict)

    def text(self, header: str) -> str:
        value = self.cells.get(header)
        return "" if value is None else str(value).strip()

    @property
    def blank(self) -> bool:
        return all(v is None or str(v).strip() == "" for v in self.cells.values())


def read_workbook(
    path: str | os.PathLike[str],
    *,
    sheet: str,
    required: Sequence[str],
    optional: Sequence[str] = (),
    any_sheet: bool = False,
    fix: str = "请使用导出的审核表填写，不要改动表头",
) -> list[ReviewRow]:
    """The rows of ``sheet`` (blank rows left out) with the ``required`` and ``optional`` columns.

    ``any_sheet``: read the first sheet when none is called ``sheet`` (a reviewer renamed it).
    """
    p = Path(path)
    wb = open_workbook(p)
    try:
        if sheet in wb.sheetnames:
            ws = wb[sheet]
        elif any_sheet and wb.sheetnames:
            ws = wb.worksheets[0]
        else:
            raise InputError(f"审核表缺少工作表“{sheet}”", where=str(p), fix=fix)
        name = ws.title
        rows = ws.iter_rows(values_only=True)
        header = [str(h or "").strip() for h in next(rows, ())]
        missing = [h for h in required if h not in header]
        if missing:
            raise InputError(f"审核表缺少“{'”“'.join(missing)}”列", where=f"{p}!{name}:1", fix=fix)
        wanted = {h: header.index(h) for h in (*required, *optional) if h in header}
        out: list[ReviewRow] = []
        for r, values in enumerate(rows, start=2):
            cells = list(values) + [None] * len(header)
            row = ReviewRow(r, f"{p.name}!{name}:{r}", {h: cells[i] for h, i in wanted.items()})
            if not row.blank:
                out.append(row)
        return out
    finally:
        wb.close()


class Problems:
    """The problems of one filled review sheet, raised together as one :class:`InputError`."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self._items: list[tuple[str, str, str | None]] = []

    def add(self, where: str, message: str, fix: str | None = None) -> None:
        self._items.append((where, message, fix))

    def __len__(self) -> int:
        return len(self._items)

    def raise_if_any(self, fix: str = "补全或更正后重新导入") -> None:
        if not self._items:
            return
        lines = [f"{w} {m}".strip() for w, m, _ in self._items[:_SHOWN]]
        more = len(self._items) - _SHOWN
        fixes = list(dict.fromkeys(f for _, _, f in self._items if f))
        first = self._items[0][0]
        located = first.split("!", 1)[-1] if "!" in first else ""
        raise InputError(
            f"审核表有 {len(self._items)} 处问题：\n"
            + "\n".join(lines)
            + (f"\n……另有 {more} 处" if more > 0 else ""),
            where=f"{self.path}!{located}" if located else str(self.path),
            fix="；".join(fixes) if fixes else fix,
        )
