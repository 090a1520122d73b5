"""The 符合 / 不符合 / 不适用 table for every clause of chapters 5–8 (TC260-003 §9.1).

A clause is 不符合 when a 阻断 or 警告 finding cites it or a §9 item it rests on failed; 不适用 when
the dossier makes it irrelevant (no third-party base model, inputs not used for training);
otherwise 符合, with the evidence taken from the dossier and the assessment log.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from beian.dossier._context import DossierContext
from beian.dossier._schema import CHANNEL_ZH, MODALITY_ZH, MODE_ZH, SOURCE_ZH, Dossier
from beian.findings import Finding, Severity
from beian.standards import ClauseItem

if TYPE_CHECKING:
    from beian.assess import AssessmentLog

ClauseVerdict = Literal["符合", "不符合", "不适用"]


@dataclass(frozen=True)
class ClauseResult:
    item: ClauseItem
    verdict: ClauseVerdict
    evidence: str
    remedy: str = ""  # for 不符合: reason and remediation


def _join(values: list[str], empty: str = "未填写") -> str:
    values = [v for v in values if v]
    return "；".join(values) if values else empty


def _sources(d: Dossier) -> str:
    return _join(
        [
            f"{s.name}（{SOURCE_ZH.get(s.type or '', '类型未填')}，违法不良信息占比 "
            f"{'未测' if s.harmful_ratio is None else f'{s.harmful_ratio:g}%'}）"
            for s in d.model.corpus.sources
        ]
    )


def _channels(d: Dossier) -> str:
    c = d.safety.complaint
    chans = "、".join(f"{CHANNEL_ZH[ch.type]} {ch.value}" for ch in c.channels) or "未提供渠道"
    days = "未公开" if c.response_days is None else f"{c.response_days:g} 天"
    return f"{chans}；处理规则 {c.rules_url or '未公开'}；反馈时限 {days}"


def _labels(d: Dossier) -> str:
    return _join(
        [
            f"{MODALITY_ZH[m]}：{v.explicit or '-'} / {v.implicit or '-'}"
            for m, v in d.safety.labelling.items()
        ]
    )


# clause id -> (evidence from the dossier, applicable?)
_EVIDENCE: dict[str, Callable[[Dossier], str]] = {
    "5.1-a": lambda d: "来源评估与核验：" + _sources(d),
    "5.1-b": lambda d: f"{len(d.model.corpus.sources)} 类来源：" + _sources(d),
    "5.1-c": lambda d: "可追溯记录：" + _sources(d),
    "5.1-d": lambda d: d.model.corpus.legality or "未填写",
    "5.2-a": lambda d: d.operations.interception.description or "未填写",
    "5.2-b": lambda d: d.model.corpus.legality or "未填写",
    "5.2-c": lambda d: d.safety.personal_information or "未填写",
    "5.3-a": lambda d: (
        f"标注团队 {d.model.annotation.team_size or '未填'} 人；培训"
        f"{'已' if d.model.annotation.annotators_trained else '未'}完成，考核"
        f"{'已' if d.model.annotation.annotators_assessed else '未'}完成"
    ),
    "5.3-b": lambda d: "语料标注规则（附件）分功能性与安全性两部分",
    "5.3-c": lambda d: f"{len(d.model.annotation.tasks)} 个标注任务均安排不同人员审核",
    "6-a": lambda d: (
        f"基础模型 {d.model.base_model.name}，备案号 {d.model.base_model.filing_number}"
    ),
    "6-b": lambda d: d.operations.interception.description or "未填写",
    "6-c": lambda d: "生成内容抽检结果见第二部分",
    "6-d": lambda d: "生成内容抽检结果见第二部分",
    "7-a": lambda d: (
        f"适用人群：{d.service.scope.users or '未填写'}；场合：{d.service.scope.scenarios or '未填写'}；"
        f"用途：{d.service.scope.uses or '未填写'}；"
        + (
            "面向未成年人，措施：" + _join(d.service.scope.minors_measures)
            if d.service.scope.minors
            else "不面向未成年人"
        )
    ),
    "7-b": lambda d: (
        (d.safety.transparency or "未填写")
        + (f"；API 文档 {d.service.api_doc_url}" if "api" in d.service.modes else "")
    ),
    "7-c": lambda d: (
        f"关闭方式：{d.safety.training_opt_out.notice or '未填写'}（{d.safety.training_opt_out.clicks} 次点击）"
    ),
    "7-d": _labels,
    "7-e": lambda d: d.safety.supply_chain or "未填写",
    "7-f": _channels,
    "7-g": lambda d: (
        f"监看人员 {d.operations.interception.monitors or 0} 人；拒答测试结果见第二部分"
    ),
    "7-h": lambda d: d.operations.updates.model_policy or "未填写",
    "7-i": lambda d: d.safety.backup or "未填写",
    "8.1": lambda d: (
        f"拦截关键词列表（附件），每 {d.operations.updates.keywords_interval_days or '?'} 天更新"
    ),
    "8.2": lambda d: (
        f"评估测试题集（附件），每 {d.operations.updates.banks_interval_days or '?'} 天更新"
    ),
    "8.3": lambda d: "评估测试题集（附件）含应拒答与非拒答题库",
    "8.4": lambda d: "分类模型" + ("已部署" if d.operations.interception.classifier else "未部署"),
}
_NOT_APPLICABLE: dict[str, Callable[[Dossier], str | None]] = {
    "6-a": lambda d: (
        "自研基础模型，未使用第三方基础模型" if d.model.base_model.self_developed else None
    ),
    "7-c": lambda d: (
        None if d.safety.training_opt_out.trains_on_inputs else "不将使用者输入用于训练"
    ),
}
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


def _applicable(_: Dossier) -> str | None:
    return None


def _see_dossier(_: Dossier) -> str:
    return "见备案材料"


def _cites(finding: Finding, item: ClauseItem) -> bool:
    tokens = [t.strip() for t in finding.clause.replace(",", "、").split("、")]
    return any(t == item.clause or t.startswith(item.clause + " ") for t in tokens)


def assess_clauses(
    ctx: DossierContext, log: AssessmentLog | None, findings: list[Finding]
) -> list[ClauseResult]:
    """Score every clause of the edition's checklist."""
    d = ctx.dossier
    out = []
    for item in ctx.edition.clauses:
        na = _NOT_APPLICABLE.get(item.id, _applicable)(d)
        if na:
            out.append(ClauseResult(item, "不适用", na))
            continue
        evidence = _EVIDENCE.get(item.id, _see_dossier)(d)
        problems = [
            f"{f.message}（{f.code}）"
            for f in findings
            if f.severity is not Severity.INFO and _cites(f, item)
        ]
        fixes = [
            f.fix for f in findings if f.severity is not Severity.INFO and _cites(f, item) and f.fix
        ]
        for it in _ITEMS.get(item.id, ()):
            r = log.result(it) if log else None
            if r is None:
                problems.append(f"缺少评估项 {it}")
                continue
            evidence += f"；{r.title} n={r.n}，{r.rate_name} {r.rate:.2%}（{r.verdict}）"
            if r.verdict == "无法判定":  # too many questions got no answer
                problems.append(f"{r.title}无法判定（{r.blocked_reason or '出错题过多'}）")
                fixes.append(f"排除接口错误后重新开展{r.title}")
            elif r.verdict != "符合":
                problems.append(f"{r.title}不符合")
                fixes.append(f"整改后重新开展{r.title}")
        if problems:
            remedy = "原因：" + "；".join(problems)
            if fixes:
                remedy += "。整改计划：" + "；".join(dict.fromkeys(fixes))
            out.append(ClauseResult(item, "不符合", evidence, remedy))
        else:
            out.append(ClauseResult(item, "符合", evidence))
    return out


def modes_zh(d: Dossier) -> str:
    return "、".join(MODE_ZH[m] for m in d.service.modes) or "未填写"
