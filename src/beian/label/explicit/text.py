"""Explicit text label: a notice with an AI element and a generation element."""

from __future__ import annotations

import re
from typing import Literal

from beian.errors import InputError

__all__ = ["DEFAULT_NOTICE", "TextPosition", "check_notice", "explicit_text_mark"]

DEFAULT_NOTICE = "本内容由人工智能生成"
TextPosition = Literal["prefix", "suffix", "inline"]

#: "AI" counts only as a word of its own: not inside "maintain", "said" or "AIGCX"-like words,
#: in ASCII or full-width letters ("ＭＡＩＮ"). Letters, not CJK, bound it, so "AI生成" and
#: "由ＡＩ合成" still count.
_AI = re.compile(
    r"人工智能|(?<![A-Za-zＡ-Ｚａ-ｚ])(?:AI|ＡＩ)(?![A-Za-zＡ-Ｚａ-ｚ])", re.IGNORECASE
)
_GEN = re.compile(r"生成|合成")
_SENTENCE_END = re.compile(r"(?<=[。！？!?；;\n])")


def check_notice(notice: str) -> None:
    """A notice must name AI (人工智能 / AI) and generation (生成 / 合成) — GB 45438 text mark."""
    if not _AI.search(notice) or not _GEN.search(notice):
        raise InputError(
            f"显式标识文字 {notice!r} 不合规",
            where="notice",
            fix="提示文字须同时包含“人工智能”或“AI”，以及“生成”或“合成”，例如：本内容由人工智能生成",
        )


def explicit_text_mark(
    text: str, position: TextPosition = "prefix", notice: str = DEFAULT_NOTICE
) -> str:
    """Return ``text`` with the explicit label ``【notice】`` at the start, end or middle.

    Idempotent: text that already contains the bracketed notice is returned unchanged.
    ``inline`` puts the notice after the sentence nearest the middle of the text.
    """
    check_notice(notice)
    mark = f"【{notice}】"
    if mark in text:
        return text
    if position == "prefix":
        return f"{mark}\n{text}" if text else mark
    if position == "suffix":
        return f"{text}\n{mark}" if text else mark
    if position == "inline":
        cuts = [m.start() for m in _SENTENCE_END.finditer(text) if 0 < m.start() < len(text)]
        half = len(text) / 2
        cut = min(cuts, key=lambda c: abs(c - half)) if cuts else len(text) // 2
        return text[:cut] + mark + text[cut:]
    raise InputError(
        f"未知的标识位置 {position!r}", where="position", fix="可选：prefix、suffix、inline"
    )
