"""The keyword library is audited against §8.1 by :mod:`beian.lexicon` (findings relayed)."""

from __future__ import annotations

from collections.abc import Iterator

from beian.dossier._attachments import load_lexicon
from beian.dossier._context import DossierContext
from beian.dossier.rules import relay, rule
from beian.errors import InputError
from beian.findings import Finding, Location, Severity, define_code

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

    path = ctx.attachment("keyword_list")
    if path is None or not path.exists():
        return  # reported by completeness / attachments
    try:
        lexicon = load_lexicon(path)
    except InputError as exc:
        yield Finding.of(
            UNREADABLE,
            f"拦截关键词库无法读取：{exc.what}",
            fix=exc.fix,
            location=Location(file=exc.where or str(path)),
        )
        return
    audit = audit_library(lexicon, ctx.edition, today=ctx.now.date())
    yield from relay(audit.findings, path)
