"""Corrections of the tagger's spans that its character features cannot make (p23aa).

* A NAME in Latin letters ends at word ends: a span that starts or stops inside a run of ASCII
  letters (``KIM MINS|EO``, ``Aiko Tanak|a``, ``Bat-E|rdene``) is widened to the whole run.
* A one-character NAME that makes a common two-character word with the character before or
  after it (小[麦] 三等, [冷]库, [马]达) is dropped unless a title follows it (王先生, 马总, 宫某):
  the one-character names of the development sets are surnames before titles and after 老/小
  (老马, 小马 are words too, and keep a title or a delimiter after them as often as 小麦 does,
  so 老/小 decide nothing: the word list and the title decide).
* A NAME made of the capital numerals of amounts (伍万 in 伍万叁仟贰佰元整) is dropped.

Each rule was measured on the development sets before it was kept (docs/pii.md, 第十三轮).
"""

from __future__ import annotations

from functools import lru_cache

from beian.pii._names import name_tables
from beian.pii._tagger_lexicon import CUE_WORDS

__all__ = ["tidy"]

Span = tuple[str, int, int]

_NUMERALS = frozenset("零〇壹贰叁肆伍陆柒捌玖拾佰仟万亿元角分整")


@lru_cache(maxsize=1)
def _titles() -> tuple[str, ...]:
    """Words that make a single character before them a surname (先生, 经理, 总, 某, 氏)."""
    return (*CUE_WORDS["T"].split(), "总", "某", "氏", "家")


def _is_latin(c: str) -> bool:
    return c.isascii() and c.isalpha()


def tidy(text: str, spans: list[Span]) -> list[Span]:
    """``spans`` (type, start, end) of the tagger with the corrections above."""
    out: list[Span] = []
    words = None
    for span in spans:
        kind, a, b = span
        if kind != "NAME":
            out.append(span)
            continue
        if _is_latin(text[a]) or _is_latin(text[b - 1]):
            while a > 0 and _is_latin(text[a - 1]) and _is_latin(text[a]):
                a -= 1
            while b < len(text) and _is_latin(text[b]) and _is_latin(text[b - 1]):
                b += 1
            out.append((kind, a, b))
            continue
        if all(c in _NUMERALS for c in text[a : b + 1]):
            continue  # an amount in capitals, not a name
        if b - a == 1 and not text.startswith(_titles(), b):
            if words is None:
                words = name_tables().words
            c = text[a]
            if text[a - 1 : a] + c in words or c + text[b : b + 1] in words:
                continue
        out.append(span)
    return out
