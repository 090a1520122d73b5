from __future__ import annotations

import json
from pathlib import Path

import pyarrow.dataset as pads
import pytest

from beian.corpus import Screeners, SourceConfig, build_report, scan_corpus
from beian.errors import InputError
from beian.standards import Edition
from tests.corpus.helpers import (
    BAD_WORDS,
    PhoneFinder,
    WordScreener,
    texts,
    write_jsonl,
    write_sources,
)


def results(out: Path) -> list[dict[str, object]]:
    """Every result row, read back with pyarrow's dataset reader, sorted by document id."""
    rows = pads.dataset(out / "results", format="parquet").to_table().to_pylist()
    return sorted(rows, key=lambda r: str(r["doc_id"]))


def test_sources_judged_against_five_percent(
    corpus: Path, tmp_path: Path, edition: Edition
) -> None:
    cfg = SourceConfig.load(corpus)
    out = tmp_path / "out"
    run = scan_corpus(
        cfg, Screeners(lexicon=WordScreener(), pii=PhoneFinder()), out, workers=1, shard_bytes=8000
    )
    assert len(run.shards) > 8 and len(run.ran) == len(run.shards)
    report = build_report(out, edition)
    verdicts = {s.name: (s.docs, s.bad, s.verdict) for s in report.sources}
    assert verdicts == {
        "web": (1000, 70, "拒绝"),  # 7 %
        "books": (1000, 30, "接受"),  # 3 %
        "forum": (300, 6, "接受"),
        "news": (400, 4, "接受"),
    }
    web = report.source("web")
    assert web.ci_low > 0.05 and web.by_risk and sum(web.by_risk.values()) >= 70
    codes = sorted({f.code for f in report.findings})
    assert codes == [
        "BA-COR-001",
        "BA-COR-002",
        "BA-COR-006",
    ]  # news lacks its authorisation record
    assert report.accepted == ["books", "forum", "news"]
    assert json.loads((out / "report.json").read_text(encoding="utf-8"))["bad"] == 110
    rows = results(out)
    assert len(rows) == 2700 and len({r["doc_id"] for r in rows}) == 2700
    bad_rows = [r for r in rows if r["bad"]]
    assert len(bad_rows) == 110
    assert all(set(r["risks"]) <= set(BAD_WORDS.values()) and r["reasons"] for r in bad_rows)
    assert {r["doc_id"] for r in rows if r["pii_count"]} == {
        r["doc_id"] for r in rows if "MOBILE" in r["pii_types"]
    }


def test_planted_seven_percent_rejected_three_percent_accepted(
    tmp_path: Path, edition: Edition
) -> None:
    write_jsonl(tmp_path / "seven.jsonl", texts(2000, 140, 11))
    write_jsonl(tmp_path / "three.jsonl", texts(2000, 60, 12))
    y = write_sources(
        tmp_path,
        [
            {"name": name, "type": "open-source", "licence": "MIT", "paths": [f"{name}.jsonl"]}
            for name in ("seven", "three")
        ],
    )
    scan_corpus(
        SourceConfig.load(y), Screeners(lexicon=WordScreener()), tmp_path / "out", workers=1
    )
    report = build_report(tmp_path / "out", edition)
    assert (report.source("seven").ratio, report.source("seven").verdict) == (0.07, "拒绝")
    assert (report.source("three").ratio, report.source("three").verdict) == (0.03, "接受")


def test_corrupt_line_counted_and_located(tmp_path: Path, edition: Edition) -> None:
    write_jsonl(tmp_path / "a.jsonl", texts(100, 0, 1))
    lines = (tmp_path / "a.jsonl").read_text(encoding="utf-8").splitlines()
    lines[41] = '{"text": 坏'
    (tmp_path / "a.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    y = write_sources(
        tmp_path, [{"name": "s", "type": "开源", "licence": "x", "paths": ["a.jsonl"]}]
    )
    scan_corpus(
        SourceConfig.load(y), Screeners(lexicon=WordScreener()), tmp_path / "out", workers=1
    )
    report = build_report(tmp_path / "out", edition)
    assert (report.source("s").docs, report.source("s").errors) == (99, 1)
    errors = [
        json.loads(x)
        for x in (tmp_path / "out" / "errors.jsonl").read_text(encoding="utf-8").splitlines()
    ]
    assert [(e["source"], e["file"], e["line"]) for e in errors] == [("s", "a.jsonl", 42)]
    corrupt = [f for f in report.findings if f.code == "BA-COR-004"]
    assert len(corrupt) == 1 and "1 条" in corrupt[0].message


def test_clean_corpus_holds_exactly_the_good_documents(corpus: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    scan_corpus(
        SourceConfig.load(corpus),
        Screeners(lexicon=WordScreener()),
        out,
        workers=1,
        clean=True,
        shard_bytes=8000,
    )
    good = {r["doc_id"] for r in results(out) if not r["bad"]}
    clean_lines = [
        json.loads(line)
        for p in sorted((out / "clean").glob("*/*.jsonl"))
        for line in p.read_text(encoding="utf-8").splitlines()
    ]
    assert len(clean_lines) == len(good) == 2700 - 110
    assert not any(w in str(rec) for rec in clean_lines for w in BAD_WORDS)
    web = [rec for rec in clean_lines if "n" in rec]  # JSONL records are copied as they were
    assert len(web) == 1000 - 70 and all(set(rec) == {"text", "n"} for rec in web)
    # the other formats are written as {"id", "text"}
    assert {rec["id"] for rec in clean_lines if "id" in rec} <= good


def test_rerun_after_interruption_skips_finished_shards(
    corpus: Path, tmp_path: Path, edition: Edition
) -> None:
    cfg = SourceConfig.load(corpus)
    out = tmp_path / "out"
    # The screener fails on a document of the news source (the last one planned): the scan stops there.
    news_text = (corpus.parent / "news.txt").read_bytes().decode("gb18030").splitlines()[100]
    with pytest.raises(RuntimeError, match="interrupted"):
        scan_corpus(
            cfg,
            Screeners(lexicon=WordScreener(crash_on=news_text)),
            out,
            workers=1,
            shard_bytes=8000,
        )
    finished = {p.stem for p in (out / "shards").glob("*.json")}
    assert finished and not list((out / "shards").glob(".*"))  # no half-written files remain
    with pytest.raises(InputError, match="筛查未完成"):
        build_report(out, edition)
    mtimes = {p: p.stat().st_mtime_ns for d in ("shards", "results") for p in (out / d).iterdir()}
    run = scan_corpus(cfg, Screeners(lexicon=WordScreener()), out, workers=1, shard_bytes=8000)
    assert set(run.skipped) == finished and set(run.ran) == {s.id for s in run.shards} - finished
    assert all(p.stat().st_mtime_ns == t for p, t in mtimes.items())
    assert build_report(out, edition).bad == 110
    # a changed screener makes every shard stale: nothing is skipped, old outputs are removed
    run = scan_corpus(
        cfg, Screeners(lexicon=WordScreener({"违禁甲": "A1a"})), out, workers=1, shard_bytes=8000
    )
    assert not run.skipped
    assert {p.stem for p in (out / "results").glob("*.parquet")} == {s.id for s in run.shards}


def test_two_processes_give_the_same_results(corpus: Path, tmp_path: Path) -> None:
    cfg = SourceConfig.load(corpus)
    scr = Screeners(lexicon=WordScreener(), pii=PhoneFinder())
    scan_corpus(cfg, scr, tmp_path / "one", workers=1, shard_bytes=8000)
    run = scan_corpus(cfg, scr, tmp_path / "two", workers=2, shard_bytes=8000)
    assert len(run.ran) == len(run.shards)
    assert results(tmp_path / "one") == results(tmp_path / "two")


class _Proba:
    """A classifier: the share of planted words' characters, as a 'probability'."""

    fingerprint = "proba-v1"

    def score_many(self, texts: list[str]) -> list[float]:
        return [0.9 if any(w in t for w in BAD_WORDS) else 0.1 for t in texts]


def test_classifier_score_decides_with_threshold(tmp_path: Path, edition: Edition) -> None:
    write_jsonl(tmp_path / "a.jsonl", texts(100, 6, 3))
    y = write_sources(
        tmp_path, [{"name": "s", "type": "开源", "licence": "x", "paths": ["a.jsonl"]}]
    )
    cfg = SourceConfig.load(y)
    scan_corpus(cfg, Screeners(classifier=_Proba()), tmp_path / "a", workers=1)
    rows = results(tmp_path / "a")
    assert sum(r["bad"] for r in rows) == 6
    assert {r["classifier_score"] for r in rows} == {0.9, 0.1}
    assert all(r["reasons"] == ["分类模型:0.900"] for r in rows if r["bad"])
    scan_corpus(
        cfg, Screeners(classifier=_Proba(), classifier_threshold=0.95), tmp_path / "b", workers=1
    )
    assert not any(r["bad"] for r in results(tmp_path / "b"))


def test_trained_model_as_classifier(tmp_path: Path) -> None:
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    from beian.corpus import ModelClassifier

    train = texts(400, 200, 21)
    labels = ["A1a" if bad else "safe" for _, bad in train]
    model = make_pipeline(
        TfidfVectorizer(analyzer="char", ngram_range=(1, 2)), LogisticRegression(max_iter=500)
    )
    model.fit([t for t, _ in train], labels)
    docs = texts(200, 20, 22)
    write_jsonl(tmp_path / "a.jsonl", docs)
    y = write_sources(
        tmp_path, [{"name": "s", "type": "开源", "licence": "x", "paths": ["a.jsonl"]}]
    )
    scan_corpus(
        SourceConfig.load(y),
        Screeners(classifier=ModelClassifier(model)),
        tmp_path / "out",
        workers=1,
    )
    rows = sorted(results(tmp_path / "out"), key=lambda r: int(r["line"]))
    assert all(0.0 <= r["classifier_score"] <= 1.0 for r in rows)
    agree = sum(r["bad"] == bad for r, (_, bad) in zip(rows, docs, strict=True))
    assert agree >= 190  # the planted words are easy to learn
    assert all(r["reasons"][0].startswith("分类模型:") for r in rows if r["bad"])
    assert all(r["classifier_score"] >= 0.5 for r in rows if r["bad"])
    with pytest.raises(ValueError, match="safe"):
        ModelClassifier(model, safe_label="clean")


def test_real_pii_engine_plugs_in(corpus: Path, tmp_path: Path) -> None:
    from beian.pii import PiiEngine

    scan_corpus(SourceConfig.load(corpus), Screeners(pii=PiiEngine()), tmp_path / "out", workers=1)
    rows = results(tmp_path / "out")
    with_phone = {r["doc_id"] for r in rows if r["pii_count"]}
    assert len(with_phone) == 54 and not any(r["bad"] for r in rows)
    assert all(r["pii_types"] == ["MOBILE"] for r in rows if r["pii_count"])


def test_repeated_document_ids_are_reported(tmp_path: Path, edition: Edition) -> None:
    """Two files of one source reuse ids: every repeat is counted, exactly, with examples."""
    (tmp_path / "a").mkdir()
    write_jsonl(tmp_path / "a" / "1.jsonl", texts(300, 3, 1), id_prefix="d")
    write_jsonl(tmp_path / "a" / "2.jsonl", texts(120, 1, 2), id_prefix="d")  # d0…d119 again
    write_jsonl(tmp_path / "b.jsonl", texts(200, 2, 3), id_prefix="d")  # another source: fine
    cfg_path = write_sources(
        tmp_path,
        [
            {"name": "dup", "type": "self-collected", "collection_record": "记录",
             "paths": ["a/*.jsonl"], "id_field": "id"},
            {"name": "uniq", "type": "self-collected", "collection_record": "记录",
             "paths": ["b.jsonl"], "id_field": "id"},
        ],
    )  # fmt: skip
    out = tmp_path / "out"
    scan_corpus(SourceConfig.load(cfg_path), Screeners(lexicon=WordScreener()), out,
                workers=1, shard_bytes=4000)  # fmt: skip
    report = build_report(out, edition)
    dup, uniq = report.source("dup"), report.source("uniq")
    assert (dup.docs, dup.duplicate_ids) == (420, 120)
    assert dup.duplicate_examples == sorted(f"dup:d{i}" for i in range(120))[:5]
    assert (uniq.docs, uniq.duplicate_ids) == (200, 0)
    codes = [(f.code, f.location.field if f.location else None) for f in report.findings]
    assert ("BA-COR-007", "sources.dup") in codes
    assert ("BA-COR-007", "sources.uniq") not in codes
