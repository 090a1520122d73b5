"""A third-party base model must be filed, with a 备案号 in the published format (TC260-003 6 a)."""

from __future__ import annotations

from collections.abc import Iterator

from beian._shared.numbers import number_problem
from beian.dossier._context import DossierContext
from beian.dossier.rules._registry import rule
from beian.findings import Finding, Severity, define_code

NOT_FILED = define_code(
    "BA-DOS-004", "第三方基础模型未备案或未填备案号", clause="6 a)", severity=Severity.BLOCKING
)
BAD_NUMBER = define_code(
    "BA-DOS-005", "基础模型备案号格式不符", clause="6 a)", severity=Severity.WARNING
)
WRONG_ROUTE = define_code(
    "BA-DOS-029", "登记与备案路径不符", clause="备案与登记", severity=Severity.BLOCKING
)


@rule(
    "base_model",
    title="第三方基础模型已备案",
    aspect="合规性",
    codes=[NOT_FILED, BAD_NUMBER, WRONG_ROUTE],
)
def check(ctx: DossierContext) -> Iterator[Finding]:
    base = ctx.dossier.model.base_model
    if ctx.dossier.service.kind == "registration" and base.self_developed:
        yield Finding.of(
            WRONG_ROUTE,
            "选择了“登记”，但模型为自研：自研或微调的模型应走备案",
            fix="将 service.kind 改为 filing，或填写所调用的已备案模型",
            location=ctx.loc("service", "kind"),
        )
    if base.self_developed:
        return
    if base.filed is not True or not (base.filing_number or "").strip():
        yield Finding.of(
            NOT_FILED,
            f"使用第三方基础模型 {base.name or '（未填名称）'}，但未声明其已备案或未填写备案号",
            fix="只使用已备案的基础模型，并填写 model.base_model.filed: true 与 filing_number",
            location=ctx.loc("model", "base_model"),
        )
        return
    problem = number_problem(base.filing_number or "")
    if problem:
        yield Finding.of(
            BAD_NUMBER,
            f"基础模型备案号 {base.filing_number} 格式不符：{problem}",
            fix="按网信办公布的备案信息核对备案号",
            location=ctx.loc("model", "base_model", "filing_number"),
        )
