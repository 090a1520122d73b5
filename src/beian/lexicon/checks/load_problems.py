"""§8.1: what loading the library found: duplicate keywords, conflicting risk codes, skipped
lines (each at its file and line)."""

from __future__ import annotations

from collections.abc import Iterator

from beian.findings import Finding, Location, Severity, define_code
from beian.lexicon.checks._context import AuditContext

__all__ = ["LEX_CONFLICT", "LEX_DUP", "LEX_SKIPPED", "check"]

LEX_DUP = define_code("BA-LEX-005", "重复关键词", clause="8.1", severity=Severity.WARNING)
LEX_CONFLICT = define_code("BA-LEX-006", "风险代码冲突", clause="8.1", severity=Severity.WARNING)
LEX_SKIPPED = define_code("BA-LEX-011", "加载时跳过的行", clause="8.1", severity=Severity.WARNING)


def check(ctx: AuditContext) -> Iterator[Finding]:
    rep = ctx.lexicon.report
    for problems, code in (
        (rep.duplicates, LEX_DUP),
        (rep.conflicts, LEX_CONFLICT),
        (rep.skipped, LEX_SKIPPED),
    ):
        for prob in problems:
            file, _, line = prob.where.rpartition(":")
            loc = Location(file=file, line=int(line)) if line.isdigit() else None
            yield Finding.of(code, prob.message, location=loc)
