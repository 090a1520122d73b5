"""An API service publishes its documentation (7 b)."""

from __future__ import annotations

from collections.abc import Iterator

from beian.dossier._context import DossierContext
from beian.dossier.rules._registry import rule
from beian.findings import Finding, Severity, define_code

NO_API_DOC = define_code(
    "BA-DOS-027", "API 服务未公开说明文档", clause="7 b)", severity=Severity.WARNING
)


@rule("transparency", title="服务透明度", aspect="合规性", codes=[NO_API_DOC])
def check(ctx: DossierContext) -> Iterator[Finding]:
    s = ctx.dossier.service
    if "api" in s.modes and not (s.api_doc_url or "").strip():
        yield Finding.of(
            NO_API_DOC,
            "服务以 API 形式提供，但未给出公开的说明文档地址",
            fix="公开 API 说明文档（适用人群、用途、基础模型、安全措施）并填写 service.api_doc_url",
            location=ctx.loc("service", "modes"),
        )
