"""The planned launch leaves room for the public notice of the filing (feasibility).

A filing is publicly noticed for a number of working days before it is filed (the seed process;
State Council holiday schedule, 调休 included). The count is a process setting, not a figure of
TC260-003: ``dossier.public_notice_working_days`` in beian.yaml (default 7).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from beian.dossier._context import DossierContext
from beian.dossier.rules._registry import rule
from beian.findings import Finding, Severity, define_code

TOO_SOON = define_code(
    "BA-DOS-031", "计划上线日期早于公示期结束", clause="备案流程（公示）", severity=Severity.WARNING
)
DEFAULT_NOTICE_WORKING_DAYS = 7


def is_working_day(day: dt.date) -> bool:
    """A working day by the State Council schedule; Monday–Friday for years it does not cover."""
    import chinese_calendar

    try:
        return bool(chinese_calendar.is_workday(day))
    except NotImplementedError:
        return day.weekday() < 5


def add_working_days(start: dt.date, n: int) -> dt.date:
    """The ``n``-th working day after ``start``."""
    day = start
    while n > 0:
        day += dt.timedelta(days=1)
        if is_working_day(day):
            n -= 1
    return day


@rule("launch_date", title="上线日期可行", aspect="可行性", codes=[TOO_SOON])
def check(ctx: DossierContext) -> Iterator[Finding]:
    launch = ctx.dossier.service.launch_date
    if launch is None:
        return
    n = int(ctx.setting_float("public_notice_working_days", DEFAULT_NOTICE_WORKING_DAYS))
    earliest = add_working_days(ctx.now.date(), n)
    if launch < earliest:
        yield Finding.of(
            TOO_SOON,
            f"计划上线日期 {launch} 早于最早可能的备案完成日 {earliest}"
            f"（今天起算公示 {n} 个工作日，尚未计审核时间）",
            fix="备案完成前不得上线：推迟 service.launch_date",
            location=ctx.loc("service", "launch_date"),
        )
