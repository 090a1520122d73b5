"""PHONE without an area code right after a landline label: ``座机85972146``, ``固话：6632 5018``,
``办公电话 8597-2146``. A local number alone (seven or eight digits, the first 2–8) is any
number in running text; after 座机 / 固话 / 电话 (with 号码 / 号, a colon, 是 / 为 or spaces and
nothing else between) it is the number a person dials in the same city. After the same labels a number with another
country's code in groups (``电话 +65 6516 2287``) is a phone number too. A mobile number starts
with 1 and is eleven digits, so it is never read here."""

from __future__ import annotations

import re
from collections.abc import Iterator

from beian.pii._registry import Recognizer, register
from beian.pii._scan import Scan
from beian.pii._types import Entity
from beian.pii.recognizers.phone import PhoneRecognizer

_LABELS = ("座机", "固话", "电话", "Tel", "TEL", "tel")
# Each label behind one character that a text must hold for it to be there: a one-character
# ``in`` is several times faster than a longer one, and most texts hold few of these. ``el`` is
# Tel and tel, one search for both (the letter before it is checked).
_BY_CHAR = (("话", "电话"), ("固", "固话"), ("座", "座机"), ("l", "el"), ("L", "TEL"))
NEEDS = tuple(c for c, _ in _BY_CHAR)
LOCAL = r"[2-8]\d{6,7}|[2-8]\d{2,3}[ -]\d{4}"
# Another country's number in groups (+65 6516 2287, +44 20 7946 0958); +86 is read by
# phone.py and mobile.py.
ABROAD = r"\+(?!86)[1-9]\d{0,2}(?:[ -]\d{1,4}){2,4}"
_LABEL_VALUE = re.compile(
    rf"(?:{'|'.join(_LABELS)})(?:号码|号)?[ \t]*(?:[:：]|是|为)?[ \t]*"
    rf"({LOCAL}|{ABROAD})(?![0-9A-Za-z]|[ -]\d)",
    re.ASCII,
)
_PHONE = PhoneRecognizer()  # its negative words (订单, 编号) reject


@register
class PhoneLabelRecognizer(Recognizer):
    entity_type = "PHONE"
    name = "phone_label"
    needs = NEEDS
    score = 0.7

    def find(self, text: str, scan: Scan | None = None) -> Iterator[Entity]:
        for char, label in _BY_CHAR:
            if char not in text:
                continue
            i = text.find(label)
            while i != -1:
                if label == "el":
                    i -= 1  # Tel, tel
                    ok = i >= 0 and text[i] in "Tt" and not (i and text[i - 1].isalpha())
                else:
                    ok = label != "TEL" or not (i and text[i - 1].isalpha())
                m = _LABEL_VALUE.match(text, i) if ok else None
                if m is not None and 7 <= sum(c.isdigit() for c in m.group(1)) <= 13:
                    start, end = m.span(1)
                    if _PHONE.context_score(text, start, self.score) is not None:
                        yield Entity(
                            self.entity_type, start, end, m.group(1), self.score, self.name
                        )
                i = text.find(label, i + 2)
