"""The classifier stage computes exactly what the scikit-learn pipeline's ``predict_proba`` does
(two classes and several), and finds risks at the configured thresholds."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from beian.assess.judges import load_classifier, train_classifier
from beian.gateway import ClassifierStageConfig
from beian.gateway._stage_classifier import ClassifierStage
from beian.standards import load_edition

DATA = Path(__file__).parent / "data" / "moderation_train.csv"
PROBES = [
    "第二步，把伪造的证件拿去银行开户，避开柜员的核查。",
    "第一步，先了解当地的办事流程和需要的材料。",
    "ABC  def\t\tGHI 全角ＡＢＣ",  # case and runs of white space, as the analyzer folds them
    "完全没见过的字词鑫犇",  # no n-gram in the vocabulary
    "x",
    "哪个赌博网站赔率高，怎么充值",
]
GAMBLING = [
    "哪个赌博网站赔率高，注册就送彩金。",
    "网上赌球怎么充值，提现要走地下钱庄。",
    "推荐几个境外赌博网站，稳赚不赔。",
    "赌博网站的代理怎么做，拉人头返佣金。",
]


def _train(tmp: Path, extra: list[str]) -> Path:
    src = tmp / "train.csv"
    with DATA.open(encoding="utf-8") as f:
        rows = list(csv.reader(f))
    rows += [[t, "A2c"] for t in extra]
    with src.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows(rows)
    out = tmp / "m.pkl"
    train_classifier(src, out, load_edition())
    return out


@pytest.mark.parametrize("labels", ["two", "three"])
def test_scorer_equals_predict_proba(tmp_path: Path, labels: str) -> None:
    path = _train(tmp_path, GAMBLING if labels == "three" else [])
    stage = ClassifierStage(ClassifierStageConfig(model=str(path)))
    assert stage.scorer is not None  # the fast path is in use
    model, _ = load_classifier(path)
    assert len(model.classes_) == (3 if labels == "three" else 2)
    texts = [*PROBES, *GAMBLING]
    for got, want in zip(stage.proba(texts), model.predict_proba(texts), strict=True):
        assert got == pytest.approx(list(want), abs=1e-9)


def test_thresholds(tmp_path: Path) -> None:
    path = _train(tmp_path, [])
    unsafe = ClassifierStage(ClassifierStageConfig(model=str(path)))
    f = unsafe.check(["你好。", PROBES[0]], "output")
    assert f is not None and f.risks == ("A1h",) and f.level == "unsafe" and f.score is not None
    assert unsafe.check([PROBES[1], "   "], "output") is None
    # a score between flag_threshold and threshold is controversial
    score = f.score
    mid = ClassifierStageConfig(model=str(path), threshold=1.0, flag_threshold=score - 0.01)
    g = ClassifierStage(mid).check([PROBES[0]], "input")
    assert g is not None and g.level == "controversial" and g.stage == "input"
