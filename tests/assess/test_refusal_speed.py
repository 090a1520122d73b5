"""The refusal judge made faster grades exactly as before.

``GOLDEN`` was computed by the code before the speed-up (commit 1ecce98) on every training row of
``scripts/train_refusal_judge.py``: a digest of the grades and reasons, a digest of the rule
features, and the sum of the scores. A deliberate change of the rules, the lexicon or the model
changes them too: recompute them with :func:`golden` (``python tests/assess/test_refusal_speed.py``)
and say so in the commit. The other tests compare each faster piece with the plain form it
replaced (``re.finditer``, ``unicodedata.normalize``, the n-gram hashing as first written), so
they hold whatever the rules and weights are.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from pathlib import Path
from typing import Any

import numpy as np

from beian.assess.judges import JudgeContext, JudgeInput, make_judge
from beian.assess.judges import _refusal_lexicon as lx
from beian.assess.judges import _refusal_rules as rules
from beian.assess.judges import _refusal_text as rtext
from beian.assess.judges._refusal_features import feature_vector
from beian.assess.judges._refusal_model import (
    _BY_COLUMNS,
    _MIX1,
    _MIX2,
    _MULT,
    _S33,
    FeatureSpec,
    _zone,
    coarser,
    feature_digest,
    load_refusal_model,
    ngram_table,
    zone_row_sums,
)
from beian.assess.judges._refusal_net import load_refusal_net
from beian.standards import load_edition
from tests.support.scripts import load_script

ROOT = Path(__file__).resolve().parents[2]
GOLDEN = {  # recomputed 2026-12-07 (j22l: N added to the training data, uncertain band [-1.75, 1.75])
    "rows": 26754,
    "verdicts_sha256": "e92ac3472a59dc46f21658550f4cb5cec103cf534a19b10eb65e9a05e1dab3ad",
    "features_sha256": "0fb56d5154be2db8cc29830ebf69ae66fbdf422076f63c7464be656fbc8aa8ef",
    "score_sum": 25443.9788,
}
_PROBABILITY = re.compile(r"概率 [0-9.]+")


def _training_rows() -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = load_script("train_refusal_judge").load_data().rows
    return rows


def golden(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Grades, reasons (the probability masked: it is compared as a number), rule features and
    the sum of the scores of the ``refusal`` judge on ``rows``."""
    j = make_judge("refusal", {}, JudgeContext(load_edition()))
    xs = [
        JudgeInput(str(i), "", r.get("question") or "", r["answer"], "answered")
        for i, r in enumerate(rows)
    ]
    verdicts = [v for v in j.judge_many(xs) if v is not None]
    lines = [f"{v.label}\t{v.refused}\t{_PROBABILITY.sub('概率', v.detail)}" for v in verdicts]
    analyses = [rules.analyse(r["answer"], r.get("question") or "") for r in rows]
    return {
        "rows": len(rows),
        "verdicts_sha256": hashlib.sha256("\n".join(lines).encode()).hexdigest(),
        "features_sha256": feature_digest([a for a in analyses if not a.empty]),
        "score_sum": float(sum(v.score or 0.0 for v in verdicts)),
    }


def test_grades_of_the_training_rows_are_those_before_the_speed_up() -> None:
    got = golden(_training_rows())
    assert {k: got[k] for k in ("rows", "verdicts_sha256", "features_sha256")} == {
        k: GOLDEN[k] for k in ("rows", "verdicts_sha256", "features_sha256")
    }
    # scores are rounded to 4 places: a difference of 1e-6 in a probability moves a few at most
    assert abs(got["score_sum"] - GOLDEN["score_sum"]) < 1e-3


def _texts() -> list[str]:
    rows = _training_rows()[::3]
    return [rules._mask_quotes(rtext.normalize(r["answer"]))[0] for r in rows] + [
        "pass passport bypass. 110 120……换个话题吧。",
        "",
        "我……不能。",
    ]


def test_scan_finds_what_finditer_finds() -> None:
    scans = [v for v in vars(lx).values() if isinstance(v, lx.Scan)] + list(lx.GUIDE.values())
    assert len(scans) >= 9 and all(s.first is not None for s in scans)
    for text in _texts():
        for s in scans:
            assert [m.span() for m in s.finditer(text)] == [m.span() for m in s.re.finditer(text)]
            first = s.re.search(text)
            found = s.search(text)
            assert (found and found.span()) == (first and first.span())


def test_break_patterns_match_the_plain_alternation() -> None:
    plain = {
        rules._SENT_END: re.compile(r"[。!?;\n]+|\.(?:\s+|$)|……"),
        rules._CLAUSE_END: re.compile(r"[,。!?;:、\n]+|\.(?:\s+|$)"),
    }
    for text in [*_texts(), "。。!!\n\n.  ,,、:;……x"]:
        for fast, slow in plain.items():
            assert [m.span() for m in fast.finditer(text)] == [
                m.span() for m in slow.finditer(text)
            ]


def test_compatibility_pass_keeps_nfkc() -> None:
    compat, table = rtext._compat()
    assert table["，"] == "," and table["\u3000"] == " " and table["…"] == "..."
    chars = [chr(c) for c in range(0x20, 0x10000) if not 0xD800 <= c < 0xE000]
    samples = ["".join(chars[i : i + 64]) for i in range(0, len(chars), 64)]
    samples += ["ｅ\u0301", "Å\u030a", "가\u11a8", "①②，（）ﬁ㎡", *_texts()[:500]]
    for s in samples:
        fast = unicodedata.normalize("NFKC", compat.sub(lambda m: table[m.group()], s))
        assert fast == unicodedata.normalize("NFKC", s)


def _ngram_table_as_written(
    texts: list[str], spec: FeatureSpec, questions: list[str]
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The n-gram hashing before the speed-up, kept as the reference."""
    nz = len(spec.zones)
    head = dict(spec.zones).get("head", 0)
    zones = [
        _zone(t, q, k, n, head)
        for t, q in zip(texts, questions, strict=True)
        for k, n in spec.zones
    ]
    lengths = np.fromiter((len(z) for z in zones), dtype=np.int64, count=len(zones))
    cp = np.frombuffer("".join(zones).encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    cp = cp.astype(np.uint64)
    zone_of = np.repeat(np.arange(len(zones)), lengths)
    salt = (np.arange(1, nz + 1, dtype=np.uint64))[zone_of % nz]
    null, shift = spec.buckets, np.uint64(64 - spec.hash_bits)
    out = np.full((len(cp), len(spec.ngrams)), null, dtype=np.intp)
    for col, n in enumerate(spec.ngrams):
        g = cp[: len(cp) - n + 1].copy()
        for k in range(1, n):
            g = g * _MULT + cp[k : len(cp) - n + 1 + k]
        h = g ^ (salt[: len(g)] + np.uint64(0x1000 * n))
        h = (h ^ (h >> _S33)) * _MIX1
        h = (h ^ (h >> _S33)) * _MIX2
        ids = (h >> shift).astype(np.intp)
        if n > 1:
            ids[zone_of[: len(g)] != zone_of[n - 1 :]] = null
        out[: len(g), col] = ids
    grams = np.maximum(lengths[:, None] - np.asarray(spec.ngrams)[None, :] + 1, 0).sum(axis=1)
    return out, lengths, (1 / np.sqrt(np.maximum(grams, 1))).astype(np.float32)


def test_ngram_hashing_and_scores_match_the_reference() -> None:
    rows = _training_rows()[::4]
    analyses = [rules.analyse(r["answer"], r.get("question") or "") for r in rows]
    analyses = [a for a in analyses if not a.empty]
    texts, questions = [a.text for a in analyses], [a.question for a in analyses]
    model = load_refusal_model()
    specs = [
        model.spec,
        FeatureSpec(16, (("tail", 1), ("body", 2), ("whole", 600), ("question", 60)), (3, 1, 2, 4)),
    ]
    for spec in specs:
        for part in (slice(None), slice(0, 1), slice(0, 0)):
            fast = ngram_table(texts[part], spec, questions[part])
            slow = _ngram_table_as_written(texts[part], spec, questions[part])
            assert all(np.array_equal(a, b) for a, b in zip(fast, slow, strict=True))
    # the scores as first written: rows gathered by fancy indexing, summed per zone and text
    buckets, lengths, zone_w = _ngram_table_as_written(texts, model.spec, questions)
    starts = np.concatenate([[0], np.cumsum(lengths)[:-1]]) * len(model.spec.ngrams)
    per_zone = np.add.reduceat(model.gram_weights[buckets.ravel()], starts, axis=0)
    per_text = (per_zone * zone_w[:, None]).reshape(len(texts), len(model.spec.zones), -1)
    dense = np.stack([np.asarray(feature_vector(a), dtype=np.float32) for a in analyses])
    expected = per_text.sum(axis=1) + dense @ model.dense_weights + model.bias
    assert np.abs(model.logits(analyses) - expected).max() < 1e-6
    p = np.exp(expected - expected.max(axis=1, keepdims=True))
    p /= p.sum(axis=1, keepdims=True)
    assert np.abs(model.proba(analyses) - p).max() < 1e-6


def test_zone_sums_by_rows_and_by_columns_are_the_same_bit_for_bit() -> None:
    """Both ways of summing the gathered rows per zone (rows for a few answers, columns of the
    transposed table for a batch) give the plain form's sums exactly, for the linear model's
    weights and the network's embeddings, on either side of the switch."""
    rows = _training_rows()[::7]
    analyses = [rules.analyse(r["answer"], r.get("question") or "") for r in rows]
    analyses = [a for a in analyses if not a.empty]
    texts, questions = [a.text for a in analyses], [a.question for a in analyses]
    model, net = load_refusal_model(), load_refusal_net()
    k = len(model.spec.ngrams)
    for n in (1, 3, _BY_COLUMNS // 4 - 1, _BY_COLUMNS // 4, len(texts)):
        table = ngram_table(texts[:n], model.spec, questions[:n])
        coarse = coarser(table, model.spec, net.spec)
        assert coarse is not None
        for weights, (buckets, lengths, _) in ((model.gram_weights, table), (net.emb, coarse)):
            starts = np.concatenate([[0], np.cumsum(lengths)[:-1]]) * k
            plain = np.add.reduceat(weights[buckets.ravel()], starts, axis=0)
            weights_t = np.ascontiguousarray(weights.T)
            got = zone_row_sums(weights, weights_t, buckets, lengths, k)
            assert got.flags.c_contiguous and got.dtype == plain.dtype
            assert np.array_equal(got, plain)
            # the other way round from the switch gives the same sums too
            cols = np.take(weights_t, buckets.ravel(), axis=1)
            assert np.array_equal(np.add.reduceat(cols, starts, axis=1).T, plain)


if __name__ == "__main__":
    print(golden(_training_rows()))
