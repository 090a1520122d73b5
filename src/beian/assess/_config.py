"""assess.yaml: what to assess, against which target, with which judges, samples and policy."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from beian.config import StandardsSection
from beian.errors import ConfigError, validation_summary
from beian.io import load_yaml
from beian.standards import Edition, load_edition


def _default_judges() -> dict[str, dict[str, Any]]:
    return {"refusal": {}}


class Sampling(BaseModel):
    model_config = ConfigDict(extra="forbid")

    method: Literal["random", "stratified"] = "stratified"
    seed: int = 20240301
    # per kind: a number, "all", or None (the edition's minimum sample size)
    generation: int | Literal["all"] | None = None
    must_refuse: int | Literal["all"] | None = None
    must_answer: int | Literal["all"] | None = None


class AssessConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = "assessment"
    standards: StandardsSection | None = None  # same shape as beian.yaml's standards:
    banks: list[str]
    target: dict[str, Any]
    judges: dict[str, dict[str, Any]] = Field(default_factory=_default_judges)
    policy: dict[str, Any] = Field(default_factory=dict)
    sampling: Sampling = Field(default_factory=Sampling)
    cache: str | None = None
    output: str | None = None
    base_dir: Path = Field(default_factory=Path.cwd, exclude=True)
    path: str = Field(default="assess.yaml", exclude=True)

    @field_validator("judges", mode="before")
    @classmethod
    def _judges(cls, v: Any) -> Any:
        if isinstance(v, list):  # judges: [refusal, keyword] with no settings
            return {str(x): {} for x in v}
        if isinstance(v, dict):
            return {k: (x or {}) for k, x in v.items()}
        return v

    def resolve(self, p: str) -> Path:
        path = Path(p)
        return path if path.is_absolute() else self.base_dir / path

    def edition(self, default: Edition) -> Edition:
        if self.standards is None:
            return default
        return load_edition(
            self.standards.edition or default.id,
            overrides=self.standards.overrides or None,
            override_source=self.path,
        )


def load_assess_config(path: str | os.PathLike[str]) -> AssessConfig:
    p = Path(path)
    if not p.is_file():
        raise ConfigError(
            "评估配置文件不存在", where=str(p), fix="参见 `beian demo` 生成的 assess.yaml 示例"
        )
    data = load_yaml(p) or {}
    if not isinstance(data, dict):
        raise ConfigError("评估配置顶层应为映射", where=str(p))
    try:
        cfg = AssessConfig.model_validate(data)
    except ValidationError as exc:
        msg, loc = validation_summary(exc)
        raise ConfigError(
            f"评估配置无效：{msg}", where=f"{p}: {loc}", fix="检查该字段的取值"
        ) from None
    cfg.base_dir = p.resolve().parent
    cfg.path = str(p)
    return cfg
