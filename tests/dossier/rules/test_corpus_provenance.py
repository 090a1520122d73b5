from __future__ import annotations

from pathlib import Path

import pytest

from tests.dossier._helpers import Mutation, plant, put

CASES: list[tuple[str, list[Mutation], list[str]]] = [
    ("clean", [], []),
    ("open source without licence", [put("model.corpus.sources.0.provenance", {})], ["BA-DOS-006"]),
    (
        "commercial without commitment",
        [put("model.corpus.sources.1.provenance.supplier_commitment", "")],
        ["BA-DOS-006"],
    ),
    (
        "commercial without both",
        [put("model.corpus.sources.1.provenance", {})],
        ["BA-DOS-006", "BA-DOS-006"],
    ),
    (
        "user input without authorisation",
        [put("model.corpus.sources.2.provenance", {"license": "MIT"})],
        ["BA-DOS-006"],
    ),
    (
        "self collected with record",
        [
            put("model.corpus.sources.0.type", "self_collected"),
            put("model.corpus.sources.0.provenance", {"collection_record": "CR-1"}),
        ],
        [],
    ),
    ("no type", [put("model.corpus.sources.0.type", None)], ["BA-DOS-006"]),
]


@pytest.mark.parametrize(("name", "mutations", "expected"), CASES, ids=[c[0] for c in CASES])
def test_corpus_provenance(
    example: Path, name: str, mutations: list[Mutation], expected: list[str]
) -> None:
    assert plant(example, *mutations) == expected
