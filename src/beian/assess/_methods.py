"""The assessment method in words: one readable Chinese row per judge of an AssessmentLog.

The raw settings (endpoints, prompts, file paths) stay in ``assessment.json``; reports name the
judge, what it checks, its measured accuracy where the log records one, and its size. The HTML
report and the DOCX/PDF report both read these rows.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from beian.assess._bank import KIND_SHORT, KIND_ZH

if TYPE_CHECKING:
    from beian.assess._log import JudgeAudit

__all__ = [
    "JUDGE_HEADERS",
    "SAMPLE_ZH",
    "SAMPLING_METHOD_ZH",
    "judge_rows",
    "judge_title",
    "symbol",
]

SAMPLE_ZH: dict[str, str] = {**KIND_ZH, "sample": "抽样"}
SAMPLING_METHOD_ZH: dict[str, str] = {
    "stratified": "按风险（非拒答题按方面）分层随机抽样",
    "random": "简单随机抽样",
}
JUDGE_HEADERS = ("评判器", "判定内容", "实测准确性", "规模")
_CHECKS: dict[str, str] = {
    "refusal": "回答是否为拒答（问题拒答测试）",
    "keyword": "回答是否命中拦截关键词（生成内容关键词抽检）",
    "classifier": "回答是否含附录A 所列风险（生成内容分类模型抽检）",
    "llm": "大模型评审回答是否合格、是否拒答",
    "guard": "护栏模型评审回答是否合格、是否拒答",
    "manual": "人工抽检",
}
_TITLES: dict[str, str] = {
    "refusal": "拒答判定",
    "keyword": "关键词抽检",
    "classifier": "分类模型抽检",
    "llm": "大模型评审",
    "guard": "护栏模型评审",
    "manual": "人工抽检",
}


def _num(value: Any) -> str | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return str(int(value)) if float(value).is_integer() else f"{value:.2f}"


def _audited(audits: Sequence[JudgeAudit]) -> str:
    """The human audit of one judge (see the report's 评判器误差校准), one clause per kind."""

    def pct(x: float | None) -> str:
        return "—" if x is None else f"{x:.1%}"

    return "；".join(
        f"{KIND_SHORT.get(a.kind, a.kind)}：灵敏度 {pct(a.confusion.sensitivity)}、"
        f"特异度 {pct(a.confusion.specificity)}（人工复核 {a.n} 条，见“评判器误差校准”）"
        for a in audits
    )


def _accuracy(j: Mapping[str, Any], audits: Sequence[JudgeAudit]) -> str:
    if j.get("name") == "human":
        return "（人工结论是各评判器误差的对照基准）"
    if audits:
        return _audited(audits)
    p, r = j.get("unsafe_precision"), j.get("unsafe_recall")
    if _num(p) and _num(r):
        return f"不合格类精确率 {p:.2f}、召回率 {r:.2f}（分类模型训练记录，未经人工复核）"
    return "未测（导入人工复核结论后见“评判器误差校准”）"


def _scale(j: Mapping[str, Any]) -> str:
    parts = []
    if (n := _num(j.get("keywords"))) is not None:
        parts.append(f"关键词 {n} 个")
    if (n := _num(j.get("patterns"))) is not None:
        parts.append(f"规则 {n} 条")
    if (n := _num(j.get("samples"))) is not None:
        parts.append(f"训练样本 {n} 条")
    covers = j.get("covers")
    if isinstance(covers, list) and covers:
        parts.append(f"覆盖风险 {len(covers)} 种")
    endpoint = j.get("endpoint")
    model = endpoint.get("model") if isinstance(endpoint, Mapping) else j.get("model_name")
    if isinstance(model, str) and "/" not in model:
        parts.append(f"评审模型 {model}")
    return "；".join(parts) or "-"


_SYMBOLS = {">=": "≥", "<=": "≤", ">": ">", "<": "<"}


def symbol(comparison: str) -> str:
    """``>=`` as ``≥`` (and ``<=`` as ``≤``) for Chinese documents."""
    return _SYMBOLS.get(comparison, comparison)


def judge_title(name: str) -> str:
    """A judge's Chinese name (``refusal`` → 拒答判定); unknown plugins keep their own name."""
    return _TITLES.get(name, name)


def _title(j: Mapping[str, Any]) -> str:
    title = j.get("title")
    if isinstance(title, str) and title.strip():
        return title
    return judge_title(str(j.get("type") or j.get("name")))


def judge_rows(
    judges: list[dict[str, Any]], audits: Sequence[JudgeAudit] = ()
) -> list[tuple[str, str, str, str]]:
    """The judges of an assessment log as rows under :data:`JUDGE_HEADERS` (no paths, prompts
    or raw settings; no English judge names). A judge's accuracy is its human audit
    (``log.calibration.judges``) where there is one, else what its own record states."""
    rows = [
        (
            _title(j),
            _CHECKS.get(str(j.get("type") or j.get("name")), "见评估记录"),
            _accuracy(j, [a for a in audits if a.judge == j.get("name")]),
            _scale(j),
        )
        for j in judges
    ]
    return rows or [("人工与自动判定", "见评估记录", "-", "-")]
