from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from subprocess import CompletedProcess

from openpyxl import load_workbook

from beian.assess import AssessmentLog
from tests.corpus.helpers import BAD_WORDS

Cli = Callable[..., CompletedProcess[str]]


def _lexicon(root: Path) -> Path:
    p = root / "lexicon.csv"
    p.write_text(
        "keyword,risk\n" + "".join(f"{w},{r}\n" for w, r in BAD_WORDS.items()), encoding="utf-8"
    )
    return p


def test_scan_needs_a_screener(cli: Cli, corpus: Path, tmp_path: Path) -> None:
    r = cli("corpus", "scan", str(corpus), "-o", str(tmp_path / "out"))
    assert r.returncode == 2
    assert "没有配置任何筛查手段" in r.stderr + r.stdout


def test_bad_sources_file_names_the_field(cli: Cli, tmp_path: Path) -> None:
    y = tmp_path / "sources.yaml"
    y.write_text("sources:\n  - name: a\n    type: 网上\n    paths: [x]\n", encoding="utf-8")
    r = cli("corpus", "scan", str(y), "-o", "out", "-l", "x.csv")
    assert r.returncode == 2
    assert "sources.0.type" in r.stderr + r.stdout


def test_scan_sample_review_report(cli: Cli, corpus: Path, tmp_path: Path) -> None:
    lex = _lexicon(tmp_path)
    out = tmp_path / "out"
    r = cli(
        "corpus", "scan", str(corpus), "-o", str(out), "-l", str(lex), "-j", "2",
        "--shard-mb", "1", "--clean", "--format", "json",
    )  # fmt: skip
    assert r.returncode == 1, r.stderr  # the rejected source and the missing record block
    data = json.loads(r.stdout)
    verdicts = {s["name"]: (s["bad"], s["verdict"]) for s in data["sources"]}
    assert verdicts == {
        "web": (70, "拒绝"),
        "books": (30, "接受"),
        "forum": (6, "接受"),
        "news": (4, "接受"),
    }
    assert {f["code"] for f in data["findings"]} == {"BA-COR-001", "BA-COR-002"}
    assert data["ran"] == data["shards"]
    again = cli("corpus", "scan", str(corpus), "-o", str(out), "-l", str(lex), "--clean")
    assert again.returncode == 1 and "跳过 " in again.stdout
    assert "拒绝" in again.stdout and "BA-COR-002" in again.stdout

    r = cli("corpus", "sample", str(out), "--seed", "11", "--manual", "40")
    assert r.returncode == 0, r.stderr
    assert "随机种子 11" in r.stdout and "语料技术抽检" in r.stdout
    log = AssessmentLog.load(out / "assessment.json")
    tech = log.result("9.2-technical")
    assert tech is not None and tech.population == 1700 and tech.n >= 170
    assert log.seeds["9.2"] == 11

    xlsx = out / "manual-review.xlsx"
    wb = load_workbook(xlsx)
    ws = wb["人工抽检"]
    for row in range(2, ws.max_row + 1):
        text = str(ws.cell(row=row, column=5).value)
        bad = any(w in text for w in BAD_WORDS)
        ws.cell(row=row, column=7, value="否" if bad else "是")
        ws.cell(row=row, column=8, value="A1a" if bad else None)
    wb.save(xlsx)
    r = cli("corpus", "report", str(out), "--reviewed", str(xlsx), "--format", "json")
    assert r.returncode == 1  # 40 reviewed items are fewer than 4,000: 9.2-manual is 不符合
    items = {i["item"]: i for i in json.loads(r.stdout)["items"]}
    assert set(items) == {"9.2-manual", "9.2-technical"}
    assert items["9.2-manual"]["n"] == 40 and items["9.2-manual"]["sample_ok"] is False
    assert AssessmentLog.load(out / "assessment.json").result("9.2-manual") is not None


def test_report_before_scan(cli: Cli, tmp_path: Path) -> None:
    r = cli("corpus", "report", str(tmp_path / "nothing"))
    assert r.returncode == 2 and "beian corpus scan" in r.stderr + r.stdout


def test_scan_with_the_pii_engine(cli: Cli, corpus: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    r = cli("corpus", "scan", str(corpus), "-o", str(out), "--pii", "--pii-is-bad", "-f", "json")
    assert r.returncode == 1, r.stderr  # news lacks its authorisation record
    data = json.loads(r.stdout)
    # every 50th generated document carries a mobile number (helpers.texts)
    assert {s["name"]: (s["pii_docs"], s["bad"]) for s in data["sources"]} == {
        "web": (20, 20),
        "books": (20, 20),
        "forum": (6, 6),
        "news": (8, 8),
    }
    assert data["screeners"]["pii"] == "beian.pii" and data["screeners"]["pii_is_bad"] is True
    assert sum(f["code"] == "BA-COR-006" for f in data["findings"]) == 4


def test_scan_with_a_trained_classifier(cli: Cli, tmp_path: Path) -> None:
    import csv

    from tests.corpus.helpers import texts, write_jsonl, write_sources

    with open(tmp_path / "labelled.csv", "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["text", "label"])
        for t, bad in texts(300, 150, 31):
            w.writerow([t, "A1a" if bad else "safe"])
    r = cli("classifier", "train", str(tmp_path / "labelled.csv"), "-o", str(tmp_path / "clf.pkl"))
    assert r.returncode == 0, r.stderr
    docs = texts(300, 30, 32)  # 10 % planted: the source is rejected
    write_jsonl(tmp_path / "a.jsonl", docs)
    y = write_sources(
        tmp_path, [{"name": "s", "type": "开源", "licence": "x", "paths": ["a.jsonl"]}]
    )
    r = cli(
        "corpus",
        "scan",
        str(y),
        "-o",
        "out",
        "--classifier",
        str(tmp_path / "clf.pkl"),
        "-f",
        "json",
    )
    assert r.returncode == 1, r.stderr
    data = json.loads(r.stdout)
    s = data["sources"][0]
    assert 25 <= s["bad"] <= 35 and s["verdict"] == "拒绝"
    assert data["screeners"]["classifier"] == str(tmp_path / "clf.pkl")
