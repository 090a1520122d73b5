"""The test banks are audited against §8.2–8.3 by :mod:`beian.assess` (findings relayed)."""

from __future__ import annotations

from collections.abc import Iterator

from beian.dossier._attachments import bank_findings, load_banks
from beian.dossier._context import DossierContext
from beian.dossier.rules import relay, rule
from beian.errors import InputError
from beian.findings import Finding, Location, Severity, define_code

UNREADABLE = define_code(
    "BA-DOS-015", "测试题库无法读取", clause="8.2、8.3", severity=Severity.BLOCKING
)


@rule(
    "banks",
    title="测试题库（§8.2–8.3，beian.assess 审核）",
    aspect="合规性",
    codes=[UNREADABLE],
    foreign=("BA-BNK-",),
)
def check(ctx: DossierContext) -> Iterator[Finding]:
    path = ctx.attachment("banks")
    if path is None or not path.exists():
        return  # reported by completeness / attachments
    try:
        load_banks(path)
    except InputError as exc:
        yield Finding.of(
            UNREADABLE,
            f"测试题库无法读取：{exc.what}",
            fix=exc.fix,
            location=Location(file=exc.where or str(path)),
        )
        return
    yield from relay(bank_findings(path, ctx.edition), path)
