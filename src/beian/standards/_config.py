"""Findings about the standards configuration itself."""

from __future__ import annotations

from beian.findings import Finding, Location, Severity, define_code
from beian.standards._edition import Edition

OVERRIDE_WEAKENS = define_code(
    "BA-STD-001",
    "配置覆盖放宽了标准数值要求",
    clause="9.1",
    severity=Severity.WARNING,
)
OVERRIDE_UNVERIFIED = define_code(
    "BA-STD-002",
    "使用了未核实（U）的数值默认值",
    clause="9.1",
    severity=Severity.INFO,
)


def override_findings(edition: Edition) -> list[Finding]:
    """Warn about overrides that relax a requirement."""
    out = []
    for o in edition.overrides:
        fig = edition.figures[o.name]
        if o.weakens:
            out.append(
                Finding.of(
                    OVERRIDE_WEAKENS,
                    f"{o.name}（{fig.title}）由 {fig.default:g} 改为 {o.value:g}，低于标准要求",
                    fix="备案评估应使用标准数值；如确需调整请在评估报告中说明理由",
                    location=Location(file=o.source, field=f"standards.overrides.{o.name}"),
                )
            )
    return out
