"""How one match of the matchers becomes a hit: the checks of a variant's conditions on the
text around it (straddled words, gaps, repeats, line breaks) and the rules recorded on the hit."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from beian.lexicon._compile import WORDS, Variant, dictionary
from beian.lexicon._fold import FoldTable
from beian.lexicon._models import KeywordEntry, LexiconConfig
from beian.lexicon._normalize import Normalized
from beian.lexicon._spans import (
    _bare,
    _condition,
    _gaps,
    _holds,
    _imitates,
    _keyword_hit,
    _radical_open,
    _radical_straddles,
    _span_rules,
    _straddles,
)

__all__ = ["OPEN", "plain_letter_at", "resolve"]

# marks, while a text is scanned, a hit whose condition on the words around it looked past the
# end of the text (a stream's next character may still undo it); never in a Hit's rules
OPEN = "~open"


def resolve(
    config: LexiconConfig,
    entries: Sequence[KeywordEntry],
    text: str,
    n: Normalized,
    s: int,
    e: int,
    var: Variant,
    ft: FoldTable,
    found: dict[tuple[int, int, int], set[str]],
    allow_spans: list[tuple[int, int]],
) -> None:
    """Check one match ``[s, e)`` of normalized text against one variant ``var`` of a keyword:
    where it holds, add the hit's span in ``text`` and its rules to ``found`` (and, for an
    allow-list phrase, its span to ``allow_spans``)."""
    entry, rule, need = var[:3]
    if n.src is None:  # raw mode: no folding, offsets are the matcher's
        if _keyword_hit(text, s, e, var, ft, allow_spans) and _condition(rule, text[s:e]):
            found.setdefault((s, e, entry), set()).add(_bare(rule or "exact"))
        return
    runs = n.runs(s, e)
    repeat = False
    if runs is None:
        if need is not None:
            return
    else:
        limit, last = config.max_repeat, e - s - 1
        for j, have in enumerate(runs):
            want = need[j] if need else 1
            if have < want or (0 < j < last and have > max(want, limit)):
                return
            repeat = repeat or (have > want and 0 < j < last)
    start, end = n.span(s, e, runs, need[0] if need else 1, need[-1] if need else 1)
    if not _keyword_hit(text, start, end, var, ft, allow_spans):
        return
    span_rules = _span_rules(ft, text[start:end])
    if (
        "noise" in span_rules
        and "\n" in text[start:end]
        and len(entries[entry].keyword) < 3
        and not config.cross_lines
    ):
        return  # a line break (join_lines) only inside keywords of 3+ characters: 先⏎行
    # a condition on the words around the span: with the span at the end of the text the
    # next character (of a stream) may still break it (``OPEN``)
    open_end = False
    if rule is not None and rule.endswith(WORDS):
        if "noise" in span_rules or _straddles(text, start, end, dictionary()):
            return
        rule = _bare(rule)
        open_end = end == len(text)
    elif rule is not None and rule.startswith("chaizi"):
        keyword = entries[entry].keyword
        if _radical_straddles(text, start, end, keyword, dictionary()):
            return  # 个人分子 is 个人 + 分子, not 份子 split as 人分
        open_end = _radical_open(text, end, keyword)
    if rule is not None and "~" in rule:  # a condition on how the form is written
        if not _holds(rule, text[start:end], "noise" in span_rules, lambda: _gaps(text, n, s, e)):
            return
        rule = _bare(rule)
    rules = found.setdefault((start, end, entry), set())
    if "lookalike" in span_rules and not _imitates(ft, text[start:end], entries[entry].keyword):
        span_rules.discard("lookalike")  # the keyword itself has the character (知己)
        span_rules = span_rules or {"exact"}
    if span_rules == {"exact"} and rule is None:
        keyword = entries[entry].keyword
        if text[start:end] != keyword and not repeat:
            span_rules = _span_rules(ft, keyword) - {"noise"} or {"exact"}
    rules |= span_rules
    if repeat:
        rules.add("repeat")
    if rule:
        rules.add(rule)
    if len(rules) > 1:
        rules.discard("exact")
    if open_end:
        rules.add(OPEN)


def plain_letter_at(text: str, n: Normalized, s: int, e: int) -> bool:
    """Whether the match ``[s, e)`` of normalized text starts, in ``text``, at a plain
    (ASCII or full-width) letter with no repeats collapsed in it: then no form that counts in
    styled letters only can hold there (the check of ``STYLED``, done once per match)."""
    if n.src is None or n.runs(s, e) is not None:
        return False
    ch = text[int(n.origins(np.array([s]))[0])]
    return ch.isascii() or "\uff01" <= ch <= "\uff5e"
