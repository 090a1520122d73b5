"""Inputs and outputs are screened, with people monitoring (6 b, 7 g) — feasibility of the form."""

from __future__ import annotations

from collections.abc import Iterator

from beian.dossier._context import DossierContext
from beian.dossier.rules._registry import rule
from beian.findings import Finding, Severity, define_code

WEAK_INTERCEPTION = define_code(
    "BA-DOS-028", "拦截措施不足", clause="7 g)", severity=Severity.BLOCKING
)


@rule("interception", title="拦截措施", aspect="可行性", codes=[WEAK_INTERCEPTION])
def check(ctx: DossierContext) -> Iterator[Finding]:
    i = ctx.dossier.operations.interception
    where = ctx.loc("operations", "interception")
    if not i.keywords:
        yield Finding.of(
            WEAK_INTERCEPTION,
            "未启用关键词拦截，但备案须提交拦截关键词列表",
            fix="启用关键词拦截（operations.interception.keywords: true）",
            location=where,
        )
    if not i.classifier:
        yield Finding.of(
            WEAK_INTERCEPTION,
            "未启用分类模型检测，无法对每次输入与生成内容进行安全检测",
            fix="部署覆盖全部风险的分类模型（operations.interception.classifier: true）",
            location=where,
        )
    if not i.manual_review or not i.monitors:
        yield Finding.of(
            WEAK_INTERCEPTION,
            "未设置监看人员",
            fix="设置与服务规模相适应的监看人员（manual_review: true，monitors: 人数）",
            location=where,
        )
