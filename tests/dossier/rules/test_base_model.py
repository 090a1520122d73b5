from __future__ import annotations

from pathlib import Path

import pytest

from tests.dossier._helpers import Mutation, plant, put

CASES: list[tuple[str, list[Mutation], list[str]]] = [
    ("clean", [], []),
    ("self developed", [put("model.base_model.self_developed", True)], []),
    (
        "serial-less number",
        [put("model.base_model.filing_number", "Zhejiang-TongYiQianWen-20230901")],
        [],
    ),
    ("central SOE", [put("model.base_model.filing_number", "ZhongYangQiYe-JiuTian-20240123")], []),
    # 新疆生产建设兵团: in the registry's list of 属地 (it numbers filings there), so here too
    ("bingtuan", [put("model.base_model.filing_number", "BingTuan-LvZhou-202405060001")], []),
    ("2023 serial-less", [put("model.base_model.filing_number", "Beijing-YunQue-20230821")], []),
    ("not filed", [put("model.base_model.filed", False)], ["BA-DOS-004"]),
    ("no number", [put("model.base_model.filing_number", None)], ["BA-DOS-004"]),
    ("bad shape", [put("model.base_model.filing_number", "京ICP备12345号")], ["BA-DOS-005"]),
    (
        "bad province",
        [put("model.base_model.filing_number", "Tokyo-ShiLi-20240428")],
        ["BA-DOS-005"],
    ),
    ("bad date", [put("model.base_model.filing_number", "Beijing-ShiLi-20241332")], ["BA-DOS-005"]),
    (
        "registration of own model",
        [put("service.kind", "registration"), put("model.base_model.self_developed", True)],
        ["BA-DOS-029"],
    ),
    ("registration of filed model", [put("service.kind", "registration")], []),
]


@pytest.mark.parametrize(("name", "mutations", "expected"), CASES, ids=[c[0] for c in CASES])
def test_base_model(
    example: Path, name: str, mutations: list[Mutation], expected: list[str]
) -> None:
    assert plant(example, *mutations) == expected
