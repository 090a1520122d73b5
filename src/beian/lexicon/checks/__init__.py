"""The checks of the §8.1 keyword-library audit, one per module, run in :data:`CHECKS` order.

Each is ``check(ctx: AuditContext) -> Iterable[Finding]``; facts that the audit's typed result
also reports (per-risk counts, single characters, …) are functions of the context next to the
check that uses them, computed once per audit through :meth:`AuditContext.fact`.
"""

from beian.lexicon.checks import (
    allowed_words,
    common_words,
    coverage,
    freshness,
    load_problems,
    single_chars,
    total,
)
from beian.lexicon.checks._context import AuditContext, Check

__all__ = ["CHECKS", "AuditContext", "Check"]

CHECKS: tuple[Check, ...] = (
    total.check,
    coverage.check,
    load_problems.check,
    single_chars.check,
    common_words.check,
    allowed_words.check,
    freshness.check,
)
