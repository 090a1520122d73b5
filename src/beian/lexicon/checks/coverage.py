"""§8.1 b): every core risk has keywords, A.1 risks at least ``lexicon.per_a1_risk_min`` each
and A.2 risks at least ``lexicon.per_a2_risk_min`` each."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

from pydantic import BaseModel, ConfigDict

from beian.findings import Finding, Location, Severity, define_code
from beian.lexicon.checks._context import AuditContext

__all__ = ["LEX_A1", "LEX_A2", "LEX_MISSING", "RiskCount", "check", "missing_risks", "risk_counts"]

LEX_A1 = define_code(
    "BA-LEX-002", "A.1 风险关键词不足", clause="8.1 b)", severity=Severity.BLOCKING
)
LEX_A2 = define_code(
    "BA-LEX-003", "A.2 风险关键词不足", clause="8.1 b)", severity=Severity.BLOCKING
)
LEX_MISSING = define_code("BA-LEX-004", "未覆盖的风险", clause="8.1 b)", severity=Severity.BLOCKING)

_MINIMA = {"A1": "lexicon.per_a1_risk_min", "A2": "lexicon.per_a2_risk_min"}


class RiskCount(BaseModel):
    model_config = ConfigDict(frozen=True)

    code: str
    name: str
    category: str
    count: int
    minimum: int | None  # None: §8.1 sets no minimum for this risk
    ok: bool | None


def risk_counts(ctx: AuditContext) -> list[RiskCount]:
    """Keywords per risk of the edition, with the minimum where §8.1 sets one."""
    per = Counter(e.risk for e in ctx.lexicon.entries)
    out: list[RiskCount] = []
    for r in ctx.edition.risks.values():
        name = _MINIMA.get(r.category) if r.core else None
        fig = ctx.edition.figure(name) if name else None
        n = per.get(r.code, 0)
        out.append(RiskCount(code=r.code, name=r.name, category=r.category, count=n,
                             minimum=int(fig.value) if fig else None,
                             ok=fig.check(n) if fig else None))  # fmt: skip
    return out


def check(ctx: AuditContext) -> Iterator[Finding]:
    core = {code for code, r in ctx.edition.risks.items() if r.core}
    for rc in ctx.fact(risk_counts):
        if rc.code in core and rc.count == 0:
            yield Finding.of(
                LEX_MISSING,
                f"{rc.code} {rc.name}：没有关键词",
                fix=f"为该风险补充不少于 {rc.minimum} 个关键词" if rc.minimum is not None else None,
                location=Location(field=rc.code),
            )
        elif rc.ok is False:
            fig = ctx.edition.figure(_MINIMA[rc.category])
            yield Finding.of(
                LEX_A1 if rc.category == "A1" else LEX_A2,
                f"{rc.code} {rc.name}：{rc.count} 个，要求 {fig.display()}",
                fix=f"补充至不少于 {rc.minimum} 个",
                location=Location(field=rc.code),
            )


def missing_risks(ctx: AuditContext) -> list[str]:
    core = {code for code, r in ctx.edition.risks.items() if r.core}
    return [rc.code for rc in ctx.fact(risk_counts) if rc.code in core and rc.count == 0]
