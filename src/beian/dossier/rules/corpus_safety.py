"""Corpus sources are assessed before collection and verified after (TC260-003 5.1 a)."""

from __future__ import annotations

from collections.abc import Iterator

from beian.dossier._context import DossierContext
from beian.dossier.rules._registry import rule
from beian.findings import Finding, Severity, define_code

HARMFUL = define_code(
    "BA-DOS-007", "语料来源违法不良信息占比超限", clause="5.1 a)", severity=Severity.BLOCKING
)
UNASSESSED = define_code(
    "BA-DOS-008", "语料来源未做采集前评估或采集后核验", clause="5.1 a)", severity=Severity.WARNING
)


@rule("corpus_safety", title="语料来源安全评估", aspect="合规性", codes=[HARMFUL, UNASSESSED])
def check(ctx: DossierContext) -> Iterator[Finding]:
    fig = ctx.edition.figure("corpus.source_harmful_ratio_max")
    for i, src in enumerate(ctx.dossier.model.corpus.sources):
        name = src.name or f"第 {i + 1} 个来源"
        where = ("model", "corpus", "sources", i)
        if src.harmful_ratio is not None and not fig.check(src.harmful_ratio / 100):
            yield Finding.of(
                HARMFUL,
                f"语料来源 {name} 的违法不良信息占比 {src.harmful_ratio:g}%，要求 {fig.display()}",
                fix="该来源不应采集或用于训练：移出训练语料，或清洗后重新核验",
                location=ctx.loc(*where, "harmful_ratio"),
            )
        missing = []
        if not src.assessed_before_collection:
            missing.append("采集前安全评估")
        if not src.verified_after_collection:
            missing.append("采集后核验")
        if src.harmful_ratio is None:
            missing.append("违法不良信息占比（harmful_ratio）")
        if missing:
            yield Finding.of(
                UNASSESSED,
                f"语料来源 {name} 缺少：" + "、".join(missing),
                fix="对该来源抽样评估并记录违法不良信息占比",
                location=ctx.loc(*where),
            )
