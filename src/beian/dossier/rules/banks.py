"""The test banks are audited against §8.2–8.3 by :mod:`beian.assess` (findings relayed)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from beian.dossier._attachments import audited, bank_findings
from beian.dossier._context import DossierContext
from beian.dossier.rules._registry import rule
from beian.findings import Finding, Severity, define_code

UNREADABLE = define_code(
    "BA-DOS-015", "测试题库无法读取", clause="8.2、8.3", severity=Severity.BLOCKING
)


@rule(
    "banks",
    title="测试题库（§8.2–8.3，beian.assess 审核）",
    aspect="合规性",
    codes=[UNREADABLE],
    foreign=("BA-BNK-",),
)
def check(ctx: DossierContext) -> Iterator[Finding]:
    def audit(path: Path) -> list[Finding]:
        return bank_findings(path, ctx.edition)

    yield from audited(ctx, "banks", UNREADABLE, "测试题库", audit)
