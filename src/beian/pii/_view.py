"""A compact view of a text for the recognizers that look at Latin letters and digits only.

Most of a Chinese text is Han characters that no identifier pattern can match. The engine
collects the runs of ASCII letters, digits and the separators identifiers use (``islands``),
joins them with newlines and lets those recognizers scan that much shorter string, mapping
each match back to its offset in the original. Islands are maximal, so the character on each
side of an island in the original is never a letter or digit: the recognizers' edge checks
give the same answer on both strings. A plate's province character is kept with its island.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

__all__ = ["TextView"]

_ISLAND = re.compile(r"[0-9A-Za-z(+][0-9A-Za-z+\-.:()@_%·• ]*")
_PLATE_HEADS = frozenset("京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼")


@dataclass(frozen=True, slots=True)
class TextView:
    """``scan`` is what the recognizers search; ``text`` is the original."""

    text: str
    scan: str
    scan_starts: tuple[int, ...] = ()
    text_starts: tuple[int, ...] = ()

    @classmethod
    def identity(cls, text: str) -> TextView:
        return cls(text, text)

    @classmethod
    def islands(cls, text: str) -> TextView:
        parts: list[str] = []
        scan_starts: list[int] = []
        text_starts: list[int] = []
        pos = 0
        for m in _ISLAND.finditer(text):
            start = m.start()
            if start > 0 and text[start - 1] in _PLATE_HEADS and text[start].isalpha():
                start -= 1
            scan_starts.append(pos)
            text_starts.append(start)
            part = text[start : m.end()]
            parts.append(part)
            pos += len(part) + 1
        return cls(text, "\n".join(parts), tuple(scan_starts), tuple(text_starts))

    def to_text(self, pos: int) -> int:
        """Offset in ``text`` of offset ``pos`` in ``scan``."""
        if not self.scan_starts:
            return pos
        i = bisect.bisect_right(self.scan_starts, pos) - 1
        return self.text_starts[i] + pos - self.scan_starts[i]
