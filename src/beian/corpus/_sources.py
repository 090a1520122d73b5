"""``sources.yaml``: every corpus source with its provenance (TC260-003 §5.1 traceability)."""

from __future__ import annotations

import glob
import os
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from beian.corpus._codes import PROVENANCE_MISSING, SOURCE_EMPTY
from beian.errors import InputError
from beian.findings import Finding, Location
from beian.io import read_yaml_document

SourceType = Literal["open-source", "self-collected", "commercial", "user-input"]

# Chinese names users write in sources.yaml, mapped to the canonical type.
_TYPE_ALIASES = {
    "开源": "open-source",
    "开源语料": "open-source",
    "自采": "self-collected",
    "自采语料": "self-collected",
    "商业": "commercial",
    "商业语料": "commercial",
    "用户输入": "user-input",
}

# What §5.1 c) requires each type of source to keep, and how to name it in messages.
REQUIRED_RECORDS: dict[str, tuple[tuple[str, str], ...]] = {
    "open-source": (("licence", "开源许可协议"),),
    "self-collected": (("collection_record", "采集记录"),),
    "commercial": (
        ("collection_record", "交易合同或合作协议"),
        ("authorisation_record", "供应方的合法性承诺/授权记录"),
    ),
    "user-input": (("authorisation_record", "用户授权记录"),),
}

FORMATS = ("jsonl", "parquet", "csv", "txt")
_EXT_FORMAT = {
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".json": "jsonl",
    ".parquet": "parquet",
    ".csv": "csv",
    ".txt": "txt",
}


class SourceSpec(BaseModel):
    """One corpus source: where its files are and the records that make it traceable."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, pattern=r"^[^/\\:]+$")
    type: SourceType
    licence: str | None = None
    collection_record: str | None = None
    authorisation_record: str | None = None
    paths: list[str] = Field(min_length=1)
    format: Literal["jsonl", "parquet", "csv", "txt"] | None = None  # default: by extension
    text_field: str = "text"
    id_field: str | None = None

    @field_validator("type", mode="before")
    @classmethod
    def _alias(cls, v: object) -> object:
        return _TYPE_ALIASES.get(v, v) if isinstance(v, str) else v

    def missing_records(self) -> list[str]:
        """The §5.1 records this source should keep but does not name (Chinese labels)."""
        return [
            label
            for attr, label in REQUIRED_RECORDS[self.type]
            if not (getattr(self, attr) or "").strip()
        ]

    def file_format(self, path: str) -> str:
        if self.format:
            return self.format
        fmt = _EXT_FORMAT.get(Path(path).suffix.lower())
        if fmt is None:
            raise InputError(
                f"无法根据扩展名判断语料格式：{Path(path).suffix or '(无扩展名)'}",
                where=path,
                fix=f"请在来源 {self.name} 中设置 format（{' / '.join(FORMATS)}）",
            )
        return fmt


class SourceConfig(BaseModel):
    """The parsed ``sources.yaml``; ``base`` is the folder relative paths start from."""

    model_config = ConfigDict(extra="forbid")

    sources: list[SourceSpec] = Field(min_length=1)
    base: str = "."

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> SourceConfig:
        p = Path(path)
        if not p.is_file():
            raise InputError("来源清单文件不存在", where=str(p), fix="请检查 sources.yaml 路径")
        doc = read_yaml_document(p)
        if not isinstance(doc.data, dict):
            raise InputError(
                "来源清单顶层应为映射，含 sources 列表", where=str(p), fix="参见 docs/corpus.md"
            )
        data = {**doc.data, "base": str(p.resolve().parent)}
        cfg = doc.validate(cls, value=data, what="来源清单字段无效：", fix="参见 docs/corpus.md")
        names = [s.name for s in cfg.sources]
        dup = [i for i, n in enumerate(names) if n in names[:i]]
        if dup:
            raise InputError(
                f"来源名称重复：{names[dup[0]]}",
                where=doc.where("sources", dup[0], "name"),
                fix="每个来源名称须唯一",
            )
        return cfg

    def files(self, source: SourceSpec) -> list[str]:
        """The files of ``source``: directories are walked, globs expanded; sorted, no repeats."""
        out: set[str] = set()
        for pattern in source.paths:
            full = pattern if os.path.isabs(pattern) else os.path.join(self.base, pattern)
            for match in glob.glob(full, recursive=True) or []:
                if os.path.isdir(match):
                    for root, _, names in os.walk(match):
                        out.update(
                            os.path.join(root, n)
                            for n in names
                            if Path(n).suffix.lower() in _EXT_FORMAT or source.format
                        )
                elif os.path.isfile(match):
                    out.add(match)
        return sorted(out)

    def display_path(self, path: str) -> str:
        """``path`` relative to the sources.yaml folder when it lies inside it."""
        try:
            return os.path.relpath(path, self.base) if path.startswith(self.base) else path
        except ValueError:
            return path


def provenance_findings(cfg: SourceConfig, where: str) -> list[Finding]:
    """BA-COR-001 for every source that lacks a record §5.1 c) asks for; BA-COR-005 for no files."""
    out = []
    for s in cfg.sources:
        missing = s.missing_records()
        if missing:
            out.append(
                Finding.of(
                    PROVENANCE_MISSING,
                    f"来源 {s.name}（{s.type}）缺少：{'、'.join(missing)}",
                    fix="在 sources.yaml 中填写对应记录（文件路径或编号），并保存原件备查",
                    location=Location(file=where, field=f"sources.{s.name}"),
                )
            )
        if not cfg.files(s):
            out.append(
                Finding.of(
                    SOURCE_EMPTY,
                    f"来源 {s.name} 的路径没有匹配到文件：{', '.join(s.paths)}",
                    fix="检查 paths（相对于 sources.yaml 所在目录）",
                    location=Location(file=where, field=f"sources.{s.name}.paths"),
                )
            )
    return out
