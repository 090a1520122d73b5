"""§9.3's three methods are independent: a human verdict never changes the keyword or classifier item."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from beian.assess import load_assess_config, rescore, run_assessment
from beian.assess.judges import Policy, save_manual
from beian.demo import DemoServer
from beian.errors import ConfigError
from beian.standards import load_edition

from .conftest import DEMO_DATA, EXAMPLE_DATA, write_small_bank

ED = load_edition("tc260-003-2024")


def _run(tmp_path: Path, server: DemoServer, manual_wins: bool, judges: dict[str, object] | None = None) -> Path:
    bank = write_small_bank(tmp_path / "bank.jsonl", {"generation": 30, "must_refuse": 20, "must_answer": 10})
    cfg = {
        "name": "methods",
        "banks": [bank.name],
        "target": {"base_url": server.base_url, "model": "m"},
        "judges": judges or {"refusal": {}, "keyword": {"lexicon": str(EXAMPLE_DATA / "lexicon.csv")}},
        "policy": {"manual_wins": manual_wins},
        "sampling": {"generation": "all", "must_refuse": "all", "must_answer": "all"},
    }
    (tmp_path / "assess.yaml").write_text(yaml.safe_dump(cfg, allow_unicode=True), "utf-8")
    run_assessment(load_assess_config(tmp_path / "assess.yaml"), ED, tmp_path / "run")
    return tmp_path / "run"


@pytest.mark.parametrize("manual_wins", [True, False])
def test_human_verdicts_do_not_overwrite_keyword_item(tmp_path: Path, demo: DemoServer, manual_wins: bool) -> None:
    import json

    run = _run(tmp_path, demo, manual_wins)
    before = json.loads((run / "assessment.json").read_text("utf-8"))
    kw_before = next(r for r in before["results"] if r["item"] == "9.3-keyword")
    mr_before = next(r for r in before["results"] if r["item"] == "9.4-must_refuse")
    recs = [json.loads(line) for line in (run / "records.jsonl").read_text("utf-8").splitlines()]
    # the humans disagree with every machine verdict
    manual = {}
    for r in recs:
        if r["kind"] == "generation":
            manual[r["id"]] = {"label": "合格" if r["verdicts"]["keyword"]["unsafe"] else "不合格"}
        elif r["kind"] == "must_refuse":
            manual[r["id"]] = {"label": "正常回答" if r["verdicts"]["refusal"]["refused"] else "拒答"}
    save_manual(run, manual)
    log = rescore(run, ED)
    kw = log.result("9.3-keyword")
    assert kw is not None and (kw.n, kw.k) == (kw_before["n"], kw_before["k"])  # untouched
    gen = sum(r["kind"] == "generation" for r in recs)
    man = log.result("9.3-manual")
    assert man is not None and (man.n, man.k) == (gen, gen - kw_before["k"])  # the humans' own item
    mr = log.result("9.4-must_refuse")
    assert mr is not None
    if manual_wins:  # §9.4 may still follow the humans
        assert mr.k == mr_before["n"] - mr_before["k"]
    else:
        assert mr.k == mr_before["k"]
    assert all(
        rec["final"]["9.3-keyword"]["by"] == "keyword"
        for rec in (json.loads(line) for line in (run / "records.jsonl").read_text("utf-8").splitlines())
        if rec["kind"] == "generation"
    )


@pytest.mark.parametrize("manual_wins", [True, False])
def test_human_verdicts_do_not_overwrite_classifier_item(tmp_path: Path, manual_wins: bool) -> None:
    """The same for §9.3's classifier method, end to end: run, import human verdicts that
    contradict every classifier verdict, rescore; the classifier item stays the classifier's."""
    import json

    from beian.assess.judges import train_classifier
    from beian.demo import DemoBehavior, serve_in_thread

    model = tmp_path / "classifier.pkl"
    train_classifier(DEMO_DATA / "classifier_train.csv", model, ED, seed=0)
    with serve_in_thread(DemoBehavior(unsafe_every=4)) as server:  # some answers are unsafe
        run = _run(tmp_path, server, manual_wins, {"refusal": {}, "classifier": {"model": str(model)}})
    before = json.loads((run / "assessment.json").read_text("utf-8"))
    cl_before = next(r for r in before["results"] if r["item"] == "9.3-classifier")
    recs = [json.loads(line) for line in (run / "records.jsonl").read_text("utf-8").splitlines()]
    gen = [r for r in recs if r["kind"] == "generation"]
    assert {r["verdicts"]["classifier"]["unsafe"] for r in gen} == {True, False}  # both kinds to flip
    save_manual(run, {r["id"]: {"label": "合格" if r["verdicts"]["classifier"]["unsafe"] else "不合格"} for r in gen})
    log = rescore(run, ED)
    cl = log.result("9.3-classifier")
    assert cl is not None and (cl.n, cl.k, cl.verdict) == (cl_before["n"], cl_before["k"], cl_before["verdict"])
    man = log.result("9.3-manual")
    assert man is not None and (man.n, man.k) == (len(gen), len(gen) - cl_before["k"])  # the humans' own item
    after = [json.loads(line) for line in (run / "records.jsonl").read_text("utf-8").splitlines()]
    assert all(rec["final"]["9.3-classifier"]["by"] == "classifier" for rec in after if rec["kind"] == "generation")
    # the calibration audits the classifier against the humans (it is wrong on every answer)
    assert log.calibration is not None
    audit = next(a for a in log.calibration.judges if a.judge == "classifier")
    assert audit.n == len(gen) and audit.agreement == 0.0


@pytest.mark.parametrize(
    ("item", "judges"),
    [
        ("9.3-keyword", ["keyword", "human"]),
        ("9.3-classifier", ["classifier", "human"]),
        ("9.3-classifier", ["classifier", "keyword"]),
        ("9.3-manual", ["human", "keyword"]),
    ],
)
def test_policy_refuses_mixed_methods(item: str, judges: list[str]) -> None:
    with pytest.raises(ConfigError) as exc:
        Policy.from_config({"items": {item: {"judges": judges}}}, {"human", "keyword", "classifier", "refusal"})
    assert exc.value.where == f"assess.yaml: policy.items.{item}.judges" and "相互独立" in exc.value.what
