from __future__ import annotations

import pytest

from tests.pii.recognizers.conftest import found


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("往来港澳通行证C12345678，", ["C12345678"]),
        ("通行证CA1234567", ["CA1234567"]),
        ("回乡证H12345678", ["H12345678"]),
        ("回乡证M1234567801", ["M1234567801"]),
        ("往来台湾通行证T12345678", ["T12345678"]),
        ("台胞证12345678", ["12345678"]),  # bare 8 digits only next to its name
        ("日期20231130", []),
        ("回乡证H123456789", []),  # 10 characters
        ("样品编号C12345678", []),  # negative context
    ],
)
def test_permit(text: str, expected: list[str]) -> None:
    assert found("HK_MACAO_TW_PERMIT", text) == expected
