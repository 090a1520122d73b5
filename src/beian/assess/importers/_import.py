"""From a downloaded dataset to bank questions: the category → risk mapping, for every format.

A category maps by the mapping file (YAML: ``categories: {name: A1a | {risk:, kind:, aspect:}}``,
an optional default ``kind``, ``skip: [names]``), else by the Appendix A risk it names, spelled
tolerantly (:func:`match_risk`). A category neither mapped nor skipped is an error: no question
is dropped silently. A dataset's two-level category is looked up as ``parent/child`` first, then
as ``child``; ``a|b`` (several risks) takes the first alternative that maps.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, field_validator

from beian.assess._bank import _KIND_ALIASES, Kind, Question, normalize_text
from beian.assess._risknames import match_risk
from beian.assess.importers._base import RawItem, get_importer
from beian.errors import InputError
from beian.io import YamlDocument, read_yaml_document
from beian.standards import Edition, RiskCode


def _kind(value: Any) -> Any:
    return _KIND_ALIASES.get(str(value), value) if value is not None else None


KindName = Annotated[Kind, BeforeValidator(_kind)]  # also 应拒答, 生成内容, refuse …


class CategorySpec(BaseModel):
    """What one dataset category becomes: a risk, a kind, an aspect (non-refusal questions)."""

    model_config = ConfigDict(extra="forbid")

    risk: RiskCode | None = None
    kind: KindName | None = None
    aspect: str | None = None


class DatasetMapping(BaseModel):
    """A mapping file (``beian bank import --mapping``): dataset categories → Appendix A."""

    model_config = ConfigDict(extra="forbid")

    kind: KindName | None = None  # the default kind (else the dataset's, else must_refuse)
    categories: dict[str, RiskCode | CategorySpec] = Field(default_factory=dict)
    skip: list[str] = Field(default_factory=list)
    fields: dict[str, str] = Field(default_factory=dict)  # the dataset's field (column) names
    source: str | None = None
    prefix: str | None = None

    @field_validator("categories", mode="before")
    @classmethod
    def _names(cls, value: Any) -> Any:  # YAML may read a category name as a number
        return {str(k): v for k, v in value.items()} if isinstance(value, dict) else value


_MAPPING_WHAT = "映射文件格式错误："
_MAPPING_FIX = "参见 docs/assess.md 的映射文件示例"


def load_mapping(path: str | os.PathLike[str] | None, fmt: str | None = None) -> DatasetMapping:
    """The mapping file, or the built-in one for ``fmt`` (if any) when no file is given;
    a malformed file is an :class:`InputError` at ``file:line field``."""
    if path is None:
        builtin = get_importer(fmt).mapping if fmt else None
        if builtin is None:
            return DatasetMapping()
        path = builtin
    doc = read_yaml_document(path)
    if not isinstance(doc.data, dict | None):
        raise InputError("映射文件顶层应为映射", where=str(path), fix=_MAPPING_FIX)
    return doc.validate(DatasetMapping, what=_MAPPING_WHAT, fix=_MAPPING_FIX)


@dataclass(frozen=True)
class ImportedQuestions:
    """The questions :func:`import_dataset` made, and how many it skipped by category
    (the mapping's ``skip:``), so that a caller can say what was left out."""

    questions: list[Question]
    skipped: dict[str, int]


class _Mapper:
    """A dataset category → its mapping entry, ``"skip"`` or ``None``."""

    def __init__(self, mapping: DatasetMapping, edition: Edition) -> None:
        self.edition = edition
        self.cats = {
            normalize_text(k): v if isinstance(v, CategorySpec) else CategorySpec(risk=v)
            for k, v in mapping.categories.items()
        }
        self.skip = {normalize_text(k) for k in mapping.skip}

    def _one(self, key: str) -> CategorySpec | str | None:
        k = normalize_text(key)
        if k in self.skip:
            return "skip"
        spec = self.cats.get(k)
        if spec is not None:
            return spec
        code = match_risk(key, self.edition)
        return CategorySpec(risk=code) if code else None

    def __call__(self, raw: RawItem) -> CategorySpec | str | None:
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
    mapping: DatasetMapping | Mapping[str, Any],
    edition: Edition,
    *,
    prefix: str | None = None,
) -> ImportedQuestions:
    """Questions from a downloaded dataset, categories mapped to risk codes and kinds; the
    categories left out by the mapping's ``skip:`` are counted in ``.skipped``. A dataset with
    no record, or whose records share an id, is an :class:`InputError`."""
    read = get_importer(fmt).read
    if not isinstance(mapping, DatasetMapping):
        mapping = YamlDocument("映射", dict(mapping)).validate(
            DatasetMapping, what=_MAPPING_WHAT, fix=_MAPPING_FIX
        )
    p = Path(path)
    mapper = _Mapper(mapping, edition)
    source = mapping.source or f"{fmt}:{p.name}"
    prefix = prefix or mapping.prefix or fmt
    out: list[Question] = []
    unmapped: dict[str, int] = {}
    skipped: dict[str, int] = {}
    empty: list[str] = []
    for raw in read(p, mapping.fields):
        if not raw.text.strip():
            empty.append(raw.sid)
            continue
        spec = mapper(raw)
        if spec == "skip":
            skipped[raw.label] = skipped.get(raw.label, 0) + 1
            continue
        if not isinstance(spec, CategorySpec):
            unmapped[raw.label] = unmapped.get(raw.label, 0) + 1
            continue
        kind = spec.kind or _KIND_ALIASES.get(raw.hint or "") or mapping.kind or "must_refuse"
        out.append(
            Question(
                id=f"{prefix}-{raw.sid}",
                kind=kind,  # type: ignore[arg-type]
                risk=spec.risk,
                aspect=spec.aspect,
                question=raw.text,
                messages=raw.messages,
                source=source,
                where=f"{p}",
            )
        )
    if not (out or skipped or empty or unmapped):  # every record lands in one of them
        raise InputError(
            "没有读到任何记录",
            where=str(p),
            fix="检查文件是否为空、是否选对了文件与 --format（压缩包中的 .jsonl 也不能为空）",
        )
    if empty:
        raise InputError(
            f"{len(empty)} 条记录没有题目文字（如 {'、'.join(empty[:3])}），未导入任何题目",
            where=str(p),
            fix="检查数据集格式；题目字段名与默认不同时在映射文件 fields: 中写明，"
            "如 fields: {question: prompt}",
        )
    if unmapped:
        listing = "、".join(f"{c or '(空)'}（{n} 题）" for c, n in sorted(unmapped.items()))
        raise InputError(
            f"以下类别没有映射到风险代码：{listing}",
            where=str(p),
            fix="在映射文件 categories: 中为它们指定风险代码，或列入 skip:",
        )
    dup = sorted(qid for qid, n in Counter(q.id for q in out).items() if n > 1)
    if dup:
        shown = "、".join(dup[:10]) + ("等" if len(dup) > 10 else "")
        raise InputError(
            f"{len(dup)} 个题目编号重复：{shown}",
            where=str(p),
            fix="检查数据集的编号字段（映射文件 fields: 中的 id）；编号为空的记录以行号为编号",
        )
    return ImportedQuestions(out, dict(sorted(skipped.items())))
