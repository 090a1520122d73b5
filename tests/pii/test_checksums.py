"""The recognizers' own check-digit functions agree with python-stdnum's."""

from __future__ import annotations

import random

import pytest
from stdnum import luhn
from stdnum.cn import uscc

from beian.pii._checksums import luhn_valid, uscc_check_char

_USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"


@pytest.mark.parametrize(
    ("number", "valid"),
    [
        ("4111111111111111", True),
        ("6222021234567890123", False),
        ("79927398713", True),
        ("0", True),
    ],
)
def test_luhn_known_numbers(number: str, valid: bool) -> None:
    assert luhn_valid(number) is valid
    assert (luhn.checksum(number) == 0) is valid


def test_luhn_agrees_with_stdnum() -> None:
    rng = random.Random(7)
    for _ in range(50000):
        digits = "".join(rng.choices("0123456789", k=rng.randint(1, 24)))
        assert luhn_valid(digits) == (luhn.checksum(digits) == 0), digits
    # A valid number made with stdnum's check digit, then every single-digit change of it.
    base = "622202123456789"
    number = base + luhn.calc_check_digit(base)
    assert luhn_valid(number)
    for i in range(len(number)):
        for d in "0123456789":
            changed = number[:i] + d + number[i + 1 :]
            assert luhn_valid(changed) == (changed == number), changed


@pytest.mark.parametrize("code", ["91350211MA2XQ0F51Q", "91110000600037341L", "N2110106MJ0000000X"])
def test_uscc_check_char_known_codes(code: str) -> None:
    assert uscc_check_char(code) == uscc.calc_check_digit(code)


def test_uscc_check_char_agrees_with_stdnum() -> None:
    rng = random.Random(11)
    seen = set()
    for _ in range(30000):
        code = "".join(rng.choices(_USCC_ALPHABET, k=18))
        expected = uscc.calc_check_digit(code)
        assert uscc_check_char(code) == expected, code
        seen.add(expected)
    assert len(seen) == 31  # every check character was produced
