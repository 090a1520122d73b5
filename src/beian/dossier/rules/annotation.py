"""Annotators are trained and assessed; annotation and review are by different people (5.3)."""

from __future__ import annotations

from collections.abc import Iterator

from beian.dossier._context import DossierContext
from beian.dossier.rules._registry import rule
from beian.findings import Finding, Severity, define_code

SAME_PERSON = define_code(
    "BA-DOS-010",
    "同一标注任务的标注与审核由同一人完成",
    clause="5.3 c)",
    severity=Severity.BLOCKING,
)
UNTRAINED = define_code(
    "BA-DOS-011", "标注人员未经培训或考核", clause="5.3 a)", severity=Severity.WARNING
)


@rule("annotation", title="标注人员与审核分离", aspect="合规性", codes=[SAME_PERSON, UNTRAINED])
def check(ctx: DossierContext) -> Iterator[Finding]:
    ann = ctx.dossier.model.annotation
    if ctx.dossier.service.kind == "registration":
        return
    missing = [
        label
        for ok, label in ((ann.annotators_trained, "培训"), (ann.annotators_assessed, "考核"))
        if not ok
    ]
    if missing:
        yield Finding.of(
            UNTRAINED,
            "标注人员未声明经过" + "和".join(missing),
            fix="组织安全标注培训与考核，合格后上岗，并设 annotators_trained / annotators_assessed",
            location=ctx.loc("model", "annotation"),
        )
    for i, task in enumerate(ann.tasks):
        both = sorted(set(task.annotators) & set(task.reviewers))
        if both:
            yield Finding.of(
                SAME_PERSON,
                f"标注任务 {task.task or i + 1} 中 {'、'.join(both)} 既标注又审核",
                fix="为该任务安排不同的审核人员",
                location=ctx.loc("model", "annotation", "tasks", i),
            )
        elif not task.reviewers:
            yield Finding.of(
                SAME_PERSON,
                f"标注任务 {task.task or i + 1} 未安排审核人员",
                fix="安全性标注应逐条审核：为该任务安排审核人员",
                location=ctx.loc("model", "annotation", "tasks", i),
            )
