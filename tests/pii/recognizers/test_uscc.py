from __future__ import annotations

import pytest
from stdnum.cn import uscc

from tests.pii.recognizers.conftest import found

VALID = "91110000600037341L"
assert uscc.is_valid(VALID)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (f"统一社会信用代码{VALID}，", [VALID]),
        (f"代码：{VALID}", [VALID]),
        (f"代码{VALID[:-1]}M，", []),  # wrong check character
        (f"代码X{VALID}", []),  # glued
        (f"credit_code{VALID} contact", [VALID]),  # glued ASCII label
        (
            "统一社会信用代码N2320506467388459C）",
            ["N2320506467388459C"],
        ),  # N: 农民专业合作社 (check character computed by hand)
        ("代码91000000600037341L", []),  # no such region
    ],
)
def test_uscc(text: str, expected: list[str]) -> None:
    assert found("USCC", text) == expected
