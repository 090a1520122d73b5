"""Every corpus source is traceable by its kind (TC260-003 5.1 c)."""

from __future__ import annotations

from collections.abc import Iterator

from beian.dossier._context import DossierContext
from beian.dossier._schema import SOURCE_ZH
from beian.dossier.rules._registry import rule
from beian.findings import Finding, Severity, define_code

UNTRACEABLE = define_code(
    "BA-DOS-006", "语料来源不可追溯", clause="5.1 c)", severity=Severity.BLOCKING
)

# What each kind of source must keep (provenance field, its name).
REQUIRED: dict[str, tuple[tuple[str, str], ...]] = {
    "open_source": (("license", "开源许可协议"),),
    "self_collected": (("collection_record", "采集记录"),),
    "commercial": (("contract", "交易合同"), ("supplier_commitment", "供方承诺")),
    "user_input": (("authorization_record", "使用者授权记录"),),
}


@rule("corpus_provenance", title="语料来源可追溯", aspect="合规性", codes=[UNTRACEABLE])
def check(ctx: DossierContext) -> Iterator[Finding]:
    for i, src in enumerate(ctx.dossier.model.corpus.sources):
        name = src.name or f"第 {i + 1} 个来源"
        if src.type is None:
            yield Finding.of(
                UNTRACEABLE,
                f"语料来源 {name} 未注明类型",
                fix="type 填写 open_source / self_collected / commercial / user_input",
                location=ctx.loc("model", "corpus", "sources", i),
            )
            continue
        for fld, label in REQUIRED[src.type]:
            if not (getattr(src.provenance, fld) or "").strip():
                yield Finding.of(
                    UNTRACEABLE,
                    f"{SOURCE_ZH[src.type]} {name} 缺少{label}",
                    fix=f"在 provenance.{fld} 中写明{label}的编号或存放位置",
                    location=ctx.loc("model", "corpus", "sources", i, "provenance"),
                )
