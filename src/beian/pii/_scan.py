"""Where the recognizers look: trigger windows and anchors, found once per text and shared.

Most of a Chinese text holds nothing any recognizer can match, so no recognizer scans the whole
text with its own pattern:

* Identifier recognizers (digits, letters, separators) have a :class:`Trigger`: a cheap pattern
  whose surroundings (its *windows*) are the only places their matches can be. The windows are
  joined into one short string (:class:`Windows`) that each such recognizer scans once.
* Recognizers that start from Chinese words (name prefixes and titles, place-name suffixes,
  plate provinces) declare :class:`Anchor` patterns. The engine finds the anchors of all its
  recognizers in *one* scan of the text (:class:`ScanPlan`), instead of one scan per pattern:
  scanning is the dominant cost because the regex engine tests every character of the text
  against a pattern's first-character set, whatever the pattern.

:class:`Scan` holds what was found for one text; recognizers ask it for their windows and
anchor matches, and a recognizer used on its own gets a :class:`Scan` that searches directly.
The results are exactly those of each pattern's own ``finditer`` over the whole text.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

__all__ = ["ALNUM_CHARS", "DIGITS", "DOTTED", "Anchor", "Scan", "ScanPlan", "Trigger", "Windows"]

ALNUM_CHARS = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"


class Windows:
    """The windows of a :class:`Trigger` in one text, joined into one short string.

    ``joined`` holds the windows separated by newlines (never one of a trigger's ``chars``), so a
    recognizer scans all of them with one ``finditer`` call instead of one call per window and
    maps each match back to its offset in the text with :meth:`to_text`.
    """

    __slots__ = ("joined", "shifts", "starts")

    def __init__(self, text: str, spans: list[tuple[int, int]]) -> None:
        self.joined = "\n".join([text[lo:hi] for lo, hi in spans])
        # Where each window starts in ``joined``, and what to add there to get a text offset.
        self.starts: list[int] = []
        self.shifts: list[int] = []
        pos = 0
        for lo, hi in spans:
            self.starts.append(pos)
            self.shifts.append(lo - pos)
            pos += hi - lo + 1

    def to_text(self, pos: int) -> int:
        """The offset in the text of offset ``pos`` in :attr:`joined`."""
        return pos + self.shifts[bisect.bisect_right(self.starts, pos) - 1]

    def matches(self, pattern: re.Pattern[str]) -> list[tuple[int, str]]:
        """``(offset in the text, value)`` of each match of ``pattern`` inside the windows."""
        if len(self.shifts) == 1:
            shift = self.shifts[0]
            return [(m.start() + shift, m.group()) for m in pattern.finditer(self.joined)]
        if not self.shifts:
            return []
        to_text = self.to_text
        return [(to_text(m.start()), m.group()) for m in pattern.finditer(self.joined)]


@dataclass(frozen=True, eq=False)
class Trigger:
    """Where a recognizer's matches can be: in runs of ``chars`` that contain a ``pattern`` match.

    Every match of a recognizer with a trigger is made of ``chars`` and lies in a maximal run
    of ``chars`` that contains a match of ``pattern``, so the engine hands the recognizer only
    those runs (its windows) and the recognizer finds exactly what it would find in the whole
    text: the character on each side of a window is never one of ``chars`` (which include every
    ASCII letter and digit) and neither is the newline that separates windows in
    :attr:`Windows.joined`, so look-behinds and look-aheads decide as they would on the whole
    text.

    ``shapes``, when given, find the same runs faster than ``pattern``: byte strings such that a
    run of ``chars`` contains a match of ``pattern`` exactly when the text's *digit shape* has
    one of them inside that run. The digit shape is the text with every ASCII digit written as
    ``9``, every space as ``-`` and every character outside Latin-1 as ``?``, one byte per
    character, so offsets are the text's. Two C-level string operations make it and
    ``bytes.find`` searches it: several times faster than a regex whose first character is a
    digit, which the regex engine tries at every digit of the text.
    """

    pattern: re.Pattern[str]
    chars: str
    shapes: tuple[bytes, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "_set", frozenset(self.chars))
        object.__setattr__(self, "_run", re.compile(f"[{re.escape(self.chars)}]*"))
        object.__setattr__(self, "_runs", _run_shape(self.chars, self.shapes))

    def _hits(self, text: str) -> list[tuple[int, int]]:
        """Spans of pattern matches (or shape occurrences), in order: at least one in each run
        of ``chars`` that has one."""
        if not self.shapes:
            return [m.span() for m in self.pattern.finditer(text)]
        shape = text.encode("latin-1", "replace").translate(_DIGIT_SHAPE)
        hits: list[tuple[int, int]] = []
        for needle in self.shapes:
            # The next occurrence that does not overlap this one: overlapping ones share
            # characters of ``chars`` with it, so they are in the same run.
            pos = shape.find(needle)
            while pos != -1:
                end = pos + len(needle)
                hits.append((pos, end))
                pos = shape.find(needle, end)
        if len(self.shapes) > 1:
            hits.sort()
        return hits

    def windows(self, text: str) -> Windows:
        runs: _Runs | None = self._runs  # type: ignore[attr-defined]
        if runs is not None and not any(c in text for c in runs[1]):
            # The digit shape with every other character of ``chars`` written as "a" and every
            # character outside them as ".": a window's ends are two C searches for ".".
            shape = text.encode("latin-1", "replace").translate(runs[0])
            search = runs[2]
            spans: list[tuple[int, int]] = []
            last = 0
            # The first shape at or after the end of the last window lies in the next window.
            while (hit := search(shape, last)) is not None:
                last = shape.find(b".", hit.end())
                if last < 0:
                    last = len(shape)
                spans.append((shape.rfind(b".", 0, hit.start()) + 1, last))
            return Windows(text, spans) if spans else _NO_WINDOWS
        inside: frozenset[str] = self._set  # type: ignore[attr-defined]
        run: re.Pattern[str] = self._run  # type: ignore[attr-defined]
        out: list[tuple[int, int]] = []
        hi = 0
        for start, end in self._hits(text):
            if start < hi:
                continue  # in the window found last (a hit lies inside one run of ``chars``)
            lo = start
            while lo > 0 and text[lo - 1] in inside:
                lo -= 1
            hi = run.match(text, end).end()  # type: ignore[union-attr]
            out.append((lo, hi))
        return Windows(text, out) if out else _NO_WINDOWS


_NO_WINDOWS = Windows("", [])
_DIGIT_SHAPE = bytes.maketrans(b"0123456789 ", b"9999999999-")


_Runs = tuple[bytes, str, Callable[[bytes, int], "re.Match[bytes] | None"]]


def _run_shape(chars: str, shapes: tuple[bytes, ...]) -> _Runs | None:
    """The translation of Latin-1 bytes that keeps the digit shape's ``9`` and ``-`` (so the
    ``shapes`` are found where they were), writes every other byte of ``chars`` as ``a`` and
    every byte outside them as ``.``; the characters of ``chars`` outside Latin-1, which the
    encoding's ``?`` cannot show (a text with one takes the character-by-character way); and
    a search for the first of the ``shapes`` from a position.
    None when the shapes hold other bytes or ``?`` is one of ``chars``."""
    if not shapes or any(set(s) - set(b"9-") for s in shapes) or "?" in chars:
        return None
    table = bytearray(b"." * 256)
    for c in chars:
        if ord(c) < 256:
            table[ord(c)] = ord("a")
    for b in range(256):
        if table[b] == ord("a") and _DIGIT_SHAPE[b] in b"9-":
            table[b] = _DIGIT_SHAPE[b]
    if any(_DIGIT_SHAPE[b] in b"9-" and table[b] == ord(".") for b in range(256)):
        return None  # a digit or a space outside ``chars``: its shape byte would be lost
    search = re.compile(b"|".join(map(re.escape, shapes))).search
    return bytes(table), "".join(c for c in chars if ord(c) >= 256), search


# Six digits, at most one space or dash after the third or fourth: every 身份证, card, mobile,
# landline, USCC, passport and permit number has such a run; dates, prices and counts rarely do.
# In the digit shape: six digits, or three, a space or a dash, and three.
DIGITS = Trigger(
    re.compile(r"[0-9]{3,4}[ -]?[0-9]{3}"), ALNUM_CHARS + "+()-·• ", shapes=(b"999999", b"999-999")
)
# Two dots around one to three digits: every IPv4 address (a literal scan for ".").
DOTTED = Trigger(re.compile(r"\.[0-9]{1,3}\.[0-9]"), ALNUM_CHARS + ".")


_BACKREF = re.compile(r"\\[1-9]|\(\?P=")
_Match = Callable[[str, int], "re.Match[str] | None"]


@dataclass(frozen=True, eq=False)
class Anchor:
    """A pattern a recognizer starts from; every match of it starts with one of ``heads``.

    ``follows``, when given, holds every character that can come after the head in a match:
    the combined scan then tries the anchor only where one follows a head, which saves most of
    the work at heads that are common characters (我, 同, 名, 收…).

    ``back`` (0 or 1) is how many characters before the head a match starts: with 1, the heads
    are the *second* characters of the matches. Words that start with one of the most
    frequent characters (上诉人, 会长) are found from their second one, where the scan stops
    far less often.

    ``before``, when given, holds every character that can come right before the head in a
    match (with ``back`` 1, the match's first character; with 0, what a look-behind at the
    start of the pattern allows): the combined scan then passes a head that has no ``follows``
    on to the anchors only after one of them, as 会长 and 东门 are found from 长 and 门, which
    stand after anything in most texts.

    ``pattern`` may use the ``re.ASCII`` flag and no other, and neither named groups nor
    back-references: the engine embeds it in its combined scan (see :class:`ScanPlan`), where
    its groups are numbered differently.
    """

    pattern: re.Pattern[str]
    heads: str
    follows: str = ""
    back: int = 0
    before: str = ""

    def __post_init__(self) -> None:
        p = self.pattern
        if p.flags & ~(re.ASCII | re.UNICODE) or p.groupindex or _BACKREF.search(p.pattern):
            raise ValueError(f"anchor {p.pattern!r}: flags, named groups or back-references")
        if self.back not in (0, 1):
            raise ValueError(f"anchor {p.pattern!r}: back must be 0 or 1, not {self.back}")


_GROUP = 3  # anchors per group of the combined scan (measured: 2, 4 and 5 are slower)


def _group_try(group: list[Anchor]) -> str:
    """The part of the combined pattern for ``group``, placed right after a head: a test of
    the head (and of the character after it), then a look-behind (one character wide, two for
    anchors with ``back``) holding a look-ahead that one of the anchors matches from the head
    (or from the character before it). Each anchor's alternative starts with a test of its own
    heads, so that the others (a long word list among them) fail on their first character."""
    heads = re.escape("".join(dict.fromkeys(h for a in group for h in a.heads)))
    check = f"(?<=[{heads}])"
    if all(a.follows for a in group):
        check += f"(?=[{re.escape(''.join(dict.fromkeys(''.join(a.follows for a in group))))}])"
    tries = []
    for back in (0, 1):
        alternatives = "|".join(
            f"(?{'a' if a.pattern.flags & re.ASCII else 'u'}:"
            f"(?={'.' * back}[{re.escape(a.heads)}])(?:{a.pattern.pattern}))"
            for a in group
            if a.back == back
        )
        if alternatives:
            tries.append(f"(?<=(?=(?:{alternatives})){'.' * (back + 1)})")
    return f"{check}(?:{'|'.join(tries)})"


class ScanPlan:
    """One combined scan for a set of anchors.

    The combined pattern consumes one character, a head of some anchor, checks the character
    after it against the anchors' ``follows`` (unless the head is one of an anchor without
    them), and then, for each small group of anchors whose heads include it, checks with a
    look-behind (one character wide, two for anchors with ``back``) that holds a look-ahead
    that one of the anchors matches from the head (or from the character before it). The regex
    engine therefore tests each character of the text against one set (the union of the heads)
    instead of once per anchor, and stops at exactly the heads of anchor matches. There each
    anchor whose heads include the character is matched on its own, and its matches are kept as
    ``finditer`` would keep them (left to right, not overlapping each other).
    """

    def __init__(self, anchors: tuple[Anchor, ...]) -> None:
        self.anchors = anchors
        self.by_anchor = frozenset(self.anchors)
        self._covers: dict[tuple[Anchor, ...], bool] = {}
        self.by_head: dict[str, tuple[Anchor, ...]] = {}
        for a in self.anchors:
            for h in dict.fromkeys(a.heads):
                self.by_head[h] = (*self.by_head.get(h, ()), a)
        heads = re.escape("".join(self.by_head))
        free = re.escape(
            "".join(
                dict.fromkeys(h for a in anchors if not a.follows and not a.before for h in a.heads)
            )
        )
        follows = re.escape("".join(dict.fromkeys("".join(a.follows for a in anchors))))
        # A head passes on to the anchors when one of its anchors may match there: it is free
        # (its anchor neither has ``follows`` nor ``before``), one of the ``follows`` is next,
        # or the character before it is one of the ``before`` of an anchor it is a head of.
        # One test for all the anchors with ``before`` (any of their ``before`` characters
        # before any of their heads): one more test at every head, not one per anchor.
        late = [a for a in anchors if a.before and not a.follows]
        passes = [f"(?<=[{free}])"] if free else []
        if follows:
            passes.append(f"(?=[{follows}])")
        if late:
            before = re.escape("".join(dict.fromkeys("".join(a.before for a in late))))
            late_heads = re.escape("".join(dict.fromkeys("".join(a.heads for a in late))))
            passes.append(f"(?<=[{before}][{late_heads}])")
        second = f"(?:{'|'.join(passes)})" if follows or late else ""
        # The anchors are tried in small groups, those with ``follows`` apart from the others:
        # a group is entered only at a head of one of its anchors (and, when all of them have
        # ``follows``, before one of their characters), so a stop tests a few sets, not every
        # anchor; 1.6 ms/MB less than one alternation of all anchors on pii_bench text.
        with_follows = [a for a in anchors if a.follows]
        others = [a for a in anchors if not a.follows]
        groups = [
            group[i : i + _GROUP]
            for group in (with_follows, others)
            for i in range(0, len(group), _GROUP)
        ]
        tries = "|".join(_group_try(g) for g in groups)
        self.pattern = re.compile(f"[{heads}]{second}(?:{tries})", re.S)
        # What ``find`` tries at each head: the anchor, its bound ``match`` and its ``back``.
        self._tries: dict[str, tuple[tuple[Anchor, _Match, int], ...]] = {
            h: tuple((a, a.pattern.match, a.back) for a in anchors)
            for h, anchors in self.by_head.items()
        }

    def covers(self, anchors: tuple[Anchor, ...]) -> bool:
        """Whether the plan finds all of ``anchors`` (remembered per tuple: a recognizer asks
        with the same tuple for every text)."""
        known = self._covers.get(anchors)
        if known is None:
            known = self._covers[anchors] = self.by_anchor.issuperset(anchors)
        return known

    @staticmethod
    @lru_cache(maxsize=64)
    def of(anchors: tuple[Anchor, ...]) -> ScanPlan:
        """The plan for ``anchors`` (built once per set of anchors and shared)."""
        return ScanPlan(tuple(dict.fromkeys(anchors)))

    def find(self, text: str) -> dict[Anchor, list[re.Match[str]]]:
        """The matches of the anchors in ``text``, as each one's own ``finditer`` finds them;
        anchors without a match are left out."""
        if len(self.anchors) == 1:
            only = self.anchors[0]
            return {only: ms} if (ms := list(only.pattern.finditer(text))) else {}
        found: dict[Anchor, list[re.Match[str]]] = {}
        ends: dict[Anchor, int] = {}
        tries = self._tries
        for hit in self.pattern.finditer(text):
            pos = hit.start()
            for a, match, back in tries[text[pos]]:
                start = pos - back
                if start >= ends.get(a, 0) and (m := match(text, start)) is not None:
                    kept = found.get(a)
                    if kept is None:
                        found[a] = [m]
                    else:
                        kept.append(m)
                    ends[a] = m.end()
        return found


class Scan:
    """What the recognizers look for in one text, found on first request and shared."""

    __slots__ = ("_anchored", "_plan", "_windows", "text")

    def __init__(self, text: str, plan: ScanPlan | None = None) -> None:
        self.text = text
        self._plan = plan
        self._windows: dict[Trigger, Windows] = {}
        self._anchored: dict[Anchor, list[re.Match[str]]] | None = None

    def windows(self, trigger: Trigger) -> Windows:
        """The windows of ``trigger`` in the text."""
        found = self._windows.get(trigger)
        if found is None:
            found = self._windows[trigger] = trigger.windows(self.text)
        return found

    def anchored_lists(self, anchors: tuple[Anchor, ...]) -> list[list[re.Match[str]]]:
        """The matches of each of ``anchors`` that has some, in the order of ``anchors`` (one
        lookup of the plan's findings for them all)."""
        plan = self._plan
        if plan is not None and plan.covers(anchors):
            if self._anchored is None:
                self._anchored = plan.find(self.text)
            found = self._anchored
            return [found[a] for a in anchors if a in found]
        return [ms for a in anchors if (ms := self.anchored(a))]

    def lacks(self, needs: tuple[Trigger | Anchor | str, ...]) -> bool:
        """Whether the text has neither a window of any trigger in ``needs`` nor a match of any
        anchor in it nor any string in it."""
        for need in needs:
            if isinstance(need, str):
                if need in self.text:
                    return False
            elif isinstance(need, Trigger):
                if self.windows(need).shifts:
                    return False
            elif self.anchored(need):
                return False
        return True

    def anchored(self, anchor: Anchor) -> list[re.Match[str]]:
        """The matches of ``anchor`` in the text, as its own ``finditer`` finds them."""
        plan = self._plan
        if plan is not None and anchor in plan.by_anchor:
            if self._anchored is None:
                self._anchored = plan.find(self.text)
            return self._anchored.get(anchor, [])
        return list(anchor.pattern.finditer(self.text))
