"""Personal information in the corpus needs consent; sensitive PI separate consent (5.2 c)."""

from __future__ import annotations

from collections.abc import Iterator

from beian.dossier._context import DossierContext
from beian.dossier.rules._registry import rule
from beian.findings import Finding, Severity, define_code

NO_CONSENT = define_code(
    "BA-DOS-009",
    "含个人信息的语料未取得同意或单独同意",
    clause="5.2 c)",
    severity=Severity.BLOCKING,
)


@rule("personal_info", title="个人信息同意", aspect="合规性", codes=[NO_CONSENT])
def check(ctx: DossierContext) -> Iterator[Finding]:
    for i, src in enumerate(ctx.dossier.model.corpus.sources):
        name = src.name or f"第 {i + 1} 个来源"
        where = ("model", "corpus", "sources", i, "consent")
        if src.sensitive_personal_information and not src.consent.sensitive_separate:
            yield Finding.of(
                NO_CONSENT,
                f"语料来源 {name} 含敏感个人信息，但未取得单独同意",
                fix="取得个人的单独同意并在 consent.record 写明记录位置，或在使用前删除敏感个人信息",
                location=ctx.loc(*where),
            )
        elif (
            src.personal_information
            and not src.sensitive_personal_information
            and not src.consent.personal
        ):
            yield Finding.of(
                NO_CONSENT,
                f"语料来源 {name} 含个人信息，但未取得个人同意",
                fix="取得同意或符合法律、行政法规规定的其他情形，并在 consent.record 写明依据",
                location=ctx.loc(*where),
            )
