"""A complaint and report channel with published rules and a feedback time limit (7 f)."""

from __future__ import annotations

from collections.abc import Iterator

from beian.dossier._context import DossierContext
from beian.dossier.rules._registry import rule
from beian.findings import Finding, Severity, define_code

NO_CHANNEL = define_code(
    "BA-DOS-023", "投诉举报渠道、处理规则或反馈时限缺失", clause="7 f)", severity=Severity.BLOCKING
)


@rule("complaint", title="投诉举报渠道", aspect="合规性", codes=[NO_CHANNEL])
def check(ctx: DossierContext) -> Iterator[Finding]:
    c = ctx.dossier.safety.complaint
    if not [ch for ch in c.channels if ch.value.strip()]:
        yield Finding.of(
            NO_CHANNEL,
            "未提供投诉举报渠道",
            fix="在 safety.complaint.channels 中列出电话、邮箱、网页或短信等渠道",
            location=ctx.loc("safety", "complaint"),
        )
    if not (c.rules_url or "").strip():
        yield Finding.of(
            NO_CHANNEL,
            "未公开投诉举报处理规则",
            fix="公开处理规则并在 safety.complaint.rules_url 写明其地址",
            location=ctx.loc("safety", "complaint"),
        )
    if c.response_days is None:
        yield Finding.of(
            NO_CHANNEL,
            "未公开投诉举报的反馈时限",
            fix="在 safety.complaint.response_days 写明承诺的反馈时限（天）",
            location=ctx.loc("safety", "complaint"),
        )
