"""Users can switch off training on their inputs within a few clicks (7 c)."""

from __future__ import annotations

from collections.abc import Iterator

from beian.dossier._context import DossierContext
from beian.dossier.rules._registry import rule
from beian.findings import Finding, Severity, define_code

OPT_OUT = define_code(
    "BA-DOS-026", "未提供便捷的关闭“输入用于训练”方式", clause="7 c)", severity=Severity.BLOCKING
)


@rule("opt_out", title="训练使用的关闭方式", aspect="合规性", codes=[OPT_OUT])
def check(ctx: DossierContext) -> Iterator[Finding]:
    o = ctx.dossier.safety.training_opt_out
    if not o.trains_on_inputs:
        return
    fig = ctx.edition.figure("measures.opt_out_clicks_max")
    where = ctx.loc("safety", "training_opt_out")
    if not o.offered:
        yield Finding.of(
            OPT_OUT,
            "使用者输入用于训练，但未提供关闭方式",
            fix="提供关闭入口并显著告知，设 training_opt_out.offered: true",
            location=where,
        )
    elif o.clicks is None or not fig.check(o.clicks):
        shown = "未填写" if o.clicks is None else f"{o.clicks} 次"
        yield Finding.of(
            OPT_OUT,
            f"关闭“输入用于训练”需要的点击次数 {shown}，要求 {fig.display()}",
            fix="缩短关闭路径，并在 training_opt_out.clicks 填写实测点击次数",
            location=where,
        )
    if o.offered and not (o.notice or "").strip():
        yield Finding.of(
            OPT_OUT,
            "未说明如何向使用者显著告知输入用于训练及关闭方式",
            fix="在 training_opt_out.notice 写明告知的位置与方式",
            location=where,
        )
