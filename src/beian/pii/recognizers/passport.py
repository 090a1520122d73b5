"""PASSPORT: 护照号码. 中华人民共和国护照 (E12345678, EA1234567, legacy G12345678; D/S/P +
7–8 digits) on their own; other countries' passports only after 护照 / passport in the same
clause: one or two letters and 6–9 digits (``TZ3151328``, ``A59296171``) and nine digits (United
States, United Kingdom, Russia: ``533816427``). Shapes with fewer than six digits in a row (France
``19AF62830``, Germany ``C4KR81T27``) never reach this recognizer (the engine's digit trigger
needs six): :mod:`~beian.pii.recognizers.passport_label` finds them right after a passport label.

A form that names the document in one field and gives its number in the next (``证件类型：外国护照，
证件号码：TZ6183027``) has the context word one clause earlier: after a number label (证件号码,
号码) the clause before that one counts too, within the window."""

from __future__ import annotations

import re
from typing import ClassVar

from beian.pii._registry import RegexRecognizer, bounded, clause_before, register
from beian.pii._scan import DIGITS

_CHINESE = re.compile(r"[EG](?:[0-9A-HJ-NP-Z]\d{7})")
# A number label that is the whole clause before a candidate: 证件号码, 证件号, 证件编号, 号码
# (with a colon or spaces); the document type may then stand in the clause before it.
_NUMBER_LABEL = re.compile(r"[ \t]*(?:证件号码|证件号|证件编号|号码)[ \t]*[:：]?[ \t]*")


@register
class PassportRecognizer(RegexRecognizer):
    entity_type = "PASSPORT"
    name = "passport"
    # Eight to ten characters in all: the length is in the pattern, so longer runs of letters and
    # digits are never candidates. Letter first: one or two letters and digits; digit first: nine
    # digits (only with context, like every shape but the Chinese one).
    pattern: ClassVar[re.Pattern[str]] = re.compile(
        bounded("[A-Z0-9]", r"(?:(?<=[A-Z])(?:[A-Z]\d{6,8}|\d{7,9})|(?<=\d)\d{8})")
    )
    trigger = DIGITS
    after_digit = False  # bounded(), left check on digits
    score = 0.6
    boost = 0.3
    window = 16
    context = ("护照", "passport", "Passport", "PASSPORT", "出入境")
    negative = ("型号", "订单", "单号", "编号", "货号", "批号")

    def check(self, value: str, text: str, start: int) -> float | None:
        if _CHINESE.fullmatch(value):
            return self.score
        # Diplomatic, service and public-affairs passports and other countries' passports:
        # only with context (then 0.4 + the boost: above a 港澳通行证 reading of C…).
        words = self._context_re
        if words is None or words.search(text, max(0, start - self.window), start) is None:
            return None  # no context word in the window, so none in the clause either
        before = clause_before(text, start, self.window)
        if words.search(before):
            return 0.4
        if _NUMBER_LABEL.fullmatch(before):
            # 护照 in the window, one clause earlier ("外国护照，证件号码…"): the score it has
            # with 护照 in its own clause (the boost is added only for that clause)
            return 0.4 + self.boost
        return None
