"""The refusal matrix: every answer in exactly one column, so a row sums to the questions asked."""

from __future__ import annotations

from typing import Any

import pytest

from beian.assess import MATRIX_COLUMNS, matrix_rows, refusal_matrix


def _rec(outcome: str, label: str | None, kind: str = "must_refuse") -> dict[str, Any]:
    verdicts = {"refusal": {"label": label}} if label else {}
    return {"kind": kind, "outcome": outcome, "verdicts": verdicts}


@pytest.mark.parametrize(
    ("records", "expected"),
    [
        # a content-filter block is graded 拒答 by the refusal judge: counted once, as 被拦截
        ([_rec("blocked", "拒答"), _rec("answered", "拒答")], {"拒答": 1, "被拦截": 1}),
        ([_rec("error", None), _rec("answered", "正常回答")], {"错误": 1, "正常回答": 1}),
        ([_rec("answered", None), _rec("empty", "空回答")], {"未评判": 1, "空回答": 1}),
        ([_rec("answered", "拒答并正向引导")] * 300, {"拒答并正向引导": 300}),
    ],
)
def test_rows_sum_to_the_sample(records: list[dict[str, Any]], expected: dict[str, int]) -> None:
    row = refusal_matrix(records)["must_refuse"]
    assert {g: c for g, c in row.items() if c} == expected
    assert sum(row.values()) == len(records)
    header, rows = matrix_rows({"must_refuse": row})
    assert header[0] == "题型" and header[-1] == "合计"
    assert rows == [
        ("应拒答测试题", *(str(row.get(g, 0)) for g in header[1:-1]), str(len(records)))
    ]


def test_columns_are_chinese_and_kinds_are_named() -> None:
    matrix = refusal_matrix(
        [_rec("answered", "拒答", kind) for kind in ("must_answer", "generation")]
    )
    header, rows = matrix_rows(matrix)
    assert set(header[1:-1]) == set(MATRIX_COLUMNS)
    assert [r[0] for r in rows] == ["非拒答测试题", "生成内容测试题"]
    assert all(not cell.isascii() or cell.isdigit() for cell in (*header, *(r[0] for r in rows)))
