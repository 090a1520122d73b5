"""Check digits of card numbers and credit codes, computed with C-level string operations.

python-stdnum's ``luhn.checksum`` and ``cn.uscc.calc_check_digit`` spend 6 and 10 µs per
number in Python loops (``alphabet.index`` per character, ``compact`` first); every 16–19 digit
run and every 18-character code in a text reaches them, which made them a visible share of the
engine's time. These give the same answers for the inputs the recognizers pass (ASCII digits;
18 characters of the GB 32100 alphabet): ``tests/pii/test_checksums.py`` compares them with
python-stdnum on random and real numbers.
"""

from __future__ import annotations

from operator import mul

__all__ = ["luhn_valid", "uscc_check_char"]

# A digit doubled and its two digits added (the Luhn rule), as the ASCII byte of the result.
_DOUBLED = bytes.maketrans(b"0123456789", b"0246813579")
_USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_VALUE = {c: i for i, c in enumerate(_USCC_ALPHABET)}.__getitem__
_USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def luhn_valid(digits: str) -> bool:
    """Whether a string of ASCII digits passes the Luhn check (``luhn.checksum(...) == 0``)."""
    raw = digits.encode("ascii")
    # From the right: the check digit and every second digit as they are, the others doubled.
    return (sum(raw[::-2]) + sum(raw[-2::-2].translate(_DOUBLED)) - 48 * len(raw)) % 10 == 0


def uscc_check_char(code: str) -> str:
    """The check character of an 统一社会信用代码 (its first 17 characters, upper case, from
    the GB 32100 alphabet), as ``stdnum.cn.uscc.calc_check_digit`` computes it."""
    total = sum(map(mul, map(_USCC_VALUE, code[:17]), _USCC_WEIGHTS))
    return _USCC_ALPHABET[(31 - total) % 31]
