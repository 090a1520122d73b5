"""Engine settings: enabled types, score thresholds and custom regex recognizers.

Read from the ``pii`` section of ``beian.yaml``::

    pii:
      disabled: [NAME]
      threshold: 0.5
      thresholds: {ADDRESS: 0.7}
      custom:
        - type: EMPLOYEE_ID
          pattern: "EMP-\\d{6}"
          score: 0.9
          context: [工号]
"""

from __future__ import annotations

import re
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator, model_validator

from beian.errors import ConfigError
from beian.io import YamlDocument
from beian.pii._types import ENTITY_TYPES

__all__ = ["CustomRecognizer", "PiiConfig"]

WHAT = "个人信息识别配置无效："
FIX = "参见 docs/pii.md 的配置说明"


class CustomRecognizer(BaseModel):
    """A regex recognizer defined in configuration."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    type: str = Field(pattern=r"^[A-Z][A-Z0-9_]*$")
    pattern: str
    score: float = Field(default=0.8, ge=0.0, le=1.0)
    context: tuple[str, ...] = ()
    label: str | None = None

    @field_validator("pattern")
    @classmethod
    def _compiles(cls, value: str) -> str:
        try:
            re.compile(value)
        except re.error as exc:
            raise ValueError(f"正则表达式无效：{exc}") from None
        return value


class PiiConfig(BaseModel):
    """Which recognizers run and which scores count. ``enabled=None`` means every type."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    custom: tuple[CustomRecognizer, ...] = ()  # first: the types below may name custom types
    enabled: tuple[str, ...] | None = None
    disabled: tuple[str, ...] = ()
    threshold: float = Field(default=0.5, ge=0.0, le=1.0)
    thresholds: dict[str, float] = Field(default_factory=dict)
    # Names from role words, particulars, chat speakers, Latin script and 阿卜杜·热合曼: better
    # recall on names, about three times slower (docs/pii.md).
    context_names: bool = False
    # The learned name/address tagger (``beian.pii._tagger``) after the rules, with their
    # decisions as features: better NAME and ADDRESS recall, much slower (docs/pii.md).
    tagger: bool = False
    # The rules without five costly readings of names (bare names, list members, minority,
    # compound-surname and dotted names): faster, far lower NAME recall (docs/pii.md). Only
    # for the rules alone: the tagger reads those readings as features.
    fast_names: bool = False

    @field_validator("enabled", "disabled", "thresholds")
    @classmethod
    def _known_types(cls, value: Any, info: ValidationInfo) -> Any:
        known = set(ENTITY_TYPES) | {c.type for c in info.data.get("custom", ())}
        unknown = [t for t in value or () if t not in known]
        if unknown:
            raise ValueError(
                f"未知的个人信息类型：{'、'.join(unknown)}（可用类型：{'、'.join(sorted(known))}）"
            )
        return value

    @model_validator(mode="after")
    def _fast_names_alone(self) -> PiiConfig:
        if self.fast_names and (self.tagger or self.context_names):
            on = "、".join(k for k in ("tagger", "context_names") if getattr(self, k))
            raise ValueError(
                f"fast_names 只用于只用规则的引擎，不能与 {on} 同时打开"
                "（标注器以这些姓名读法为特征，context_names 读得更多）；"
                "要用它请设 tagger: false（网关默认打开）与 context_names: false"
            )
        return self

    def min_score(self, entity_type: str) -> float:
        return self.thresholds.get(entity_type, self.threshold)

    def wants(self, entity_type: str) -> bool:
        if entity_type in self.disabled:
            return False
        return self.enabled is None or entity_type in self.enabled

    @classmethod
    def from_section(cls, section: dict[str, Any], *, where: str = "配置段 pii") -> PiiConfig:
        """Validate the ``pii`` section of a configuration (errors at ``where field``);
        ``BeianConfig.section_model("pii", PiiConfig)`` gives ``beian.yaml:line`` as well."""
        return YamlDocument(where, section).validate(cls, error=ConfigError, what=WHAT, fix=FIX)
