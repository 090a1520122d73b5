from __future__ import annotations

from pathlib import Path

import pytest

from tests.dossier._helpers import Mutation, edit_file, plant, put

CASES: list[tuple[str, list[Mutation], list[str]]] = [
    (
        "no intellectual-property section",
        [edit_file("service_agreement.md", "## 九、知识产权", "## 九、其他约定")],
        ["BA-DOS-036"],
    ),
    (
        "registration needs no 5.2 b)",
        [
            edit_file("service_agreement.md", "## 九、知识产权", "## 九、其他约定"),
            put("service.kind", "registration"),
        ],
        [],
    ),
    ("clean", [], []),
    (
        "no complaint section",
        [edit_file("service_agreement.md", "## 八、投诉举报", "## 八、联系我们")],
        ["BA-DOS-025"],
    ),
    (
        "training section needed",
        [edit_file("service_agreement.md", "## 五、输入信息用于训练", "## 五、改进计划")],
        ["BA-DOS-025"],
    ),
    (
        "training section not needed",
        [
            edit_file("service_agreement.md", "## 五、输入信息用于训练", "## 五、改进计划"),
            put("safety.training_opt_out.trains_on_inputs", False),
        ],
        [],
    ),
    (
        "base model section needed",
        [edit_file("service_agreement.md", "## 二、第三方基础模型", "## 二、技术来源")],
        ["BA-DOS-025"],
    ),
    (
        "words in body do not count",
        [
            edit_file(
                "service_agreement.md", "## 六、生成内容标识", "## 六、其他\n\n生成内容标识说明"
            )
        ],
        ["BA-DOS-025"],
    ),
]


@pytest.mark.parametrize(("name", "mutations", "expected"), CASES, ids=[c[0] for c in CASES])
def test_agreement(
    example: Path, name: str, mutations: list[Mutation], expected: list[str]
) -> None:
    assert plant(example, *mutations) == expected
