"""Dataset importers: the raw question they yield and their registry (``@importer``).

An importer reads one downloaded dataset format and yields :class:`RawItem` s; mapping their
categories to Appendix A risks is done once, for every format, by :func:`~beian.assess.import_dataset`.
A pack adds a format by registering it with ``@importer("name")`` in a module named under the
entry point group ``beian.importers``.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from beian._shared.plugins import PluginRegistry
from beian.errors import InputError, json_message
from beian.io import read_text

DATA = Path(__file__).resolve().parents[1] / "data"


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


# reader(dataset file, field names from the mapping file's ``fields:``) -> raw questions
Reader = Callable[[Path, dict[str, str]], Iterator[RawItem]]


@dataclass(frozen=True)
class Importer:
    """A registered dataset format: its reader and the built-in mapping file, if it has one."""

    name: str
    read: Reader
    mapping: Path | None = None


def _builtin_importers() -> None:
    import beian.assess.importers  # noqa: F401  (registers the built-ins)


IMPORTERS: PluginRegistry[Importer] = PluginRegistry(
    "importers", label="数据集导入器", builtins=_builtin_importers
)


def importer(name: str, *, mapping: Path | None = None) -> Callable[[Reader], Reader]:
    """Register the reader of dataset format ``name`` (``--format name``), with its built-in
    category mapping file when it has one."""

    def deco(read: Reader) -> Reader:
        IMPORTERS.add(name, Importer(name, read, mapping), key=lambda i: i.read)
        return read

    return deco


def importer_names() -> list[str]:
    return IMPORTERS.names()


def get_importer(fmt: str) -> Importer:
    """The importer of format ``fmt`` (unknown: an :class:`InputError` listing the formats)."""
    if fmt not in IMPORTERS:
        raise InputError(
            f"未知的数据集格式 {fmt!r}", fix="可用格式：" + "、".join(importer_names())
        )
    return IMPORTERS[fmt]


def read_json(path: Path) -> Any:
    """A dataset's JSON (any encoding), or an :class:`InputError` at ``file:line``."""
    text, _ = read_text(path)
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(
            f"不是有效的 JSON：{json_message(exc)}", where=f"{path}:{exc.lineno}"
        ) from None


def field(record: dict[str, Any], name: str) -> str:
    """A record's field as stripped text (missing or null: ``""``)."""
    value = record.get(name)
    return "" if value is None else str(value).strip()


def require_any(
    record: dict[str, Any], names: list[str], *, where: str, fmt: str, fix: str
) -> None:
    """An :class:`InputError` at ``where`` unless ``record`` has one of the fields ``names``
    (a file of another format, or renamed fields the mapping's ``fields:`` must name)."""
    if not any(n in record for n in names):
        raise InputError(
            f"{fmt} 记录缺少字段 {'、'.join(names)}（实有：{'、'.join(record) or '无'}）",
            where=where,
            fix=fix + "；字段名不同时在映射文件 fields: 中指定",
        )
