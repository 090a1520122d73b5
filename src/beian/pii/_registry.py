"""Recognizer base classes and the registry (``@register``).

A recognizer finds one entity type. Most are a regular expression plus a validation step
(checksum, date, region) plus context words that raise or cancel the score; they subclass
:class:`RegexRecognizer`. Recognizers are stateless after construction, so one instance is safe
to share between threads; compiled patterns live on the class.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import ClassVar, TypeVar

from beian.pii._types import Entity

__all__ = [
    "ALNUM",
    "DIGITS",
    "DOTTED",
    "Recognizer",
    "RegexRecognizer",
    "Trigger",
    "bounded",
    "clause_before",
    "recognizer_classes",
    "register",
    "words_pattern",
]

ALNUM = "0-9A-Za-z"


def bounded(first: str, rest: str, *, right: str = rf"(?![{ALNUM}])") -> str:
    """A pattern whose match is not glued to ASCII letters or digits on either side.

    ``first`` must match exactly one character. The left check is a look-behind placed *after*
    the first character so the regex engine keeps its fast first-character scan (three times
    faster than a leading look-behind). Chinese characters are not word boundaries to ``\\b``,
    which is why digits glued to Chinese text (``身份证号110101…的``) need these explicit checks.
    """
    return rf"(?:{first})(?<![{ALNUM}](?:{first})){rest}{right}"


_UP_TO_CLAUSE_END = re.compile(r".*[。！？；，!?;,\n]", re.S)


def clause_before(text: str, start: int, window: int) -> str:
    """Up to ``window`` characters before ``start``, cut at the last clause boundary.

    Context words count only inside the clause of the candidate: "编号…。护照E…" must not let
    the 编号 of the previous sentence cancel the passport.
    """
    lo = max(0, start - window)
    m = _UP_TO_CLAUSE_END.match(text, lo, start)
    return text[m.end() if m else lo : start]


def words_pattern(words: tuple[str, ...]) -> re.Pattern[str] | None:
    """One regex for a list of context words (one C search instead of one per word)."""
    return re.compile("|".join(map(re.escape, words))) if words else None


@dataclass(frozen=True, eq=False)
class Trigger:
    """Where a recognizer's matches can be: around a cheap ``pattern``, inside runs of ``chars``.

    Every match of a recognizer with a trigger is made of ``chars`` and contains a match of
    ``pattern``, so the engine searches only the maximal runs of ``chars`` around the pattern's
    matches (its windows) and the recognizer finds exactly what it would find in the whole
    text: look-behinds still see the text before a window, and the character after a window is
    never one of ``chars`` (which include every ASCII letter and digit), so the look-aheads
    decide as they would on the whole text.
    """

    pattern: re.Pattern[str]
    chars: str

    def __post_init__(self) -> None:
        object.__setattr__(self, "_set", frozenset(self.chars))
        object.__setattr__(self, "_run", re.compile(f"[{re.escape(self.chars)}]*"))

    def windows(self, text: str) -> list[tuple[int, int]]:
        inside: frozenset[str] = self._set  # type: ignore[attr-defined]
        run: re.Pattern[str] = self._run  # type: ignore[attr-defined]
        out: list[tuple[int, int]] = []
        m = self.pattern.search(text)
        while m is not None:
            lo = m.start()
            while lo > 0 and text[lo - 1] in inside:
                lo -= 1
            hi = run.match(text, m.end()).end()  # type: ignore[union-attr]
            out.append((lo, hi))
            m = self.pattern.search(text, hi)
        return out


_ALNUM_CHARS = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
# Six digits, at most one space or dash after the third or fourth: every 身份证, card, mobile,
# landline, USCC, passport and permit number has such a run; dates, prices and counts rarely do.
DIGITS = Trigger(re.compile(r"[0-9]{3,4}[ -]?[0-9]{3}"), _ALNUM_CHARS + "+()-·• ")
# Two dots around one to three digits: every IPv4 address (a literal scan for ".").
DOTTED = Trigger(re.compile(r"\.[0-9]{1,3}\.[0-9]"), _ALNUM_CHARS + ".")


class Recognizer:
    """Base class: one entity type, a name, and :meth:`find`."""

    entity_type: ClassVar[str] = ""
    name: ClassVar[str] = ""

    trigger: ClassVar[Trigger | None] = None

    def find(
        self, text: str, windows: Iterable[tuple[int, int]] | None = None
    ) -> Iterator[Entity]:  # pragma: no cover - abstract
        """Candidates in ``text`` (scores before thresholds, overlaps not resolved).

        ``windows`` is passed only to recognizers with a ``trigger``: the parts of the text to
        search (see :class:`Trigger`).
        """
        raise NotImplementedError


class RegexRecognizer(Recognizer):
    """A pattern, a validation step and context words.

    ``check`` returns the base score of a candidate or ``None`` to reject it. Context words in
    the ``window`` characters before the candidate add ``boost``; negative context words (order
    numbers, version numbers) reject it.
    """

    pattern: ClassVar[re.Pattern[str]]
    score: ClassVar[float] = 0.85
    context: ClassVar[tuple[str, ...]] = ()
    negative: ClassVar[tuple[str, ...]] = ()
    boost: ClassVar[float] = 0.15
    window: ClassVar[int] = 12

    _context_re: ClassVar[re.Pattern[str] | None] = None
    _negative_re: ClassVar[re.Pattern[str] | None] = None

    def __init_subclass__(cls, **kwargs: object) -> None:
        super().__init_subclass__(**kwargs)
        pattern = cls.__dict__.get("pattern")
        if pattern is not None and not pattern.flags & re.ASCII:
            # \d means [0-9] (identifiers are ASCII digits) and scans faster than Unicode \d.
            cls.pattern = re.compile(pattern.pattern, (pattern.flags & ~re.UNICODE) | re.ASCII)
        cls._context_re = words_pattern(cls.context)
        cls._negative_re = words_pattern(cls.negative)

    def check(self, value: str, text: str, start: int) -> float | None:
        return self.score

    def context_score(self, text: str, start: int, score: float) -> float | None:
        """``score`` raised by context words, or None when a negative word is in the clause."""
        if self._context_re is None and self._negative_re is None:
            return score
        before = clause_before(text, start, self.window)
        if self._negative_re is not None and self._negative_re.search(before):
            return None
        if self._context_re is not None and self._context_re.search(before):
            return min(1.0, score + self.boost)
        return score

    def matches(
        self, text: str, windows: Iterable[tuple[int, int]] | None = None
    ) -> Iterator[re.Match[str]]:
        """Matches of the pattern in ``text``, or only inside ``windows`` (see :class:`Trigger`)."""
        if windows is None:
            yield from self.pattern.finditer(text)
            return
        finditer = self.pattern.finditer
        for lo, hi in windows:
            yield from finditer(text, lo, hi)

    def find(self, text: str, windows: Iterable[tuple[int, int]] | None = None) -> Iterator[Entity]:
        for m in self.matches(text, windows):
            value = m.group()
            start = m.start()
            end = start + len(value)
            score = self.check(value, text, start)
            if score is None:
                continue
            score = self.context_score(text, start, score)
            if score is None:
                continue
            yield Entity(self.entity_type, start, end, value, round(score, 4), self.name)


R = TypeVar("R", bound=type[Recognizer])

_REGISTRY: dict[str, type[Recognizer]] = {}


def register(cls: R) -> R:
    """Class decorator: make a recognizer available to :class:`~beian.pii.PiiEngine`."""
    if not cls.entity_type or not cls.name:
        raise ValueError(f"{cls.__name__} needs entity_type and name")
    if cls.name in _REGISTRY and _REGISTRY[cls.name] is not cls:
        raise ValueError(f"recognizer {cls.name} registered twice")
    _REGISTRY[cls.name] = cls
    return cls


def recognizer_classes() -> dict[str, type[Recognizer]]:
    """Every registered recognizer by name (built-ins are imported first)."""
    import beian.pii.recognizers  # noqa: F401  (registers the built-ins)

    return dict(_REGISTRY)
