"""ADDRESS written in Latin letters (address_latin.py)."""

from __future__ import annotations

import pytest

from tests.pii.recognizers.conftest import found


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("寄到 Suite 210, 455 Market Street, San Francisco, CA 94105，谢谢",
         ["Suite 210, 455 Market Street, San Francisco, CA 94105"]),
        ("Office: 9F, 33 Haining Rd, Hongkou, Shanghai\nTel: 021",
         ["9F, 33 Haining Rd, Hongkou, Shanghai"]),
        ("请寄往 Flat 5A, 23 Hennessy Road, Wan Chai", ["Flat 5A, 23 Hennessy Road, Wan Chai"]),
        ("Lieferadresse: Bergstraße 7, 80331 München", ["Bergstraße 7, 80331 München"]),
        ("地址 8 Rue Cler, 75007 Paris。", ["8 Rue Cler, 75007 Paris"]),
        ("Blk 45 Tampines Ave 9 #03-112, Singapore 520045",
         ["Blk 45 Tampines Ave 9 #03-112, Singapore 520045"]),
        ("She lives on Baker Street.", []),  # a street with no number
        ("St. Louis is far away", []),
        ("Dr. Chen will see you", []),
        ("我们在 Road Show 上见过", []),
    ],
)  # fmt: skip
def test_latin_address(text: str, expected: list[str]) -> None:
    assert found("ADDRESS", text) == expected
