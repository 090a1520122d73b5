"""Span checks behind :class:`~beian.lexicon.Lexicon` matching: word boundaries at ASCII
edges, variant conditions (name-like, styled, tight), the rules a matched span shows, allow-list
coverage and the leftmost-longest selection."""

from __future__ import annotations

import bisect
import itertools
import unicodedata
from collections.abc import Callable, Sequence

import numpy as np

from beian.lexicon._chaizi import FULL_CHARS
from beian.lexicon._compile import (
    CAMEL,
    GAP,
    LOWER,
    LSEP,
    NAMELIKE,
    SEP,
    SPLIT,
    STYLED,
    TIGHT,
    Variant,
)
from beian.lexicon._fold import BLANKS, INVISIBLE, JOINERS, PROSE, RULE_BITS, FoldTable
from beian.lexicon._models import Hit
from beian.lexicon._normalize import Normalized
from beian.lexicon._readings import _is_cjk
from beian.lexicon._words import LONGEST

__all__ = [
    "_Covered",
    "_bare",
    "_clause_break",
    "_code_open",
    "_condition",
    "_gaps",
    "_holds",
    "_imitates",
    "_keyword_hit",
    "_leftmost_longest",
    "_proper_name",
    "_span_rules",
    "_styled",
    "_visible",
    "_word_char",
]


def _keyword_hit(
    text: str, start: int, end: int, var: Variant, ft: FoldTable, allow_spans: list[tuple[int, int]]
) -> bool:
    """Word-boundary checks for ASCII edges; allow-list matches are recorded, not hits."""
    entry, rule, _, ascii_start, ascii_end = var
    # pinyin beside "_" is part of an identifier (bingdu_scan, xiaoqi_0812), not a word of text
    snake = rule is not None and rule.startswith(("pinyin", "initials"))
    if ascii_start and _word_char(ft, _visible(ft, text, start - 1, -1), snake):
        return False
    if ascii_end and _word_char(ft, _visible(ft, text, end, 1), snake):
        return False
    if ascii_end and rule is not None and rule.startswith("initials") and _code(ft, text, end):
        return False  # letters before "-" and a digit are a model or serial number (BJL-300)
    if entry < 0:
        allow_spans.append((start, end))
        return False
    return True


_HYPHENS = frozenset("-‐‑－")


def _code(ft: FoldTable, text: str, end: int) -> bool:
    """Whether ``text[end:]`` starts with a hyphen and a digit (the rest of ``SSC-2201``)."""
    return end + 1 < len(text) and text[end] in _HYPHENS and ft.fold_char(text[end + 1]).isdigit()


def _code_open(text: str, end: int) -> bool:
    """Whether ``text`` ends with a hyphen right after ``end``: a digit may still follow (the
    next character of a stream, ``_code``)."""
    return end + 1 == len(text) and text[end] in _HYPHENS


def _visible(ft: FoldTable, text: str, i: int, step: int) -> str:
    """The first character from ``i`` on (in direction ``step``) that is not invisible (a
    zero-width or format character); "" past either end of ``text``."""
    codes = ft.codes
    while 0 <= i < len(text):
        if codes[text[i]] != INVISIBLE:
            return text[i]
        i += step
    return ""


def _word_char(ft: FoldTable, ch: str, snake: bool = False) -> bool:
    """Whether ``ch`` continues an ASCII word: a letter or digit after folding (with ``snake``,
    also "_"), but never a CJK ideograph (一 folds to "1", yet ``ChuShouYinHangKa一套`` ends the
    pinyin at 一)."""
    if snake and ch == "_":
        return True
    if not ch or _is_cjk(ch):
        return False
    f = ft.fold_char(ch)
    return bool(f) and f[-1].isascii() and f[-1].isalnum()


def _bare(rule: str) -> str:
    """A variant's rule without its condition suffix."""
    return rule.partition("~")[0]


def _condition(rule: str | None, span: str) -> bool:
    """Raw mode (no noise): whether the condition on the variant holds."""
    return rule is None or _holds(rule, span, False, list)


# separators allowed between a character and letters in a two-character mixed form (灭-men)
_SEPARATORS = frozenset("-_·・‧•~～－＿/／.．|｜")
# brackets allowed around the halves of a split character (狗(米良), 【虫它】头)
_OPEN = frozenset("(（[【「〔〈《{［｛")
_CLOSE = frozenset(")）]】」〕〉》}］｝")

# (character before, what stands between, character after) per place between two matched
# characters, as written in the original text
Gaps = Sequence[tuple[str, str, str]]


def _holds(rule: str, span: str, noisy: bool, gaps: Callable[[], Gaps]) -> bool:
    """Whether the condition suffix of ``rule`` (if any) holds for the original ``span``;
    ``noisy``: noise was skipped inside the span; ``gaps`` gives the places between the
    matched characters (asked only where a condition looks at them)."""
    cond = rule[rule.find("~") :] if "~" in rule else ""
    if not cond:
        return True
    if cond == TIGHT:
        return not noisy
    if cond == NAMELIKE:
        return not _proper_name(span)
    if cond == STYLED:
        return _styled(span)
    if cond == LOWER:  # 袭j, d棍, b-壶, 嫖/c
        return all(c.islower() for c in _letters(span)) and (not noisy or _separated(gaps()))
    if cond == LSEP:
        return not noisy or _separated(gaps())
    if cond == CAMEL:
        letters = _letters(span)
        return (
            not noisy
            and len(letters) >= 3
            and letters[-1].isupper()
            and all(c.islower() for c in letters[:-1])
        )
    if cond == SEP:  # a space too where the pinyin carries tone marks (洗 mǎ, luǒ 舞)
        toned = _toned(span)
        return not noisy or all(
            not g or ((g in _SEPARATORS or (toned and g == " ")) and _is_cjk(a) != _is_cjk(b))
            for a, g, b in gaps()
        )
    if cond == GAP:  # 堵~博, 可 咖 因: a separator at every place, no prose punctuation
        places = gaps()
        return (
            noisy
            and bool(places)
            and all(g and PROSE.isdisjoint(g) and BLANKS.isdisjoint(g) for _, g, _ in places)
            # between two characters a space, dot, slash, dash or bracket joins names, titles,
            # ranges and paths (花・玉, 代-花): only a symbol, emoji or zero-width character
            # breaks up a two-character word on purpose (约*饱, 雪↑洗, 偷🌿毒)
            and (len(places) > 1 or all(JOINERS.isdisjoint(g) for _, g, _ in places))
        )
    if cond.startswith(SPLIT):
        if not noisy:
            return True
        marks = cond[len(SPLIT) :]
        places = gaps()
        return len(places) == len(marks) and all(
            _bracketed(m, g) for m, (_, g, _) in zip(marks, places, strict=True)
        )
    return True


def _separated(places: Gaps) -> bool:
    """Whether every place holds nothing or one separator (C/Z/信/息, 三-l-刺)."""
    return all(not g or g in _SEPARATORS for _, g, _ in places)


def _toned(span: str) -> bool:
    """Whether a Latin letter of ``span`` carries a tone mark (mǎ, luǒ): pinyin, not English."""
    return any(
        not c.isascii() and unicodedata.normalize("NFD", c)[0].isascii() and c.isalpha()
        for c in span
    )


def _gaps(text: str, n: Normalized, s: int, e: int) -> Gaps:
    """The places between the normalized characters ``[s, e)`` as written in ``text``."""
    if e - s < 2:
        return []
    at = n.origins(np.arange(s, e)).tolist()
    return [(text[a], text[a + 1 : b], text[b]) for a, b in itertools.pairwise(at)]


_CLAUSE = frozenset("，,、")  # what ends a clause mid-sentence (quotes, ！ and ； also break words)


def _clause_break(places: Gaps) -> bool:
    """Whether a comma stands at one place between the Chinese characters of a match
    while another place holds nothing: 打老虎，机会 is two clauses, not 老虎机 broken up (which
    puts something at every place: 老、虎、机)."""
    cjk = [g for a, g, b in places if _is_cjk(a) and _is_cjk(b)]
    return any(not g for g in cjk) and any(not _CLAUSE.isdisjoint(g) for g in cjk)


def _bracketed(mark: str, gap: str) -> bool:
    """Whether ``gap`` may stand at a place marked ``mark`` of a 拆字 form (see ``SPLIT``)."""
    if not gap or _symbolic(gap):  # 气✨木仓, 木☆娄☆凤, 十尃*采彡: broken up on purpose
        return True
    if mark == "1":  # between the halves: spaces only (木 昆); 车！专 is two words
        return all(c.isspace() or unicodedata.category(c) == "Cf" for c in gap)
    if len(gap) > 2:
        return False
    closing = gap[:1] in _CLOSE and mark in "cb"
    rest = gap[1:] if closing else gap
    return not rest or (len(rest) == 1 and rest in _OPEN and mark in "ob")


def _symbolic(gap: str) -> bool:
    """Whether ``gap`` holds only symbols, emoji or zero-width characters (✨ ~ * ♪ ☆): no
    space, prose punctuation, blank or joining mark (see ``GAP``)."""
    return all(
        not c.isspace() and c not in PROSE and c not in BLANKS and c not in JOINERS for c in gap
    )


def _letters(span: str) -> str:
    """The letters of ``span`` that are not CJK ideographs."""
    return "".join(c for c in span if c.isalpha() and not _is_cjk(c))


def _styled(span: str) -> bool:
    """Whether every letter of ``span`` is a styled one: circled, parenthesized, squared,
    small capitals or mathematical (not ASCII, not full-width)."""
    letters = [c for c in span if not c.isascii() or c.isalpha()]
    return bool(letters) and all(
        not c.isascii() and not "\uff01" <= c <= "\uff5e" and not _is_cjk(c) for c in letters
    )


def _proper_name(span: str) -> bool:
    """Whether the letters of ``span`` are written as a proper name: each word capitalized,
    the rest lower case (Zhang Wei, Beijing), or a surname in capitals before a capitalized
    given name (ZHANG Wei); not dupin, DUPIN, DU PIN or DuPin."""
    words = "".join(c if c.isalpha() else " " for c in span).split()
    title = [w[0].isupper() and (len(w) == 1 or w[1:].islower()) for w in words]
    return (
        bool(words)
        and any(title)
        and all(t or w.isupper() for t, w in zip(title, words, strict=True))
    )


def _straddles(text: str, start: int, end: int, words: frozenset[str], ft: FoldTable) -> bool:
    """Whether a word of ``words``, as written or folded (三軍 is 三军), holds a character of
    ``text[start:end]`` and one beside it: 在睹博得了 around 睹博 (博得), 急不可待烟 around 待烟
    (急不可待). Words of up to four characters, reaching at most one character past the end
    (what a stream's next character can still change: ``OPEN``)."""
    lo = max(0, start - LONGEST + 1)
    for a in range(lo, end):
        # a word from ``a`` to ``b``: across the start (a < start < b) or the end (b == end + 1)
        first = max(a + 2, start + 1) if a < start else end + 1
        for b in range(first, min(a + LONGEST, end + 1, len(text)) + 1):
            w = text[a:b]
            if w in words or _word_fold(ft, w) in words:
                return True
    return False


def _word_fold(ft: FoldTable, w: str) -> str:
    """``w`` folded to simplified characters for a dictionary look-up (三軍 → 三军): Chinese
    numerals stay as they are (not 3军)."""
    out = []
    for c in w:
        f = ft.fold_char(c)
        out.append(c if _is_cjk(c) and (not f or f.isascii()) else f)
    return "".join(out)


def _radical_straddles(
    text: str, start: int, end: int, keyword: str, words: frozenset[str]
) -> bool:
    """Whether a 拆字 span starts or ends with a radical written as its full character (人 for
    亻, ``FULL_FORMS``) that makes a word of ``words`` with the character beside the span
    (这是个人分子 around 人分子 for 份子: 个人 is a word)."""
    first, last = text[start], text[end - 1]
    return (
        start > 0
        and first in FULL_CHARS
        and first != keyword[:1]
        and text[start - 1] + first in words
    ) or (
        end < len(text)
        and last in FULL_CHARS
        and last != keyword[-1:]
        and last + text[end] in words
    )


def _radical_open(text: str, end: int, keyword: str) -> bool:
    """Whether a 拆字 span at the end of ``text`` ends with a radical written as its full
    character: the next character of a stream may still make a word with it."""
    return end == len(text) and text[end - 1] in FULL_CHARS and text[end - 1] != keyword[-1:]


def _imitates(ft: FoldTable, span: str, keyword: str) -> bool:
    """Whether a look-alike fold in ``span`` stands for another character (not one the keyword
    is itself written with)."""
    bit = RULE_BITS["lookalike"]
    info = ft.span_info
    return any(info[ord(c)][0] & bit and c not in keyword for c in span)


def _span_rules(ft: FoldTable, span: str) -> set[str]:
    plain = ft.plain_chars
    if plain.issuperset(span):  # the usual span: every character as it is
        return {"exact"}
    bits = 0
    noise = False
    info = ft.span_info
    for ch in span:
        b, z = info[ord(ch)]
        if not (b or z):
            plain.add(ch)
        bits |= b
        noise = noise or z
    rules = {name for name, bit in RULE_BITS.items() if bits & bit}
    if noise:
        rules.add("noise")
    return rules or {"exact"}


class _Covered:
    """Whether a span lies inside one of ``spans`` (allow-list occurrences)."""

    def __init__(self, spans: list[tuple[int, int]]) -> None:
        spans = sorted(spans)
        self._starts = [a for a, _ in spans]
        self._reach = list(itertools.accumulate((b for _, b in spans), max))

    def __call__(self, start: int, end: int) -> bool:
        i = bisect.bisect_right(self._starts, start)
        return i > 0 and self._reach[i - 1] >= end


def _leftmost_longest(hits: list[Hit]) -> list[Hit]:
    """Non-overlapping hits, leftmost first, longest at each start (``hits`` sorted so)."""
    out: list[Hit] = []
    end = -1
    span = (-1, -1)
    for h in hits:
        if (h.start, h.end) == span:
            out.append(h)  # the same span under several keywords / risks
        elif h.start >= end:
            out.append(h)
            span, end = (h.start, h.end), h.end
    return out
