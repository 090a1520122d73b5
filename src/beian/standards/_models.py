"""Typed models of the standards catalogue."""

from __future__ import annotations

import operator
from collections.abc import Callable
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict

Confidence = Literal["V", "S", "U"]
Comparison = Literal[">=", "<=", ">", "<"]
Unit = Literal["count", "percent", "days", "clicks", "months", "risks"]

_OPS: dict[str, Callable[[float, float], bool]] = {
    ">=": operator.ge,
    "<=": operator.le,
    ">": operator.gt,
    "<": operator.lt,
}
_UNIT_ZH = {
    "count": "",
    "percent": "%",
    "days": " 天",
    "clicks": " 次",
    "months": " 个月",
    "risks": " 种",
}
_SYMBOL = {">=": "≥", "<=": "≤", ">": ">", "<": "<"}
CONFIDENCE_ZH = {"V": "官方原文", "S": "多源一致", "U": "未核实（可配置默认值）"}


class Evidence(StrEnum):
    DOCUMENT = "document"
    ASSESSMENT = "assessment"
    RUNTIME = "runtime"

    @property
    def zh(self) -> str:
        return {"document": "文档材料", "assessment": "评估结果", "runtime": "运行时措施"}[
            self.value
        ]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Risk(_Frozen):
    """One of the 31 risks of Appendix A."""

    code: str  # e.g. "A1a"
    name: str
    category: str  # e.g. "A1"
    category_name: str
    clause: str  # e.g. "A.1 a)"
    core: bool  # one of "the 17 risks" (A.1 + A.2)


class Aspect(_Frozen):
    """An aspect the should-not-refuse bank must cover (§8.3 b)."""

    code: str
    name: str
    group: str


class Figure(_Frozen):
    """A numeric requirement, named, with clause, comparison, unit and provenance."""

    name: str
    clause: str
    title: str
    value: float
    comparison: Comparison
    unit: Unit
    confidence: Confidence
    source: str
    default: float  # the edition's own value, before overrides
    override_source: str | None = None

    @property
    def overridden(self) -> bool:
        return self.override_source is not None

    @property
    def threshold(self) -> float:
        """The value as used in computations: percentages become fractions (96 → 0.96)."""
        return self.value / 100.0 if self.unit == "percent" else self.value

    def check(self, measured: float) -> bool:
        """True when ``measured`` (a fraction for percentages) meets the requirement."""
        return _OPS[self.comparison](measured, self.threshold)

    def display(self) -> str:
        """``≥ 10000``, ``≤ 5%``: the requirement as Chinese documents write it."""
        v = int(self.value) if float(self.value).is_integer() else self.value
        return f"{_SYMBOL[self.comparison]} {v}{_UNIT_ZH[self.unit]}"

    def weakens(self, value: float) -> bool:
        """Would ``value`` (in the figure's unit) be laxer than the edition's own value?"""
        if self.comparison in (">=", ">"):
            return value < self.default
        return value > self.default


class ClauseItem(_Frozen):
    """A clause of chapters 5–8, scored 符合 / 不符合 / 不适用 in the assessment report."""

    id: str
    clause: str
    chapter: str
    summary: str
    evidence: tuple[Evidence, ...]


class FormSection(_Frozen):
    id: str
    name: str
    items: tuple[str, ...]


class Attachment(_Frozen):
    id: str
    name: str
    format: tuple[str, ...]
    clause: str


class Materials(_Frozen):
    """The filing materials: the 上线备案表 and its attachments."""

    form_name: str
    sections: tuple[FormSection, ...]
    attachments: tuple[Attachment, ...]
    test_access: str


class Override(_Frozen):
    """A user's change to a figure, with where it came from."""

    name: str
    default: float
    value: float
    source: str
    weakens: bool
