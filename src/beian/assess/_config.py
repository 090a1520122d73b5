"""assess.yaml: what to assess, against which target, with which judges, samples and policy.

Every section is a pydantic model: ``target:`` the settings model its ``type`` registered,
each judge the ``settings`` model of its class, ``policy:`` :class:`PolicySettings`. A
malformed value is a :class:`ConfigError` at ``assess.yaml:line field`` before anything runs.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from beian.assess.judges import JudgeSettings, Policy, PolicySettings, judge_class
from beian.assess.targets import TargetSettings, target_settings
from beian.config import StandardsSection
from beian.errors import BeianError, ConfigError
from beian.io import YamlPath, line_of, load_yaml_model, located_validation_error
from beian.standards import Edition, load_edition

_WHAT = "评估配置无效："
_FIX = "检查该字段的类型或取值（参见 docs/assess.md 的 assess.yaml 说明）"
SampleSize = Annotated[int, Field(ge=1)] | Literal["all"] | None


def _default_judges() -> dict[str, JudgeSettings]:
    return {"refusal": JudgeSettings()}


class Sampling(BaseModel):
    model_config = ConfigDict(extra="forbid")

    method: Literal["random", "stratified"] = "stratified"
    seed: int = 20240301
    # per kind: a number, "all", or None (the edition's minimum sample size)
    generation: SampleSize = None
    must_refuse: SampleSize = None
    must_answer: SampleSize = None


class AssessConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = "assessment"
    standards: StandardsSection | None = None  # same shape as beian.yaml's standards:
    banks: list[str] = Field(min_length=1)
    target: TargetSettings  # after loading: the settings model of its type
    judges: dict[str, JudgeSettings] = Field(default_factory=_default_judges)
    policy: PolicySettings = Field(default_factory=PolicySettings)
    sampling: Sampling = Field(default_factory=Sampling)
    cache: str | None = None
    output: str | None = None
    base_dir: Path = Field(default_factory=Path.cwd, exclude=True)
    path: str = Field(default="assess.yaml", exclude=True)
    lines: dict[YamlPath, int] = Field(default_factory=dict, exclude=True)

    @field_validator("judges", mode="before")
    @classmethod
    def _judges(cls, v: Any) -> Any:
        if isinstance(v, list):  # judges: [refusal, keyword] with no settings
            return {str(x): {} for x in v}
        if isinstance(v, dict):
            return {k: (x if x is not None else {}) for k, x in v.items()}
        return v

    def resolve(self, p: str) -> Path:
        path = Path(p)
        return path if path.is_absolute() else self.base_dir / path

    def where(self, *path: str | int) -> str:
        """``assess.yaml:line field`` of a key (the line of its nearest written ancestor)."""
        line = line_of(self.lines, path)
        return f"{self.path}:{line} " if line else f"{self.path}: "

    def located(self, *path: str | int) -> str:
        return self.where(*path) + ".".join(map(str, path))

    def edition(self, default: Edition) -> Edition:
        if self.standards is None:
            return default
        return load_edition(
            self.standards.edition or default.id,
            overrides=self.standards.overrides or None,
            override_source=self.path,
            locate=lambda key: self.located("standards", *key),
        )


def _section(cfg: AssessConfig, model: type[BaseModel], value: BaseModel, at: YamlPath) -> Any:
    """``value`` (validated by the open base model) validated again as ``model``."""
    data = value.model_dump(exclude_unset=True)
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise located_validation_error(
            exc, cfg.path, cfg.lines, prefix=at, data=data, error=ConfigError, what=_WHAT, fix=_FIX
        ) from None


def _typed_sections(cfg: AssessConfig) -> None:
    """Each plugin's settings model on its section; the policy's judges checked against judges."""
    model = target_settings(cfg.target.type, cfg.located("target", "type"))
    cfg.target = _section(cfg, model, cfg.target, ("target",))
    for name, js in list(cfg.judges.items()):
        kind = js.type or name
        at = ("judges", name, "type") if js.type else ("judges", name)
        cls = judge_class(kind, cfg.located(*at))
        cfg.judges[name] = _section(cfg, cls.settings, js, ("judges", name))
    Policy.from_config(
        cfg.policy, set(cfg.judges), locate=lambda path: cfg.located("policy", *path)
    )


def load_assess_config(path: str | os.PathLike[str]) -> AssessConfig:
    p = Path(path)
    if not p.is_file():
        raise ConfigError(
            "评估配置文件不存在", where=str(p), fix="参见 `beian demo` 生成的 assess.yaml 示例"
        )
    try:
        cfg, lines = load_yaml_model(p, AssessConfig, error=ConfigError, what=_WHAT, fix=_FIX)
    except BeianError as exc:  # YAML syntax errors are configuration errors here
        raise ConfigError(exc.what, where=exc.where, fix=exc.fix) from None
    cfg.base_dir = p.resolve().parent
    cfg.path = str(p)
    cfg.lines = lines
    _typed_sections(cfg)
    return cfg
