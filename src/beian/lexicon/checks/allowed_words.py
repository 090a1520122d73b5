"""§8.1: keywords that contain an allow-list word (the allow word may unblock them)."""

from __future__ import annotations

from collections.abc import Iterator

from beian.findings import Finding, Severity, define_code
from beian.lexicon._loader import keyword_key
from beian.lexicon.checks._context import AuditContext, examples

__all__ = ["LEX_ALLOWED", "check", "contains_allowed"]

LEX_ALLOWED = define_code(
    "BA-LEX-007", "关键词包含白名单词", clause="8.1", severity=Severity.WARNING
)


def contains_allowed(ctx: AuditContext) -> list[tuple[str, str]]:
    """(keyword, allow word inside it), sorted."""
    lexicon = ctx.lexicon
    allow = sorted({keyword_key(w) for w in lexicon.allow if w.strip()})
    if not allow:
        return []
    import ahocorasick_rs

    ac = ahocorasick_rs.AhoCorasick(allow, matchkind=ahocorasick_rs.MatchKind.Standard)
    out: list[tuple[str, str]] = []
    for e in lexicon.entries:
        key = keyword_key(e.keyword)
        for pid, _, _ in ac.find_matches_as_indexes(key, overlapping=True):
            if allow[pid] != key:
                out.append((e.keyword, allow[pid]))
    return sorted(set(out))


def check(ctx: AuditContext) -> Iterator[Finding]:
    contains = ctx.fact(contains_allowed)
    if contains:
        yield Finding.of(
            LEX_ALLOWED,
            "关键词包含白名单词：" + examples([f"{k}⊃{a}" for k, a in contains]),
            fix="确认这些关键词确需拦截；否则删除或调整白名单",
        )
