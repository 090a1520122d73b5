"""ADDRESS written in Latin letters: ``Room 1203, 88 Century Avenue, Pudong, Shanghai``,
``12 Rue de la Paix, 75002 Paris``, ``Hauptstraße 12, 10115 Berlin``.

Found from a street: a house number and one to four words before a street word (Road, Rd,
Street, St, Avenue, Ave, Lane, Drive, Boulevard, Way…), or a street word first with a number
after it (Rue de la Paix, Calle de Alcalá 45, Hauptstraße 12). A street must carry a number.
The comma-separated pieces around it are taken while they read as parts of an address: before
it, a unit (Room 502, Flat 2B, Apt 1502, Tower 3, 15F, Blk 123, No. 8); after it, up to five
pieces of capitalised words, numbers and postcodes (Pudong, Shanghai; NSW 2000; Singapore 560123)
on the same line (``#08-456`` without a comma).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import ClassVar

from beian.pii._registry import Recognizer, register
from beian.pii._scan import Anchor, Scan
from beian.pii._types import Entity

__all__ = ["LatinAddressRecognizer"]

_W = r"[A-ZÀ-Þ][A-Za-zÀ-ÿ'.-]*"
_STREET_WORD = (
    r"(?:Road|Rd|Street|St|Avenue|Ave|Lane|Ln|Drive|Boulevard|Blvd|Highway|Hwy|Way|Place|Pl"
    r"|Square|Sq|Terrace|Crescent|Court|Ct)\.?"
)
_STREET = re.compile(
    rf"(?:(?:No\.\s*)?(?<![\w])\d{{1,5}}[A-Za-z]?\s+(?:{_W}\s+){{0,4}}{_STREET_WORD}"
    rf"(?:\s+\d{{1,4}}[A-Za-z]?(?:\s+(?:{_W}\s+){{1,3}}{_STREET_WORD})?)?"
    rf"|(?:No\.\s*\d{{1,5}}\s+)?(?:{_W}\s+){{1,3}}{_STREET_WORD}\s+\d{{1,4}}[A-Za-z]?"
    rf"|(?:\d{{1,5}},?\s+)?(?:Rue|Calle|Avenida|Via|Viale|Rua|Avenue|Boulevard)(?:\s+[\w'À-ÿ.-]+){{1,4}}?"
    rf"(?:\s+\d{{1,5}}[A-Za-z]?(?![\w])|(?=,\s*\d{{4,6}}\s))"
    rf"|[A-ZÀ-Þ][a-zà-ÿ]*(?:straße|strasse)\s+\d{{1,4}}[a-z]?"
    rf"|Blk\s+\d{{1,5}}(?:\s+{_W}){{1,4}}\s+{_STREET_WORD}(?:\s+\d{{1,4}})?)"
)
# A piece before the street: a unit, a floor, a building.
_UNIT = re.compile(
    r"(?:(?:Room|Rm|Flat|Apt|Apartment|Unit|Suite|Ste|Tower|Block|Blk|Building|Bldg|Floor|No\.)"
    r"\s*[A-Z0-9#-]{1,8}|\d{1,3}(?:F|/F)|#\d{1,3}-\d{1,5}|[A-Z][A-Za-z]*\s+(?:Tower|Building|Plaza"
    r"|Centre|Center|Mansion|House|Court|Gardens?))"
)
# A piece after the street: capitalised words, numbers, postcodes (no lower-case word).
_AFTER = re.compile(
    r"[ \t]+#\d{1,3}-\d{1,5}|,[ \t]*[A-Z0-9#][A-Za-z0-9À-ÿ'#-]*(?:[ \t]+[A-Z0-9][A-Za-z0-9À-ÿ'-]*){0,3}"
)
_UNIT_BEFORE = re.compile(rf"({_UNIT.pattern})\s*,?\s*(?:{_W}(?:\s+{_W}){{0,2}}\s*,\s*)?\Z")
# Where the engine's one scan stops: a street word (the street is then read on its line).
_WORDS = (
    "Road|Rd|Street|St|Avenue|Ave|Lane|Ln|Drive|Boulevard|Blvd|Highway|Hwy|Way|Place|Pl|Square"
    "|Sq|Terrace|Crescent|Court|Ct|Rue|Calle|Avenida|Via|Viale|Rua"
)
_HINT = Anchor(
    re.compile(rf"(?:{_WORDS})(?![a-z])|stra(?:ß|ss)e"),
    "".join(dict.fromkeys(w[0] for w in _WORDS.split("|"))) + "s",
    "".join(dict.fromkeys(w[1] for w in _WORDS.split("|"))) + "t",
)


@register
class LatinAddressRecognizer(Recognizer):
    entity_type = "ADDRESS"
    name = "address_latin"
    score: ClassVar[float] = 0.7
    anchors = (_HINT,)
    needs = anchors

    def find(self, text: str, scan: Scan | None = None) -> Iterator[Entity]:
        done = 0
        for hint in (scan or Scan(text)).anchored(_HINT):
            if hint.start() < done:
                continue
            line_start = text.rfind("\n", 0, hint.start()) + 1
            line_end = text.find("\n", hint.end())
            line_end = len(text) if line_end < 0 else line_end
            for found in self._on_line(text, max(done, line_start), line_end):
                done = found.end
                yield found
            done = max(done, line_end)

    def _on_line(self, text: str, line_start: int, line_end: int) -> Iterator[Entity]:
        for m in _STREET.finditer(text, line_start, line_end):
            start, end = m.span()
            before = _UNIT_BEFORE.search(text, max(line_start, start - 60), start)
            if before is not None:
                start = before.start()
            for _ in range(5):
                nxt = _AFTER.match(text, end)
                if nxt is None:
                    break
                end = nxt.end()
            value = text[start:end].rstrip(" .,")
            yield Entity(self.entity_type, start, start + len(value), value, self.score, self.name)
