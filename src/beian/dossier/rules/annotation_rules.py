"""Separate functional and safety annotation rules; the safety rules cover all 31 risks (5.3 b)."""

from __future__ import annotations

import re
from collections.abc import Iterator

from beian.dossier._context import DossierContext
from beian.dossier.rules._registry import rule
from beian.findings import Finding, Location, Severity, define_code

INCOMPLETE = define_code(
    "BA-DOS-012", "语料标注规则不完整", clause="5.3 b)", severity=Severity.WARNING
)
HEADING = re.compile(r"^\s{0,3}#{1,6}\s+(.*)$", re.MULTILINE)


@rule("annotation_rules", title="标注规则覆盖", aspect="合规性", codes=[INCOMPLETE])
def check(ctx: DossierContext) -> Iterator[Finding]:
    text = ctx.attachment_text("annotation_rules")
    if text is None:
        return  # missing field or file: reported by completeness / attachments
    loc = Location(file=str(ctx.attachment("annotation_rules")))
    headings = " ".join(HEADING.findall(text))
    for word in ("功能性标注", "安全性标注"):
        if word not in headings:
            yield Finding.of(
                INCOMPLETE,
                f"语料标注规则没有“{word}”一节",
                fix="分别制定功能性标注规则与安全性标注规则，各设一节标题",
                location=loc,
            )
    missing = [
        r.code for r in ctx.edition.risks.values() if r.code not in text and r.name not in text
    ]
    if missing:
        yield Finding.of(
            INCOMPLETE,
            f"安全性标注规则未覆盖 {len(missing)} 种风险：{'、'.join(missing)}",
            fix="安全性标注规则应逐一覆盖附录A全部风险（写出风险代码或名称及判定标准）",
            location=loc,
        )
