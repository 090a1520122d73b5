"""A service open to minors states its protection measures (TC260-003 7 a)."""

from __future__ import annotations

from collections.abc import Iterator

from beian.dossier._context import DossierContext
from beian.dossier.rules._registry import rule
from beian.findings import Finding, Severity, define_code

NO_MEASURES = define_code(
    "BA-DOS-022", "面向未成年人但未说明保护措施", clause="7 a)", severity=Severity.BLOCKING
)


@rule("minors", title="未成年人保护", aspect="合规性", codes=[NO_MEASURES])
def check(ctx: DossierContext) -> Iterator[Finding]:
    scope = ctx.dossier.service.scope
    if scope.minors and not [m for m in scope.minors_measures if m.strip()]:
        yield Finding.of(
            NO_MEASURES,
            "服务面向未成年人，但未列出未成年人保护措施",
            fix="在 service.scope.minors_measures 中列出措施（如未成年人模式、时长管理、内容过滤）",
            location=ctx.loc("service", "scope", "minors"),
        )
