"""§8.1 c): the library was updated within ``lexicon.update_interval_max_days`` (by the newest
``updated`` date of its keywords, else by its files' modification dates)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

from beian.findings import Finding, Severity, define_code
from beian.lexicon.checks._context import AuditContext

__all__ = ["LEX_FUTURE", "LEX_NODATE", "LEX_STALE", "Freshness", "check", "freshness"]

LEX_STALE = define_code(
    "BA-LEX-010", "关键词库更新超期", clause="8.1 c)", severity=Severity.WARNING
)
LEX_NODATE = define_code("BA-LEX-012", "缺少更新日期", clause="8.1 c)", severity=Severity.INFO)
LEX_FUTURE = define_code(
    "BA-LEX-013", "更新日期晚于检查日期", clause="8.1 c)", severity=Severity.WARNING
)


@dataclass(frozen=True)
class Freshness:
    newest: date | None
    age_days: int | None
    from_files: bool  # no keyword has an updated date: the files' dates were used


def freshness(ctx: AuditContext) -> Freshness:
    entries = ctx.lexicon.entries
    dates = [e.updated for e in entries if e.updated]
    from_files = not dates
    if from_files:
        dates = list(ctx.lexicon.report.file_dates.values())
    newest = max(dates) if dates else None
    return Freshness(newest, (ctx.today - newest).days if newest else None, from_files)


def check(ctx: AuditContext) -> Iterator[Finding]:
    f = ctx.fact(freshness)
    if f.from_files and ctx.lexicon.entries:
        yield Finding.of(
            LEX_NODATE,
            "关键词没有更新日期列，按文件修改时间计算库的更新时间",
            fix="在库文件中加入 updated（更新日期）列",
        )
    if not f.from_files and f.age_days is not None and f.age_days < 0:
        # A date in the future (usually a typo: 2027 for 2026) would make the library look
        # fresh for as long as the typo stands.
        late = [e.location for e in ctx.lexicon.entries if e.updated and e.updated > ctx.today]
        where = "、".join(late[:5]) + ("…" if len(late) > 5 else "")
        yield Finding.of(
            LEX_FUTURE,
            f"{len(late)} 个关键词的更新日期晚于检查日期 {ctx.today}（最晚 {f.newest}）：{where}",
            fix="改正这些行的更新日期（YYYY-MM-DD）；按库的实际更新日期审查",
        )
    fig = ctx.edition.figure("lexicon.update_interval_max_days")
    if f.age_days is not None and not fig.check(f.age_days):
        yield Finding.of(
            LEX_STALE,
            f"最近一次更新在 {f.newest}，距今 {f.age_days} 天，超过 {fig.display()}",
            fix="按 §8.1 c) 至少每周更新关键词库并记录更新日期",
        )
