"""The provider's 统一社会信用代码 passes the GB 32100-2015 check digit."""

from __future__ import annotations

from collections.abc import Iterator

from beian._shared.numbers import check_uscc
from beian.dossier._context import DossierContext
from beian.dossier.rules._registry import rule
from beian.findings import Finding, Severity, define_code

INVALID = define_code(
    "BA-DOS-003", "统一社会信用代码无效", clause="GB 32100-2015", severity=Severity.BLOCKING
)


@rule("uscc", title="统一社会信用代码校验", aspect="合规性", codes=[INVALID])
def check(ctx: DossierContext) -> Iterator[Finding]:
    code = ctx.dossier.provider.uscc
    if not code or not code.strip():
        return  # reported by the completeness rule
    _, reason = check_uscc(code)
    if reason is not None:
        yield Finding.of(
            INVALID,
            f"统一社会信用代码 {code} 无效：{reason}",
            fix="按营业执照逐位核对统一社会信用代码",
            location=ctx.loc("provider", "uscc"),
        )
