"""A small audit context for one check: entries, allow words, a load report, the day."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from beian.lexicon import KeywordEntry, Lexicon, LoadReport
from beian.lexicon.checks import AuditContext, Check
from beian.standards import load_edition

TODAY = date(2026, 11, 30)
CORE = [f"A1{c}" for c in "abcdefgh"] + [f"A2{c}" for c in "abcdefghi"]


def context(
    entries: Iterable[tuple[str, str] | KeywordEntry] = (),
    *,
    allow: Iterable[str] = (),
    report: LoadReport | None = None,
    figures: dict[str, float] | None = None,
    common: Iterable[str] = (),
) -> AuditContext:
    items = [e if isinstance(e, KeywordEntry) else KeywordEntry(e[0], e[1]) for e in entries]
    lex = Lexicon(items, allow=allow, report=report)
    return AuditContext(lex, load_edition(None, overrides=figures or {}), TODAY, frozenset(common))


def codes(check: Check, ctx: AuditContext) -> list[str]:
    return [f.code for f in check(ctx)]
