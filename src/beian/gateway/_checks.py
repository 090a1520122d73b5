"""Checks of a gateway configuration against the runtime measures a filing promises."""

from __future__ import annotations

import math

from beian.errors import InputError
from beian.findings import Finding, Location, Severity, define_code
from beian.gateway._config import GatewayConfig
from beian.label.explicit import check_notice
from beian.standards import Edition

__all__ = ["GW_CODES", "check_config"]

RETENTION_TOO_SHORT = define_code(
    "BA-GW-001", "记录保存期限短于规定下限", clause="标识办法第九条", severity=Severity.BLOCKING
)
NO_KEYWORDS = define_code(
    "BA-GW-002", "未配置关键词库，输入输出拦截未启用", clause="8.1", severity=Severity.BLOCKING
)
SCREENING_OFF = define_code(
    "BA-GW-003", "关闭了输入或输出拦截", clause="7", severity=Severity.WARNING
)
PII_OFF = define_code(
    "BA-GW-004",
    "未启用个人信息保护（输入中的个人信息原样发往模型）",
    clause="7",
    severity=Severity.WARNING,
)
LABEL_MISSING = define_code(
    "BA-GW-005", "生成内容缺少显式或隐式标识，或显式标识文字不含必需要素",
    clause="GB 45438", severity=Severity.BLOCKING,
)  # fmt: skip
NO_CHANNEL = define_code(
    "BA-GW-006", "投诉举报渠道只有网页，未公布电话或邮箱", clause="7", severity=Severity.INFO
)
GW_CODES = (RETENTION_TOO_SHORT, NO_KEYWORDS, SCREENING_OFF, PII_OFF, LABEL_MISSING, NO_CHANNEL)


def check_config(cfg: GatewayConfig, edition: Edition) -> list[Finding]:
    """Findings about ``cfg``; the retention floor comes from the edition's figures."""
    where = cfg.path or "网关配置"
    out: list[Finding] = []

    def at(field: str) -> Location:
        return Location(file=where, field=field)

    fig = edition.figure("measures.log_retention_min_months")
    min_days = math.ceil(fig.value * 365 / 12)
    if cfg.records.retention_days < min_days:
        out.append(Finding.of(
            RETENTION_TOO_SHORT,
            f"记录保存 {cfg.records.retention_days} 天，短于 {fig.display().strip('>= ')}（约 {min_days} 天）",
            fix=f"把 records.retention_days 设为不少于 {min_days}",
            location=at("records.retention_days"),
        ))  # fmt: skip
    s = cfg.screening
    if not s.lexicon and not s.keywords:
        out.append(Finding.of(
            NO_KEYWORDS, "没有配置关键词库，网关不会拦截任何输入或输出",
            fix="在 screening.lexicon 中列出关键词库文件", location=at("screening.lexicon"),
        ))  # fmt: skip
    if not s.screen_input or not s.screen_output:
        off = "输入" if not s.screen_input else "输出"
        out.append(Finding.of(
            SCREENING_OFF, f"{off}拦截已关闭", fix="把 screening.screen_input / screen_output 设为 true",
            location=at("screening"),
        ))  # fmt: skip
    if s.pii == "off":
        out.append(Finding.of(
            PII_OFF, "个人信息保护已关闭", fix="把 screening.pii 设为 mask 或 pseudonym",
            location=at("screening.pii"),
        ))  # fmt: skip
    lab = cfg.labels
    try:
        check_notice(lab.notice)
        text_ok = True
    except InputError:
        text_ok = False
    if not lab.explicit or not lab.implicit or not text_ok:
        why = (
            "显式标识文字须同时含“人工智能/AI”和“生成/合成”"
            if not text_ok
            else "显式或隐式标识已关闭"
        )
        out.append(Finding.of(
            LABEL_MISSING, why, fix="启用 labels.explicit 与 labels.implicit，提示文字如“本内容由人工智能生成”",
            location=at("labels"),
        ))  # fmt: skip
    if not cfg.complaints.phone and not cfg.complaints.email:
        out.append(Finding.of(
            NO_CHANNEL, "投诉举报只公布了网页渠道", fix="在 complaints.phone / email 中公布其他渠道",
            location=at("complaints"),
        ))  # fmt: skip
    return out
