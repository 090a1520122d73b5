"""The user's configuration file (``beian.yaml``): edition, overrides and per-part sections.

Found, in order: the ``--config`` option, the ``BEIAN_CONFIG`` environment variable,
``./beian.yaml``. Every part reads its own section with :meth:`BeianConfig.section`.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from beian.errors import ConfigError, validation_summary
from beian.io import load_yaml
from beian.standards import Edition, load_edition

__all__ = ["BeianConfig", "StandardsSection", "load_config"]


class StandardsSection(BaseModel):
    model_config = ConfigDict(extra="forbid")

    edition: str | None = None
    overrides: dict[str, Any] = Field(default_factory=dict)


class BeianConfig(BaseModel):
    model_config = ConfigDict(extra="allow")

    standards: StandardsSection = Field(default_factory=StandardsSection)
    path: str | None = Field(default=None, exclude=True)

    def edition(self, edition_id: str | None = None) -> Edition:
        """The chosen edition (argument, then config, then default) with overrides applied."""
        return load_edition(
            edition_id or self.standards.edition,
            overrides=self.standards.overrides or None,
            override_source=self.path or "配置文件",
        )

    def section(self, name: str) -> dict[str, Any]:
        extra = self.model_extra or {}
        value = extra.get(name, {})
        if not isinstance(value, dict):
            raise ConfigError(f"配置段 {name} 应为映射", where=f"{self.path}: {name}")
        return value


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
    data = load_yaml(path) or {}
    if not isinstance(data, dict):
        raise ConfigError("配置文件顶层应为映射", where=str(path), fix="参见 docs/standards.md")
    try:
        cfg = BeianConfig.model_validate(data)
    except ValidationError as exc:
        msg, loc = validation_summary(exc)
        raise ConfigError(
            f"配置项无效：{msg}", where=f"{path}: {loc}", fix="参见 docs/standards.md"
        ) from None
    cfg.path = str(path)
    return cfg
