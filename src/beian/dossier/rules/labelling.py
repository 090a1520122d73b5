"""Every output modality the form declares has its labels (7 d, GB 45438): image, audio and video
need both an explicit and an implicit (metadata) label; text needs at least one."""

from __future__ import annotations

from collections.abc import Iterator

from beian.dossier._context import DossierContext
from beian.dossier._schema import MODALITY_ZH
from beian.dossier.rules._registry import rule
from beian.findings import Finding, Severity, define_code

NO_LABEL = define_code(
    "BA-DOS-024", "输出模态缺少生成内容标识方式", clause="7 d)", severity=Severity.BLOCKING
)


# Output modalities that need an explicit and an implicit label (GB 45438).
BOTH = frozenset({"image", "audio", "video"})


@rule("labelling", title="生成内容标识", aspect="合规性", codes=[NO_LABEL])
def check(ctx: DossierContext) -> Iterator[Finding]:
    labels = ctx.dossier.safety.labelling
    for modality in ctx.dossier.output_modalities():
        method = labels.get(modality)
        have = {
            "显式标识": bool(method and (method.explicit or "").strip()),
            "隐式标识": bool(method and (method.implicit or "").strip()),
        }
        lacking = [k for k, ok in have.items() if not ok]
        if (modality in BOTH and lacking) or not any(have.values()):
            yield Finding.of(
                NO_LABEL,
                f"服务输出{MODALITY_ZH[modality]}，但未说明{MODALITY_ZH[modality]}的"
                + "与".join(lacking)
                + "方式",
                fix=f"在 safety.labelling.{modality} 写明显式标识与隐式标识（元数据）方式",
                location=ctx.loc("safety", "labelling"),
            )
