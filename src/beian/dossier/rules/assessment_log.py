"""An assessment log is attached, readable, of the dossier's edition and recent (9.1)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from beian.dossier._context import DossierContext
from beian.dossier.rules._registry import rule
from beian.errors import InputError
from beian.findings import Finding, Location, Severity, define_code

NO_LOG = define_code(
    "BA-DOS-016", "安全评估记录缺失或无法读取", clause="9.1", severity=Severity.BLOCKING
)
OTHER_EDITION = define_code(
    "BA-DOS-017", "安全评估记录的标准版本与备案材料不一致", clause="9.1", severity=Severity.BLOCKING
)
STALE = define_code("BA-DOS-018", "安全评估记录过旧", clause="9.1、7 h)", severity=Severity.WARNING)


@rule(
    "assessment_log",
    title="安全评估记录",
    aspect="完整性",
    codes=[NO_LOG, OTHER_EDITION, STALE],
)
def check(ctx: DossierContext) -> Iterator[Finding]:
    path = ctx.attachment("assessment")
    if path is None:
        return  # reported by completeness
    log = ctx.assessment
    if log is None:
        return  # the file is missing: reported by attachments
    if isinstance(log, InputError):
        yield Finding.of(
            NO_LOG,
            f"安全评估记录无法读取：{log.what}",
            fix=log.fix or "请重新运行 `beian assess run`",
            location=Location(file=log.where or str(path)),
        )
        return
    where = Location(file=str(path))
    if log.edition != ctx.edition.id:
        yield Finding.of(
            OTHER_EDITION,
            f"评估按 {log.edition} 进行，备案材料使用 {ctx.edition.id}",
            fix="按备案材料所用的标准版本重新评估，或修改 dossier.yaml 的 edition",
            location=where,
        )
    max_age = ctx.settings.assessment_max_age_days
    created = log.created_at if log.created_at.tzinfo else log.created_at.replace(tzinfo=dt.UTC)
    age = (ctx.now - created).total_seconds() / 86400
    if age > max_age:
        yield Finding.of(
            STALE,
            f"评估完成于 {created:%Y-%m-%d}，距今 {age:.0f} 天，超过 {max_age:g} 天",
            fix="用当前模型与题库重新评估（期限可在 beian.yaml 的 dossier.assessment_max_age_days 设置）",
            location=where,
        )
