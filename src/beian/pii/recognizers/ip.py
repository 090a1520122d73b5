"""IP: IPv4 addresses (each octet 0–255) and IPv6 addresses (validated by ``ipaddress``)."""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterator
from typing import ClassVar

from beian.pii._registry import RegexRecognizer, register
from beian.pii._scan import ALNUM_CHARS, DOTTED, Scan, Trigger
from beian.pii._types import Entity

# Not glued to hex digits or colons on the left, except the label "IPv6" written straight before
# the address ("终端IPv6fd12:3a4b::1e"; likewise "IPv4" before an IPv4 address below).
_V6 = re.compile(
    r"(?:(?<![0-9A-Fa-f:])(?<![Ii][Pp][Vv])|(?<=[Ii][Pp][Vv]6)(?!:[0-9A-Fa-f])|(?<=[Ii][Pp][Vv]6[:：]))"
    r"(?:[0-9A-Fa-f]{1,4}|:)?(?::[0-9A-Fa-f]{0,4}){2,7}(?![0-9A-Za-z:])"
)
# Every IPv6 address has two colons with at most four hex digits between them; the pattern
# above has no first character to scan for, so it searches only the runs around such a pair.
_COLONS = Trigger(re.compile(r":[0-9A-Fa-f]{0,4}:"), ALNUM_CHARS + ":")


@register
class IpRecognizer(RegexRecognizer):
    entity_type = "IP"
    name = "ip"
    pattern: ClassVar[re.Pattern[str]] = re.compile(
        r"\d(?:(?<![0-9.]\d)|(?<=[Ii][Pp][Vv]4\d))\d{0,2}(?:\.\d{1,3}){3}(?![0-9A-Za-z]|\.\d)"
    )
    trigger = DOTTED
    glue = True  # "IP192.168.1.1", "ip203.0.113.7" in logs
    score = 0.85
    context = ("IP", "ip地址", "地址", "登录", "访问", "服务器")
    negative = ("版本", "version", "Version", "ver")

    def check(self, value: str, text: str, start: int) -> float | None:
        for octet in value.split("."):
            if int(octet) > 255 or (len(octet) > 1 and octet[0] == "0"):
                return None
        return self.score

    window = 8
    needs = (DOTTED, _COLONS)  # IPv4 and IPv6

    def find(self, text: str, scan: Scan | None = None) -> Iterator[Entity]:
        scan = scan or Scan(text)
        yield from super().find(text, scan)
        for start, value in scan.windows(_COLONS).matches(_V6):
            if "::" not in value and value.count(":") != 7:
                continue
            try:
                ipaddress.IPv6Address(value)
            except ValueError:
                continue
            score = self.context_score(text, start, self.score)
            if score is None:
                continue
            yield Entity(self.entity_type, start, start + len(value), value, score, self.name)
