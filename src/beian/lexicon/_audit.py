"""The §8.1 audit of a keyword library: size, per-risk coverage, hygiene and freshness.

The checks live in :mod:`beian.lexicon.checks`, one per module; this module runs them and
gathers their facts into the typed :class:`LibraryAudit`.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime

from pydantic import BaseModel, ConfigDict, computed_field

from beian.findings import Finding, Severity
from beian.lexicon._lexicon import Lexicon
from beian.lexicon._loader import keyword_key
from beian.lexicon.checks import CHECKS, AuditContext
from beian.lexicon.checks.allowed_words import contains_allowed
from beian.lexicon.checks.common_words import builtin_common_words, common_keywords
from beian.lexicon.checks.coverage import RiskCount, missing_risks, risk_counts
from beian.lexicon.checks.freshness import freshness
from beian.lexicon.checks.single_chars import single_chars
from beian.lexicon.checks.total import distinct_total
from beian.standards import Edition

__all__ = ["LibraryAudit", "RiskCount", "audit_library", "builtin_common_words"]


class LibraryAudit(BaseModel):
    """The typed result of :func:`audit_library` (read by the dossier check)."""

    model_config = ConfigDict(frozen=True)

    edition: str
    total: int
    total_min: int
    risks: list[RiskCount]
    missing_risks: list[str]
    duplicates: int
    conflicts: int
    skipped: int
    single_chars: list[str]
    common_words: list[str]
    contains_allowed: list[tuple[str, str]]
    newest_update: date | None
    age_days: int | None
    update_max_days: int
    findings: list[Finding]

    @computed_field  # type: ignore[prop-decorator]
    @property
    def conforms(self) -> bool:
        """符合 §8.1: no blocking finding."""
        return not any(f.severity is Severity.BLOCKING for f in self.findings)

    def risk(self, code: str) -> RiskCount:
        return next(r for r in self.risks if r.code == code)


def audit_library(
    lexicon: Lexicon,
    edition: Edition,
    *,
    today: date | None = None,
    common_words: Iterable[str] | None = None,
) -> LibraryAudit:
    """Audit ``lexicon`` against §8.1 of ``edition`` (figures come from the edition)."""
    ctx = AuditContext(
        lexicon,
        edition,
        today or datetime.now(UTC).date(),
        frozenset(keyword_key(w) for w in (common_words or ())),
    )
    findings = edition.cite_findings(f for check in CHECKS for f in check(ctx))
    fresh = ctx.fact(freshness)
    rep = lexicon.report
    return LibraryAudit(
        edition=edition.id,
        total=ctx.fact(distinct_total),
        total_min=int(edition.figure("lexicon.total_min").value),
        risks=ctx.fact(risk_counts),
        missing_risks=missing_risks(ctx),
        duplicates=len(rep.duplicates),
        conflicts=len(rep.conflicts),
        skipped=len(rep.skipped),
        single_chars=ctx.fact(single_chars),
        common_words=ctx.fact(common_keywords),
        contains_allowed=ctx.fact(contains_allowed),
        newest_update=fresh.newest,
        age_days=fresh.age_days,
        update_max_days=int(edition.figure("lexicon.update_interval_max_days").value),
        findings=findings,
    )
