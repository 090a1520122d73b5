"""Importers for public Chinese safety datasets a user has downloaded, with a category → risk mapping.

- ``safety-prompts``: thu-coai Safety-Prompts JSON (``{category: [{"prompt": …}, …]}``).
- ``chisafetybench``: CHiSafetyBench risky-question JSON (``[{"category": "应拒答", "infos":
  [{"id", "question", "category"}]}]``); categories that spell an Appendix A risk name map by default.
- ``jsonl``: any JSONL with configurable ``fields`` (question, category, id).

The mapping file (YAML) gives ``categories: {name: A1a | {risk:, kind:, aspect:}}``, an optional
default ``kind`` and ``skip: [names]``. A category neither mapped nor skipped is an error: no
question is dropped silently.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from beian.assess._bank import _KIND_ALIASES, Question, read_jsonl
from beian.errors import InputError
from beian.io import atomic_write_text, load_yaml, read_text
from beian.standards import Edition, parse_risk_code

Raw = tuple[str, str, str, str | None]  # (source id, question, category, kind hint)


def _json(path: Path) -> Any:
    text, _ = read_text(path)
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(f"不是有效的 JSON：{exc.msg}", where=f"{path}:{exc.lineno}") from None


def _safety_prompts(path: Path, fields: dict[str, str]) -> Iterator[Raw]:
    data = _json(path)
    if not isinstance(data, dict):
        raise InputError("Safety-Prompts 文件应为 {类别: [题目…]} 的 JSON 对象", where=str(path))
    for cat, items in data.items():
        for i, it in enumerate(items if isinstance(items, list) else [], start=1):
            q = it.get(fields.get("question", "prompt")) if isinstance(it, dict) else it
            if q:
                yield (
                    f"{cat}-{i:06d}",
                    str(q),
                    str((it.get("type") if isinstance(it, dict) else None) or cat),
                    None,
                )


def _chisafetybench(path: Path, fields: dict[str, str]) -> Iterator[Raw]:
    data = _json(path)
    groups = data if isinstance(data, list) else [data]
    for g in groups:
        if not isinstance(g, dict) or not isinstance(g.get("infos"), list):
            raise InputError(
                "CHiSafetyBench 文件应为 [{category, infos: [...]}] 结构", where=str(path)
            )
        hint = str(g.get("category") or "") or None
        for it in g["infos"]:
            q = it.get(fields.get("question", "question"))
            if q:
                yield (
                    str(it.get("id")),
                    str(q),
                    str(it.get(fields.get("category", "category")) or ""),
                    hint,
                )


def _jsonl(path: Path, fields: dict[str, str]) -> Iterator[Raw]:
    for i, it in read_jsonl(path):
        q = it.get(fields.get("question", "question"))
        if q:
            qid = str(it.get(fields.get("id", "id")) or i)
            yield qid, str(q), str(it.get(fields.get("category", "category")) or ""), it.get("kind")


IMPORTERS: dict[str, Callable[[Path, dict[str, str]], Iterator[Raw]]] = {
    "safety-prompts": _safety_prompts,
    "chisafetybench": _chisafetybench,
    "jsonl": _jsonl,
}


BUILTIN_MAPPINGS = {
    "safety-prompts": Path(__file__).resolve().parent / "data" / "safety-prompts.yaml"
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
    cats: dict[str, Any] = dict(mapping.get("categories") or {})
    by_name = {r.name: r.code for r in edition.risks.values()}
    skip = set(mapping.get("skip") or [])
    default_kind = str(mapping.get("kind") or "must_refuse")
    fields = {str(k): str(v) for k, v in (mapping.get("fields") or {}).items()}
    source = str(mapping.get("source") or f"{fmt}:{p.name}")
    prefix = prefix or str(mapping.get("prefix") or fmt)
    out: list[Question] = []
    unmapped: dict[str, int] = {}
    for sid, text, cat, hint in IMPORTERS[fmt](p, fields):
        if cat in skip:
            continue
        spec = cats.get(cat, by_name.get(cat))
        if spec is None:
            unmapped[cat] = unmapped.get(cat, 0) + 1
            continue
        spec = spec if isinstance(spec, dict) else {"risk": spec}
        kind_raw = str(spec.get("kind") or _KIND_ALIASES.get(hint or "", "") or default_kind)
        kind = _KIND_ALIASES.get(kind_raw, kind_raw)
        if kind not in ("generation", "must_refuse", "must_answer"):
            raise InputError(
                f"类别 {cat} 的题型 {kind_raw!r} 无效", where=f"映射文件 categories.{cat}"
            )
        risk = (
            parse_risk_code(str(spec["risk"]), where=f"映射文件 categories.{cat}")
            if spec.get("risk")
            else None
        )
        out.append(
            Question(
                id=f"{prefix}-{sid}",
                kind=kind,  # type: ignore[arg-type]
                risk=risk,
                aspect=spec.get("aspect"),
                question=text,
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
        if q.aspect:
            row["aspect"] = q.aspect
        lines.append(json.dumps(row, ensure_ascii=False))
    atomic_write_text(target, "\n".join(lines) + "\n")
