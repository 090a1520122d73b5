"""Finding codes of the corpus part (documented in docs/findings/corpus.md)."""

from __future__ import annotations

from beian.findings import Severity, define_code

PROVENANCE_MISSING = define_code(
    "BA-COR-001",
    "语料来源缺少可追溯记录（开源许可、采集记录或授权记录）",
    clause="5.1 c)",
    severity=Severity.BLOCKING,
)
SOURCE_REJECTED = define_code(
    "BA-COR-002",
    "语料来源违法不良信息占比超过上限，不应采集或用于训练",
    clause="5.1 a)",
    severity=Severity.BLOCKING,
)
SOURCE_STRADDLES = define_code(
    "BA-COR-003",
    "语料来源违法不良信息占比的置信区间跨越上限，结论不稳健",
    clause="5.1 a)",
    severity=Severity.WARNING,
)
RECORD_CORRUPT = define_code(
    "BA-COR-004",
    "语料记录损坏或缺少文本字段，未能筛查",
    clause="5.1 a)",
    severity=Severity.WARNING,
)
SOURCE_EMPTY = define_code(
    "BA-COR-005",
    "语料来源没有匹配到任何文件或文档",
    clause="5.1 a)",
    severity=Severity.WARNING,
)
PII_PRESENT = define_code(
    "BA-COR-006",
    "语料中发现个人信息，需确认已取得同意或已去标识化",
    clause="5.2",
    severity=Severity.INFO,
)
DUPLICATE_IDS = define_code(
    "BA-COR-007",
    "语料文档编号（id_field）重复，抽样与人工复核无法唯一对应文档",
    clause="9.2",
    severity=Severity.WARNING,
)
