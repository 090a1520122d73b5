"""§8.1: single-character keywords (each would intercept a great deal of ordinary text)."""

from __future__ import annotations

from collections.abc import Iterator

from beian.findings import Finding, Severity, define_code
from beian.lexicon._loader import keyword_key
from beian.lexicon.checks._context import AuditContext, examples

__all__ = ["LEX_SINGLE", "check", "single_chars"]

LEX_SINGLE = define_code(
    "BA-LEX-008", "单字关键词（误拦截风险）", clause="8.1", severity=Severity.WARNING
)


def single_chars(ctx: AuditContext) -> list[str]:
    return sorted({e.keyword for e in ctx.lexicon.entries if len(keyword_key(e.keyword)) == 1})


def check(ctx: AuditContext) -> Iterator[Finding]:
    singles = ctx.fact(single_chars)
    if singles:
        yield Finding.of(
            LEX_SINGLE,
            f"单字关键词会拦截大量正常文本：{examples(singles)}",
            fix="改为包含该字的具体词语，或加入白名单例外",
        )
