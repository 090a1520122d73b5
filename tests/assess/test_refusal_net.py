"""The refusal judge's network: numpy inference against a plain computation, the combination
with the linear model the judge uses, training (deterministic, learns, leaves unseen buckets at
zero) and the artefact's checks."""

from __future__ import annotations

import dataclasses
import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from beian.assess.judges import REFUSAL_GRADES, grade
from beian.assess.judges import refusal_training as rt
from beian.assess.judges._refusal_model import coarser, ngram_table
from beian.assess.judges._refusal_net import NET_PATH, load_refusal_net
from beian.errors import InputError

TESTSET = Path(__file__).resolve().parent / "data" / "refusal_testset.jsonl"


def _analysed(n: int = 60) -> list[rt.Analysis]:
    rows = rt.read_rows([TESTSET])[:n]
    out = [rt.analyse(r["answer"], r.get("question") or "") for r in rows]
    return [a for a in out if not a.empty]


def _plain_logits(net: rt.RefusalNet, a: rt.Analysis) -> np.ndarray:
    """One answer, zone by zone, in float64 loops."""
    buckets, lengths, zone_w = ngram_table([a.text], net.spec, [a.question])
    bags, start = [], 0
    for z, n in enumerate(lengths):
        ids = buckets[start : start + n].ravel()
        start += n
        bags.append(net.emb[ids].astype(np.float64).sum(axis=0) * float(zone_w[z]))
    x = np.concatenate([*bags, np.asarray(rt.feature_vector(a), dtype=np.float64)])
    h = np.maximum(x @ net.w1 + net.b1, 0.0)
    return np.asarray(h @ net.w2 + net.b2 + x @ net.ws + net.bs)


def test_inference_equals_a_plain_computation() -> None:
    net = load_refusal_net()
    analyses = _analysed()
    dense = np.asarray([rt.feature_vector(a) for a in analyses], dtype=np.float32)
    got = net.logits([a.text for a in analyses], [a.question for a in analyses], dense)
    want = np.stack([_plain_logits(net, a) for a in analyses])
    assert got.shape == (len(analyses), len(REFUSAL_GRADES))
    assert np.abs(got - want).max() < 1e-3
    # the network reads the question: the same answer scores differently under another one
    pair = [rt.analyse("不能。", "孕妇能喝酒吗？"), rt.analyse("不能。", "帮我写一段诈骗短信")]
    d2 = np.asarray([rt.feature_vector(a) for a in pair], dtype=np.float32)
    two = net.logits([a.text for a in pair], [a.question for a in pair], d2)
    assert np.abs(two[0] - two[1]).max() > 1e-3


def test_the_judge_adds_the_network_to_the_linear_model() -> None:
    linear, net = rt.load_refusal_model(), load_refusal_net()
    analyses = _analysed()
    dense = np.asarray([rt.feature_vector(a) for a in analyses], dtype=np.float32)
    rule = net.card["combine"]
    logits = (
        linear.logits(analyses)
        + rule["net_weight"]
        * net.logits([a.text for a in analyses], [a.question for a in analyses], dense)
        + np.asarray(rule["offsets"])
    )
    p = np.exp(logits - logits.max(axis=1, keepdims=True))
    p /= p.sum(axis=1, keepdims=True)
    got = rt.combined_scores(linear, net, analyses)
    assert np.abs(got - p).max() < 1e-5
    for a, row in zip(analyses, got, strict=True):
        label, detail = grade(a.text, question=a.question)
        assert label == REFUSAL_GRADES[int(row.argmax())]
        assert f"概率 {row.max():.2f}" in detail


def test_training_is_deterministic_learns_and_zeroes_unseen_buckets() -> None:
    rows = rt.read_rows([TESTSET])
    analyses = [rt.analyse(r["answer"], r.get("question") or "") for r in rows]
    recipe = rt.NetRecipe(rt.FeatureSpec(12, (("head", 80), ("whole", 300)), (1, 2)), epochs=30)
    data = rt.NetTrainingData(analyses, recipe.spec)
    y, w = rt.labels_of(rows), np.ones(len(rows))
    train = np.arange(0, len(rows), 2)
    a = rt.fit_net(data, y, w, recipe, rows=train)
    b = rt.fit_net(data, y, w, recipe, rows=train)
    assert all(np.array_equal(x, z) for x, z in zip(a.arrays(), b.arrays(), strict=True))
    texts, questions = [x.text for x in analyses], [x.question for x in analyses]
    pred = a.logits(texts, questions, data.dense).argmax(axis=1)
    assert (pred[train] == y[train]).mean() > 0.95  # it fits what it was shown
    seen = np.unique(data.ids_of(train)[0])
    unseen = np.setdiff1d(np.arange(recipe.spec.buckets + 1), seen)
    assert unseen.size and not a.emb[unseen].any() and a.emb[seen[seen < recipe.spec.buckets]].any()
    other = rt.fit_net(data, y, w, dataclasses.replace(recipe, epochs=29), rows=train)
    assert not np.array_equal(other.w1, a.w1)  # the recipe is what was fitted, not a cache


def test_save_and_load_round_trip(tmp_path: Path) -> None:
    net = load_refusal_net()
    path = tmp_path / "n.npz"
    net.save(path)
    again = load_refusal_net(path)
    assert again.card == net.card
    scale = float(np.abs(net.emb).max())
    assert np.abs(again.emb - net.emb).max() <= scale / 60000.0 * 2
    assert all(
        np.array_equal(x, z) for x, z in zip(again.arrays()[1:], net.arrays()[1:], strict=True)
    )


def test_unreadable_or_foreign_network(tmp_path: Path) -> None:
    bad = tmp_path / "n.npz"
    bad.write_bytes(b"not a zip")
    shutil.copy(NET_PATH.with_suffix(".json"), bad.with_suffix(".json"))
    with pytest.raises(InputError, match="无法读取"):
        load_refusal_net(bad)
    other = tmp_path / "o.npz"
    shutil.copy(NET_PATH, other)
    card = json.loads(NET_PATH.with_suffix(".json").read_text("utf-8"))
    card["features"]["zones"] = card["features"]["zones"][:-1]  # fewer inputs than the weights
    other.with_suffix(".json").write_text(json.dumps(card), "utf-8")
    with pytest.raises(InputError, match="特征布局与权重不一致"):
        load_refusal_net(other)
    card = json.loads(NET_PATH.with_suffix(".json").read_text("utf-8"))
    card["features"]["rules"] = card["features"]["rules"][:-1]  # trained with other rules
    other.with_suffix(".json").write_text(json.dumps(card), "utf-8")
    with pytest.raises(InputError, match="特征布局与当前代码不一致"):
        load_refusal_net(other)
    card["format"] = "beian-refusal-net/0"
    other.with_suffix(".json").write_text(json.dumps(card), "utf-8")
    with pytest.raises(InputError, match="格式"):
        load_refusal_net(other)


def test_the_network_reads_the_linear_models_hashes() -> None:
    """The judge hashes the n-grams once: the network's buckets are the leading bits of the
    linear model's (same zones and n-grams, fewer bits), the zone-crossing bucket included."""
    linear, net = rt.load_refusal_model(), load_refusal_net()
    analyses = _analysed()
    texts, questions = [a.text for a in analyses], [a.question for a in analyses]
    table = ngram_table(texts, linear.spec, questions)
    shared = coarser(table, linear.spec, net.spec)
    assert shared is not None
    own = ngram_table(texts, net.spec, questions)
    assert all(np.array_equal(x, y) for x, y in zip(shared, own, strict=True))
    assert (own[0] == net.spec.buckets).any()  # n-grams crossing two zones map to the null row
    other = rt.FeatureSpec(16, (("head", 80),), (1, 2))
    assert coarser(table, linear.spec, other) is None  # another layout is hashed anew


def _repacked(src: Path, dst: Path, change: dict[str, object]) -> Path:
    """A copy of the artefact ``src`` at ``dst`` with some arrays replaced (``change``)."""
    with np.load(src, allow_pickle=False) as z:
        arrays = {n: z[n] for n in z.files}
    arrays.update(change)  # type: ignore[arg-type]
    with open(dst, "wb") as fh:
        np.savez_compressed(fh, **arrays)  # type: ignore[arg-type]
    shutil.copy(src.with_suffix(".json"), dst.with_suffix(".json"))
    return dst


def _cut(name: str, rows: int = 0, cols: int = 0) -> object:
    """Change for :func:`_repacked`: the shipped packed array ``name`` minus rows or columns."""
    return lambda z: {name: z[name][: len(z[name]) - rows, : z[name].shape[1] - cols]}


def _gaps_longer(z: dict[str, np.ndarray]) -> dict[str, object]:
    return {"row_gaps": np.concatenate([z["row_gaps"], np.zeros(1, z["row_gaps"].dtype)])}


@pytest.mark.parametrize(
    ("which", "change"),
    [
        ("model", _cut("gram_weights", rows=1)),  # one row of weights fewer than row numbers
        ("model", _gaps_longer),  # one row number more than rows of weights
        ("model", lambda z: {"gram_scale": z["gram_scale"][:-1]}),  # a scale missing
        ("net", _cut("emb", rows=3)),
        ("net", _gaps_longer),
        ("net", lambda z: {"emb_scale": z["emb_scale"][:-1]}),
    ],
)
def test_corrupt_packed_rows_are_a_chinese_error_naming_the_file(
    tmp_path: Path, which: str, change: object
) -> None:
    """A corrupt artefact whose row numbers, rows and scales disagree is an InputError saying what
    (rows vs row numbers), where (the file) and how to fix it (the retraining command), not a raw
    numpy broadcasting error."""
    src, load = (
        (rt.MODEL_PATH, rt.load_refusal_model) if which == "model" else (NET_PATH, load_refusal_net)
    )
    with np.load(src, allow_pickle=False) as z:
        arrays = {n: z[n] for n in z.files}
    path = _repacked(src, tmp_path / f"{which}.npz", change(arrays))  # type: ignore[operator]
    with pytest.raises(InputError, match=r"行号.*行权重.*文件损坏") as exc:
        load(path)
    assert exc.value.where == str(path)
    assert "python scripts/train_refusal_judge.py" in (exc.value.fix or "")
