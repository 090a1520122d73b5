"""§8.1 a): the library has enough distinct keywords (``lexicon.total_min``)."""

from __future__ import annotations

from collections.abc import Iterator

from beian.findings import Finding, Severity, define_code
from beian.lexicon._loader import keyword_key
from beian.lexicon.checks._context import AuditContext

__all__ = ["LEX_TOTAL", "check", "distinct_total"]

LEX_TOTAL = define_code("BA-LEX-001", "关键词总数不足", clause="8.1 a)", severity=Severity.BLOCKING)


def distinct_total(ctx: AuditContext) -> int:
    """Keywords counted once per spelling key (NFKC, case folded)."""
    return len({keyword_key(e.keyword) for e in ctx.lexicon.entries})


def check(ctx: AuditContext) -> Iterator[Finding]:
    fig = ctx.edition.figure("lexicon.total_min")
    total = ctx.fact(distinct_total)
    if not fig.check(total):
        yield Finding.of(
            LEX_TOTAL,
            f"关键词共 {total} 个，要求 {fig.display()}",
            fix=f"补充关键词至不少于 {int(fig.value)} 个",
        )
