"""The dataset report (counts per type and field, bad records) and its finding codes."""

from __future__ import annotations

from pydantic import BaseModel, Field

from beian.findings import Finding, Location, Severity, define_code
from beian.pii._types import SENSITIVE_TYPES, label_of

__all__ = ["PII_GENERAL", "PII_SENSITIVE", "PII_SKIPPED", "DatasetReport", "RecordError"]

PII_SENSITIVE = define_code(
    "BA-PII-001",
    "数据中含敏感个人信息（身份证件号码、银行卡号等）",
    clause="5.2",
    severity=Severity.WARNING,
)
PII_GENERAL = define_code(
    "BA-PII-002", "数据中含个人信息（手机号、邮箱、姓名等）", clause="5.2", severity=Severity.INFO
)
PII_SKIPPED = define_code(
    "BA-PII-003", "记录无法解析，未处理也未写入输出", clause="5.2", severity=Severity.WARNING
)


class RecordError(BaseModel):
    """A record that could not be read; it is listed here, never dropped silently."""

    line: int
    message: str


class DatasetReport(BaseModel):
    """What a scan or a de-identification run found (no personal information is stored here)."""

    input: str
    output: str | None = None
    format: str
    operator: str | None = None
    fields: list[str] | None = None
    records: int = 0
    records_with_pii: int = 0
    entities: int = 0
    counts: dict[str, int] = Field(default_factory=dict)
    field_counts: dict[str, dict[str, int]] = Field(default_factory=dict)
    errors: list[RecordError] = Field(default_factory=list)
    bytes: int = 0
    seconds: float = 0.0

    def add(self, field: str, entity_type: str) -> None:
        self.entities += 1
        self.counts[entity_type] = self.counts.get(entity_type, 0) + 1
        per = self.field_counts.setdefault(field, {})
        per[entity_type] = per.get(entity_type, 0) + 1

    def findings(self) -> list[Finding]:
        out: list[Finding] = []
        where = Location(file=self.input)
        groups = (
            (
                PII_SENSITIVE,
                True,
                "发现敏感个人信息",
                "训练前去标识化（beian pii redact），或取得单独同意并留存记录",
            ),
            (PII_GENERAL, False, "发现个人信息", "确认已取得同意，或用 beian pii redact 去标识化"),
        )
        for code, sensitive, what, fix in groups:
            found = {t: n for t, n in self.counts.items() if (t in SENSITIVE_TYPES) is sensitive}
            if found:
                text = "、".join(f"{label_of(t)} {n} 处" for t, n in sorted(found.items()))
                out.append(Finding.of(code, f"{what}：{text}", fix=fix, location=where))
        for err in self.errors:
            out.append(
                Finding.of(
                    PII_SKIPPED,
                    err.message,
                    fix="修复该记录后重新处理",
                    location=Location(file=self.input, line=err.line),
                )
            )
        return out
