"""Recognizer base classes and the registry (``@register``).

A recognizer finds one entity type. Most are a regular expression plus a validation step
(checksum, date, region) plus context words that raise or cancel the score; they subclass
:class:`RegexRecognizer`. Recognizers are stateless after construction, so one instance is safe
to share between threads; compiled patterns live on the class.
"""

from __future__ import annotations

import abc
import re
from collections.abc import Iterable, Iterator
from typing import ClassVar, TypeVar

from beian._shared.plugins import PluginRegistry
from beian.pii._scan import Anchor, Scan, Trigger
from beian.pii._types import Entity

__all__ = [
    "ALNUM",
    "Recognizer",
    "RegexRecognizer",
    "bounded",
    "clause_before",
    "glued_label",
    "recognizer_classes",
    "register",
    "words_pattern",
]

ALNUM = "0-9A-Za-z"


def bounded(first: str, rest: str, *, right: str = rf"(?![{ALNUM}])", left: str = ALNUM) -> str:
    """A pattern whose match is not glued to ASCII letters or digits on either side.

    ``first`` must match exactly one character. The left check is a look-behind placed *after*
    the first character so the regex engine keeps its fast first-character scan (three times
    faster than a leading look-behind). Chinese characters are not word boundaries to ``\\b``,
    which is why digits glued to Chinese text (``身份证号110101…的``) need these explicit checks.
    """
    return rf"(?:{first})(?<![{left}](?:{first})){rest}{right}"


# ASCII labels written straight before an identifier in logs and forms ("IP1.2.3.4",
# "tel13800138000", "idno110101…", "bankcard6222…"); matched at the end of the letters.
_LABEL_WORDS = re.compile(
    r"(?:ip|ipv4|ipaddr|addr|tel|phone|mobile|mob|cell|fax|card|cardno|acct|account|code|"
    r"no|num|id|idno|idcard|sfz|uscc|passport|qq|wx|contact)_?$"
)


_IP_LABELS = ("ipv4", "ipv6")


def glued_label(text: str, start: int) -> bool:
    """Whether the ASCII letters glued to the left of ``start`` may stand there.

    A label (``IP``, ``tel``, ``contact_tel``, ``idno``) or a capitalised word (a name written
    before the number: ``Lucy Ho13677634326``) may; other letters (``A110101…``, a hash, a
    product code) may not. True when no letter is glued at all. The labels ``IPv4`` and ``IPv6``
    end in a digit and are labels all the same (``IPv4192.168.1.10``).
    """
    if text[max(0, start - 4) : start].lower() in _IP_LABELS:
        return True
    i = start
    while (
        i > 0
        and start - i < 24
        and text[i - 1].isascii()
        and (text[i - 1].isalpha() or text[i - 1] == "_")
    ):
        i -= 1
    word = text[i:start]
    if len(word) == 1 and word in "tnr" and i > 0 and text[i - 1] == "\\":
        return True  # an escaped tab or line break ("\\t13706219845" in a log or an export)
    if not word:  # nothing glued, or a digit
        return not (start > 0 and text[start - 1].isascii() and text[start - 1].isdigit())
    if i > 0 and text[i - 1].isascii() and text[i - 1].isdigit():
        return False
    if _LABEL_WORDS.search(word.lower()):
        return True
    return len(word) >= 2 and word[0].isupper() and word[1:].islower()


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


class Recognizer(abc.ABC):
    """Base class: one entity type, a name, and :meth:`find`.

    ``anchors`` are the patterns the recognizer starts from (see :class:`~beian.pii._scan.Anchor`):
    the engine finds those of all its recognizers in one scan of the text.
    """

    entity_type: ClassVar[str] = ""
    name: ClassVar[str] = ""

    anchors: ClassVar[tuple[Anchor, ...]] = ()
    # None: always runs. True: only with ``pii.context_names: true`` (slower readings of the
    # words around a name); False: only without it (the recognizer those replace).
    context_names: ClassVar[bool | None] = None
    # None: runs in every engine. True: not with ``pii.fast_names: true`` (costly readings
    # that find few names of their own; the tagger reads their finds as features); False: only
    # with it (the lighter recognizer that replaces one of those).
    full: ClassVar[bool | None] = None
    # What the recognizer finds nothing without: when neither a window of one of these
    # triggers nor a match of one of these anchors nor one of these strings is in a text, the
    # engine does not call :meth:`find` there (its fixed cost counts on short texts). Empty: it
    # always runs.
    needs: ClassVar[tuple[Trigger | Anchor | str, ...]] = ()

    def __init_subclass__(cls, **kwargs: object) -> None:
        super().__init_subclass__(**kwargs)
        if "find" in cls.__dict__ and "needs" not in cls.__dict__:
            cls.needs = ()  # a find of its own may look anywhere: it declares its needs again

    @abc.abstractmethod
    def find(self, text: str, scan: Scan | None = None) -> Iterator[Entity]:
        """Candidates in ``text`` (scores before thresholds, overlaps not resolved).

        ``scan`` is the engine's :class:`~beian.pii._scan.Scan` of ``text``, shared by the
        recognizers: ask it for trigger windows and anchor matches (without one, make one).
        """


class RegexRecognizer(Recognizer):
    """A pattern, a validation step and context words.

    ``check`` returns the base score of a candidate or ``None`` to reject it; ``reason`` says why
    a candidate scores low (a wrong check digit), and is empty otherwise. With ``glue`` the
    pattern lets ASCII letters stand before a match (its left check is on digits only) and
    :func:`glued_label` decides whether they may (``IP192.168.1.1``). Context words in
    the ``window`` characters before the candidate add ``boost``; negative context words (order
    numbers, version numbers) reject it.

    The pattern is searched inside the windows of ``trigger`` when there is one (identifiers
    made of ASCII characters), else as an anchor when ``heads`` (the characters every match
    starts with; ``follows``: those that can come second) are given, else in the whole text.
    """

    pattern: ClassVar[re.Pattern[str]]
    trigger: ClassVar[Trigger | None] = None
    heads: ClassVar[str] = ""
    follows: ClassVar[str] = ""
    score: ClassVar[float] = 0.85
    context: ClassVar[tuple[str, ...]] = ()
    negative: ClassVar[tuple[str, ...]] = ()
    boost: ClassVar[float] = 0.15
    window: ClassVar[int] = 12
    glue: ClassVar[bool] = False
    # Whether a match may start right after an ASCII digit. False (every pattern made with
    # :func:`bounded` whose left check covers the digits): the windows of ``trigger`` are
    # searched with a look-behind for a digit first, which fails at once inside a run of digits
    # where the pattern's own first character and left check would be tried at every digit.
    after_digit: ClassVar[bool] = True

    _context_re: ClassVar[re.Pattern[str] | None] = None
    _negative_re: ClassVar[re.Pattern[str] | None] = None
    _window_pattern: ClassVar[re.Pattern[str]]

    def __init_subclass__(cls, **kwargs: object) -> None:
        super().__init_subclass__(**kwargs)
        pattern = cls.__dict__.get("pattern")
        if pattern is not None and not pattern.flags & re.ASCII:
            # \d means [0-9] (identifiers are ASCII digits) and scans faster than Unicode \d.
            cls.pattern = re.compile(pattern.pattern, (pattern.flags & ~re.UNICODE) | re.ASCII)
        if cls.heads and "heads" in cls.__dict__:
            cls.anchors = (Anchor(cls.pattern, cls.heads, cls.follows),)
        if "needs" not in cls.__dict__ and cls.find is RegexRecognizer.find:
            # Its matches are those of ``matches``: in the trigger's windows or at its anchor.
            cls.needs = (cls.trigger,) if cls.trigger is not None else cls.anchors[:1]
        cls._context_re = words_pattern(cls.context)
        cls._negative_re = words_pattern(cls.negative)
        if "pattern" in cls.__dict__ or "after_digit" in cls.__dict__:
            p = cls.pattern
            cls._window_pattern = (
                p if cls.after_digit else re.compile(rf"(?<![0-9])(?:{p.pattern})", p.flags)
            )

    def check(self, value: str, text: str, start: int) -> float | None:
        return self.score

    def reason(self, value: str, score: float) -> str:
        """Why ``value`` scored ``score`` when that is lower than a clean match ("" if not)."""
        return ""

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

    def matches(self, text: str, scan: Scan | None = None) -> list[tuple[int, str]]:
        """``(start, value)`` of each match of the pattern in ``text``."""
        if self.trigger is not None:
            return (scan or Scan(text)).windows(self.trigger).matches(self._window_pattern)
        if self.anchors:
            found: Iterable[re.Match[str]] = (scan or Scan(text)).anchored(self.anchors[0])
        else:
            found = self.pattern.finditer(text)
        return [(m.start(), m.group()) for m in found]

    def find(self, text: str, scan: Scan | None = None) -> Iterator[Entity]:
        check, context_score, glue = self.check, self.context_score, self.glue
        for start, value in self.matches(text, scan):
            if glue and start and text[start - 1].isascii() and not glued_label(text, start):
                continue
            base = check(value, text, start)
            if base is None:
                continue
            score = context_score(text, start, base)
            if score is None:
                continue
            end = start + len(value)
            why = self.reason(value, base) if base < self.score else ""
            yield Entity(self.entity_type, start, end, value, round(score, 4), self.name, why)


R = TypeVar("R", bound=type[Recognizer])


def _builtin_recognizers() -> None:
    import beian.pii.recognizers  # noqa: F401  (registers the built-ins)


_REGISTRY: PluginRegistry[type[Recognizer]] = PluginRegistry(
    "recognizers", label="个人信息识别器", builtins=_builtin_recognizers
)


def register(cls: R) -> R:
    """Class decorator: make a recognizer available to :class:`~beian.pii.PiiEngine`."""
    if not cls.entity_type or not cls.name:
        raise ValueError(f"{cls.__name__} needs entity_type and name")
    _REGISTRY.add(cls.name, cls)
    return cls


def recognizer_classes() -> dict[str, type[Recognizer]]:
    """Every registered recognizer by name (built-ins, then installed packs' entry points)."""
    return dict(_REGISTRY)
