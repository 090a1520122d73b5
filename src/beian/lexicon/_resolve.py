"""How one match of the matchers becomes a hit: the checks of a variant's conditions on the
text around it (straddled words, gaps, repeats, line breaks) and the rules recorded on the hit."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from beian.lexicon._compile import GAP, WORDS, Compiled, Variant
from beian.lexicon._fold import FoldTable
from beian.lexicon._models import KeywordEntry, LexiconConfig
from beian.lexicon._normalize import Normalized
from beian.lexicon._spans import (
    _bare,
    _clause_break,
    _code_open,
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
from beian.lexicon._words import phrases, words

__all__ = ["OPEN", "_prepared", "_repeated", "_repeats_only", "plain_letter_at", "resolve"]

# marks, while a text is scanned, a hit whose condition on the words around it looked past the
# end of the text (a stream's next character may still undo it); never in a Hit's rules
OPEN = "~open"
_EXACT = frozenset({"exact"})


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
    span: tuple[int, int] | None = None,
) -> None:
    """Check one match ``[s, e)`` of normalized text against one variant ``var`` of a keyword:
    where it holds, add the hit's span in ``text`` and its rules to ``found`` (and, for an
    allow-list phrase, its span to ``allow_spans``). ``span``: where the caller found, for
    many matches at once, that no repeat collapsed in the match, its original span."""
    entry, rule, need, ascii_start, ascii_end = var
    if n.identity:  # raw mode: no folding, offsets are the matcher's
        if _keyword_hit(text, s, e, var, ft, allow_spans) and _condition(rule, text[s:e]):
            found.setdefault((s, e, entry), set()).add(_bare(rule or "exact"))
        return
    if span is not None:  # no repeat collapsed in it (:meth:`Normalized.runs` is None)
        if need is not None:
            return
        start, end = span
        repeat = False
    else:
        start, end, repeat = _repeats(config, n, s, e, need)
        if start < 0:
            return
    # (without ASCII edges the word-boundary checks pass: only an allow-list word is held)
    if (ascii_start or ascii_end or entry < 0) and not _keyword_hit(
        text, start, end, var, ft, allow_spans
    ):
        return
    written = text[start:end]
    span_rules = _span_rules(ft, written)
    keyword = entries[entry].keyword
    noisy = "noise" in span_rules
    if noisy and _noise_breaks(config, keyword, text, n, (s, e, start, end), rule):
        return
    # a condition on the words around the span: with the span at the end of the text the
    # next character (of a stream) may still break it (``OPEN``)
    open_end = False
    if rule is not None:
        holds, open_end = _around(text, n, (s, e, start, end), rule, keyword, ft, noisy)
        if not holds:
            return
    if rule is not None and rule.endswith(WORDS):
        rule = _bare(rule)
    if rule is not None and "~" in rule:  # a condition on how the form is written
        if not _holds(rule, written, noisy, lambda: _gaps(text, n, s, e)):
            return
        rule = _bare(rule)
    rules = found.setdefault((start, end, entry), set())
    if "lookalike" in span_rules and not _imitates(ft, written, keyword):
        span_rules.discard("lookalike")  # the keyword itself has the character (知己)
        span_rules = span_rules or {"exact"}
    if span_rules == _EXACT and rule is None and written != keyword and not repeat:
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


def _repeats(
    config: LexiconConfig, n: Normalized, s: int, e: int, need: tuple[int, ...] | None
) -> tuple[int, int, bool]:
    """The original span of the match ``[s, e)`` as the repeats collapsed in it allow (start
    -1 where they break it: too few copies of a character the variant needs repeated, too
    many inside the keyword) and whether it holds extra repeats (the rule ``repeat``)."""
    runs = n.runs(s, e)
    repeat = False
    if runs is None:
        if need is not None:
            return -1, -1, False
    else:
        limit, last = config.max_repeat, e - s - 1
        for j, have in enumerate(runs):
            want = need[j] if need else 1
            if have < want or (0 < j < last and have > max(want, limit)):
                return -1, -1, False
            repeat = repeat or (have > want and 0 < j < last)
    start, end = n.span(s, e, runs, need[0] if need else 1, need[-1] if need else 1)
    return start, end, repeat


def _noise_breaks(
    config: LexiconConfig,
    keyword: str,
    text: str,
    n: Normalized,
    at: tuple[int, int, int, int],
    rule: str | None,
) -> bool:
    """Whether the noise skipped inside a match (``at``: its normalized and original spans)
    breaks the keyword: a line break in one of fewer than 3 characters (``join_lines``: 先⏎行),
    a comma at one place of an otherwise unbroken one (打老虎，机会: two clauses)."""
    s, e, start, end = at
    if "\n" in text[start:end] and len(keyword) < 3 and not config.cross_lines:
        return True
    return (
        e - s > 2
        and (rule is None or rule.startswith(("lookalike", "t2s")))
        and _clause_break(_gaps(text, n, s, e))
    )


def _around(
    text: str,
    n: Normalized,
    at: tuple[int, int, int, int],
    rule: str,
    keyword: str,
    ft: FoldTable,
    noisy: bool,
) -> tuple[bool, bool]:
    """Whether the conditions of ``rule`` on the text around a match hold, and whether they
    looked past the end of the text (a stream's next character may still undo the hit)."""
    s, e, start, end = at
    if rule.startswith("initials"):  # BJL- at the end: a digit may follow (BJL-300)
        return True, _code_open(text, end)
    if rule.endswith(WORDS):
        if not noisy:
            return not _straddles(text, start, end, words(), ft), end == len(text)
        # broken up only by a symbol, emoji or zero-width character (伐❤孕)
        return _holds(GAP, text[start:end], True, lambda: _gaps(text, n, s, e)), False
    if rule.startswith("chaizi"):
        if _radical_straddles(text, start, end, keyword, phrases()):
            return False, False  # 个人分子 is 个人 + 分子, not 份子 split as 人分
        return True, _radical_open(text, end, keyword)
    return True, False


def plain_letter_at(text: str, n: Normalized, s: int, e: int) -> bool:
    """Whether the match ``[s, e)`` of normalized text starts, in ``text``, at a plain
    (ASCII or full-width) letter with no repeats collapsed in it: then no form that counts in
    styled letters only can hold there (the check of ``STYLED``, done once per match)."""
    if n.identity or n.runs(s, e) is not None:
        return False
    ch = text[n.origin(s)]
    return ch.isascii() or "\uff01" <= ch <= "\uff5e"


def _repeats_only(comp: Compiled) -> npt.NDArray[np.bool_]:
    """Per pattern of ``comp``: whether every variant of it needs a repeated character."""
    return np.array([all(v[2] is not None for v in vs) for vs in comp.variants], dtype=bool)


def _prepared(
    m: npt.NDArray[np.int64], n: Normalized, repeats: npt.NDArray[np.bool_] | None
) -> list[list[int]]:
    """The matches ``m`` (rows ``pattern, start, end``) to resolve, in order, as :func:`_repeated`
    leaves them, each with its original span ``start, end`` where no repeat collapsed in it
    (``-1, -1`` otherwise): found for all at once instead of once per match."""
    if not m.size:
        return []
    s, e = m[:, 1], m[:, 2]
    adj = n._adj_np
    collapsed = (
        np.searchsorted(adj, s + 1) < np.searchsorted(adj, e, side="right")
        if adj is not None
        else np.zeros(len(m), dtype=bool)
    )  # as Normalized.runs finds it
    if repeats is not None:
        keep = ~repeats[m[:, 0]]
        if not keep.all():
            keep |= collapsed
            m, s, e, collapsed = m[keep], s[keep], e[keep], collapsed[keep]
    out = np.empty((len(m), 5), dtype=np.int64)
    out[:, :3] = m
    out[:, 3] = n.origins(s)
    out[:, 4] = n.origins(e - 1) + 1
    out[collapsed, 3:] = -1
    rows: list[list[int]] = out.tolist()
    return rows


def _repeated(
    matches: list[tuple[int, int, int]], n: Normalized, repeats: npt.NDArray[np.bool_]
) -> list[tuple[int, int, int]]:
    """``matches`` less those of patterns whose every variant needs a repeated character
    (``repeats``) where no repeat was collapsed (``Normalized.runs`` is None): resolving them
    would fail at once. The rest in the same order."""
    m = np.array(matches, dtype=np.int64)
    keep = ~repeats[m[:, 0]]
    if keep.all():
        return matches
    adj = n._adj_np
    if adj is not None:  # a repeat collapsed inside [s, e): as Normalized.runs finds it
        keep |= np.searchsorted(adj, m[:, 1] + 1) < np.searchsorted(adj, m[:, 2], side="right")
    return [x for x, k in zip(matches, keep.tolist(), strict=True) if k]
