"""The keyword library and test banks are updated often enough (8.1, 8.2, 8.3); re-assessment (7 h)."""

from __future__ import annotations

from collections.abc import Iterator

from beian.dossier._context import DossierContext
from beian.dossier.rules._registry import rule
from beian.findings import Finding, Severity, define_code

CADENCE = define_code(
    "BA-DOS-014",
    "关键词库或测试题库更新周期不符合要求",
    clause="8.1 c)、8.2 c)、8.3",
    severity=Severity.BLOCKING,
)
NO_REASSESS = define_code(
    "BA-DOS-030", "未承诺重要更新后重新评估", clause="7 h)", severity=Severity.BLOCKING
)


@rule("updates", title="更新周期", aspect="可行性", codes=[CADENCE, NO_REASSESS])
def check(ctx: DossierContext) -> Iterator[Finding]:
    u = ctx.dossier.operations.updates
    for fld, figure, what in (
        ("keywords_interval_days", "lexicon.update_interval_max_days", "关键词库"),
        ("banks_interval_days", "bank.generation.update_interval_max_days", "生成内容测试题库"),
        ("banks_interval_days", "bank.must_refuse.update_interval_max_days", "拒答测试题库"),
    ):
        value = getattr(u, fld)
        fig = ctx.edition.figure(figure)
        if value is None or not fig.check(value):
            shown = "未填写" if value is None else f"{value:g} 天"
            yield Finding.of(
                CADENCE,
                f"{what}更新周期 {shown}，要求 {fig.display()}（{ctx.edition.cite(fig.clause)}）",
                fix=f"按要求更新{what}，并在 operations.updates.{fld} 填写周期（天）",
                location=ctx.loc("operations", "updates", fld),
            )
    if not u.reassess_after_major_update:
        yield Finding.of(
            NO_REASSESS,
            "未承诺重要更新、升级后重新开展安全评估",
            fix="在模型更新策略中写明重要更新后重新评估，并设 reassess_after_major_update: true",
            location=ctx.loc("operations", "updates"),
        )
