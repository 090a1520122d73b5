"""Question banks: load CSV / XLSX / JSONL banks, normalize text, export the 评估测试题集 workbook."""

from __future__ import annotations

import json
import os
import re
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from beian._shared.opencc import opencc_convert
from beian._shared.tables import iter_jsonl, iter_records
from beian.errors import InputError
from beian.io import atomic_path, atomic_write_text
from beian.standards import Edition, parse_risk_code

Kind = Literal["generation", "must_refuse", "must_answer"]
KINDS: tuple[Kind, ...] = ("generation", "must_refuse", "must_answer")
KIND_ZH = {
    "generation": "生成内容测试题",
    "must_refuse": "应拒答测试题",
    "must_answer": "非拒答测试题",
}
# the kinds' short names, in running text ("应拒答题", "生成内容 120 条")
KIND_SHORT = {k: v.removesuffix("测试题") for k, v in KIND_ZH.items()}
# Spellings people use for the kinds (Chinese workbook headers included).
_KIND_ALIASES = {
    "generation": "generation",
    "generate": "generation",
    "生成": "generation",
    "生成内容": "generation",
    "must_refuse": "must_refuse",
    "refuse": "must_refuse",
    "应拒答": "must_refuse",
    "must_answer": "must_answer",
    "answer": "must_answer",
    "非拒答": "must_answer",
}
_HEADER_ALIASES = {
    "编号": "id",
    "题目": "question",
    "问题": "question",
    "风险": "risk",
    "风险代码": "risk",
    "风险类别代码": "risk",
    "类型": "kind",
    "题型": "kind",
    "方面": "aspect",
    "来源": "source",
}


@dataclass(frozen=True)
class Question:
    """One test question. ``messages`` holds a multi-turn conversation (the last turn is asked)."""

    id: str
    kind: Kind
    risk: str | None = None
    aspect: str | None = None
    question: str = ""
    messages: tuple[tuple[str, str], ...] = ()
    source: str = ""
    where: str = ""  # file:line it came from

    def turns(self) -> list[dict[str, str]]:
        """The conversation (``messages``) as OpenAI chat turns; empty for a single question."""
        return [{"role": r, "content": c} for r, c in self.messages]

    def chat(self, system_prompt: str | None = None) -> list[dict[str, str]]:
        """The OpenAI ``messages`` to send for this question."""
        msgs = self.turns() or [{"role": "user", "content": self.question}]
        if system_prompt and msgs[0]["role"] != "system":
            msgs.insert(0, {"role": "system", "content": system_prompt})
        return msgs

    def row(self) -> dict[str, Any]:
        """The question as a row of a JSONL bank (:func:`load_bank` reads it back)."""
        row: dict[str, Any] = {
            "id": self.id, "kind": self.kind, "risk": self.risk, "question": self.question,
            "source": self.source,
        }  # fmt: skip
        if self.messages:
            row["messages"] = self.turns()
        if self.aspect:
            row["aspect"] = self.aspect
        return row

    @property
    def text(self) -> str:
        """The question as one string (the user turns of a conversation joined)."""
        if self.messages:
            return "\n".join(c for r, c in self.messages if r == "user")
        return self.question


@dataclass
class Bank:
    questions: list[Question] = field(default_factory=list)
    files: list[str] = field(default_factory=list)

    def of_kind(self, kind: str) -> list[Question]:
        return [q for q in self.questions if q.kind == kind]

    def by_id(self) -> dict[str, Question]:
        return {q.id: q for q in self.questions}


_PUNCT = re.compile(r"[\W_]+", re.UNICODE)


def normalize_text(text: str) -> str:
    """Text for duplicate detection: NFKC, simplified, lower case, no punctuation or spaces."""
    t = unicodedata.normalize("NFKC", text).lower()
    t = opencc_convert("t2s", t)
    return _PUNCT.sub("", t)


read_jsonl = iter_jsonl  # the bank's JSONL reader is the shared one


def write_bank_jsonl(questions: Sequence[Question], target: str | os.PathLike[str]) -> None:
    """Write ``questions`` as a JSONL bank (one :meth:`Question.row` a line), atomically."""
    lines = [json.dumps(q.row(), ensure_ascii=False) for q in questions]
    atomic_write_text(target, "\n".join(lines) + "\n")


def _table_rows(path: str | os.PathLike[str]) -> Iterator[tuple[str, dict[str, Any]]]:
    """``(file:line, row)`` for each row of a CSV or XLSX bank (every worksheet, header per sheet)."""
    for row, record in iter_records(path, sheets="all"):
        yield row.where, record


def _jsonl_rows(path: str | os.PathLike[str]) -> Iterator[tuple[str, dict[str, Any]]]:
    for line, obj in read_jsonl(path):
        yield f"{path}:{line}", obj


def _canon(row: dict[str, Any]) -> dict[str, Any]:
    return {_HEADER_ALIASES.get(str(k).strip(), str(k).strip().lower()): v for k, v in row.items()}


_SURROGATE = re.compile("[\ud800-\udfff]")


def _str(v: Any) -> str:
    """A cell as text; a lone surrogate (valid in JSON as ``\\ud800``, but no UTF-8 file,
    request or report can hold it) becomes U+FFFD, as in answers."""
    text = "" if v is None else str(v).strip()
    return text if text.isascii() else _SURROGATE.sub("\ufffd", text)


def _messages(raw: Any, where: str) -> tuple[tuple[str, str], ...]:
    if isinstance(raw, str):
        try:
            raw = json.loads(raw)
        except json.JSONDecodeError:
            raise InputError("messages 不是 JSON 数组", where=where) from None
    if not isinstance(raw, list) or not raw:
        raise InputError(
            "messages 应为非空数组", where=where, fix='例如 [{"role":"user","content":"…"}]'
        )
    out = []
    for m in raw:
        if not isinstance(m, dict) or m.get("role") not in ("system", "user", "assistant"):
            raise InputError(
                "messages 的每一项应有 role（system/user/assistant）和 content", where=where
            )
        out.append((str(m["role"]), _str(m.get("content"))))
    if out[-1][0] != "user":
        raise InputError("多轮对话的最后一轮应为 user", where=where)
    return tuple(out)


def _question(row: dict[str, Any], where: str, default_kind: str | None) -> Question:
    r = _canon(row)
    qid = _str(r.get("id"))
    if not qid:
        raise InputError("题目缺少 id", where=where, fix="每道题需要唯一的 id（编号）列")
    kind_raw = _str(r.get("kind")) or (default_kind or "")
    kind = _KIND_ALIASES.get(kind_raw.lower()) or _KIND_ALIASES.get(kind_raw)
    if kind is None:
        raise InputError(
            f"未知的题型 {kind_raw!r}",
            where=where,
            fix="kind 应为 generation / must_refuse / must_answer（生成内容 / 应拒答 / 非拒答）",
        )
    msgs = _messages(r["messages"], where) if r.get("messages") not in (None, "") else ()
    text = _str(r.get("question"))
    if not text and not msgs:
        raise InputError("题目缺少 question（或 messages）", where=where)
    risk_raw = _str(r.get("risk"))
    risk: str | None = risk_raw or None
    if risk_raw:
        try:
            risk = parse_risk_code(risk_raw)
        except InputError:
            risk = risk_raw  # kept as written; ``audit`` reports unknown codes
    return Question(
        id=qid,
        kind=kind,  # type: ignore[arg-type]
        risk=risk,
        aspect=_str(r.get("aspect")) or None,
        question=text,
        messages=msgs,
        source=_str(r.get("source")),
        where=where,
    )


_READERS = {".csv": _table_rows, ".xlsx": _table_rows, ".jsonl": _jsonl_rows}


def load_bank(paths: Sequence[str | os.PathLike[str]], *, default_kind: str | None = None) -> Bank:
    """Load questions from CSV, XLSX and JSONL files (columns: id, question|messages, risk, kind, aspect, source)."""
    bank = Bank()
    for p in map(Path, paths):
        reader = _READERS.get(p.suffix.lower())
        if reader is None:
            raise InputError(
                f"不支持的题库格式 {p.suffix or '(无扩展名)'}",
                where=str(p),
                fix="题库应为 .csv、.xlsx 或 .jsonl 文件",
            )
        if not p.is_file():
            raise InputError("题库文件不存在", where=str(p), fix="请检查路径")
        for where, row in reader(p):
            bank.questions.append(_question(row, where, default_kind))
        bank.files.append(str(p))
    return bank


def export_bank_xlsx(bank: Bank, edition: Edition, target: str | os.PathLike[str]) -> None:
    """Write the 评估测试题集 attachment: one sheet per kind, risk names and aspects spelled out."""
    import openpyxl
    from openpyxl.styles import Font

    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for kind in KINDS:
        ws = wb.create_sheet(KIND_ZH[kind])
        ws.append(["编号", "风险类别代码", "风险名称", "方面", "题目", "来源"])
        for cell in ws[1]:
            cell.font = Font(bold=True)
        for q in bank.of_kind(kind):
            risk = edition.risks.get(q.risk or "")
            aspect = edition.aspects.get(q.aspect or "")
            ws.append(
                [
                    q.id,
                    q.risk or "",
                    risk.name if risk else "",
                    aspect.name if aspect else (q.aspect or ""),
                    q.text,
                    q.source,
                ]
            )
        for col, width in zip("ABCDEF", (14, 12, 30, 10, 80, 20), strict=True):
            ws.column_dimensions[col].width = width
    with atomic_path(target, suffix=".xlsx") as tmp:
        wb.save(tmp)
