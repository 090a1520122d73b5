"""Each stated remediation names a clause of the checklist and says what was done or will be
done, with proof (§9.1 b) 2): an alternative measure of equal effect, or the measures taken
plus a plan)."""

from __future__ import annotations

from collections.abc import Iterator

from beian.dossier._context import DossierContext
from beian.dossier.rules._registry import rule
from beian.findings import Finding, Severity, define_code

UNKNOWN_CLAUSE = define_code(
    "BA-DOS-033", "不符合项的处理说明引用了条款清单中没有的条款", clause="9.1 b) 2)",
    severity=Severity.WARNING,
)  # fmt: skip
INCOMPLETE = define_code(
    "BA-DOS-034",
    "不符合项的处理说明缺少替代措施或整改计划，或缺少证明材料",
    clause="9.1 b) 2)",
    severity=Severity.WARNING,
)


def _filled(value: object) -> bool:
    return value is not None and str(value).strip() != ""


@rule(
    "remediation", title="不符合项的处理说明", aspect="合规性", codes=[UNKNOWN_CLAUSE, INCOMPLETE]
)
def check(ctx: DossierContext) -> Iterator[Finding]:
    ids = [c.id for c in ctx.edition.clauses]
    for i, r in enumerate(ctx.dossier.remediation):
        loc = ctx.loc("remediation", i, "clause")
        if r.clause not in ids:
            yield Finding.of(
                UNKNOWN_CLAUSE,
                f"remediation 第 {i + 1} 项的条款“{r.clause}”不在 {ctx.edition.short} 的条款清单中",
                fix="clause 填条款清单编号，如 5.1-a、7-f、8.1（`beian standards show 8.1` 可查）",
                location=loc,
            )
        acted = _filled(r.equivalent_measure) or (_filled(r.measures_taken) and _filled(r.plan))
        if not acted or not _filled(r.proof):
            yield Finding.of(
                INCOMPLETE,
                f"条款 {r.clause} 的处理说明"
                + ("未写同等效果的替代措施，也未同时写已采取的措施与整改计划" if not acted else "")
                + ("；" if not acted and not _filled(r.proof) else "")
                + ("缺少证明材料" if not _filled(r.proof) else ""),
                fix="填写 equivalent_measure，或同时填写 measures_taken 与 plan；proof 写证明材料",
                location=loc,
            )
