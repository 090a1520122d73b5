from __future__ import annotations

import pytest

from tests.pii.recognizers.conftest import found


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # the area code in full-width brackets, as Chinese input methods type them
        ("门店电话（0717）6239045，周一休息", ["（0717）6239045"]),
        ("挂号：（021）5408 3376\n", ["（021）5408 3376"]),
        ("联系（0898）66712034转18", ["（0898）66712034转18"]),
        ("总台（0471）6520 1198-3", ["（0471）6520 1198-3"]),
        # a full-width dash after the area code
        ("值班室0931－8826415", ["0931－8826415"]),
        ("传真：027－87654321 分机 12；", ["027－87654321 分机 12"]),
        # not a landline
        ("编号（0717）6239045", []),  # negative word, as for phone
        ("（0717）623904", []),  # too short
        ("比例（0.5）12345678", []),  # not an area code
        ("x0931－8826415", []),  # glued to a letter
        ("电话0931－8826415 12号楼", []),  # a short group after it, as for phone
    ],
)
def test_phone_fullwidth(text: str, expected: list[str]) -> None:
    assert found("PHONE", text) == expected
