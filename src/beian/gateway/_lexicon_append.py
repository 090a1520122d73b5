"""Appending reviewed keywords to a keyword library file (CSV / TSV, TXT or XLSX), atomically.

A row goes in the file's own layout: under its header's columns (关键词, 风险代码, 模式, 备注,
更新日期 or their English names, in whatever order the file has them), else in the loader's
positional order; a CSV or TXT file keeps its encoding. A keyword the file already has with the
same risk code is not added twice. The new file is written beside the old one and loaded with
:func:`beian.lexicon.load_files` before it replaces it, so a library the gateway could not load
never takes the old one's place.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from beian.errors import InputError
from beian.io import atomic_path, read_text

__all__ = ["NewKeyword", "append_keywords"]

_SUFFIXES = (".csv", ".tsv", ".txt", ".xlsx")
_POSITIONAL = ("keyword", "risk", "mode", "note", "updated")


@dataclass(frozen=True)
class NewKeyword:
    keyword: str
    risk: str
    mode: str
    note: str
    updated: str

    def cells(self, columns: dict[int, str] | None) -> list[str]:
        """The row in the file's layout (``columns``: its header's column → field)."""
        values = {k: str(getattr(self, k)) for k in _POSITIONAL}
        if columns is None:
            return [values[k] for k in _POSITIONAL]
        if self.mode and "mode" not in columns.values():  # it changes what matches: never lost
            raise InputError(
                f"词库文件的表头没有“模式”列，无法写入关键词 {self.keyword} 的匹配方式 {self.mode}",
                fix="在词库文件表头加一列“模式”，或改写入另一个词库（--lexicon）",
            )
        row = [""] * (max(columns) + 1)
        for i, k in columns.items():
            row[i] = values[k]
        return row


def _present(path: Path) -> set[tuple[str, str]]:
    from beian.lexicon import keyword_key, load_files

    entries, _ = load_files([path], lenient=True)
    return {(keyword_key(e.keyword), e.risk) for e in entries}


def _header_of(rows: Sequence[Sequence[object]]) -> dict[int, str] | None:
    from beian.lexicon import header_columns

    first = next((r for r in rows if any(str(c or "").strip() for c in r)), None)
    return None if first is None else header_columns([str(c or "").strip() for c in first])


def _text(path: Path, new: list[NewKeyword]) -> tuple[str, str]:
    """The new text of a CSV / TSV / TXT library and its encoding."""
    text, encoding = read_text(path)
    suffix = path.suffix.lower()
    buf = io.StringIO()
    if suffix == ".txt":  # tab-separated, positional (a `# risk:` line is overridden per row)
        for k in new:
            buf.write("\t".join(k.cells(None)) + "\n")
    else:
        delimiter = "\t" if suffix == ".tsv" else ","
        rows = list(csv.reader(io.StringIO(text), delimiter=delimiter))
        w = csv.writer(buf, delimiter=delimiter, lineterminator="\n")
        columns = _header_of(rows)
        for k in new:
            w.writerow(k.cells(columns))
    sep = "" if not text or text.endswith(("\n", "\r")) else "\n"
    return text + sep + buf.getvalue(), encoding


def append_keywords(path: Path, keywords: Sequence[NewKeyword]) -> list[NewKeyword]:
    """Add ``keywords`` to the library ``path`` (those it lacks); the ones added."""
    if path.suffix.lower() not in _SUFFIXES:
        raise InputError(f"无法写入这种格式的关键词库：{path.name}", where=str(path),
                         fix="词库文件应为 .csv、.tsv、.txt 或 .xlsx")  # fmt: skip
    if not path.is_file():
        raise InputError("关键词库文件不存在", where=str(path),
                         fix="检查 screening.lexicon（相对路径相对于配置文件所在目录）")  # fmt: skip
    from beian.lexicon import keyword_key, load_files  # loaded when needed (numpy, hyperscan)

    have = _present(path)
    new: list[NewKeyword] = []
    for k in keywords:
        key = (keyword_key(k.keyword), k.risk)
        if key not in have:
            have.add(key)
            new.append(k)
    if not new:
        return []
    with atomic_path(path, suffix=path.suffix) as tmp:
        if path.suffix.lower() == ".xlsx":
            _write_xlsx(path, tmp, new)
        else:
            text, encoding = _text(path, new)
            tmp.write_bytes(text.encode(encoding))
        load_files([tmp])  # the gateway must still be able to load it: else the old one stays
    return new


def _write_xlsx(path: Path, tmp: Path, new: list[NewKeyword]) -> None:
    from openpyxl import load_workbook

    wb = load_workbook(path)
    ws = wb.worksheets[0]  # the sheet the loader reads
    columns = _header_of([list(r) for r in ws.iter_rows(max_row=50, values_only=True)])
    for k in new:
        ws.append(k.cells(columns))
    wb.save(tmp)
