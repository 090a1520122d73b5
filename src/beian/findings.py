"""Findings: the typed result of every check, each with a stable, documented code.

A code such as ``BA-LEX-003`` is declared once with :func:`define_code` (title, clause, default
severity) in the module that produces it; ``docs/findings.md`` documents every code and a test
fails when one is missing there.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

__all__ = [
    "CODE_PATTERN",
    "Finding",
    "FindingCode",
    "Location",
    "Severity",
    "all_codes",
    "define_code",
    "get_code",
    "has_blocking",
]

CODE_PATTERN = re.compile(r"^BA-[A-Z]{2,5}-\d{3}$")


class Severity(StrEnum):
    """How serious a finding is. Values are the Chinese words users read."""

    BLOCKING = "阻断"  # the filing cannot go ahead
    WARNING = "警告"  # likely to be questioned by a reviewer
    INFO = "提示"  # advice

    @property
    def rank(self) -> int:
        return {"阻断": 2, "警告": 1, "提示": 0}[self.value]


@dataclass(frozen=True)
class FindingCode:
    """A documented finding code."""

    code: str
    title: str
    clause: str
    severity: Severity


_CODES: dict[str, FindingCode] = {}


def define_code(code: str, title: str, *, clause: str, severity: Severity) -> FindingCode:
    """Declare a finding code. Declaring the same code twice with other data is an error."""
    if not CODE_PATTERN.match(code):
        raise ValueError(f"finding code {code!r} does not match {CODE_PATTERN.pattern}")
    fc = FindingCode(code, title, clause, severity)
    old = _CODES.get(code)
    if old is not None and old != fc:
        raise ValueError(f"finding code {code} declared twice with different data")
    _CODES[code] = fc
    return fc


def get_code(code: str) -> FindingCode:
    try:
        return _CODES[code]
    except KeyError:
        raise KeyError(f"undeclared finding code {code}") from None


def all_codes() -> dict[str, FindingCode]:
    """Every code declared by the modules imported so far."""
    return dict(_CODES)


class Location(BaseModel):
    """Where a finding points: a file and line, or a field path in a document."""

    model_config = ConfigDict(frozen=True)

    file: str | None = None
    line: int | None = None
    field: str | None = None

    def __str__(self) -> str:
        parts = []
        if self.file:
            parts.append(self.file if self.line is None else f"{self.file}:{self.line}")
        if self.field:
            parts.append(self.field)
        return " ".join(parts) or "-"


class Finding(BaseModel):
    """One result of a check, tied to a clause of the standards."""

    model_config = ConfigDict(frozen=True)

    code: str = Field(pattern=CODE_PATTERN.pattern)
    severity: Severity
    clause: str
    message: str
    fix: str | None = None
    location: Location | None = None

    @classmethod
    def of(
        cls,
        fc: FindingCode,
        message: str,
        *,
        fix: str | None = None,
        location: Location | None = None,
        severity: Severity | None = None,
    ) -> Finding:
        """Build a finding from its declared code (clause and default severity)."""
        return cls(
            code=fc.code,
            severity=severity or fc.severity,
            clause=fc.clause,
            message=message,
            fix=fix,
            location=location,
        )


def has_blocking(findings: list[Finding]) -> bool:
    return any(f.severity is Severity.BLOCKING for f in findings)
