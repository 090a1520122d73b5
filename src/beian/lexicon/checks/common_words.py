"""§8.1: very common words as keywords (the project's list plus the caller's own)."""

from __future__ import annotations

import functools
from collections.abc import Iterator
from importlib import resources

from beian.findings import Finding, Severity, define_code
from beian.lexicon._loader import keyword_key
from beian.lexicon.checks._context import AuditContext, examples

__all__ = ["LEX_COMMON", "builtin_common_words", "check", "common_keywords"]

LEX_COMMON = define_code(
    "BA-LEX-009", "常用词关键词（误拦截风险）", clause="8.1", severity=Severity.WARNING
)


@functools.lru_cache(maxsize=1)
def builtin_common_words() -> frozenset[str]:
    """The project's list of very common words that should not be keywords on their own."""
    text = resources.files("beian.lexicon").joinpath("data/common_words.txt").read_text("utf-8")
    return frozenset(
        keyword_key(w) for w in text.splitlines() if w.strip() and not w.startswith("#")
    )


def common_keywords(ctx: AuditContext) -> list[str]:
    common = builtin_common_words() | ctx.common_words
    return sorted({e.keyword for e in ctx.lexicon.entries if keyword_key(e.keyword) in common})


def check(ctx: AuditContext) -> Iterator[Finding]:
    commons = ctx.fact(common_keywords)
    if commons:
        yield Finding.of(
            LEX_COMMON,
            f"常用词作为关键词会造成误拦截：{examples(commons)}",
            fix="删除这些词，或改为更具体的组合词",
        )
