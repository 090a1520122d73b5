from __future__ import annotations

import pytest

from tests.pii.recognizers.conftest import found


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("车牌号京A12345的车", ["京A12345"]),
        ("车牌粤B·D12345", ["粤B·D12345"]),  # new-energy, 8 characters
        ("粤BD12345违章", ["粤BD12345"]),
        ("沪A12345D停在门口", ["沪A12345D"]),  # large new-energy vehicle
        ("苏E1234学", ["苏E1234学"]),  # driving-school plate
        ("川AB123C", ["川AB123C"]),  # letters among the serial
        ("京ABCDE1", []),  # too many letters
        ("京A1234", []),  # too short
        ("京A1234567", []),  # too long
        ("京I12345", []),  # no I on plates
        ("祁总的车是苏E·D72K90，", ["苏E·D72K90"]),  # new-energy with a letter among the digits
        ("浙C·F3A916在码头", ["浙C·F3A916"]),
        ("粤B·DABCD1", []),  # too many letters for a new-energy serial
    ],
)
def test_plate(text: str, expected: list[str]) -> None:
    assert found("PLATE", text) == expected
