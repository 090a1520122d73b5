"""The §8.1 audit of a keyword library: size, per-risk coverage, hygiene and freshness."""

from __future__ import annotations

import functools
from collections import Counter
from collections.abc import Iterable
from datetime import UTC, date, datetime
from importlib import resources

from pydantic import BaseModel, ConfigDict, computed_field

from beian.findings import Finding, Location, Severity, define_code
from beian.lexicon._lexicon import Lexicon
from beian.lexicon._loader import keyword_key
from beian.standards import Edition

__all__ = ["LibraryAudit", "RiskCount", "audit_library", "builtin_common_words"]

LEX_TOTAL = define_code("BA-LEX-001", "关键词总数不足", clause="8.1 a)", severity=Severity.BLOCKING)
LEX_A1 = define_code(
    "BA-LEX-002", "A.1 风险关键词不足", clause="8.1 b)", severity=Severity.BLOCKING
)
LEX_A2 = define_code(
    "BA-LEX-003", "A.2 风险关键词不足", clause="8.1 b)", severity=Severity.BLOCKING
)
LEX_MISSING = define_code("BA-LEX-004", "未覆盖的风险", clause="8.1 b)", severity=Severity.BLOCKING)
LEX_DUP = define_code("BA-LEX-005", "重复关键词", clause="8.1", severity=Severity.WARNING)
LEX_CONFLICT = define_code("BA-LEX-006", "风险代码冲突", clause="8.1", severity=Severity.WARNING)
LEX_ALLOWED = define_code(
    "BA-LEX-007", "关键词包含白名单词", clause="8.1", severity=Severity.WARNING
)
LEX_SINGLE = define_code(
    "BA-LEX-008", "单字关键词（误拦截风险）", clause="8.1", severity=Severity.WARNING
)
LEX_COMMON = define_code(
    "BA-LEX-009", "常用词关键词（误拦截风险）", clause="8.1", severity=Severity.WARNING
)
LEX_STALE = define_code(
    "BA-LEX-010", "关键词库更新超期", clause="8.1 c)", severity=Severity.WARNING
)
LEX_SKIPPED = define_code("BA-LEX-011", "加载时跳过的行", clause="8.1", severity=Severity.WARNING)
LEX_NODATE = define_code("BA-LEX-012", "缺少更新日期", clause="8.1 c)", severity=Severity.INFO)

_LIST_MAX = 20  # findings listing examples show at most this many


class RiskCount(BaseModel):
    model_config = ConfigDict(frozen=True)

    code: str
    name: str
    category: str
    count: int
    minimum: int | None  # None: §8.1 sets no minimum for this risk
    ok: bool | None


class LibraryAudit(BaseModel):
    """The typed result of :func:`audit_library` (read by the dossier check)."""

    model_config = ConfigDict(frozen=True)

    edition: str
    total: int
    total_min: int
    risks: list[RiskCount]
    missing_risks: list[str]
    duplicates: int
    conflicts: int
    skipped: int
    single_chars: list[str]
    common_words: list[str]
    contains_allowed: list[tuple[str, str]]
    newest_update: date | None
    age_days: int | None
    update_max_days: int
    findings: list[Finding]

    @computed_field  # type: ignore[prop-decorator]
    @property
    def conforms(self) -> bool:
        """符合 §8.1: no blocking finding."""
        return not any(f.severity is Severity.BLOCKING for f in self.findings)

    def risk(self, code: str) -> RiskCount:
        return next(r for r in self.risks if r.code == code)


@functools.lru_cache(maxsize=1)
def builtin_common_words() -> frozenset[str]:
    """The project's list of very common words that should not be keywords on their own."""
    text = resources.files("beian.lexicon").joinpath("data/common_words.txt").read_text("utf-8")
    return frozenset(
        keyword_key(w) for w in text.splitlines() if w.strip() and not w.startswith("#")
    )


def _examples(items: list[str]) -> str:
    shown = "、".join(items[:_LIST_MAX])
    return shown + (f" 等 {len(items)} 个" if len(items) > _LIST_MAX else "")


def audit_library(
    lexicon: Lexicon,
    edition: Edition,
    *,
    today: date | None = None,
    common_words: Iterable[str] | None = None,
) -> LibraryAudit:
    """Audit ``lexicon`` against §8.1 of ``edition`` (figures come from the edition)."""
    today = today or datetime.now(UTC).date()
    entries = lexicon.entries
    fig_total = edition.figure("lexicon.total_min")
    fig_a1 = edition.figure("lexicon.per_a1_risk_min")
    fig_a2 = edition.figure("lexicon.per_a2_risk_min")
    fig_upd = edition.figure("lexicon.update_interval_max_days")
    findings: list[Finding] = []
    total = len({keyword_key(e.keyword) for e in entries})
    if not fig_total.check(total):
        findings.append(
            Finding.of(
                LEX_TOTAL,
                f"关键词共 {total} 个，要求 {fig_total.display()}",
                fix=f"补充关键词至不少于 {int(fig_total.value)} 个",
            )
        )
    per = Counter(e.risk for e in entries)
    risks: list[RiskCount] = []
    missing: list[str] = []
    for r in edition.risks.values():
        fig = {"A1": fig_a1, "A2": fig_a2}.get(r.category) if r.core else None
        n = per.get(r.code, 0)
        ok = fig.check(n) if fig else None
        risks.append(
            RiskCount(
                code=r.code,
                name=r.name,
                category=r.category,
                count=n,
                minimum=int(fig.value) if fig else None,
                ok=ok,
            )
        )
        if r.core and n == 0:
            missing.append(r.code)
            findings.append(
                Finding.of(
                    LEX_MISSING,
                    f"{r.code} {r.name}：没有关键词",
                    fix=f"为该风险补充不少于 {int(fig.value)} 个关键词" if fig else None,
                    location=Location(field=r.code),
                )
            )
        elif fig is not None and not ok:
            code = LEX_A1 if r.category == "A1" else LEX_A2
            findings.append(
                Finding.of(
                    code,
                    f"{r.code} {r.name}：{n} 个，要求 {fig.display()}",
                    fix=f"补充至不少于 {int(fig.value)} 个",
                    location=Location(field=r.code),
                )
            )
    rep = lexicon.report
    for p, fc in (
        (rep.duplicates, LEX_DUP),
        (rep.conflicts, LEX_CONFLICT),
        (rep.skipped, LEX_SKIPPED),
    ):
        for prob in p:
            file, _, line = prob.where.rpartition(":")
            loc = Location(file=file, line=int(line)) if line.isdigit() else None
            findings.append(Finding.of(fc, prob.message, location=loc))
    singles = sorted({e.keyword for e in entries if len(keyword_key(e.keyword)) == 1})
    if singles:
        findings.append(
            Finding.of(
                LEX_SINGLE,
                f"单字关键词会拦截大量正常文本：{_examples(singles)}",
                fix="改为包含该字的具体词语，或加入白名单例外",
            )
        )
    common = builtin_common_words() | {keyword_key(w) for w in (common_words or ())}
    commons = sorted({e.keyword for e in entries if keyword_key(e.keyword) in common})
    if commons:
        findings.append(
            Finding.of(
                LEX_COMMON,
                f"常用词作为关键词会造成误拦截：{_examples(commons)}",
                fix="删除这些词，或改为更具体的组合词",
            )
        )
    contains = _contains_allowed(lexicon)
    if contains:
        findings.append(
            Finding.of(
                LEX_ALLOWED,
                "关键词包含白名单词：" + _examples([f"{k}⊃{a}" for k, a in contains]),
                fix="确认这些关键词确需拦截；否则删除或调整白名单",
            )
        )
    dates = [e.updated for e in entries if e.updated]
    if not dates:
        dates = list(rep.file_dates.values())
        if entries:
            findings.append(
                Finding.of(
                    LEX_NODATE,
                    "关键词没有更新日期列，按文件修改时间计算库的更新时间",
                    fix="在库文件中加入 updated（更新日期）列",
                )
            )
    newest = max(dates) if dates else None
    age = (today - newest).days if newest else None
    if age is not None and not fig_upd.check(age):
        findings.append(
            Finding.of(
                LEX_STALE,
                f"最近一次更新在 {newest}，距今 {age} 天，超过 {fig_upd.display()}",
                fix="按 §8.1 c) 至少每周更新关键词库并记录更新日期",
            )
        )
    return LibraryAudit(
        edition=edition.id,
        total=total,
        total_min=int(fig_total.value),
        risks=risks,
        missing_risks=missing,
        duplicates=len(rep.duplicates),
        conflicts=len(rep.conflicts),
        skipped=len(rep.skipped),
        single_chars=singles,
        common_words=commons,
        contains_allowed=contains,
        newest_update=newest,
        age_days=age,
        update_max_days=int(fig_upd.value),
        findings=findings,
    )


def _contains_allowed(lexicon: Lexicon) -> list[tuple[str, str]]:
    allow = sorted({keyword_key(w) for w in lexicon.allow if w.strip()})
    if not allow:
        return []
    import ahocorasick_rs

    ac = ahocorasick_rs.AhoCorasick(allow, matchkind=ahocorasick_rs.MatchKind.Standard)
    out: list[tuple[str, str]] = []
    for e in lexicon.entries:
        key = keyword_key(e.keyword)
        for pid, _, _ in ac.find_matches_as_indexes(key, overlapping=True):
            if allow[pid] != key:
                out.append((e.keyword, allow[pid]))
    return sorted(set(out))
