"""Every attachment the dossier names exists beside it."""

from __future__ import annotations

from collections.abc import Iterator

from beian.dossier._context import DossierContext
from beian.dossier._schema import Attachments
from beian.dossier.rules._registry import rule
from beian.findings import Finding, Severity, define_code

NOT_FOUND = define_code(
    "BA-DOS-002", "附件文件不存在", clause="备案材料清单", severity=Severity.BLOCKING
)


@rule("attachments", title="附件文件存在", aspect="完整性", codes=[NOT_FOUND])
def check(ctx: DossierContext) -> Iterator[Finding]:
    for name in Attachments.model_fields:
        p = ctx.attachment(name)
        if p is not None and not ctx.attachment_exists(name):
            yield Finding.of(
                NOT_FOUND,
                f"附件 {name} 指向的文件不存在：{p}",
                fix="检查路径（相对于 dossier.yaml 所在目录），或放入该文件",
                location=ctx.loc("attachments", name),
            )
