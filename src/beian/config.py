"""The user's configuration file (``beian.yaml``): edition, overrides and per-part sections.

Found, in order: the ``--config`` option, the ``BEIAN_CONFIG`` environment variable,
``./beian.yaml``. Every part reads its own section with :meth:`BeianConfig.section`.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr

from beian.errors import ConfigError
from beian.io import YamlDocument, read_yaml_document
from beian.standards import Edition, load_edition

M = TypeVar("M", bound=BaseModel)

__all__ = ["BeianConfig", "StandardsSection", "load_config"]


class StandardsSection(BaseModel):
    model_config = ConfigDict(extra="forbid")

    edition: str | None = None
    overrides: dict[str, Any] = Field(default_factory=dict)


class BeianConfig(BaseModel):
    model_config = ConfigDict(extra="allow")

    standards: StandardsSection = Field(default_factory=StandardsSection)
    path: str | None = Field(default=None, exclude=True)
    _document: YamlDocument | None = PrivateAttr(default=None)

    def edition(self, edition_id: str | None = None) -> Edition:
        """The chosen edition (argument, then config, then default) with overrides applied."""
        return load_edition(
            edition_id or self.standards.edition,
            overrides=self.standards.overrides or None,
            override_source=self.path or "配置文件",
            locate=lambda key: self._standards_where(key, edition_id),
        )

    def _standards_where(self, key: tuple[str, ...], edition_id: str | None) -> str:
        """Where a ``standards:`` setting was written; an edition chosen elsewhere (an option,
        the dossier) is named as given."""
        if key == ("edition",) and edition_id:
            return f"标准版本 {edition_id!r}（命令行 --edition 或 dossier.yaml 的 edition）"
        return self.where("standards", *key)

    def section(self, name: str) -> dict[str, Any]:
        extra = self.model_extra or {}
        value = extra.get(name, {})
        if not isinstance(value, dict):
            raise ConfigError(f"配置段 {name} 应为映射", where=self.where(name))
        return value

    def where(self, *at: str | int) -> str:
        """``beian.yaml:line field`` of a key path (``命令行`` when no file was loaded)."""
        if self._document is None:
            return " ".join(["命令行", ".".join(map(str, at))]).strip()
        return self._document.where(*at)

    def section_model(
        self,
        name: str,
        model: type[M],
        *,
        at: tuple[str, ...] = (),
        value: dict[str, Any] | None = None,
        what: str = "配置项无效：",
        fix: str = "参见 docs/ 中该部分的配置说明",
    ) -> M:
        """Section ``name`` (its key path ``at`` within; or ``value``, that with command-line
        options applied) as ``model``; a malformed value is a :class:`ConfigError` at
        ``beian.yaml:line field``."""
        data: Any = self.section(name)
        for key in at:
            data = data.get(key) if isinstance(data, dict) else None
        doc = self._document or YamlDocument(self.where(), {}, {})
        return doc.validate(
            model, at=(name, *at), value=data if value is None else value,
            error=ConfigError, what=what, fix=fix,
        )  # fmt: skip


def load_config(path: str | os.PathLike[str] | None = None) -> BeianConfig:
    """Load the configuration file, or defaults when there is none."""
    if path is None:
        env = os.environ.get("BEIAN_CONFIG")
        if env:
            path = env
        elif Path("beian.yaml").is_file():
            path = "beian.yaml"
    if path is None:
        return BeianConfig()
    if not Path(path).is_file():
        raise ConfigError("配置文件不存在", where=str(path), fix="请检查 --config 或 BEIAN_CONFIG")
    doc = read_yaml_document(path, error=ConfigError)
    if not isinstance(doc.data, dict | None):
        raise ConfigError("配置文件顶层应为映射", where=str(path), fix="参见 docs/standards.md")
    cfg = doc.validate(BeianConfig, error=ConfigError, what="配置项无效：", fix="参见 docs/standards.md")
    cfg.path = str(path)
    cfg._document = doc
    return cfg
