"""The keyword library is audited against §8.1 by :mod:`beian.lexicon` (findings relayed)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from beian.dossier._attachments import audited, load_lexicon
from beian.dossier._context import DossierContext
from beian.dossier.rules._registry import rule
from beian.findings import Finding, Severity, define_code

UNREADABLE = define_code(
    "BA-DOS-013", "拦截关键词库无法读取", clause="8.1", severity=Severity.BLOCKING
)


@rule(
    "keyword_list",
    title="拦截关键词库（§8.1，beian.lexicon 审核）",
    aspect="合规性",
    codes=[UNREADABLE],
    foreign=("BA-LEX-",),
)
def check(ctx: DossierContext) -> Iterator[Finding]:
    from beian.lexicon import audit_library

    def audit(path: Path) -> list[Finding]:
        return audit_library(load_lexicon(path), ctx.edition, today=ctx.now.date()).findings

    yield from audited(ctx, "keyword_list", UNREADABLE, "拦截关键词库", audit)
