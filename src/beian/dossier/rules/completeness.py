"""Every field of the 上线备案表 the reviewers read is filled in."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from pydantic import BaseModel

from beian.dossier._context import DossierContext
from beian.dossier.rules._registry import rule
from beian.findings import Finding, Severity, define_code

MISSING = define_code(
    "BA-DOS-001", "上线备案表必填项缺失", clause="上线备案表", severity=Severity.BLOCKING
)

# (field path, what it is, needed for a registration (登记) as well as a filing)
REQUIRED: tuple[tuple[str, str, bool], ...] = (
    ("provider.name", "备案主体名称", True),
    ("provider.uscc", "统一社会信用代码", True),
    ("provider.province", "属地（省份）", True),
    ("provider.address", "单位地址", True),
    ("provider.contacts", "联系人", True),
    ("provider.responsible.legal_representative.name", "法定代表人", True),
    ("provider.responsible.security_officer.name", "安全负责人", True),
    ("service.name", "服务名称", True),
    ("service.model_name", "模型名称", True),
    ("service.functions", "服务功能", True),
    ("service.modes", "服务形式", True),
    ("service.scope.users", "适用人群", True),
    ("service.scope.uses", "用途", True),
    ("model.architecture", "模型架构", False),
    ("model.training_compute", "训练算力", False),
    ("model.corpus.total_scale", "语料规模", False),
    ("model.corpus.legality", "语料合法性说明", False),
    ("model.corpus.sources", "语料来源", False),
    ("model.annotation.scale", "标注规模", False),
    ("operations.inference_compute", "推理算力", True),
    ("operations.interception.description", "拦截措施说明", True),
    ("operations.updates.model_policy", "模型更新安全管理策略", True),
    ("safety.encryption", "加密措施", True),
    ("safety.access_control", "访问控制", True),
    ("safety.backup", "备份与恢复", True),
    ("safety.security_audit", "安全审计", True),
    ("safety.personal_information", "个人信息保护措施", True),
    ("safety.transparency", "透明度措施", True),
    ("attachments.service_agreement", "附件：模型服务协议", True),
    ("attachments.annotation_rules", "附件：语料标注规则", False),
    ("attachments.keyword_list", "附件：拦截关键词列表", True),
    ("attachments.banks", "附件：评估测试题集", True),
    ("attachments.assessment", "附件：安全评估记录", True),
)


def get_path(obj: Any, dotted: str) -> Any:
    for part in dotted.split("."):
        obj = getattr(obj, part, None)
    return obj


def is_blank(value: Any) -> bool:
    """None, blank text, an empty collection, or a collection/model of blanks only."""
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, BaseModel):
        return all(is_blank(v) for v in value.__dict__.values())
    if isinstance(value, dict):
        return all(is_blank(v) for v in value.values())
    if isinstance(value, list | tuple):
        return all(is_blank(v) for v in value)
    return False


@rule("completeness", title="必填项齐全", aspect="完整性", codes=[MISSING])
def check(ctx: DossierContext) -> Iterator[Finding]:
    filing = ctx.dossier.service.kind == "filing"
    for dotted, label, always in REQUIRED:
        if not (always or filing):
            continue
        if is_blank(get_path(ctx.dossier, dotted)):
            yield Finding.of(
                MISSING,
                f"未填写{label}",
                fix=f"在 dossier.yaml 中填写 {dotted}",
                location=ctx.loc(*dotted.split(".")),
            )
