"""PHONE written with full-width punctuation, as Chinese input methods type it: the area code in
full-width brackets (``（010）65813297``, ``（020）8335 2718``) or a full-width dash, an em dash or an en dash
after it (``0452－6073318``, ``0774—3625518``), with an extension after a dash or after 转 / 分机 (``0452－6073318转8021``).

These characters are outside the engine's digit windows (only ASCII letters, digits, spaces and
``+()-`` are inside), so :mod:`~beian.pii.recognizers.phone` never sees the area code next to
the local number. The shapes are those of ``phone``: the same area codes, local numbers and
extensions, the same count of digits, the same negative words."""

from __future__ import annotations

import re
from collections.abc import Iterator

from beian.pii._registry import Recognizer, register
from beian.pii._scan import Scan
from beian.pii._types import Entity
from beian.pii.recognizers.phone import PhoneRecognizer, local_digits, with_extension

_AREA = r"(?:10|2\d|[3-9]\d{2})"
_LOCAL = r"(?:[2-8]\d{6,7}|[2-8]\d{2,3}[ -]\d{4})(?:-\d{1,5})?"
_PATTERN = re.compile(
    rf"(?:（0{_AREA}）[ ]?|(?<![0-9A-Za-z])0{_AREA}[－—–]){_LOCAL}"
    r"(?![0-9A-Za-z]|-\d| \d{1,4}(?!\d))",
    re.ASCII,
)
_DASHES = str.maketrans("－—–", "---")
_PHONE = PhoneRecognizer()  # its context words raise the score, its negative words reject


@register
class PhoneFullwidthRecognizer(Recognizer):
    entity_type = "PHONE"
    name = "phone_fullwidth"
    needs = ("（0", "－", "—", "–")
    score = PhoneRecognizer.score

    def find(self, text: str, scan: Scan | None = None) -> Iterator[Entity]:
        for m in _PATTERN.finditer(text):
            value = m.group().replace("（", "(").replace("）", ")").translate(_DASHES)
            if local_digits(value) is None:
                continue
            start = m.start()
            score = _PHONE.context_score(text, start, self.score)
            if score is None:
                continue
            end = with_extension(text, m.end())
            yield Entity(self.entity_type, start, end, text[start:end], round(score, 4), self.name)
