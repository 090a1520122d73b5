"""From a downloaded dataset to bank questions: the category → risk mapping, for every format.

A category maps by the mapping file (YAML: ``categories: {name: A1a | {risk:, kind:, aspect:}}``,
an optional default ``kind``, ``skip: [names]``), else by the Appendix A risk it names, spelled
tolerantly (:func:`match_risk`). A category neither mapped nor skipped is an error: no question
is dropped silently. A dataset's two-level category is looked up as ``parent/child`` first, then
as ``child``; ``a|b`` (several risks) takes the first alternative that maps.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from beian.assess._bank import _KIND_ALIASES, Question, normalize_text
from beian.assess._risknames import match_risk
from beian.assess.importers._base import RawItem, get_importer
from beian.errors import InputError
from beian.io import atomic_write_text, load_yaml
from beian.standards import Edition, parse_risk_code


def load_mapping(path: str | os.PathLike[str] | None, fmt: str | None = None) -> dict[str, Any]:
    """The mapping file, or the built-in one for ``fmt`` (if any) when no file is given."""
    if path is None:
        builtin = get_importer(fmt).mapping if fmt else None
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
    read = get_importer(fmt).read
    p = Path(path)
    mapper = _Mapper(mapping, edition)
    default_kind = str(mapping.get("kind") or "must_refuse")
    fields = {str(k): str(v) for k, v in (mapping.get("fields") or {}).items()}
    source = str(mapping.get("source") or f"{fmt}:{p.name}")
    prefix = prefix or str(mapping.get("prefix") or fmt)
    out: list[Question] = []
    unmapped: dict[str, int] = {}
    for raw in read(p, fields):
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
