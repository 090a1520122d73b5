"""The planned launch leaves room for the public notice of the filing (feasibility).

A filing is publicly noticed for a number of working days before it is filed (the seed process;
State Council holiday schedule, 调休 included). The count is a process setting, not a figure of
TC260-003: ``registry.policy.notice_working_days`` in beian.yaml (default 7), the same setting
the registry counts its notice with. Working days come from the project's one calendar, which
refuses a year it has no schedule for: then the check says so instead of guessing.
"""

from __future__ import annotations

from collections.abc import Iterator

from beian._shared.workdays import WorkingCalendar
from beian.dossier._context import DossierContext
from beian.dossier.rules._registry import rule
from beian.errors import InputError
from beian.findings import Finding, Severity, define_code

TOO_SOON = define_code(
    "BA-DOS-031", "计划上线日期早于公示期结束", clause="备案流程（公示）", severity=Severity.WARNING
)
NO_CALENDAR = define_code(
    "BA-DOS-032",
    "缺少节假日安排，无法核对上线日期",
    clause="备案流程（公示）",
    severity=Severity.INFO,
)


@rule("launch_date", title="上线日期可行", aspect="可行性", codes=[TOO_SOON, NO_CALENDAR])
def check(ctx: DossierContext) -> Iterator[Finding]:
    launch = ctx.dossier.service.launch_date
    if launch is None:
        return
    n = ctx.notice_working_days
    try:
        earliest = WorkingCalendar().add_working_days(ctx.now.date(), n)
    except InputError as exc:
        yield Finding.of(
            NO_CALENDAR,
            f"无法计算公示期 {n} 个工作日的结束日：{exc.what}",
            fix=exc.fix,
            location=ctx.loc("service", "launch_date"),
        )
        return
    if launch < earliest:
        yield Finding.of(
            TOO_SOON,
            f"计划上线日期 {launch} 早于最早可能的备案完成日 {earliest}"
            f"（今天起算公示 {n} 个工作日，尚未计审核时间）",
            fix="备案完成前不得上线：推迟 service.launch_date",
            location=ctx.loc("service", "launch_date"),
        )
