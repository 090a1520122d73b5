"""Local landline numbers (no area code) right after a landline label (forms written for p23ab)."""

from __future__ import annotations

import pytest

from tests.pii.recognizers.conftest import found


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("有事打家里座机66120573找我", ["66120573"]),
        ("固话：8832 6610，白天有人", ["8832 6610"]),
        ("办公电话 5221-0496", ["5221-0496"]),
        ("门卫室电话是2814467。", ["2814467"]),  # seven digits
        ("座机号码为87730215", ["87730215"]),
        ("Tel: 6573 0182", ["6573 0182"]),
        ("座机66120573", ["66120573"]),
        ("座机1234567", []),  # a local number does not start with 1
        ("电话66120573123", []),  # longer: not a local number
        ("电话费66120573元", []),  # a word between
        ("电话订单号66120573", []),
        ("Hotel8832 6610", []),  # tel inside a word
        # another country's number after the label
        ("新加坡办事处电话 +65 6221 3307", ["+65 6221 3307"]),
        ("Tel: +44 20 7946 0958", ["+44 20 7946 0958"]),
        ("电话 +1 415", []),  # too few digits
        ("电话 +86 139 1287 3044", []),  # +86 is the mobile's (or phone.py's), not this one's
    ],
)
def test_phone_label(text: str, expected: list[str]) -> None:
    assert found("PHONE", text) == expected
