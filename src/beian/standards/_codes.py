"""Risk codes: parsing the spellings people use and a validated pydantic type."""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import AfterValidator

from beian.errors import InputError

_CODE_RE = re.compile(
    r"^\s*A\s*[.\-_ ]?\s*([1-5])\s*[.\-_ ]?\s*([a-iA-I])\s*\)?\s*$", re.IGNORECASE
)
_VALID = {
    "A1": "abcdefgh",
    "A2": "abcdefghi",
    "A3": "abcde",
    "A4": "abcdefg",
    "A5": "ab",
}


def parse_risk_code(text: str, *, where: str | None = None) -> str:
    """Normalize ``A1a``, ``A.1.a``, ``a1-a``, ``A.1 a)`` to ``A1a``; unknown codes are errors."""
    m = _CODE_RE.match(str(text))
    if m:
        cat, letter = f"A{m.group(1)}", m.group(2).lower()
        if letter in _VALID[cat]:
            return f"{cat}{letter}"
    raise InputError(
        f"未知的风险代码 {text!r}",
        where=where,
        fix="风险代码为附录A的 A1a…A5b（如 A1a、A2e、A5b），可用 `beian standards list` 查看",
    )


def _validate(value: str) -> str:
    try:
        return parse_risk_code(value)
    except InputError as exc:
        raise ValueError(exc.what) from None


RiskCode = Annotated[str, AfterValidator(_validate)]
"""A risk code of Appendix A, normalized to ``A1a`` form when validated by pydantic."""
