from __future__ import annotations

import csv
import math
from pathlib import Path

import pytest
from openpyxl import load_workbook

from beian.assess import AssessmentLog
from beian.corpus import (
    Screeners,
    SourceConfig,
    allocate,
    build_report,
    draw_samples,
    export_review,
    import_review,
    manual_documents,
    record,
    sample_key,
    scan_corpus,
    technical_result,
)
from beian.errors import InputError
from beian.standards import Edition, load_edition
from tests.corpus.helpers import BAD_WORDS, WordScreener
from tests.corpus.test_scan import results
from tests.support.office import libreoffice_convert


@pytest.mark.parametrize(
    ("quota", "sizes", "expected"),
    [
        (10, {"a": 50, "b": 50}, {"a": 5, "b": 5}),
        (10, {"a": 70, "b": 20, "c": 10}, {"a": 7, "b": 2, "c": 1}),
        (4, {"a": 1, "b": 1, "c": 1}, {"a": 1, "b": 1, "c": 1}),  # quota above the population
        (3, {"a": 10, "b": 10, "c": 10, "d": 0}, {"a": 1, "b": 1, "c": 1, "d": 0}),
        (2, {"b": 10, "a": 10, "c": 10}, {"a": 1, "b": 1, "c": 0}),  # ties broken by name
        (5, {"a": 0}, {"a": 0}),
    ],
)
def test_allocate(quota: int, sizes: dict[str, int], expected: dict[str, int]) -> None:
    assert allocate(sizes, quota) == expected


@pytest.fixture
def scanned(corpus: Path, tmp_path: Path, edition: Edition) -> Path:
    out = tmp_path / "out"
    scan_corpus(
        SourceConfig.load(corpus),
        Screeners(lexicon=WordScreener()),
        out,
        workers=1,
        shard_bytes=8000,
    )
    build_report(out, edition)
    return out


def test_samples_are_seeded_proportional_and_large_enough(scanned: Path, edition: Edition) -> None:
    plan = draw_samples(scanned, edition, seed=42, manual_n=170)
    # the rejected 'web' source is not in the population
    assert plan.sources == ["books", "forum", "news"] and plan.population == 1700
    by_source = {s: sum(d.source == s for d in plan.manual) for s in plan.sources}
    assert by_source == {"books": 100, "forum": 30, "news": 40}
    assert len({d.doc_id for d in plan.manual}) == 170
    assert plan.technical_n >= math.ceil(0.10 * 1700)
    # recomputed from the Parquet results: documents of accepted sources whose key is under the rate
    rows = [r for r in results(scanned) if r["source"] != "web"]
    drawn = [r for r in rows if sample_key(42, str(r["doc_id"])) < plan.technical_rate]
    assert (plan.technical_n, plan.technical_k) == (len(drawn), sum(not r["bad"] for r in drawn))
    assert plan.technical_k < plan.technical_n  # the planted bad documents are found in the sample
    assert draw_samples(scanned, edition, seed=42, manual_n=170) == plan
    other = draw_samples(scanned, edition, seed=43, manual_n=170)
    assert {d.doc_id for d in other.manual} != {d.doc_id for d in plan.manual}
    with_web = draw_samples(scanned, edition, seed=42, manual_n=270, include_rejected=True)
    assert with_web.population == 2700 and sum(d.source == "web" for d in with_web.manual) == 100


def test_default_manual_size_is_the_edition_figure(scanned: Path) -> None:
    small = load_edition(overrides={"assess.corpus.manual_sample_min": 120}, override_source="test")
    plan = draw_samples(scanned, small, seed=1)  # no manual_n: the edition's figure
    assert len(plan.manual) == 120


def test_a_manual_size_above_the_population_draws_everything(scanned: Path, edition: Edition) -> None:
    plan = draw_samples(scanned, edition, seed=1)
    # 4,000 asked for (the edition's figure), 1,700 documents available: every one is drawn
    assert len(plan.manual) == 1700 == plan.population


def test_technical_item_goes_into_the_assessment_log(
    scanned: Path, edition: Edition, tmp_path: Path
) -> None:
    plan = draw_samples(scanned, edition, seed=5, manual_n=10)
    res = technical_result(plan, edition)
    assert (res.item, res.n, res.population) == ("9.2-technical", plan.technical_n, 1700)
    assert res.sample_ok and res.sample_min == pytest.approx(170)
    assert res.verdict == ("符合" if plan.technical_k / plan.technical_n >= 0.98 else "不符合")
    log_path = tmp_path / "assessment.json"
    record(log_path, edition, res, plan)
    log = AssessmentLog.load(log_path)
    assert log.result("9.2-technical") == res and log.seeds["9.2"] == 5


def _fill(path: Path, verdicts: dict[int, tuple[str, str]]) -> None:
    """Fill the reviewers' columns as a reviewer would in a spreadsheet."""
    wb = load_workbook(path)
    ws = wb["人工抽检"]
    for row, (ok, risk) in verdicts.items():
        ws.cell(row=row, column=7, value=ok)
        ws.cell(row=row, column=8, value=risk or None)
    wb.save(path)


def test_review_workbook_round_trip(scanned: Path, edition: Edition, tmp_path: Path) -> None:
    plan = draw_samples(scanned, edition, seed=9, manual_n=60)
    docs = manual_documents(scanned, plan)
    assert [(d.source, d.file, d.line) for d in docs] == [
        (d.source, d.file, d.line) for d in plan.manual
    ]
    xlsx = tmp_path / "review.xlsx"
    export_review(xlsx, plan, docs)
    ws = load_workbook(xlsx)["人工抽检"]
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0][:3] == ("序号", "样本ID", "来源") and len(rows) == 61
    assert [r[4] for r in rows[1:]] == [d.text for d in docs]
    # every bad document the screener found is marked; the reviewers judge the rest
    verdicts = {
        i + 2: (("否", "A1a") if any(w in d.text for w in BAD_WORDS) or i < 2 else ("是", ""))
        for i, d in enumerate(docs)
    }
    _fill(xlsx, verdicts)
    res = import_review(xlsx, plan, edition)
    bad = sum(v[0] == "否" for v in verdicts.values())
    assert (res.item, res.n, res.k) == ("9.2-manual", 60, 60 - bad)
    assert not res.sample_ok and res.verdict == "不符合"  # 60 < 4,000
    assert res.by_risk["A1a"].k == 60 - bad


def test_review_workbook_opens_in_libreoffice(
    scanned: Path, edition: Edition, tmp_path: Path
) -> None:
    plan = draw_samples(scanned, edition, seed=9, manual_n=12)
    xlsx = tmp_path / "review.xlsx"
    export_review(xlsx, plan, manual_documents(scanned, plan))
    libreoffice_convert(
        [xlsx], "csv:Text - txt - csv (StarCalc):44,34,76", tmp_path, profile=tmp_path / "lo"
    )
    with open(tmp_path / "review.csv", encoding="utf-8") as fh:
        table = list(csv.reader(fh))
    assert table[0][1] == "样本ID" and [r[1] for r in table[1:]] == [d.doc_id for d in plan.manual]


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        ({2: ("也许", "")}, "应为 是 或 否"),
        ({2: ("否", "Z9z")}, "Z9z 不在附录A中"),
        ({2: (None, "")}, "(空)"),
    ],
)
def test_review_problems_are_listed_with_rows(
    scanned: Path,
    edition: Edition,
    tmp_path: Path,
    edit: dict[int, tuple[str | None, str]],
    message: str,
) -> None:
    plan = draw_samples(scanned, edition, seed=9, manual_n=5)
    xlsx = tmp_path / "review.xlsx"
    export_review(xlsx, plan, manual_documents(scanned, plan))
    _fill(xlsx, {r: ("是", "") for r in range(2, 7)} | edit)  # type: ignore[operator]
    with pytest.raises(InputError) as exc:
        import_review(xlsx, plan, edition)
    assert message in exc.value.what and "review.xlsx!人工抽检:2" in exc.value.what


def test_review_missing_and_foreign_rows(scanned: Path, edition: Edition, tmp_path: Path) -> None:
    plan = draw_samples(scanned, edition, seed=9, manual_n=5)
    xlsx = tmp_path / "review.xlsx"
    export_review(xlsx, plan, manual_documents(scanned, plan))
    _fill(xlsx, {r: ("是", "") for r in range(2, 7)})
    wb = load_workbook(xlsx)
    ws = wb["人工抽检"]
    ws.delete_rows(3)
    ws.cell(row=6, column=2, value="其他:1")
    ws.cell(row=6, column=7, value="是")
    wb.save(xlsx)
    with pytest.raises(InputError) as exc:
        import_review(xlsx, plan, edition)
    assert "1 个样本没有出现在审核表中" in exc.value.what
    assert "其他:1 不在本次抽样中" in exc.value.what
