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

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from beian.errors import ConfigError, validation_summary

__all__ = ["CustomRecognizer", "PiiConfig"]


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

    enabled: tuple[str, ...] | None = None
    disabled: tuple[str, ...] = ()
    threshold: float = Field(default=0.5, ge=0.0, le=1.0)
    thresholds: dict[str, float] = Field(default_factory=dict)
    custom: tuple[CustomRecognizer, ...] = ()

    def min_score(self, entity_type: str) -> float:
        return self.thresholds.get(entity_type, self.threshold)

    def wants(self, entity_type: str) -> bool:
        if entity_type in self.disabled:
            return False
        return self.enabled is None or entity_type in self.enabled

    @classmethod
    def from_section(cls, section: dict[str, Any], *, where: str = "配置段 pii") -> PiiConfig:
        """Validate the ``pii`` section of the configuration file."""
        try:
            return cls.model_validate(section)
        except ValidationError as exc:
            msg, loc = validation_summary(exc)
            raise ConfigError(
                f"个人信息识别配置无效：{msg}",
                where=f"{where}: {loc}",
                fix="参见 docs/pii.md 的配置说明",
            ) from None
