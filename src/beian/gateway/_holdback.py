"""Stream-aware output screening: a keyword split across chunks is caught before it leaves.

The text of one streamed choice arrives in pieces. When the scanner can tell where a text's
unfinished tail begins (:meth:`beian.lexicon.Lexicon.scan_stream`: the shortest ending that
text still to come could turn into a hit), the screener scans the held text with each new piece
and releases everything before that tail at once: clean text streams through with no delay, and
only a possible keyword start (usually a character or two) waits for the next piece. No hit can
start in released text, so each scan covers the held tail plus a few characters of context.

A scanner that only knows ``max_span`` (the longest stretch one hit can cover) gets a fixed
window instead: the last ``max_span - 1`` characters are held back, and the window that starts
``max_span - 1`` characters before the first unreleased character is scanned before anything is
released. The end of the stream scans and releases what is left.

A hit stops the screener (:meth:`StreamScreener.feed` returns None, :attr:`blocked` names its
risk codes); the relay asks the moderation policy what to do with it. When the policy lets it
through (flag, allow, or a dry run), :meth:`StreamScreener.allow` resumes: hits of those risk
codes no longer stop this screener, and what may be released now is returned.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from time import perf_counter

from beian.gateway._screening import Screening

__all__ = ["StreamScreener"]

# Released characters kept before the held tail when the scanner tracks unfinished tails: enough
# for the word-boundary check of ASCII keywords and a repeat run that started in released text.
_CONTEXT = 8
# The longest tail held while it may still become a keyword. Visible noise longer than the
# lexicon's max_gap ends a possible keyword, so only invisible characters (format characters,
# which never count towards the gap) can make a tail this long; each new piece rescans the tail,
# so a tail that kept growing would cost time quadratic in its length. Past this it is blocked.
HOLD_LIMIT = 4096
HOLD_RISK = "HOLD_LIMIT"  # the "risk" recorded for such a block
# one streamed answer in TIME_EVERY has its scanning timed (``keyword_output``): two clock reads
# per chunk are a measurable share of a streamed request's CPU, a sample is not
TIME_EVERY = 8
_sample = itertools.cycle([True] + [False] * (TIME_EVERY - 1)).__next__


@dataclass
class StreamScreener:
    """Screens one streamed choice; :meth:`feed` returns what may be released now."""

    screening: Screening
    text: list[str] = field(default_factory=list)  # everything received
    received: int = 0
    released: int = 0
    blocked: tuple[str, ...] = ()
    _buffer: str = ""  # received[released - window : received]
    allowed: frozenset[str] = frozenset()  # risk codes the policy let through (see allow)
    # scanning time not yet reported as ``keyword_output`` (Screening.timer): one observation
    # per answer, when it ends or is stopped, rather than one per chunk; a sample of answers
    timing: bool = field(default_factory=lambda: _sample())
    spent: float = 0.0

    def _timed_release(self) -> str | None:
        started = perf_counter()
        out = self._release()
        self.spent += perf_counter() - started
        if out is None:
            self._report()
        return out

    def _report(self) -> None:
        timer = self.screening.timer
        if timer is not None and self.spent:
            timer("keyword_output", self.spent)
        self.spent = 0.0

    @property
    def window(self) -> int:
        return self.screening.hold_back

    @property
    def full_text(self) -> str:
        return "".join(self.text)

    def _scan_from_buffer(self) -> bool:
        risks = self._stopping(self.screening.risks(self._buffer))
        if risks:
            self.blocked = risks
            return True
        return False

    def _stopping(self, risks: tuple[str, ...]) -> tuple[str, ...]:
        """``risks`` less those the policy let through (called only when there are hits)."""
        if not risks or not self.allowed:
            return risks
        return tuple(r for r in risks if r not in self.allowed)

    def allow(self, risks: tuple[str, ...]) -> str | None:
        """The policy lets hits of ``risks`` through: resume, returning what may be released
        now (None when a hit of another risk code stops it again)."""
        self.allowed = self.allowed | frozenset(risks)
        self.blocked = ()
        return self._timed_release() if self.timing else self._release()

    def feed(self, piece: str) -> str | None:
        """Add ``piece``; return the text that may be sent now, or ``None`` when blocked."""
        if self.blocked:
            return None
        if not piece:
            return ""
        self.text.append(piece)
        self.received += len(piece)
        self._buffer += piece
        if self.screening.scanner is None or not self.screening.config.screen_output:
            self._buffer = ""
            self.released = self.received
            return piece
        return self._timed_release() if self.timing else self._release()

    def _release(self) -> str | None:
        """Scan what is held; the text that may leave now, or ``None`` when blocked."""
        unreleased = self.received - self.released
        head = len(self._buffer) - unreleased  # released context kept at the buffer's start
        if self.screening.streams:
            risks, pending = self.screening.scan_stream(self._buffer, head)
            if risks and (risks := self._stopping(risks)):
                self.blocked = risks
                return None
            release_to = max(head, pending)
            if release_to > head:
                last = self._buffer[release_to - 1]  # an ASCII keyword's last letter?
                if (last.isascii() or "\uff10" <= last <= "\uff5a") and last.isalnum():
                    release_to = self._not_ending_in_a_hit(head, release_to)
            if len(self._buffer) - release_to > HOLD_LIMIT:
                self.blocked = (HOLD_RISK,)
                return None
            keep = _CONTEXT
        else:  # fixed window: release what lies more than w characters before the end
            w = self.window
            if unreleased <= w:
                return ""  # nothing could be released yet: scan later, when something can
            if self._scan_from_buffer():
                return None
            release_to = head + unreleased - w
            keep = w
        out = self._buffer[head:release_to]
        self.released += release_to - head
        self._buffer = self._buffer[max(0, release_to - keep) :]
        return out

    def _not_ending_in_a_hit(self, head: int, release_to: int) -> int:
        """``release_to``, or earlier when the text released up to it would end in a keyword
        (one whose word boundary is only broken by a letter held back)."""
        start = self.screening.hit_ending_at_end(self._buffer[:release_to], head)
        return release_to if start is None else max(head, start)

    def finish(self) -> str | None:
        """The upstream stream ended: release the held tail, or ``None`` when it is blocked."""
        if self.blocked:
            return None
        unreleased = self.received - self.released
        if unreleased <= 0:
            if self.timing:
                self._report()
            return ""
        if self.screening.scanner is not None:
            started = perf_counter()
            # the released context before the tail was scanned with all of its own context
            risks = self._stopping(self.screening.risks(
                self._buffer, len(self._buffer) - unreleased if self.screening.streams else 0
            ))  # fmt: skip
            if self.timing:
                self.spent += perf_counter() - started
                self._report()
            if risks:
                self.blocked = risks
                return None
        # nothing more can arrive: the held tail is released once it has been scanned
        out = self._buffer[len(self._buffer) - unreleased :]
        self.released = self.received
        self._buffer = ""
        return out

    @property
    def sent_text(self) -> str:
        return self.full_text[: self.released]
