"""Corrections of the tagger's spans that its character features cannot make (p23aa).

* A NAME in Latin letters ends at word ends: a span that starts or stops inside a run of ASCII
  letters (``KIM MINS|EO``, ``Aiko Tanak|a``, ``Bat-E|rdene``, ``user=zhanglin|a``) is widened
  to the whole run, but not to the left across a lower-case letter before a capital
  (``userYang Guang``: a label glued to the name).
* A lower-case pinyin name written as surname and given name (``name=zhou kaiyue`` in logs)
  is one NAME: a span that is only the surname takes the given name after one space, and a
  span that is only the given name takes the surname before it.
* A NAME made of the capital numerals of amounts (伍万 in 伍万叁仟贰佰元整) is dropped.

Each rule was measured on the development sets' leave-one-set-out spans before it was kept
(docs/pii.md, 第十三轮); a rule for one-character names inside common words (小[麦]) was not
kept: it dropped as many surnames (房东[魏], 老[马]) as it saved false alarms.
"""

from __future__ import annotations

import re

from beian.pii._names import name_tables
from beian.pii.recognizers.name_latin import _PINYIN_SURNAMES

__all__ = ["tidy"]

Span = tuple[str, int, int]

_NUMERALS = frozenset("零〇壹贰叁肆伍陆柒捌玖拾佰仟万亿元角分整")


_LOWER_WORD_AFTER = re.compile(r" ([a-z]{2,12})(?![A-Za-z])")
_LOWER_WORD_BEFORE = re.compile(r"(?<![A-Za-z])([a-z]{1,6}) $")


def _pinyin_name(text: str, a: int, b: int) -> tuple[int, int]:
    """``a, b`` widened to a lower-case pinyin surname and given name around them."""
    word = text[a:b]
    if not word.isascii() or not word.isalpha() or not word.islower():
        return a, b
    t = name_tables()
    if word.capitalize() in _PINYIN_SURNAMES:
        m = _LOWER_WORD_AFTER.match(text, b)
        if m is not None and t.pinyin(m.group(1)):
            return a, m.end()
    elif t.pinyin(word):
        m = _LOWER_WORD_BEFORE.search(text, max(0, a - 8), a)
        if m is not None and m.group(1).capitalize() in _PINYIN_SURNAMES:
            return m.start(1), b
    return a, b


def _is_latin(c: str) -> bool:
    return c.isascii() and c.isalpha()


def tidy(text: str, spans: list[Span]) -> list[Span]:
    """``spans`` (type, start, end) of the tagger with the corrections above."""
    out: list[Span] = []
    for span in spans:
        kind, a, b = span
        if kind != "NAME":
            out.append(span)
            continue
        if _is_latin(text[a]) or _is_latin(text[b - 1]):
            while a > 0 and _is_latin(text[a - 1]) and _is_latin(text[a]):
                if text[a].isupper() and text[a - 1].islower():
                    break  # a label glued to a capitalised name: userYang
                a -= 1
            while b < len(text) and _is_latin(text[b]) and _is_latin(text[b - 1]):
                b += 1
            out.append((kind, *_pinyin_name(text, a, b)))
            continue
        if all(c in _NUMERALS for c in text[a : b + 1]):
            continue  # an amount in capitals, not a name
        out.append(span)
    return out
