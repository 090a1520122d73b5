"""Reading keyword library files: CSV / TSV, XLSX and TXT, in any encoding Chinese teams use."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator, Sequence
from datetime import UTC, date, datetime
from pathlib import Path

from beian._shared.tables import iter_rows
from beian.errors import InputError
from beian.io import read_text
from beian.lexicon._models import ALLOW, MODES, KeywordEntry, LoadProblem, LoadReport
from beian.standards import parse_risk_code

__all__ = ["header_columns", "keyword_key", "load_files", "read_allow_files"]

_HEADERS = {
    "keyword": ("keyword", "关键词", "词", "词语", "word"),
    "risk": ("risk", "risk_code", "风险代码", "代码", "风险"),
    "mode": ("mode", "模式", "匹配方式"),
    "note": ("note", "备注", "说明"),
    "updated": ("updated", "更新日期", "日期", "date"),
}
_HEADER_OF = {alias: key for key, aliases in _HEADERS.items() for alias in aliases}
_POSITIONAL = ("keyword", "risk", "mode", "note", "updated")
_ALLOW_WORDS = {"allow", "白名单", "放行", "允许"}
_MODE_SPLIT = re.compile(r"[,;|/、，；\s]+")
_DIRECTIVE = re.compile(r"^#\s*(?:risk|风险代码)\s*[:：]\s*(\S+)\s*$", re.IGNORECASE)
_NOISE_CATS = ("Z", "P", "S", "C", "M")
# "pinyin/拼音、homophone/谐音、…": every spelling MODES accepts, grouped by mode.
_MODE_CHOICES = "、".join(
    "/".join(k for k in MODES if MODES[k] == mode) for mode in dict.fromkeys(MODES.values())
)

Row = tuple[int, list[str]]


def keyword_key(word: str) -> str:
    """The key under which two spellings of a keyword count as the same keyword."""
    return unicodedata.normalize("NFKC", word).casefold().strip()


def _cell(v: object) -> str:
    if isinstance(v, datetime):
        v = v.date()
    return "" if v is None else str(v).strip()


def _rows_table(path: Path) -> Iterator[tuple[int, list[str], str | None]]:
    for row in iter_rows(path):
        cells = [_cell(v) for v in row.cells] if row.sheet else list(row.cells)
        yield row.line, cells, None


def _rows_text(path: Path) -> Iterator[tuple[int, list[str], str | None]]:
    text, _ = read_text(path)
    for no, line in enumerate(text.splitlines(), 1):
        s = line.strip()
        m = _DIRECTIVE.match(s)
        if m:
            yield no, [], m.group(1)
        elif s and not s.startswith("#"):
            yield no, [c.strip() for c in s.split("\t")], None


def header_columns(cells: list[str]) -> dict[int, str] | None:
    """A header row's columns (index → keyword/risk/mode/note/updated), or None when ``cells``
    is no header (it names no keyword column)."""
    cols = {i: _HEADER_OF.get(c.strip().lower()) for i, c in enumerate(cells)}
    found = {i: k for i, k in cols.items() if k}
    return found if "keyword" in found.values() else None


def _parse_date(text: str) -> date:
    return date.fromisoformat(text[:10].replace("/", "-"))


class _FileLoader:
    def __init__(self, path: Path, default_risk: str | None) -> None:
        self.path, self.risk = path, default_risk
        self.entries: list[KeywordEntry] = []
        self.errors: list[LoadProblem] = []

    def where(self, line: int) -> str:
        return f"{self.path}:{line}"

    def run(self) -> None:
        rows = (
            _rows_table(self.path)
            if self.path.suffix.lower() in (".xlsx", ".csv", ".tsv")
            else _rows_text(self.path)
        )
        columns: dict[int, str] | None = None
        first = True
        for line, cells, directive in rows:
            if directive is not None:
                self.risk = directive
                continue
            if not any(c.strip() for c in cells):
                continue
            if first:
                first = False
                columns = header_columns(cells)
                if columns is not None:
                    continue
            if columns is None:
                fields = dict(zip(_POSITIONAL, cells, strict=False))
            else:
                fields = {k: cells[i] for i, k in columns.items() if i < len(cells)}
            self.row(line, {k: (v or "").strip() for k, v in fields.items()})

    def row(self, line: int, f: dict[str, str]) -> None:
        where = self.where(line)
        word = f.get("keyword", "")
        problems: list[str] = []
        if not word:
            problems.append("关键词为空")
        elif all(unicodedata.category(c)[0] in _NOISE_CATS for c in word):
            problems.append(f"关键词 {word!r} 只含空白、标点或符号，无法匹配")
        raw_risk = f.get("risk") or self.risk or ""
        risk = ""
        if not raw_risk:
            problems.append("缺少风险代码（第二列，或 TXT 文件中的 `# risk: A1a` 行）")
        elif raw_risk.strip().lower() in _ALLOW_WORDS:
            risk = ALLOW
        else:
            try:
                risk = parse_risk_code(raw_risk)
            except InputError as exc:
                problems.append(exc.what)
        modes: set[str] = set()
        for m in _MODE_SPLIT.split(f.get("mode", "")):
            if m and m.lower() not in MODES:
                problems.append(f"未知的匹配方式 {m!r}（可用：{_MODE_CHOICES}）")
            elif m:
                modes.add(MODES[m.lower()])
        updated = None
        if f.get("updated"):
            try:
                updated = _parse_date(f["updated"])
            except ValueError:
                problems.append(f"更新日期 {f['updated']!r} 不是 YYYY-MM-DD")
        if problems:
            self.errors.extend(LoadProblem(where, p) for p in problems)
            return
        self.entries.append(
            KeywordEntry(
                word, risk, frozenset(modes), f.get("note", ""), str(self.path), line, updated
            )
        )


def load_files(
    paths: Sequence[str | Path], *, lenient: bool = False, default_risk: str | None = None
) -> tuple[list[KeywordEntry], LoadReport]:
    """Read library files; duplicates and conflicts go to the report with file:line."""
    if not paths:
        raise InputError("没有给出关键词库文件", fix="请用 -l/--library 指定至少一个文件")
    report = LoadReport()
    entries: list[KeywordEntry] = []
    errors: list[LoadProblem] = []
    for p in paths:
        path = Path(p)
        fl = _FileLoader(path, default_risk)
        fl.run()
        entries.extend(fl.entries)
        errors.extend(fl.errors)
        report.files.append(str(path))
        report.file_dates[str(path)] = datetime.fromtimestamp(path.stat().st_mtime, UTC).date()
    if errors and not lenient:
        shown = "\n".join(f"  {e.where}：{e.message}" for e in errors[:50])
        more = f"\n  ……另有 {len(errors) - 50} 处" if len(errors) > 50 else ""
        raise InputError(
            f"关键词库有 {len(errors)} 处错误：\n{shown}{more}",
            where=errors[0].where,
            fix="修正以上各行后重试；或加 --lenient 跳过这些行并报告",
        )
    report.skipped = errors
    return _dedupe(entries, report), report


def _dedupe(entries: list[KeywordEntry], report: LoadReport) -> list[KeywordEntry]:
    seen: dict[tuple[str, str], KeywordEntry] = {}
    by_word: dict[str, KeywordEntry] = {}
    out: list[KeywordEntry] = []
    for e in entries:
        key = keyword_key(e.keyword)
        first = seen.get((key, e.risk))
        if first is not None:
            report.duplicates.append(
                LoadProblem(
                    e.location, f"关键词 {e.keyword!r} 与 {first.location} 重复", "duplicate"
                )
            )
            continue
        other = by_word.get(key)
        if other is not None and other.risk != e.risk:
            report.conflicts.append(
                LoadProblem(
                    e.location,
                    f"关键词 {e.keyword!r} 的风险代码 {e.risk} 与 {other.location} 的 {other.risk} 冲突",
                    "conflict",
                )
            )
        seen[(key, e.risk)] = e
        by_word.setdefault(key, e)
        out.append(e)
    return out


def read_allow_files(paths: Sequence[str | Path]) -> list[str]:
    """The phrases of allow-list files (false positives never to be hit): one a line, the
    first tab-separated column; ``#`` starts a comment line. Any encoding :func:`read_text` reads."""
    out: list[str] = []
    for p in paths:
        text, _ = read_text(p)  # a missing or unreadable file is an InputError naming it
        for line in text.splitlines():
            phrase = line.split("\t", 1)[0].strip()
            if phrase and not phrase.startswith("#"):
                out.append(phrase)
    return out
