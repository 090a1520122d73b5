"""Stream-aware output screening: a hold-back window so a keyword split across chunks is caught.

The text of one streamed choice arrives in pieces. A keyword hit covers at most ``max_span``
characters, so a character more than ``max_span - 1`` characters before the end of what has
arrived can no longer become part of a hit that is still to come: it is safe to release. The
screener keeps the last ``max_span - 1`` characters back, and before it releases anything it scans
the window that starts ``max_span - 1`` characters before the first unreleased character, so a
hit straddling released and new text is found before any of its new characters leave. While
nothing could be released (less than a window is held) it does not scan at all; the end of the
stream scans what is left.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from beian.gateway._screening import Screening

__all__ = ["StreamScreener"]


@dataclass
class StreamScreener:
    """Screens one streamed choice; :meth:`feed` returns what may be released now."""

    screening: Screening
    text: list[str] = field(default_factory=list)  # everything received
    received: int = 0
    released: int = 0
    blocked: tuple[str, ...] = ()
    _buffer: str = ""  # received[released - window : received]

    @property
    def window(self) -> int:
        return self.screening.hold_back

    @property
    def full_text(self) -> str:
        return "".join(self.text)

    def _scan_from_buffer(self) -> bool:
        risks = self.screening.risks(self._buffer)
        if risks:
            self.blocked = risks
            return True
        return False

    def feed(self, piece: str) -> str | None:
        """Add ``piece``; return the text that may be sent now, or ``None`` when blocked."""
        if self.blocked:
            return None
        if not piece:
            return ""
        self.text.append(piece)
        self.received += len(piece)
        self._buffer += piece
        w = self.window
        if self.screening.scanner is None or not self.screening.config.screen_output:
            self._buffer = ""
            self.released = self.received
            return piece
        # buffer holds (up to) w released characters, then the unreleased ones
        unreleased = self.received - self.released
        if unreleased <= w:
            return ""  # nothing could be released yet: scan later, when something can
        if self._scan_from_buffer():
            return None
        head = len(self._buffer) - unreleased  # released context kept at the buffer's start
        can_release = max(0, unreleased - w)
        out = self._buffer[head : head + can_release]
        self.released += can_release
        keep_from = max(0, head + can_release - w)
        self._buffer = self._buffer[keep_from:]
        return out

    def finish(self) -> str | None:
        """The upstream stream ended: release the held tail, or ``None`` when it is blocked."""
        if self.blocked:
            return None
        unreleased = self.received - self.released
        if unreleased <= 0:
            return ""
        if self.screening.scanner is not None and self._scan_from_buffer():
            return None
        # nothing more can arrive: the held tail is released once it has been scanned
        out = self._buffer[len(self._buffer) - unreleased :]
        self.released = self.received
        self._buffer = ""
        return out

    @property
    def sent_text(self) -> str:
        return self.full_text[: self.released]
