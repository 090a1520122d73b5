"""Finding codes for label verification (documented in docs/findings/label.md)."""

from __future__ import annotations

from beian.findings import Severity, define_code

__all__ = [
    "LBL_ALTERED",
    "LBL_BAD_PAYLOAD",
    "LBL_BAD_SIGNATURE",
    "LBL_CHARSET",
    "LBL_CONFLICT",
    "LBL_CORRUPT",
    "LBL_DUPLICATE",
    "LBL_MISSING",
    "LBL_NO_INTEGRITY",
    "LBL_PROPAGATION_ALTERED",
    "LBL_PROPAGATION_BAD_SIGNATURE",
    "LBL_PROPAGATION_UNCHECKED",
    "LBL_PROPAGATION_UNSIGNED",
    "LBL_UNSIGNED",
]

_CLAUSE = "GB 45438-2025 隐式标识"

LBL_MISSING = define_code(
    "BA-LBL-001", "文件没有隐式标识", clause=_CLAUSE, severity=Severity.BLOCKING
)
LBL_CONFLICT = define_code(
    "BA-LBL-002", "文件含多个不一致的隐式标识", clause=_CLAUSE, severity=Severity.BLOCKING
)
LBL_BAD_PAYLOAD = define_code(
    "BA-LBL-003", "隐式标识格式不符合 GB 45438", clause=_CLAUSE, severity=Severity.BLOCKING
)
LBL_NO_INTEGRITY = define_code(
    "BA-LBL-004", "ReservedCode1 没有可核验的完整性码", clause=_CLAUSE, severity=Severity.WARNING
)
LBL_ALTERED = define_code(
    "BA-LBL-005", "内容或标识字段在加标识后被改动", clause=_CLAUSE, severity=Severity.BLOCKING
)
LBL_BAD_SIGNATURE = define_code(
    "BA-LBL-006", "签名无效或与公钥不符（标识可能伪造）", clause=_CLAUSE, severity=Severity.BLOCKING
)
LBL_UNSIGNED = define_code(
    "BA-LBL-007", "要求核验签名，但标识未签名", clause=_CLAUSE, severity=Severity.BLOCKING
)
LBL_CORRUPT = define_code(
    "BA-LBL-008", "文件损坏或格式不符，无法读取标识", clause=_CLAUSE, severity=Severity.BLOCKING
)
LBL_DUPLICATE = define_code(
    "BA-LBL-009",
    "文件含多个隐式标识（即使内容相同）",
    clause="GB 45438-2025 6.1 c)",
    severity=Severity.BLOCKING,
)
LBL_CHARSET = define_code(
    "BA-LBL-010",
    "标识字段含附录 E 字符集以外的字符",
    clause="GB 45438-2025 附录 E j)",
    severity=Severity.BLOCKING,
)
LBL_PROPAGATION_ALTERED = define_code(
    "BA-LBL-011",
    "传播者完整性码 ReservedCode2 与内容或标识字段不符",
    clause="《人工智能生成合成内容标识办法》第六条；GB 45438-2025 附录 E",
    severity=Severity.BLOCKING,
)
LBL_PROPAGATION_UNCHECKED = define_code(
    "BA-LBL-012",
    "传播字段不完整或 ReservedCode2 不可核验",
    clause="《人工智能生成合成内容标识办法》第六条；GB 45438-2025 附录 E",
    severity=Severity.WARNING,
)
LBL_PROPAGATION_BAD_SIGNATURE = define_code(
    "BA-LBL-013",
    "传播者签名（ReservedCode2）无效或与传播者公钥不符",
    clause="《人工智能生成合成内容标识办法》第六条、第十条",
    severity=Severity.BLOCKING,
)
LBL_PROPAGATION_UNSIGNED = define_code(
    "BA-LBL-014",
    "要求核验传播者签名，但 ReservedCode2 未签名或没有传播信息",
    clause="《人工智能生成合成内容标识办法》第六条",
    severity=Severity.BLOCKING,
)
