"""Recognizer base classes and the registry (``@register``).

A recognizer finds one entity type. Most are a regular expression plus a validation step
(checksum, date, region) plus context words that raise or cancel the score; they subclass
:class:`RegexRecognizer`. Recognizers are stateless after construction, so one instance is safe
to share between threads; compiled patterns live on the class.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import ClassVar, TypeVar

from beian.pii._types import Entity
from beian.pii._view import TextView

__all__ = [
    "ALNUM",
    "Recognizer",
    "RegexRecognizer",
    "bounded",
    "clause_before",
    "has_any",
    "recognizer_classes",
    "register",
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


def has_any(window: str, words: tuple[str, ...]) -> bool:
    return any(w in window for w in words)


_CLAUSE_ENDS = "。！？；，!?;,\n"


def clause_before(text: str, start: int, window: int) -> str:
    """Up to ``window`` characters before ``start``, cut at the last clause boundary.

    Context words count only inside the clause of the candidate: "编号…。护照E…" must not let
    the 编号 of the previous sentence cancel the passport.
    """
    seg = text[max(0, start - window) : start]
    cut = max(seg.rfind(c) for c in _CLAUSE_ENDS)
    return seg[cut + 1 :] if cut >= 0 else seg


class Recognizer:
    """Base class: one entity type, a name, and :meth:`find_view`.

    ``ascii_only`` recognizers (identifiers made of Latin letters, digits and separators) may be
    handed a compact :class:`~beian.pii._view.TextView` whose ``scan`` holds only the ASCII
    islands of the text; the others read ``view.text``.
    """

    entity_type: ClassVar[str] = ""
    name: ClassVar[str] = ""
    ascii_only: ClassVar[bool] = False

    def find(self, text: str) -> Iterator[Entity]:
        """Candidates in ``text`` (scores before thresholds, overlaps not resolved)."""
        return self.find_view(TextView.identity(text))

    def find_view(self, view: TextView) -> Iterator[Entity]:  # pragma: no cover - abstract
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
    ascii_only: ClassVar[bool] = True

    def check(self, value: str, text: str, start: int) -> float | None:
        return self.score

    def find_view(self, view: TextView) -> Iterator[Entity]:
        text = view.text
        for m in self.pattern.finditer(view.scan):
            value = m.group()
            start = view.to_text(m.start())
            end = start + len(value)
            score = self.check(value, text, start)
            if score is None:
                continue
            if self.context or self.negative:
                before = clause_before(text, start, self.window)
                if self.negative and has_any(before, self.negative):
                    continue
                if self.context and has_any(before, self.context):
                    score = min(1.0, score + self.boost)
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
