"""Recognizer base classes and the registry (``@register``).

A recognizer finds one entity type. Most are a regular expression plus a validation step
(checksum, date, region) plus context words that raise or cancel the score; they subclass
:class:`RegexRecognizer`. Recognizers are stateless after construction, so one instance is safe
to share between threads; compiled patterns live on the class.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import ClassVar, TypeVar

from beian.pii._types import Entity

__all__ = [
    "ALNUM",
    "Recognizer",
    "RegexRecognizer",
    "bounded",
    "clause_before",
    "digit_windows",
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


# Six digits, at most one space or dash after the third or fourth: every 身份证, card, mobile,
# landline, USCC, passport and permit number has such a run; dates, prices and counts rarely do.
_TRIGGER = re.compile(r"[0-9]{3,4}[ -]?[0-9]{3}")
_RUN = re.compile(r"[0-9A-Za-z+()\-·• ]*")
_RUN_CHARS = frozenset("0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ+()-·• ")


def digit_windows(text: str) -> list[tuple[int, int]]:
    """The maximal runs of identifier characters (ASCII letters, digits, ``+()-·•`` and spaces)
    that contain a trigger run of digits. A ``windowed`` recognizer's matches are made of these
    characters and contain a trigger, so searching only these windows finds the same matches;
    the look-behinds still see the text before a window, and the character after a window is
    never a letter or digit, so the look-aheads decide as on the whole text."""
    out: list[tuple[int, int]] = []
    m = _TRIGGER.search(text)
    while m is not None:
        lo = m.start()
        while lo > 0 and text[lo - 1] in _RUN_CHARS:
            lo -= 1
        run = _RUN.match(text, m.end())
        hi = run.end() if run else m.end()
        out.append((lo, hi))
        m = _TRIGGER.search(text, hi)
    return out


class Recognizer:
    """Base class: one entity type, a name, and :meth:`find`."""

    entity_type: ClassVar[str] = ""
    name: ClassVar[str] = ""

    windowed: ClassVar[bool] = False

    def find(
        self, text: str, windows: Iterable[tuple[int, int]] | None = None
    ) -> Iterator[Entity]:  # pragma: no cover - abstract
        """Candidates in ``text`` (scores before thresholds, overlaps not resolved).

        ``windows`` is passed only to ``windowed`` recognizers: the parts of the text to search.
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
    # True when every match holds six digits with at most one separator (``digit_windows``):
    # the engine then searches only the stretches of text around such digit runs.
    windowed: ClassVar[bool] = False

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
        """Matches of the pattern in ``text``, or only inside ``windows`` (see ``digit_windows``)."""
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
