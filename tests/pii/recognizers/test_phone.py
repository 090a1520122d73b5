from __future__ import annotations

import pytest

from tests.pii.recognizers.conftest import found


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("座机010-62345678转", ["010-62345678"]),
        ("tel010-62345678", ["010-62345678"]),  # glued ASCII label
        ("x010-62345678", []),
        ("电话(0755)23456789。", ["(0755)23456789"]),
        ("电话0571 8765432", ["0571 8765432"]),
        ("热线02162345678", ["02162345678"]),
        ("客服400-123-4567", ["400-123-4567"]),
        ("分机010-1234无人", []),  # too short
        ("编号010-62345678", []),  # negative context
        ("号码0101234567890", []),  # too long
        ("代码0012345678", []),  # no such area code
    ],
)
def test_phone(text: str, expected: list[str]) -> None:
    assert found("PHONE", text) == expected
