"""Importers for public Chinese safety datasets a user has downloaded, with a category → risk mapping.

- ``safety-prompts``: thu-coai Safety-Prompts JSON (``{category: [{"prompt": …}, …]}``).
- ``chisafetybench``: CHiSafetyBench risky questions, both files of its ``dataset/v1``:
  ``risky_questions_without_dialog_history.json`` (``[{"category": "应拒答", "infos": [{"id",
  "question", "category"}]}]``) and ``risky_questions_with_dialog_history.json`` (``[{"category",
  "sub_category", "input", "history": [{"role", "content"}]}]``, imported as multi-turn questions).
- ``jade``: JADE-DB question CSVs (``ID,问题,违规类型,违规子类``; v1.0 and v2.0 files).
- ``jsonl``: any JSONL with configurable ``fields`` (question, category, id).

A category maps by the mapping file (YAML: ``categories: {name: A1a | {risk:, kind:, aspect:}}``,
an optional default ``kind``, ``skip: [names]``), else by the Appendix A risk it names, spelled
tolerantly (:func:`match_risk`). A category neither mapped nor skipped is an error: no question
is dropped silently. A dataset's two-level category is looked up as ``parent/child`` first, then
as ``child``; ``a|b`` (several risks) takes the first alternative that maps.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from beian._shared.tables import iter_jsonl, iter_records
from beian.assess._bank import _KIND_ALIASES, Question, normalize_text
from beian.assess._risknames import match_risk
from beian.errors import InputError
from beian.io import atomic_write_text, load_yaml, read_text
from beian.standards import Edition, parse_risk_code

_DATA = Path(__file__).resolve().parent / "data"


@dataclass(frozen=True)
class RawItem:
    """One question as a dataset has it, before its category is mapped."""

    sid: str  # the dataset's id (or position) for the question
    text: str
    category: str
    hint: str | None = None  # a kind the dataset states (应拒答 …)
    parent: str = ""  # the dataset's higher-level category, when it has two levels
    messages: tuple[tuple[str, str], ...] = ()  # a conversation ending with ``text`` (user)

    @property
    def label(self) -> str:
        return f"{self.parent}/{self.category}" if self.parent else self.category


def _json(path: Path) -> Any:
    text, _ = read_text(path)
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(f"不是有效的 JSON：{exc.msg}", where=f"{path}:{exc.lineno}") from None


def _safety_prompts(path: Path, fields: dict[str, str]) -> Iterator[RawItem]:
    data = _json(path)
    if not isinstance(data, dict):
        raise InputError("Safety-Prompts 文件应为 {类别: [题目…]} 的 JSON 对象", where=str(path))
    for cat, items in data.items():
        for i, it in enumerate(items if isinstance(items, list) else [], start=1):
            q = it.get(fields.get("question", "prompt")) if isinstance(it, dict) else it
            if q:
                typ = it.get("type") if isinstance(it, dict) else None
                yield RawItem(f"{cat}-{i:06d}", str(q), str(typ or cat))


def _dialog(g: dict[str, Any], i: int, path: Path) -> RawItem:
    """One question of CHiSafetyBench's dialogue-history file: the history, then ``input``."""
    history = g.get("history") or []
    turns: list[tuple[str, str]] = []
    for m in history if isinstance(history, list) else []:
        if not isinstance(m, dict) or m.get("role") not in ("system", "user", "assistant"):
            raise InputError(
                f"第 {i} 个对话的 history 应为 [{{role, content}}] 数组", where=str(path)
            )
        turns.append((str(m["role"]), str(m.get("content") or "")))
    text = str(g.get("input") or "")
    return RawItem(
        f"h{i}",
        text,
        str(g.get("sub_category") or ""),
        parent=str(g.get("category") or ""),
        messages=(*turns, ("user", text)),
    )


def _chisafetybench(path: Path, fields: dict[str, str]) -> Iterator[RawItem]:
    data = _json(path)
    for i, g in enumerate(data if isinstance(data, list) else [data], start=1):
        if isinstance(g, dict) and "input" in g and "history" in g:
            if g.get("input"):
                yield _dialog(g, i, path)
            continue
        if not isinstance(g, dict) or not isinstance(g.get("infos"), list):
            raise InputError(
                "CHiSafetyBench 文件应为 [{category, infos: [...]}]（或带 history 的多轮对话）结构",
                where=str(path),
            )
        hint = str(g.get("category") or "") or None
        for it in g["infos"]:
            q = it.get(fields.get("question", "question"))
            if q:
                cat = str(it.get(fields.get("category", "category")) or "")
                yield RawItem(str(it.get("id")), str(q), cat, hint)


def _jade(path: Path, fields: dict[str, str]) -> Iterator[RawItem]:
    cols = {"id": "ID", "question": "问题", "parent": "违规类型", "category": "违规子类", **fields}
    for at, row in iter_records(path):
        line = at.line
        if cols["question"] not in row or cols["category"] not in row:
            raise InputError(
                f"JADE 文件应有列 {cols['question']}、{cols['category']}",
                where=f"{path}:1",
                fix="使用 jade-db-v1.0 / v2.0 的 jade_benchmark_*_zh.csv；列名不同时在映射文件 fields: 中指定",
            )
        q = str(row.get(cols["question"]) or "").strip()
        if q:
            sid = str(row.get(cols["id"]) or line).strip()
            cat, parent = (str(row.get(cols[c]) or "").strip() for c in ("category", "parent"))
            yield RawItem(sid, q, cat, parent=parent)


def _jsonl(path: Path, fields: dict[str, str]) -> Iterator[RawItem]:
    for i, it in iter_jsonl(path):
        q = it.get(fields.get("question", "question"))
        if q:
            qid = str(it.get(fields.get("id", "id")) or i)
            cat = str(it.get(fields.get("category", "category")) or "")
            yield RawItem(qid, str(q), cat, it.get("kind"))


IMPORTERS: dict[str, Callable[[Path, dict[str, str]], Iterator[RawItem]]] = {
    "safety-prompts": _safety_prompts,
    "chisafetybench": _chisafetybench,
    "jade": _jade,
    "jsonl": _jsonl,
}
BUILTIN_MAPPINGS = {
    "safety-prompts": _DATA / "safety-prompts.yaml",
    "jade": _DATA / "jade.yaml",
}


def load_mapping(path: str | os.PathLike[str] | None, fmt: str | None = None) -> dict[str, Any]:
    """The mapping file, or the built-in one for ``fmt`` (if any) when no file is given."""
    if path is None:
        builtin = BUILTIN_MAPPINGS.get(fmt or "")
        if builtin is None:
            return {}
        path = builtin
    data = load_yaml(path) or {}
    if not isinstance(data, dict):
        raise InputError("映射文件顶层应为映射", where=str(path), fix="参见 docs/assess.md 的示例")
    return data


class _Mapper:
    """A dataset category → its mapping entry (``{risk, kind, aspect}``), ``"skip"`` or ``None``."""

    def __init__(self, mapping: dict[str, Any], edition: Edition) -> None:
        self.edition = edition
        self.cats = {
            normalize_text(str(k)): v for k, v in (mapping.get("categories") or {}).items()
        }
        self.skip = {normalize_text(str(k)) for k in mapping.get("skip") or []}

    def _one(self, key: str) -> dict[str, Any] | str | None:
        k = normalize_text(key)
        if k in self.skip:
            return "skip"
        spec = self.cats.get(k)
        if spec is not None:
            return spec if isinstance(spec, dict) else {"risk": spec}
        code = match_risk(key, self.edition)
        return {"risk": code} if code else None

    def __call__(self, raw: RawItem) -> dict[str, Any] | str | None:
        alternatives = [c.strip() for c in raw.category.split("|") if c.strip()] or [""]
        keys = [f"{raw.parent}/{c}" for c in alternatives if raw.parent] + alternatives
        for key in keys:
            hit = self._one(key)
            if hit is not None:
                return hit
        return None


def import_dataset(
    path: str | os.PathLike[str],
    fmt: str,
    mapping: dict[str, Any],
    edition: Edition,
    *,
    prefix: str | None = None,
) -> list[Question]:
    """Questions from a downloaded dataset, categories mapped to risk codes and kinds."""
    if fmt not in IMPORTERS:
        raise InputError(f"未知的数据集格式 {fmt!r}", fix="可用格式：" + "、".join(IMPORTERS))
    p = Path(path)
    mapper = _Mapper(mapping, edition)
    default_kind = str(mapping.get("kind") or "must_refuse")
    fields = {str(k): str(v) for k, v in (mapping.get("fields") or {}).items()}
    source = str(mapping.get("source") or f"{fmt}:{p.name}")
    prefix = prefix or str(mapping.get("prefix") or fmt)
    out: list[Question] = []
    unmapped: dict[str, int] = {}
    for raw in IMPORTERS[fmt](p, fields):
        spec = mapper(raw)
        if spec == "skip":
            continue
        if not isinstance(spec, dict):
            unmapped[raw.label] = unmapped.get(raw.label, 0) + 1
            continue
        where = f"映射文件 categories.{raw.label}"
        kind_raw = str(spec.get("kind") or _KIND_ALIASES.get(raw.hint or "", "") or default_kind)
        kind = _KIND_ALIASES.get(kind_raw, kind_raw)
        if kind not in ("generation", "must_refuse", "must_answer"):
            raise InputError(f"类别 {raw.label} 的题型 {kind_raw!r} 无效", where=where)
        risk = parse_risk_code(str(spec["risk"]), where=where) if spec.get("risk") else None
        out.append(
            Question(
                id=f"{prefix}-{raw.sid}",
                kind=kind,  # type: ignore[arg-type]
                risk=risk,
                aspect=spec.get("aspect"),
                question=raw.text,
                messages=raw.messages,
                source=source,
                where=f"{p}",
            )
        )
    if unmapped:
        listing = "、".join(f"{c or '(空)'}（{n} 题）" for c, n in sorted(unmapped.items()))
        raise InputError(
            f"以下类别没有映射到风险代码：{listing}",
            where=str(p),
            fix="在映射文件 categories: 中为它们指定风险代码，或列入 skip:",
        )
    return out


def write_bank_jsonl(questions: list[Question], target: str | os.PathLike[str]) -> None:
    lines = []
    for q in questions:
        row: dict[str, Any] = {
            "id": q.id,
            "kind": q.kind,
            "risk": q.risk,
            "question": q.question,
            "source": q.source,
        }
        if q.messages:
            row["messages"] = [{"role": r, "content": c} for r, c in q.messages]
        if q.aspect:
            row["aspect"] = q.aspect
        lines.append(json.dumps(row, ensure_ascii=False))
    atomic_write_text(target, "\n".join(lines) + "\n")
