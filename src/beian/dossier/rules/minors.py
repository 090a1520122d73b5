"""A service open to minors states its protection measures; one not meant for them states how
it keeps them out (TC260-003 7 a); the keep-out duty's text is unverified, so it warns)."""

from __future__ import annotations

from collections.abc import Iterator

from beian.dossier._context import DossierContext
from beian.dossier.rules._registry import rule
from beian.findings import Finding, Severity, define_code

NO_MEASURES = define_code(
    "BA-DOS-022", "面向未成年人但未说明保护措施", clause="7 a)", severity=Severity.BLOCKING
)


NO_EXCLUSION = define_code(
    "BA-DOS-035",
    "不面向未成年人但未说明防止未成年人使用的措施",
    clause="7 a)",
    severity=Severity.WARNING,
)


@rule("minors", title="未成年人保护", aspect="合规性", codes=[NO_MEASURES, NO_EXCLUSION])
def check(ctx: DossierContext) -> Iterator[Finding]:
    scope = ctx.dossier.service.scope
    if not scope.minors and not [m for m in scope.minors_exclusion if m.strip()]:
        yield Finding.of(
            NO_EXCLUSION,
            "服务不面向未成年人，但未说明防止未成年人使用的措施（该要求的原文未核实，本项目作为警告）",
            fix="在 service.scope.minors_exclusion 中列出措施（如实名认证、年龄核验、服务协议声明）",
            location=ctx.loc("service", "scope", "minors"),
        )
    if scope.minors and not [m for m in scope.minors_measures if m.strip()]:
        yield Finding.of(
            NO_MEASURES,
            "服务面向未成年人，但未列出未成年人保护措施",
            fix="在 service.scope.minors_measures 中列出措施（如未成年人模式、时长管理、内容过滤）",
            location=ctx.loc("service", "scope", "minors"),
        )
