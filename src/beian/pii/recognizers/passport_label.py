"""PASSPORT after a passport label: ``护照``, ``护照号``, ``护照号码``, ``Passport No.`` and the
like (and the traditional ``護照``), glued to the value or followed by a colon, ``#``, ``=``,
是 / 为 or spaces, then eight or nine capital letters and digits with at least two digits (France
``19AF62830``, Germany ``C4KR81T27``, ``C01X7TF52``) or one or two letters and six digits
(Saudi Arabia ``R483920``). These shapes have fewer than six digits in a row, so the digit
trigger of :mod:`~beian.pii.recognizers.passport` never looks at them; a value glued to a Latin
label (``PassportE12345678``) is also found here, and so is the Russian shape of a two-digit
series, a space and seven digits (``护照75 3918462``), which no other shape reads as one number.
The label must come right before the value: "护照有效期至20300815" has words in between and is
not a passport number."""

from __future__ import annotations

import re
from collections.abc import Iterator

from beian.pii._registry import Recognizer, register
from beian.pii._scan import Scan
from beian.pii._types import Entity

_LABELS = ("护照", "護照", "passport", "Passport", "PASSPORT")
# What a text must hold (護 for 護照: a one-character ``in`` is the faster test); table_column
# shares the tuple, so the engine tests it once per text.
NEEDS = ("护照", "護", "passport", "Passport", "PASSPORT")
_LABEL_VALUE = re.compile(
    rf"(?:{'|'.join(_LABELS)})(?:号码|號碼|号|號|编号)?"
    r"(?:[ \t]*(?:No|NO|no|Number|number)\.?)?[ \t]*(?:[:：#=]|是|为|為)?[ \t]*"
    r"([A-Z0-9]{8,9}|[A-Z]{1,2}[0-9]{6}|[0-9]{2} [0-9]{7})(?![0-9A-Za-z])"
)


def _label_values(text: str) -> Iterator[re.Match[str]]:
    """The matches of :data:`_LABEL_VALUE` in ``text``, as its ``finditer`` finds them.

    Every match starts with a label, so the pattern is tried only where ``str.find`` sees one:
    ``finditer`` would try it at every character of the text (the alternation gives the regex
    engine no fast first-character scan), eight times the cost on a 4 KB text with a label."""
    starts = sorted(i for label in _LABELS for i in _occurrences(text, label))
    end = 0
    for i in starts:
        if i >= end and (m := _LABEL_VALUE.match(text, i)) is not None:
            end = m.end()
            yield m


def _occurrences(text: str, word: str) -> Iterator[int]:
    i = text.find(word)
    while i != -1:
        yield i
        i = text.find(word, i + 1)


@register
class PassportLabelRecognizer(Recognizer):
    entity_type = "PASSPORT"
    name = "passport_label"
    needs = NEEDS
    # Just below the 0.7 of passport.py for another country's number after 护照: where both find
    # a value, that reading (and its score) stands; this one adds only what it cannot see.
    score = 0.65

    def find(self, text: str, scan: Scan | None = None) -> Iterator[Entity]:
        for m in _label_values(text):
            value = m.group(1)
            if sum(c.isdigit() for c in value) < 2:
                continue  # a word in capitals, not a number
            start, end = m.span(1)
            yield Entity(self.entity_type, start, end, value, self.score, self.name)
