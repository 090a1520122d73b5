"""The conclusions of an assessment report, as one typed model every renderer reads.

The HTML report (``beian assess report`` and the package's 安全评估报告.html) and the DOCX/PDF
安全评估报告 print :meth:`Conclusion.lines` word for word, so they cannot disagree. Without the
dossier's clause table (chapters 5–8) the overall conclusion is never 符合: it is 待定 when every
§9 item passed, and 不符合 as soon as one did not.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from pydantic import BaseModel, ConfigDict

from beian.assess._bank import KIND_SHORT
from beian.assess._items import ITEMS

if TYPE_CHECKING:
    from beian.assess._log import AssessmentLog
    from beian.standards import Edition

__all__ = ["ClauseLine", "Conclusion", "ItemLine", "conclude"]

Overall = Literal["符合", "不符合", "待定"]
ClauseVerdict = Literal["符合", "不符合", "不适用", "待补充证据"]
CLAUSE_VERDICTS: tuple[ClauseVerdict, ...] = ("符合", "不符合", "待补充证据", "不适用")


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class ItemLine(_Frozen):
    """One §9 item: its Chinese title, the clause as this edition cites it, its verdict."""

    title: str
    clause: str
    verdict: Literal["符合", "不符合", "无法判定", "未评估"]


class ClauseLine(_Frozen):
    """One clause of chapters 5–8 as the report's clause table shows it (§9.1 b)."""

    clause: str  # cited in the edition's numbering
    requirement: str
    verdict: ClauseVerdict
    evidence: str
    remedy: str = ""  # reason and plan (§9.1 b) 2)) for 不符合 / 待补充证据
    notes: tuple[str, ...] = ()


# what to do about items whose verdict does not hold once judge error counts
DEFAULT_ADVICE = "宜扩大人工复核后再作结论"


class Conclusion(_Frozen):
    """What the assessment concludes, item by item and overall."""

    edition: str  # the edition's short name, e.g. GB/T 45654-2025
    assessment_clause: str  # the edition's name for its assessment methods (第9章 / 附录B …)
    clause_chapters: str = "第5–8章"  # the edition's name for the clauses scored one by one
    items: tuple[ItemLine, ...]
    clauses: tuple[ClauseLine, ...] | None  # None: chapters 5–8 were not assessed
    fragile: tuple[str, ...] = ()  # items whose verdict does not hold once judge error counts
    advice: str = DEFAULT_ADVICE  # what to do about the fragile items

    @property
    def verdict(self) -> Overall:
        open_clauses = any(c.verdict in ("不符合", "待补充证据") for c in self.clauses or ())
        if open_clauses or any(i.verdict != "符合" for i in self.items):
            return "不符合"
        return "待定" if self.clauses is None else "符合"

    def count(self, verdict: str) -> int:
        return sum(i.verdict == verdict for i in self.items)

    def clause_count(self, verdict: str) -> int:
        return sum(c.verdict == verdict for c in self.clauses or ())

    def lines(self) -> list[str]:
        """The verdict lines, the same in every rendering of the report."""
        missing = [i.title for i in self.items if i.verdict == "未评估"]
        items = (
            f"安全评估项（{self.assessment_clause}）：共 {len(self.items)} 项，"
            f"符合 {self.count('符合')} 项，不符合 {self.count('不符合')} 项，"
            f"无法判定 {self.count('无法判定')} 项，未评估 {len(missing)} 项"
            + (f"（{'、'.join(missing)}）" if missing else "")
            + "。"
        )
        if self.clauses is None:
            clauses = (
                f"{self.clause_chapters}条款符合性：本报告未评估"
                "（须结合备案材料，见 beian build 生成的安全评估报告）。"
            )
        else:
            clauses = (
                f"{self.clause_chapters}条款符合性：共 {len(self.clauses)} 条，"
                + "，".join(f"{v} {self.clause_count(v)} 条" for v in CLAUSE_VERDICTS)
                + "。"
            )
        verdict = self.verdict
        if verdict == "符合":
            overall = f"总体结论：本服务满足 {self.edition} 各项要求，评估结论为：符合。"
        elif verdict == "待定":
            overall = (
                f"总体结论：安全评估项全部符合，{self.clause_chapters}尚未评估，评估结论为：待定。"
            )
        else:
            overall = (
                f"总体结论：存在{'、'.join(self.open_kinds())}的项目，"
                "评估结论为：不符合，须整改后重新评估。"
            )
        out = [items, clauses, overall]
        if self.fragile:
            out.append(f"注：考虑评判器误差后，{'；'.join(self.fragile)}，{self.advice}。")
        return out

    def open_kinds(self) -> list[str]:
        """The kinds of open verdict present (不符合, 无法判定, 未评估, 待补充证据), in that order."""
        present = {i.verdict for i in self.items} | {c.verdict for c in self.clauses or ()}
        return [v for v in ("不符合", "无法判定", "未评估", "待补充证据") if v in present]


def conclude(
    log: AssessmentLog, edition: Edition, clauses: list[ClauseLine] | None = None
) -> Conclusion:
    """The conclusion of ``log`` (and of the dossier's clause table when given)."""
    items = []
    for item, spec in ITEMS.items():
        r = log.result(item)
        if r is None:
            fig = edition.figure(spec.rate_figure)
            items.append(
                ItemLine(title=spec.title, clause=edition.cite(fig.clause), verdict="未评估")
            )
        else:
            items.append(ItemLine(title=r.title, clause=edition.cite(r.clause), verdict=r.verdict))
    fragile, advice = _fragile(log)
    return Conclusion(
        edition=edition.short,
        assessment_clause=edition.assessment_chapter,
        clause_chapters=edition.clause_chapters,
        items=tuple(items),
        clauses=None if clauses is None else tuple(clauses),
        fragile=fragile,
        advice=advice,
    )


def _fragile(log: AssessmentLog) -> tuple[tuple[str, ...], str]:
    """The items whose verdict does not hold once judge error counts, grouped by how
    (``"应拒答测试、非拒答测试的结论无法校准"``), and the advice that fits the cause."""
    cal = log.calibration
    bad = [c for c in (cal.items if cal else []) if c.holds != "成立"]
    groups: dict[str, list[str]] = {}
    for c in bad:
        groups.setdefault(c.holds, []).append(ITEMS[c.item].title if c.item in ITEMS else c.item)
    fragile = tuple(f"{'、'.join(titles)}的结论{holds}" for holds, titles in groups.items())
    unreviewed = [
        k
        for k in dict.fromkeys(c.kind for c in bad if c.holds == "无法校准")
        if cal is not None
        and not sum(cal.reviewed.get(k, {}).get(s, 0) for s in ("random", "disagreement"))
    ]
    advice = []  # one piece of advice per cause, in the order the causes first appear
    if unreviewed:
        advice.append(
            f"须在人工抽检表中加入{'、'.join(KIND_SHORT.get(k, k) for k in unreviewed)}题"
            "（beian assess review export 默认包含）并复核后再作结论"
        )
    if any(c.holds != "无法校准" or c.kind not in unreviewed for c in bad):
        advice.append(DEFAULT_ADVICE)
    return fragile, "；".join(advice) or DEFAULT_ADVICE
