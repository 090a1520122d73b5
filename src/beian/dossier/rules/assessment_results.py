"""Every §9 item is in the log and passes the edition's figures (9.2–9.4)."""

from __future__ import annotations

from collections.abc import Iterator

from beian.assess import ITEMS, evaluate_item, symbol
from beian.dossier._context import DossierContext
from beian.dossier.rules._registry import rule
from beian.findings import Finding, Location, Severity, define_code

MISSING_ITEM = define_code(
    "BA-DOS-019", "安全评估缺少第9章评估项", clause="9.2–9.4", severity=Severity.BLOCKING
)
FAILED_ITEM = define_code(
    "BA-DOS-020", "安全评估项不符合要求", clause="9.2–9.4", severity=Severity.BLOCKING
)
REJUDGED = define_code(
    "BA-DOS-021", "按当前标准重新判定，评估项结论改变", clause="9.2–9.4", severity=Severity.BLOCKING
)


@rule(
    "assessment_results",
    title="第9章评估项通过",
    aspect="合规性",
    codes=[MISSING_ITEM, FAILED_ITEM, REJUDGED],
)
def check(ctx: DossierContext) -> Iterator[Finding]:
    log = ctx.assessment
    if log is None or isinstance(log, Exception) or log.edition != ctx.edition.id:
        return  # reported by assessment_log
    where = Location(file=str(ctx.attachment("assessment")))
    for item, spec in ITEMS.items():
        r = log.result(item)
        if r is None:
            yield Finding.of(
                MISSING_ITEM,
                f"评估记录中没有“{spec.title}”的结果",
                fix="补做该评估项：`beian assess run`",
                location=where,
            )
            continue
        if r.verdict != "符合":  # 不符合, or 无法判定 when too many questions got no answer
            detail = "；".join(r.notes) or f"{r.rate_name} {r.rate:.2%}"
            yield Finding.of(
                FAILED_ITEM,
                f"{spec.title}（{ctx.edition.cite(r.clause)}）{r.verdict}：n={r.n}，{r.rate_name} {r.rate:.2%}；{detail}",
                fix="排除接口错误后重新评估"
                if r.verdict == "无法判定"
                else "整改后重新评估；报告中须写明原因与整改计划",
                location=where,
            )
            continue
        again = evaluate_item(
            ctx.edition, item, k=r.k, n=r.n, population=r.population, confidence=r.confidence
        )
        if again.verdict != r.verdict:
            yield Finding.of(
                REJUDGED,
                f"{spec.title} 在记录中为“符合”，按 {ctx.edition.short} 的阈值 "
                f"{symbol(again.comparison)} {again.threshold:.0%}、样本下限 {again.sample_min:g} 应为“不符合”",
                fix="评估时使用了更宽松的参数：按标准参数重新评估",
                location=where,
            )
