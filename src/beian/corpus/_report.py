"""Per-source verdicts (§5.1 a): illegal ratio, Wilson interval, accept / reject, findings."""

from __future__ import annotations

import json
import os
from collections import Counter
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pyarrow.parquet as pq
from pydantic import BaseModel, Field

from beian.assess import wilson_interval
from beian.corpus._codes import (
    DUPLICATE_IDS,
    PII_PRESENT,
    RECORD_CORRUPT,
    SOURCE_REJECTED,
    SOURCE_STRADDLES,
)
from beian.corpus._engines import MANIFEST, load_manifest
from beian.corpus._files import read_output
from beian.corpus._shard import load_summary
from beian.corpus._sources import SourceConfig, SourceSpec, provenance_findings
from beian.errors import InputError
from beian.findings import Finding, Location
from beian.io import atomic_write_text
from beian.standards import Edition, Figure

REPORT = "report.json"
ERRORS = "errors.jsonl"
RATIO_FIGURE = "corpus.source_harmful_ratio_max"


class SourceResult(BaseModel):
    name: str
    type: str
    files: int
    shards: int
    docs: int
    bad: int
    ratio: float
    ci_low: float
    ci_high: float
    errors: int
    pii_docs: int
    by_risk: dict[str, int] = Field(default_factory=dict)
    missing_records: list[str] = Field(default_factory=list)
    duplicate_ids: int = 0  # documents whose id_field value an earlier document already had
    duplicate_examples: list[str] = Field(default_factory=list)
    verdict: Literal["接受", "拒绝"]
    straddles: bool


class CorpusReport(BaseModel):
    edition: str
    clause: str
    threshold: float
    screeners: dict[str, Any]
    docs: int
    bad: int
    errors: int
    sources: list[SourceResult]
    findings: list[Finding]

    def source(self, name: str) -> SourceResult:
        return next(s for s in self.sources if s.name == name)

    @property
    def accepted(self) -> list[str]:
        return [s.name for s in self.sources if s.verdict == "接受"]


def _config(manifest: dict[str, Any]) -> SourceConfig:
    return SourceConfig(
        sources=[SourceSpec.model_validate(s) for s in manifest["sources"]], base=manifest["base"]
    )


def build_report(out: str | os.PathLike[str], edition: Edition) -> CorpusReport:
    """Aggregate the finished shards of the scan in ``out``; writes report.json and errors.jsonl."""
    out = Path(out)
    manifest = load_manifest(out)
    cfg = _config(manifest)
    fig = edition.figure(RATIO_FIGURE)
    agg, errors_out = _aggregate(out, manifest, cfg)
    where = str(out / MANIFEST)
    findings = provenance_findings(cfg, where)
    results = []
    for s in cfg.sources:
        res = _source_result(out, manifest, s, agg[s.name], fig)
        results.append(res)
        findings.extend(_source_findings(res, fig.threshold, where))
    report = CorpusReport(
        edition=edition.id,
        clause=fig.clause,
        threshold=fig.threshold,
        screeners=manifest["screeners"],
        docs=sum(r.docs for r in results),
        bad=sum(r.bad for r in results),
        errors=sum(r.errors for r in results),
        sources=results,
        findings=edition.cite_findings(findings),
    )
    atomic_write_text(out / ERRORS, "".join(e + "\n" for e in errors_out))
    atomic_write_text(out / REPORT, report.model_dump_json(indent=2))
    return report


def _aggregate(
    out: Path, manifest: dict[str, Any], cfg: SourceConfig
) -> tuple[dict[str, dict[str, Any]], list[str]]:
    """Per source: the shards' counts summed; and every bad record as a JSON line."""
    agg: dict[str, dict[str, Any]] = {
        s.name: {"docs": 0, "bad": 0, "errors": 0, "pii": 0, "risk": Counter(), "shards": 0,
                 "files": set()}
        for s in cfg.sources
    }  # fmt: skip
    missing = []
    errors_out: list[str] = []
    for shard in manifest["shards"]:
        summary = load_summary(out, shard["id"])
        if summary is None:
            missing.append(f"{shard['display']}[{shard['start']}:{shard['end']}]")
            continue
        a = agg[shard["source"]]
        a["docs"] += summary["docs"]
        a["bad"] += summary["bad"]
        a["errors"] += len(summary["errors"])
        a["pii"] += summary["pii_docs"]
        a["risk"].update(summary["by_risk"])
        a["shards"] += 1
        a["files"].add(shard["display"])
        errors_out.extend(
            json.dumps({"source": shard["source"], **e}, ensure_ascii=False)
            for e in summary["errors"]
        )
    if missing:
        raise InputError(
            f"筛查未完成：{len(missing)} 个分片没有结果（如 {missing[0]}）",
            where=str(out),
            fix="请重新运行 `beian corpus scan`，已完成的分片会被跳过",
        )
    return agg, errors_out


def _source_result(
    out: Path, manifest: dict[str, Any], s: SourceSpec, a: dict[str, Any], fig: Figure
) -> SourceResult:
    """One source's ratio, interval, verdict and record-keeping facts."""
    dups, examples = (
        _duplicate_ids(out, [sh for sh in manifest["shards"] if sh["source"] == s.name])
        if s.id_field
        else (0, [])
    )
    n, k = a["docs"], a["bad"]
    ratio = k / n if n else 0.0
    lo, hi = wilson_interval(k, n)
    ok = n > 0 and fig.check(ratio)
    return SourceResult(
        name=s.name,
        type=s.type,
        files=len(a["files"]),
        shards=a["shards"],
        docs=n,
        bad=k,
        ratio=ratio,
        ci_low=lo,
        ci_high=hi,
        errors=a["errors"],
        pii_docs=a["pii"],
        by_risk=dict(sorted(a["risk"].items())),
        missing_records=s.missing_records(),
        duplicate_ids=dups,
        duplicate_examples=examples,
        verdict="接受" if ok else "拒绝",
        straddles=n > 0 and lo <= fig.threshold <= hi,
    )


def _duplicate_ids(out: Path, shards: list[dict[str, Any]]) -> tuple[int, list[str]]:
    """How many documents of one source repeat an earlier document's id, and a few such ids.

    One pass keeps a 64-bit hash per id (8 bytes a document, not the strings); only ids whose
    hash repeats are read again and compared as strings, so hash collisions never count.
    """
    paths = [out / "results" / f"{sh['id']}.parquet" for sh in shards]
    hashes = [
        np.fromiter(map(hash, ids), dtype=np.int64, count=len(ids))
        for ids in (pq.read_table(p, columns=["doc_id"]).column(0).to_pylist() for p in paths)
    ]
    h = np.sort(np.concatenate(hashes)) if hashes else np.zeros(0, dtype=np.int64)
    repeated = set(h[1:][h[1:] == h[:-1]].tolist())
    if not repeated:
        return 0, []
    seen: Counter[str] = Counter()
    for p in paths:
        seen.update(
            i for i in pq.read_table(p, columns=["doc_id"]).column(0).to_pylist()
            if hash(i) in repeated
        )  # fmt: skip
    dups = {i: n for i, n in seen.items() if n > 1}
    return sum(n - 1 for n in dups.values()), sorted(dups)[:5]


def _source_findings(r: SourceResult, threshold: float, where: str) -> list[Finding]:
    loc = Location(file=where, field=f"sources.{r.name}")
    out = []
    if r.verdict == "拒绝":
        why = (
            "没有可筛查的文档"
            if r.docs == 0
            else f"违法不良信息占比 {r.ratio:.2%}（{r.bad}/{r.docs}）"
        )
        out.append(
            Finding.of(
                SOURCE_REJECTED,
                f"来源 {r.name}：{why}，超过上限 {threshold:.0%}",
                fix="不采集、不使用该来源训练；或清洗后重新评估",
                location=loc,
            )
        )
    if r.straddles:
        out.append(
            Finding.of(
                SOURCE_STRADDLES,
                f"来源 {r.name}：占比 95% 置信区间 [{r.ci_low:.2%}, {r.ci_high:.2%}] 跨越 {threshold:.0%}",
                fix="扩大该来源的筛查范围或人工复核",
                location=loc,
            )
        )
    if r.errors:
        out.append(
            Finding.of(
                RECORD_CORRUPT,
                f"来源 {r.name}：{r.errors} 条记录损坏或缺少文本，未筛查（明细见 errors.jsonl）",
                fix="修复这些记录后重新筛查",
                location=loc,
            )
        )
    if r.duplicate_ids:
        out.append(
            Finding.of(
                DUPLICATE_IDS,
                f"来源 {r.name}：{r.duplicate_ids} 篇文档的编号与前面的文档重复"
                f"（如 {'、'.join(r.duplicate_examples[:3])}）",
                fix="让 id_field 在来源内唯一（或不设 id_field，改用 来源:文件:行号）后重新筛查",
                location=loc,
            )
        )
    if r.pii_docs:
        out.append(
            Finding.of(
                PII_PRESENT,
                f"来源 {r.name}：{r.pii_docs} 篇文档含个人信息",
                fix="确认已取得个人同意，或用 `beian pii redact` 去标识化",
                location=loc,
            )
        )
    return out


def load_report(out: str | os.PathLike[str]) -> CorpusReport:
    return CorpusReport.model_validate_json(read_output(out, REPORT, command="beian corpus scan"))
