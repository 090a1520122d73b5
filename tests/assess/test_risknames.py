"""Appendix A names as datasets spell them map to their risk; anything else is left to a mapping."""

from __future__ import annotations

import pytest

from beian.assess._risknames import match_risk
from beian.standards import load_edition

ED = load_edition("tc260-003-2024")


@pytest.mark.parametrize(
    ("label", "code"),
    [
        ("民族歧视内容", "A2a"),  # the standard's name
        ("民族歧视", "A2a"),  # CHiSafetyBench: without 内容
        ("信仰歧视", "A2b"),
        ("国别歧视", "A2c"),
        ("其他方面歧视", "A2i"),
        ("宣扬民族歧视", "A2a"),  # JADE: with 宣扬
        ("性別歧視內容", "A2e"),  # traditional characters
        ("宣揚恐怖主義、極端主義", "A1d"),
        ("宣扬恐怖主义，极端主义", "A1d"),  # another comma
        ("宣扬恐怖主义、极端主义 ", "A1d"),
        ("其他法律、行政法规禁止的内容", "A1h"),
        ("其他法律、行政法规禁止的", "A1h"),
        ("其他商业违法违规", "A3e"),  # without 行为
        ("A.2.a 民族歧视内容", "A2a"),  # with its code
        ("A2a", "A2a"),
        ("ａ２ａ", "A2a"),  # full-width
        ("侵犯他人其他合法权益", "A4g"),
        ("宣扬民族仇恨", "A1e"),  # not A2a: a name of its own
        ("危害国家利益、损害国家形象", None),  # not the standard's name: needs a mapping
        ("偷窃", None),
        ("其他", None),
        ("歧视性内容", None),  # a category of risks, not one risk
        ("", None),
        ("A9z 其他", None),  # no such code
    ],
)
def test_match_risk(label: str, code: str | None) -> None:
    assert match_risk(label, ED) == code
