from __future__ import annotations

from pathlib import Path

import pytest

from tests.dossier._helpers import Mutation, plant, put

CASES: list[tuple[str, list[Mutation], list[str]]] = [
    ("clean", [], []),
    (
        "image without method",
        [put("safety.labelling", {"text": {"explicit": "提示"}})],
        ["BA-DOS-024"],
    ),
    ("video declared", [put("service.functions", ["对话", "图片", "视频"])], ["BA-DOS-024"]),
    (
        "blank method",
        [put("safety.labelling.image", {"explicit": " ", "implicit": None})],
        ["BA-DOS-024"],
    ),
    ("implicit only", [put("safety.labelling.image", {"implicit": "元数据"})], ["BA-DOS-024"]),
    ("text needs one label", [put("safety.labelling.text", {"explicit": "AI生成"})], []),
]


@pytest.mark.parametrize(("name", "mutations", "expected"), CASES, ids=[c[0] for c in CASES])
def test_labelling(
    example: Path, name: str, mutations: list[Mutation], expected: list[str]
) -> None:
    assert plant(example, *mutations) == expected
