"""A compact view of a text for the recognizers that look at Latin letters and digits only.

Most of a Chinese text is Han characters that no identifier pattern can match. The engine
collects the runs of ASCII letters, digits and the separators identifiers use (``islands``),
joins them with newlines and lets those recognizers scan that much shorter string, mapping
each match back to its offset in the original. Islands are maximal, so the character on each
side of an island in the original is never a letter or digit: the recognizers' edge checks
give the same answer on both strings.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from itertools import accumulate

__all__ = ["TextView"]

# Everything that is not part of an island. Plate province characters count as island
# characters so that "粤B12345" stays whole, and so are the plate suffixes (挂学警港澳领使).
_GAP = re.compile(
    r"([^0-9A-Za-z(+\-.:()@_%·• 京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼挂学警港澳领使]+)"
)


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
        # re.split with a capturing group alternates island, gap, island, …; the running sum
        # of the part lengths gives every island's offset without a Python loop per match.
        parts = _GAP.split(text)
        ends = list(accumulate(map(len, parts)))
        islands = parts[0::2]
        text_starts = [0, *ends[1::2]]
        scan_starts = list(accumulate((len(p) + 1 for p in islands[:-1]), initial=0))
        return cls(text, "\n".join(islands), tuple(scan_starts), tuple(text_starts))

    def to_text(self, pos: int) -> int:
        """Offset in ``text`` of offset ``pos`` in ``scan``."""
        if not self.scan_starts:
            return pos
        i = bisect.bisect_right(self.scan_starts, pos) - 1
        return self.text_starts[i] + pos - self.scan_starts[i]
