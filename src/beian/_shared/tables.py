"""Reading tables people edit: CSV / TSV (any encoding Chinese teams use), XLSX, JSONL.

One reader for every part (keyword lists, test banks, replay answers, …) so that a bad file
gives the same kind of error everywhere: what is wrong, ``file:line`` (``file!sheet:line`` in a
workbook) and how to fix it. Line numbers are 1-based; a CSV record spanning several lines (a
quoted newline) has the line it starts on.
"""

from __future__ import annotations

import csv
import io
import json
import os
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from beian.errors import InputError, json_message
from beian.io import decode_bytes, read_text

if TYPE_CHECKING:
    from openpyxl import Workbook

__all__ = [
    "Row",
    "iter_jsonl",
    "iter_jsonl_cited",
    "iter_records",
    "iter_rows",
    "open_workbook",
]

Sheets = Literal["first", "all"]


@dataclass(frozen=True)
class Row:
    """One row of a table: its raw cell values and where it is."""

    path: Path
    line: int
    cells: tuple[Any, ...]
    sheet: str | None = None

    @property
    def where(self) -> str:
        """``file:line``, or ``file!sheet:line`` for a workbook."""
        return f"{self.path}!{self.sheet}:{self.line}" if self.sheet else f"{self.path}:{self.line}"

    @property
    def blank(self) -> bool:
        return all(v is None or (isinstance(v, str) and not v.strip()) for v in self.cells)


def _exists(p: Path) -> None:
    if not p.exists():
        raise InputError("文件不存在", where=str(p), fix="请检查路径是否正确")
    if p.is_dir():
        raise InputError("需要文件，但给出的是目录", where=str(p), fix="请给出文件路径")


def open_workbook(path: str | os.PathLike[str]) -> Workbook:
    """Open an XLSX workbook read-only (cached values); a broken file is one clear error."""
    from openpyxl import load_workbook

    p = Path(path)
    _exists(p)
    try:
        return load_workbook(p, read_only=True, data_only=True)
    except Exception as exc:  # zipfile / openpyxl raise many types for a file that is no workbook
        raise InputError(
            f"无法读取 XLSX 工作簿：{exc}", where=str(p), fix="请用 Excel/WPS 另存为 .xlsx 后重试"
        ) from None


def _xlsx_rows(p: Path, sheets: Sheets) -> Iterator[Row]:
    wb = open_workbook(p)
    try:
        for ws in wb.worksheets if sheets == "all" else wb.worksheets[:1]:
            for no, values in enumerate(ws.iter_rows(values_only=True), 1):
                yield Row(p, no, tuple(values), ws.title)
    finally:
        wb.close()


def _csv_rows(p: Path, delimiter: str) -> Iterator[Row]:
    text, _ = read_text(p)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    start = 1
    try:
        for cells in reader:
            yield Row(p, start, tuple(cells))
            start = reader.line_num + 1
    except csv.Error as exc:
        raise InputError(
            f"CSV 格式错误：{exc}", where=f"{p}:{reader.line_num}", fix="检查该行的引号与分隔符"
        ) from None


def iter_rows(path: str | os.PathLike[str], *, sheets: Sheets = "first") -> Iterator[Row]:
    """Every row of a ``.csv`` / ``.tsv`` / ``.xlsx`` file, blank rows included.

    ``sheets="all"`` reads every worksheet of a workbook (each sheet's lines start at 1).
    """
    p = Path(path)
    suffix = p.suffix.lower()
    if suffix == ".xlsx":
        yield from _xlsx_rows(p, sheets)
    elif suffix in (".csv", ".tsv"):
        yield from _csv_rows(p, "\t" if suffix == ".tsv" else ",")
    else:
        raise InputError(
            f"不支持的表格格式 {suffix or '（无扩展名）'}",
            where=str(p),
            fix="表格应为 .csv、.tsv 或 .xlsx 文件",
        )


def iter_records(
    path: str | os.PathLike[str], *, sheets: Sheets = "first"
) -> Iterator[tuple[Row, dict[str, Any]]]:
    """Rows as ``{header: value}`` (the first non-blank row of each sheet is the header).

    Header cells are stripped; columns without a header are dropped; blank rows are skipped.
    """
    header: list[str] | None = None
    sheet: str | None = None
    for row in iter_rows(path, sheets=sheets):
        if row.sheet != sheet:
            header, sheet = None, row.sheet
        if row.blank:
            continue
        if header is None:
            header = ["" if h is None else str(h).strip() for h in row.cells]
            continue
        yield row, {k: v for k, v in zip(header, row.cells, strict=False) if k}


def _jsonl_text(p: Path) -> tuple[str, str]:
    """The text of a JSONL file, or of the one ``.jsonl`` in a ``.zip`` (as datasets ship it),
    and the name its lines are cited by (``file.zip!member.jsonl``)."""
    if p.suffix.lower() != ".zip":
        return read_text(p)[0], str(p)
    _exists(p)
    try:
        with zipfile.ZipFile(p) as z:
            names = [
                n for n in z.namelist()
                if n.lower().endswith(".jsonl") and not n.startswith("__MACOSX/")
            ]  # fmt: skip
            if len(names) != 1:
                listed = f"：{'、'.join(names)}" if names else ""
                raise InputError(
                    f"压缩包中应恰有一个 .jsonl 文件，实有 {len(names)} 个{listed}",
                    where=str(p),
                    fix="解压后给出其中的一个 .jsonl 文件（需要几个时逐个导入）",
                )
            data = z.read(names[0])
    # RuntimeError: encrypted member, or (NotImplementedError) a method Python lacks (deflate64);
    # zlib.error / EOFError / OSError / ValueError: corrupt or cut-off data
    except (
        zipfile.BadZipFile, RuntimeError, zlib.error, EOFError, OSError, ValueError
    ) as exc:  # fmt: skip
        raise InputError(
            f"无法读取压缩包：{exc}", where=str(p), fix="解压后给出其中的 .jsonl 文件"
        ) from None
    return decode_bytes(data, where=f"{p}!{names[0]}")[0], f"{p}!{names[0]}"


def iter_jsonl_cited(path: str | os.PathLike[str]) -> Iterator[tuple[str, int, dict[str, Any]]]:
    """``(where, line, object)`` for each non-blank line, ``where`` being how an error about
    the line cites it: ``file:line``, or ``file.zip!member.jsonl:line`` for a zipped file.
    A ``.zip`` holding one ``.jsonl`` is read as that file; a bad line is an error at ``where``."""
    text, name = _jsonl_text(Path(path))
    for i, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        where = f"{name}:{i}"
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            raise InputError(
                f"JSONL 行不是有效的 JSON：{json_message(exc)}",
                where=where,
                fix="每行一个 JSON 对象",
            ) from None
        if not isinstance(obj, dict):
            raise InputError("JSONL 行应为 JSON 对象", where=where, fix="每行一个 JSON 对象")
        yield where, i, obj


def iter_jsonl(path: str | os.PathLike[str]) -> Iterator[tuple[int, dict[str, Any]]]:
    """``(line, object)`` for each non-blank line (see :func:`iter_jsonl_cited`)."""
    for _, i, obj in iter_jsonl_cited(path):
        yield i, obj
