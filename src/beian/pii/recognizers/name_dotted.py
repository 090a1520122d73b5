"""NAME: transliterated and minority names joined by a middle dot (买买提·艾力, 约翰·史密斯,
阿依古丽·买买提, 迪丽娜尔·艾合买提), found from each ``·`` outwards.

A role word or label glued before the name (被告人木合塔尔·阿不都) is left out of it; a time
word, adverb or title glued after it (阿依古丽·买买提明天到岗, 约翰·史密斯先生) ends it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from beian.pii._names import is_han
from beian.pii._registry import Recognizer, register
from beian.pii._scan import Scan
from beian.pii._types import Entity
from beian.pii.recognizers.name import FORM_LABELS, ROLE_WORDS

_DOTS = "·•・"
_STOP = "的是在和与及、叫为由将把被给向跟做其经了"
# two-character words that follow a name and are never inside a transliterated one
_AFTER = (
    "今天|明天|昨天|后天|前天|今年|明年|去年|今晚|明早|上午|下午|中午|晚上|早上|刚才|刚刚|已经|正在|马上"
    "|现在|目前|曾经|一直|将会|还是|也是|都是|同志|先生|女士|老师|医生|律师|经理|师傅|同学|等人|一行|本人"
)
_PART = re.compile(rf"(?:(?![{_STOP}]|{_AFTER})[\u4e00-\u9fff]){{1,7}}")
_CUES = re.compile(
    "|".join(sorted(map(re.escape, FORM_LABELS + ROLE_WORDS), key=len, reverse=True))
)
_STOP_LEFT = frozenset("的是在和与及、叫为由将把给向跟")


@register
class DottedNameRecognizer(Recognizer):
    entity_type = "NAME"
    name = "name_dotted"
    full = True  # not with pii.fast_names (about 1 % of the rule engine's time)
    needs = tuple(_DOTS)

    def find(self, text: str, scan: Scan | None = None) -> Iterator[Entity]:
        pos = _next_dot(text, 0)
        while pos != -1:
            start = pos
            while (
                start > 0
                and pos - start < 12
                and is_han(text[start - 1])
                and text[start - 1] not in _STOP_LEFT
            ):
                start -= 1
            start = max((m.end() for m in _CUES.finditer(text, start, pos)), default=start)
            start = max(start, pos - 7)
            end = pos
            while end < len(text) and text[end] in _DOTS:
                part = _PART.match(text, end + 1)
                if part is None:
                    break
                end = part.end()
            if start < pos and end > pos:
                yield Entity("NAME", start, end, text[start:end], 0.85, self.name)
            pos = _next_dot(text, max(end, pos + 1))


def _next_dot(text: str, pos: int) -> int:
    found = [i for i in (text.find(d, pos) for d in _DOTS) if i != -1]
    return min(found) if found else -1
