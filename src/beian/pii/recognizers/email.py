"""EMAIL: 电子邮箱地址; found from each ``@`` outwards, so text without ``@`` costs one scan."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import ClassVar

from beian.pii._registry import Recognizer, register
from beian.pii._scan import Scan
from beian.pii._types import Entity

_LOCAL = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._%+-")
_DOMAIN = re.compile(
    r"@((?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,24})(?![A-Za-z0-9-])"
)


@register
class EmailRecognizer(Recognizer):
    entity_type = "EMAIL"
    name = "email"
    score: ClassVar[float] = 0.95
    needs = ("@",)

    def find(self, text: str, scan: Scan | None = None) -> Iterator[Entity]:
        at = text.find("@")
        while at != -1:
            start = at
            while start > 0 and at - start < 64 and text[start - 1] in _LOCAL:
                start -= 1
            while start < at and not text[start].isalnum():
                start += 1  # the local part starts with a letter or digit
            m = _DOMAIN.match(text, at)
            if start < at and m is not None and ".." not in text[start:at]:
                end = m.end()
                yield Entity(self.entity_type, start, end, text[start:end], self.score, self.name)
                at = text.find("@", end)
            else:
                at = text.find("@", at + 1)
