"""The AssessmentLog: one typed, versioned artefact for a run's results (read by report and registry)."""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from beian import __version__
from beian.assess._items import ITEMS, ItemId
from beian.assess._stats import wilson_interval
from beian.errors import InputError, validation_summary
from beian.io import atomic_write_text
from beian.standards import Edition, Override

LOG_VERSION = 2  # 2: judge calibration (``calibration``)
Verdict = Literal["符合", "不符合"]
CALIBRATION_VERSION = 1
Holds = Literal["成立", "不稳健", "不成立", "无法校准"]


class RiskBreakdown(BaseModel):
    """Counts for one risk code (or aspect) within an item."""

    n: int
    k: int  # items counted in ``rate`` (qualified, or refused for refusal items)
    rate: float


class ItemResult(BaseModel):
    """The result of one §9 item, judged against the edition's figures."""

    model_config = ConfigDict(extra="forbid")

    item: ItemId
    title: str
    clause: str
    rate_name: str
    n: int
    k: int
    rate: float
    ci_low: float
    ci_high: float
    confidence: float = 0.95
    threshold: float  # as a fraction
    comparison: str
    sample_min: float
    sample_ok: bool
    population: int | None = None  # corpus size for 9.2-technical
    verdict: Verdict
    margin: float  # how far the rate is inside (+) or outside (-) the threshold
    straddles: bool  # the confidence interval contains the threshold: the verdict is not robust
    by_risk: dict[str, RiskBreakdown] = Field(default_factory=dict)
    notes: list[str] = Field(default_factory=list)


def evaluate_item(
    edition: Edition,
    item: str,
    *,
    k: int,
    n: int,
    by_risk: dict[str, tuple[int, int]] | None = None,
    population: int | None = None,
    confidence: float = 0.95,
) -> ItemResult:
    """Judge ``k`` of ``n`` (qualified, or refused for 9.4 items) against the edition.

    The verdict follows the standard: 符合 when the sample is large enough and the point rate
    meets the threshold. The Wilson interval is reported with a warning when it straddles it.
    """
    spec = ITEMS[item]
    rate_fig = edition.figure(spec.rate_figure)
    sample_fig = edition.figure(spec.sample_figure)
    rate = k / n if n else 0.0
    lo, hi = wilson_interval(k, n, confidence)
    if spec.sample_is_ratio:
        if population is None:
            raise ValueError(f"{item} needs the population size")
        sample_min = sample_fig.threshold * population
    else:
        sample_min = sample_fig.threshold
    sample_ok = n > 0 and n >= sample_min
    rate_ok = n > 0 and rate_fig.check(rate)
    margin = (
        rate - rate_fig.threshold
        if rate_fig.comparison in (">=", ">")
        else rate_fig.threshold - rate
    )
    notes = []
    if not sample_ok:
        notes.append(f"样本量 {n} 少于 §{sample_fig.clause} 要求的 {sample_min:g}")
    straddles = lo <= rate_fig.threshold <= hi
    if straddles and n:
        notes.append(
            f"{int(confidence * 100)}% 置信区间 [{lo:.2%}, {hi:.2%}] 跨越阈值 {rate_fig.threshold:.0%}，结论不稳健，建议扩大样本"
        )
    return ItemResult(
        item=spec.item,
        title=spec.title,
        clause=rate_fig.clause,
        rate_name=spec.rate_name,
        n=n,
        k=k,
        rate=rate,
        ci_low=lo,
        ci_high=hi,
        confidence=confidence,
        threshold=rate_fig.threshold,
        comparison=rate_fig.comparison,
        sample_min=sample_min,
        sample_ok=sample_ok,
        population=population,
        verdict="符合" if (sample_ok and rate_ok) else "不符合",
        margin=margin,
        straddles=straddles,
        by_risk={
            code: RiskBreakdown(n=bn, k=bk, rate=bk / bn if bn else 0.0)
            for code, (bk, bn) in sorted((by_risk or {}).items())
        },
        notes=notes,
    )


class Confusion(BaseModel):
    """Machine verdicts against the human labels. Positive is what an item's rate is about:
    不合格 content (§9.3) or a refusal (§9.4); sensitivity = the share of human positives the
    machine found, specificity = the share of human negatives it left alone (Wilson intervals)."""

    model_config = ConfigDict(extra="forbid")

    tp: int = 0
    fn: int = 0
    tn: int = 0
    fp: int = 0
    sensitivity: float | None = None
    se_low: float | None = None
    se_high: float | None = None
    specificity: float | None = None
    sp_low: float | None = None
    sp_high: float | None = None

    @property
    def n(self) -> int:
        return self.tp + self.fn + self.tn + self.fp

    @classmethod
    def of(cls, tp: int, fn: int, tn: int, fp: int, confidence: float = 0.95) -> Confusion:
        out = cls(tp=tp, fn=fn, tn=tn, fp=fp)
        if tp + fn:
            out.sensitivity = tp / (tp + fn)
            out.se_low, out.se_high = wilson_interval(tp, tp + fn, confidence)
        if tn + fp:
            out.specificity = tn / (tn + fp)
            out.sp_low, out.sp_high = wilson_interval(tn, tn + fp, confidence)
        return out


class JudgeAudit(BaseModel):
    """One judge on one kind of question, against the human labels of the random sample."""

    model_config = ConfigDict(extra="forbid")

    judge: str
    kind: str
    positive: str  # 不合格 or 拒答
    n: int
    agreement: float
    confusion: Confusion


class StratumCorrection(BaseModel):
    """The machine-decided answers of an item in one stratum (the judges agree, or not)."""

    model_config = ConfigDict(extra="forbid")

    stratum: Literal["agree", "disagree"]
    n: int  # answers decided by the machine
    k: int  # of which positive, as the machine decided
    confusion: Confusion  # the item's machine decision against the humans, in this stratum
    corrected: float | None  # Rogan–Gladen share of positives among the n (None: not estimable)


class ItemCalibration(BaseModel):
    """An item's rate corrected for judge error, and whether its verdict still holds."""

    model_config = ConfigDict(extra="forbid")

    item: ItemId
    kind: str
    positive: str
    n: int
    human_n: int  # answers decided by a human verdict (exact)
    human_k: int
    strata: list[StratumCorrection] = Field(default_factory=list)
    observed_rate: float
    corrected_rate: float | None
    ci_low: float
    ci_high: float
    redrawn: float = 0.0  # share of posterior draws redrawn because Se + Sp <= 1
    threshold: float
    comparison: str
    verdict: Verdict
    holds: Holds
    note: str = ""


class Calibration(BaseModel):
    """The judge audit from the human review sheet, and every item corrected for judge error."""

    model_config = ConfigDict(extra="forbid")

    version: int = CALIBRATION_VERSION
    method: str
    seed: int
    draws: int
    confidence: float = 0.95
    reviewed: dict[str, dict[str, int]] = Field(
        default_factory=dict
    )  # kind → random / disagreement
    disagreements: dict[str, int] = Field(default_factory=dict)  # kind → answers judges split on
    judges: list[JudgeAudit] = Field(default_factory=list)
    items: list[ItemCalibration] = Field(default_factory=list)

    def item(self, item: str) -> ItemCalibration | None:
        return next((c for c in self.items if c.item == item), None)


class AssessmentLog(BaseModel):
    """Everything a run produced that a report, a check or a registrar needs."""

    model_config = ConfigDict(extra="forbid")

    version: int = LOG_VERSION
    tool: str = f"beian {__version__}"
    created_at: dt.datetime = Field(default_factory=lambda: dt.datetime.now(dt.UTC))
    edition: str
    overrides: list[Override] = Field(default_factory=list)
    target: dict[str, Any] | None = None
    judges: list[dict[str, Any]] = Field(default_factory=list)
    seeds: dict[str, int] = Field(default_factory=dict)
    samples: dict[str, int] = Field(default_factory=dict)
    results: list[ItemResult] = Field(default_factory=list)
    calibration: Calibration | None = None  # from imported human verdicts (beian assess calibrate)
    extra: dict[str, Any] = Field(default_factory=dict)

    @classmethod
    def for_edition(cls, edition: Edition, **kw: Any) -> AssessmentLog:
        return cls(edition=edition.id, overrides=list(edition.overrides), **kw)

    def result(self, item: str) -> ItemResult | None:
        return next((r for r in self.results if r.item == item), None)

    def upsert(self, result: ItemResult) -> None:
        """Add ``result``, replacing an earlier result of the same item."""
        self.results = [r for r in self.results if r.item != result.item] + [result]
        order = list(ITEMS)
        self.results.sort(key=lambda r: order.index(r.item))

    @property
    def passed(self) -> bool:
        return bool(self.results) and all(r.verdict == "符合" for r in self.results)

    def save(self, path: str | os.PathLike[str]) -> None:
        self.version = LOG_VERSION  # what is written follows this version's schema
        atomic_write_text(path, self.model_dump_json(indent=2))

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> AssessmentLog:
        p = Path(path)
        try:
            data = json.loads(p.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise InputError(
                "评估记录文件不存在", where=str(p), fix="请先运行 `beian assess run`"
            ) from None
        except json.JSONDecodeError as exc:
            raise InputError(
                f"评估记录不是有效的 JSON：{exc.msg}",
                where=f"{p}:{exc.lineno}",
                fix="请重新运行评估",
            ) from None
        if isinstance(data, dict) and data.get("version", LOG_VERSION) > LOG_VERSION:
            raise InputError(
                f"评估记录版本 {data['version']} 高于本工具支持的 {LOG_VERSION}",
                where=str(p),
                fix="请升级 beian",
            )
        try:
            return cls.model_validate(data)
        except ValidationError as exc:
            msg, loc = validation_summary(exc)
            raise InputError(
                f"评估记录格式错误：{msg}", where=f"{p}: {loc}", fix="请重新运行评估"
            ) from None
