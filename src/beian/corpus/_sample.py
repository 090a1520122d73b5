"""§9.2 sampling across sources with a recorded seed (the project's one draw, streamed).

Each document gets a key ``u = sample_key(seed, doc_id)`` in [0, 1): the draw depends only on
the seed and the ids, not on the order shards finished or which engine ran, and it streams over
the results with bounded memory. The manual sample takes, per source, the documents with the
smallest keys (``allocate``: a quota proportional to the source's size, as the assessment
draws its questions); the technical sample takes every document whose key is below a rate just
above the required share, so it is never short.
"""

from __future__ import annotations

import json
import math
import os
from collections import Counter
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
from pydantic import BaseModel, Field

from beian._shared.sampling import SmallestKeys, allocate, sample_key
from beian.assess import AssessmentLog, ItemResult, evaluate_item
from beian.corpus._engines import load_manifest
from beian.corpus._files import read_output
from beian.corpus._readers import Document, Shard, fetch_documents
from beian.corpus._report import load_report
from beian.errors import InputError
from beian.io import atomic_write_text
from beian.standards import Edition

SAMPLE = "sample.json"
_COLS = ["doc_id", "source", "file", "line", "offset", "bad", "risks", "reasons"]


class SampledDoc(BaseModel):
    doc_id: str
    source: str
    file: str
    line: int
    shard: str
    offset: int
    auto_bad: bool
    auto_reasons: list[str] = Field(default_factory=list)


class SamplePlan(BaseModel):
    """What was drawn, with the seed, so a reviewer's workbook can be checked against it."""

    seed: int
    population: int
    sources: list[str]
    manual: list[SampledDoc]
    technical_rate: float
    technical_n: int
    technical_k: int
    technical_by_risk: dict[str, int] = Field(default_factory=dict)


def draw_samples(
    out: str | os.PathLike[str],
    edition: Edition,
    *,
    seed: int,
    manual_n: int | None = None,
    technical_ratio: float | None = None,
    include_rejected: bool = False,
) -> SamplePlan:
    """Draw both §9.2 samples from the scan in ``out`` and save ``sample.json`` there."""
    out = Path(out)
    manifest = load_manifest(out)
    report = load_report(out)
    sources = [s.name for s in report.sources if include_rejected or s.verdict == "接受"]
    sizes = {s.name: s.docs for s in report.sources if s.name in sources}
    population = sum(sizes.values())
    if population == 0:
        raise InputError(
            "没有可抽样的文档（来源均被拒绝或为空）",
            where=str(out),
            fix="检查来源筛查结论，或使用 --include-rejected",
        )
    manual_n = manual_n or int(edition.figure("assess.corpus.manual_sample_min").threshold)
    ratio = technical_ratio or edition.figure("assess.corpus.technical_sample_ratio_min").threshold
    # four standard deviations above the share: the draw reaches the minimum in practice always
    rate = min(1.0, ratio + 4 * math.sqrt(ratio * (1 - ratio) / population) + 1 / population)
    drawn: SmallestKeys[str, dict[str, Any]] = SmallestKeys(allocate(sizes, manual_n))
    tech_n = tech_k = 0
    tech_risk: Counter[str] = Counter()
    for shard in manifest["shards"]:
        if shard["source"] not in sizes:
            continue
        table = pq.read_table(out / "results" / f"{shard['id']}.parquet", columns=_COLS)
        for row in table.to_pylist():
            u = sample_key(seed, row["doc_id"])
            if u < rate:
                tech_n += 1
                tech_k += not row["bad"]
                tech_risk.update(row["risks"])
            drawn.offer(row["source"], u, row["doc_id"], {**row, "shard": shard["id"]})
    if tech_n < math.ceil(ratio * population):  # pragma: no cover - four sigma
        raise InputError("技术抽检样本不足", where=str(out), fix="请换一个 --seed 重试")
    manual = [
        SampledDoc(
            doc_id=r["doc_id"],
            source=r["source"],
            file=r["file"],
            line=r["line"],
            shard=r["shard"],
            offset=r["offset"],
            auto_bad=r["bad"],
            auto_reasons=r["reasons"],
        )
        for s in sources
        for r in drawn.drawn(s)
    ]
    plan = SamplePlan(
        seed=seed,
        population=population,
        sources=sources,
        manual=manual,
        technical_rate=rate,
        technical_n=tech_n,
        technical_k=tech_k,
        technical_by_risk=dict(sorted(tech_risk.items())),
    )
    atomic_write_text(out / SAMPLE, plan.model_dump_json(indent=1))
    return plan


def load_plan(out: str | os.PathLike[str]) -> SamplePlan:
    return SamplePlan.model_validate_json(read_output(out, SAMPLE, command="beian corpus sample"))


def manual_documents(out: str | os.PathLike[str], plan: SamplePlan) -> list[Document]:
    """The texts of the manual sample, read again from the inputs (in sample order)."""
    manifest = load_manifest(out)
    shards = {s["id"]: Shard.from_dict(s) for s in manifest["shards"]}
    wanted: dict[str, dict[int, int]] = {}
    for d in plan.manual:
        wanted.setdefault(d.shard, {})[d.line] = d.offset
    got: dict[tuple[str, int], Document] = {}
    for sid, lines in wanted.items():
        for line, doc in fetch_documents(shards[sid], set(lines), lines).items():
            got[(sid, line)] = doc
    missing = [d for d in plan.manual if (d.shard, d.line) not in got]
    if missing:
        raise InputError(
            f"{len(missing)} 个样本无法从原文件读回（文件在筛查后被修改？）",
            where=f"{missing[0].file}:{missing[0].line}",
            fix="请重新运行 `beian corpus scan` 与 `beian corpus sample`",
        )
    return [got[(d.shard, d.line)] for d in plan.manual]


def technical_result(plan: SamplePlan, edition: Edition) -> ItemResult:
    """Item 9.2-technical: the sampled documents' automatic screening, against the population."""
    by_risk = {
        r: (plan.technical_n - c, plan.technical_n) for r, c in plan.technical_by_risk.items()
    }
    res = evaluate_item(
        edition,
        "9.2-technical",
        k=plan.technical_k,
        n=plan.technical_n,
        population=plan.population,
        by_risk=by_risk,
    )
    res.notes.append(
        f"随机种子 {plan.seed}；总体为 {len(plan.sources)} 个来源共 {plan.population} 篇文档"
    )
    return res


def record(
    log_path: str | os.PathLike[str], edition: Edition, result: ItemResult, plan: SamplePlan
) -> AssessmentLog:
    """Upsert ``result`` into the AssessmentLog at ``log_path`` (created when missing)."""
    p = Path(log_path)
    log = AssessmentLog.load(p) if p.exists() else AssessmentLog.for_edition(edition)
    log.upsert(result)
    log.seeds["9.2"] = plan.seed
    log.samples[result.item] = result.n
    log.extra.setdefault("corpus", {})[result.item] = json.loads(
        json.dumps({"population": plan.population, "sources": plan.sources})
    )
    log.save(p)
    return log
