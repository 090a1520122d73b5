"""The 符合 / 不符合 / 不适用 / 待补充证据 table for every clause of chapters 5–8 (§9.1).

A clause is 不符合 when a finding that is a requirement of the clause cites it, or a §9 item it
rests on failed; 不适用 when the dossier makes it irrelevant (no third-party base model, inputs not
used for training, a registration service that trains nothing); 待补充证据 when the dossier holds
no evidence for it; otherwise 符合, with the evidence taken from the clause's own dossier fields
and the assessment log. Quality warnings (duplicates, single-character keywords, a number-format
heuristic) are listed beside the clause but do not decide its verdict.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from beian.assess import ITEMS
from beian.dossier._context import DossierContext
from beian.dossier._schema import CHANNEL_ZH, MODALITY_ZH, MODE_ZH, SOURCE_ZH, Dossier
from beian.findings import Finding, Severity
from beian.standards import ClauseItem

if TYPE_CHECKING:
    from beian.assess import AssessmentLog

ClauseVerdict = Literal["符合", "不符合", "不适用", "待补充证据"]
PENDING: ClauseVerdict = "待补充证据"

# Warnings about quality, not requirements of a clause: listed, never turned into 不符合.
QUALITY_CODES = frozenset(
    {
        "BA-BNK-007",  # duplicate questions
        "BA-BNK-008",  # near-duplicate questions
        "BA-LEX-005",  # duplicate keywords
        "BA-LEX-006",  # conflicting risk codes
        "BA-LEX-007",  # keyword contains an allow-listed word
        "BA-LEX-008",  # single-character keywords
        "BA-LEX-009",  # common-word keywords
        "BA-LEX-011",  # skipped lines
        "BA-DOS-005",  # filing-number format heuristic
    }
)


@dataclass(frozen=True)
class ClauseResult:
    item: ClauseItem
    verdict: ClauseVerdict
    evidence: str
    remedy: str = ""  # for 不符合 / 待补充证据: reason and remediation
    notes: tuple[str, ...] = ()  # quality warnings citing the clause


Evidence = Callable[[Dossier], str | None]


def _text(value: str | None) -> str | None:
    return value.strip() if value and value.strip() else None


def _sources(d: Dossier) -> str | None:
    rows = [
        f"{s.name or '未命名来源'}（{SOURCE_ZH.get(s.type or '', '类型未填')}）"
        for s in d.model.corpus.sources
    ]
    return "；".join(rows) or None


def _source_checks(d: Dossier) -> str | None:
    srcs = d.model.corpus.sources
    if not srcs:
        return None
    rows = []
    for s in srcs:
        ratio = "未测" if s.harmful_ratio is None else f"{s.harmful_ratio:g}%"
        rows.append(
            f"{s.name or '未命名来源'}：采集前评估{'已' if s.assessed_before_collection else '未'}"
            f"开展，采集后核验{'已' if s.verified_after_collection else '未'}开展，"
            f"违法不良信息占比 {ratio}"
        )
    return "；".join(rows)


def _diversity(d: Dossier) -> str | None:
    srcs = d.model.corpus.sources
    if not srcs:
        return None
    kinds = sorted({SOURCE_ZH[s.type] for s in srcs if s.type})
    langs = sorted({x.strip() for s in srcs for x in (s.language or "").split("、") if x.strip()})
    return (
        f"{len(srcs)} 个来源，类型：{'、'.join(kinds) or '未填'}；"
        f"语言：{'、'.join(langs) or '未填'}"
    )


def _provenance(d: Dossier) -> str | None:
    rows = []
    for s in d.model.corpus.sources:
        p = s.provenance
        records = [
            ("许可协议", p.license),
            ("采集记录", p.collection_record),
            ("交易合同", p.contract),
            ("供方承诺", p.supplier_commitment),
            ("授权记录", p.authorization_record),
        ]
        held = [f"{name} {v}" for name, v in records if _text(v)]
        rows.append(f"{s.name or '未命名来源'}：{'、'.join(held) or '无记录'}")
    return "；".join(rows) or None


def _filtering(d: Dossier) -> str | None:
    measured = [s for s in d.model.corpus.sources if s.harmful_ratio is not None]
    if not measured:
        return None
    return "语料过滤后实测违法不良信息占比：" + "；".join(
        f"{s.name or '未命名来源'} {s.harmful_ratio:g}%" for s in measured
    )


def _annotators(d: Dossier) -> str | None:
    a = d.model.annotation
    if a.team_size is None and not a.annotators_trained and not a.annotators_assessed:
        return None
    size = "人数未填" if a.team_size is None else f"{a.team_size} 人"
    return (
        f"标注团队 {size}；培训{'已' if a.annotators_trained else '未'}完成，"
        f"考核{'已' if a.annotators_assessed else '未'}完成"
    )


def _annotation_rules(d: Dossier) -> str | None:
    path = _text(d.attachments.annotation_rules)
    return f"语料标注规则见附件（{path.rsplit('/', 1)[-1]}）" if path else None


def _review(d: Dossier) -> str | None:
    tasks = d.model.annotation.tasks
    if not tasks:
        return None
    apart = sum(
        bool(t.annotators and t.reviewers and not set(t.annotators) & set(t.reviewers))
        for t in tasks
    )
    return f"{len(tasks)} 个标注任务中 {apart} 个由不同于标注人员的审核人员审核"


def _base_model(d: Dossier) -> str | None:
    b = d.model.base_model
    if not _text(b.name):
        return None
    return f"基础模型 {b.name}，备案号 {b.filing_number or '未填写'}"


def _interception(d: Dossier) -> str | None:
    i = d.operations.interception
    means = [n for n, on in (("关键词", i.keywords), ("分类模型", i.classifier)) if on]
    if i.manual_review:
        means.append("人工审核")
    desc = _text(i.description)
    if not means and not desc:
        return None
    return f"输入检测：{'、'.join(means) or '未说明'}" + (f"；{desc}" if desc else "")


def _scope(d: Dossier) -> str | None:
    s = d.service.scope
    if not (_text(s.users) or _text(s.scenarios) or _text(s.uses)):
        return None
    minors = (
        "面向未成年人，措施：" + ("；".join(s.minors_measures) or "未填写")
        if s.minors
        else "不面向未成年人，防止其使用的措施：" + ("；".join(s.minors_exclusion) or "未填写")
    )
    return (
        f"适用人群：{s.users or '未填写'}；场合：{s.scenarios or '未填写'}；"
        f"用途：{s.uses or '未填写'}；{minors}"
    )


def _transparency(d: Dossier) -> str | None:
    t = _text(d.safety.transparency)
    if t is None:
        return None
    return t + (f"；API 文档 {d.service.api_doc_url}" if "api" in d.service.modes else "")


def _opt_out(d: Dossier) -> str | None:
    o = d.safety.training_opt_out
    if not o.offered and not _text(o.notice):
        return None
    clicks = "次数未填" if o.clicks is None else f"{o.clicks} 次点击"
    return f"关闭方式：{o.notice or '未填写'}（{clicks}）"


def _labels(d: Dossier) -> str | None:
    rows = [
        f"{MODALITY_ZH[m]}：显式标识 {v.explicit or '无'}；隐式标识 {v.implicit or '无'}"
        for m, v in d.safety.labelling.items()
    ]
    return "；".join(rows) or None


def _channels(d: Dossier) -> str | None:
    c = d.safety.complaint
    if not c.channels and not _text(c.rules_url):
        return None
    chans = "、".join(f"{CHANNEL_ZH[ch.type]} {ch.value}" for ch in c.channels) or "未提供渠道"
    days = "未公开" if c.response_days is None else f"{c.response_days:g} 天"
    return f"{chans}；处理规则 {c.rules_url or '未公开'}；反馈时限 {days}"


def _monitors(d: Dossier) -> str | None:
    m = d.operations.interception.monitors
    return None if not m else f"监看人员 {m} 人"


def _every(days: float | None) -> str:
    return "更新周期未填" if days is None else f"每 {days:g} 天更新"


def _keywords(d: Dossier) -> str | None:
    path = _text(d.attachments.keyword_list)
    if path is None:
        return None
    return f"拦截关键词列表（附件），{_every(d.operations.updates.keywords_interval_days)}"


def _banks(d: Dossier) -> str | None:
    if _text(d.attachments.banks) is None:
        return None
    return f"评估测试题集（附件），{_every(d.operations.updates.banks_interval_days)}"


def _classifier(d: Dossier) -> str | None:
    return "分类模型已部署" if d.operations.interception.classifier else None


def _field(get: Callable[[Dossier], str | None]) -> Evidence:
    return lambda d: _text(get(d))


# clause id -> evidence from the clause's own dossier fields (None: no evidence)
_EVIDENCE: dict[str, Evidence] = {
    "5.1-a": _source_checks,
    "5.1-b": _diversity,
    "5.1-c": _provenance,
    "5.1-d": _field(lambda d: d.model.corpus.legality),
    "5.2-a": _filtering,
    "5.2-b": _field(lambda d: d.model.corpus.intellectual_property),
    "5.2-c": _field(lambda d: d.safety.personal_information),
    "5.3-a": _annotators,
    "5.3-b": _annotation_rules,
    "5.3-c": _review,
    "6-a": _base_model,
    "6-b": _interception,
    "7-a": _scope,
    "7-b": _transparency,
    "7-c": _opt_out,
    "7-d": _labels,
    "7-e": _field(lambda d: d.safety.supply_chain),
    "7-f": _channels,
    "7-g": _monitors,
    "7-h": _field(lambda d: d.operations.updates.model_policy),
    "7-i": _field(lambda d: d.safety.backup),
    "8.1": _keywords,
    "8.2": _banks,
    "8.3": _banks,
    "8.4": _classifier,
}
_NOT_APPLICABLE: dict[str, Callable[[Dossier], str | None]] = {
    "6-a": lambda d: (
        "自研基础模型，未使用第三方基础模型" if d.model.base_model.self_developed else None
    ),
    "7-c": lambda d: (
        None if d.safety.training_opt_out.trains_on_inputs else "不将使用者输入用于训练"
    ),
}
_REGISTRATION_NA = "登记类服务调用已备案模型，不开展训练、不使用训练语料，本章要求不适用"
# clause id -> the §9 items that give its evidence
_ITEMS: dict[str, tuple[str, ...]] = {
    "5.1-a": ("9.2-manual", "9.2-technical"),
    "5.2-a": ("9.2-manual", "9.2-technical"),
    "6-b": ("9.3-manual", "9.3-keyword", "9.3-classifier"),
    "6-c": ("9.3-manual",),
    "6-d": ("9.3-manual",),
    "7-g": ("9.4-must_refuse", "9.4-must_answer"),
    "8.4": ("9.3-classifier",),
}


def _not_applicable(item: ClauseItem, d: Dossier) -> str | None:
    if d.service.kind == "registration" and item.chapter == "5":
        return _REGISTRATION_NA
    get = _NOT_APPLICABLE.get(item.id)
    return get(d) if get else None


_TC260_REF = re.compile(r"对应 TC260-003 §([^）]+)）")


def _plain(token: str) -> str:
    """A cited token back in TC260-003 numbering, without the [U] marks."""
    m = _TC260_REF.search(token)
    return (m[1] if m else token).replace("[U]", "").strip()


def _cites(finding: Finding, item: ClauseItem) -> bool:
    tokens = [_plain(t) for t in finding.clause.replace(",", "、").split("、")]
    return any(t == item.clause or t.startswith(item.clause + " ") for t in tokens)


def _remedy(d: Dossier, item: ClauseItem, fixes: list[str]) -> str:
    """§9.1 b) 2) for a clause not met: the provider's alternative measure, or the measures taken
    and the plan with proof (``remediation`` in dossier.yaml); else the tool's suggestion, said
    to be one."""
    rows = [r for r in d.remediation if r.clause == item.id]
    if not rows:
        suggested = "；".join(fixes) or "整改后重新评估"
        return f"整改建议（工具生成，提供者尚未在 remediation 中说明）：{suggested}"
    parts = []
    for r in rows:
        for label, value in (
            ("同等效果的替代措施", r.equivalent_measure),
            ("已采取的措施", r.measures_taken),
            ("整改计划", r.plan),
            ("整改期限", r.deadline.isoformat() if r.deadline else None),
            ("证明材料", r.proof),
        ):
            if _text(value):
                parts.append(f"{label}：{value}")
    return "提供者说明：" + "；".join(parts)


def is_requirement(finding: Finding) -> bool:
    """Does ``finding`` state a requirement (not a quality warning or advice)?"""
    return finding.severity is not Severity.INFO and finding.code not in QUALITY_CODES


def _score(
    item: ClauseItem, d: Dossier, log: AssessmentLog | None, findings: list[Finding]
) -> ClauseResult:
    get = _EVIDENCE.get(item.id)
    own = get(d) if get else None
    parts = [own] if own else []
    cited = [f for f in findings if _cites(f, item)]
    problems = [f"{f.message}（{f.code}）" for f in cited if is_requirement(f)]
    fixes = [f.fix for f in cited if is_requirement(f) and f.fix]
    notes = tuple(f"{f.message}（{f.code}，质量提示）" for f in cited if f.code in QUALITY_CODES)
    for it in _ITEMS.get(item.id, ()):
        r = log.result(it) if log else None
        if r is None:
            problems.append(f"缺少评估项“{ITEMS[it].title}”")
            fixes.append(f"开展{ITEMS[it].title}")
            continue
        parts.append(f"{r.title} n={r.n}，{r.rate_name} {r.rate:.2%}（{r.verdict}）")
        if r.verdict == "无法判定":  # too many questions got no answer
            problems.append(f"{r.title}无法判定（{r.blocked_reason or '出错题过多'}）")
            fixes.append(f"排除接口错误后重新开展{r.title}")
        elif r.verdict != "符合":
            problems.append(f"{r.title}不符合")
            fixes.append(f"整改后重新开展{r.title}")
    evidence = "；".join(parts)
    if problems:
        remedy = (
            "原因：" + "；".join(problems) + "。" + _remedy(d, item, list(dict.fromkeys(fixes)))
        )
        return ClauseResult(item, "不符合", evidence or "无", remedy, notes)
    if not parts or (own is None and item.id in _EVIDENCE):
        fix = "在 dossier.yaml 中补充该条款对应的说明或附件后重新检查"
        return ClauseResult(
            item, PENDING, evidence or "备案材料中无该条款的证据", _remedy(d, item, [fix]), notes
        )
    return ClauseResult(item, "符合", evidence, notes=notes)


def assess_clauses(
    ctx: DossierContext, log: AssessmentLog | None, findings: list[Finding]
) -> list[ClauseResult]:
    """Score every clause of the edition's checklist."""
    d = ctx.dossier
    out = []
    for item in ctx.edition.clauses:
        na = _not_applicable(item, d)
        if na:
            out.append(ClauseResult(item, "不适用", na))
        else:
            out.append(_score(item, d, log, findings))
    return out


def modes_zh(d: Dossier) -> str:
    return "、".join(MODE_ZH[m] for m in d.service.modes) or "未填写"
