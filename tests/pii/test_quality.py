"""Accuracy on the project's seeded generator (a seed never used while tuning)."""

from __future__ import annotations

from beian.pii import STRUCTURED_TYPES, PiiEngine
from tests.support.pii_synth import evaluate, generate_samples


def test_generator_is_deterministic_and_labelled() -> None:
    a = list(generate_samples(3, 20))
    assert a == list(generate_samples(3, 20))
    assert a != list(generate_samples(4, 20))
    for s in a:
        for _, start, end in s.spans:
            assert 0 <= start < end <= len(s.text)


def test_structured_types_precision_and_recall() -> None:
    samples = list(generate_samples(987654, 400))
    engine = PiiEngine()
    scores = evaluate(samples, [engine.analyze(s.text) for s in samples])
    table = scores.table()
    for t in STRUCTURED_TYPES:
        assert table[t]["support"] >= 30, t
        assert table[t]["precision"] >= 0.99, (t, table[t])
        assert table[t]["recall"] >= 0.99, (t, table[t])
    # NAME and ADDRESS are lower-confidence (the generator includes names and streets with no
    # cue at all): a lower recall floor; precision must stay high. No ceiling: a better
    # recognizer must not fail this test.
    for t in ("NAME", "ADDRESS"):
        assert table[t]["precision"] >= 0.9 and table[t]["recall"] >= 0.5, (t, table[t])
