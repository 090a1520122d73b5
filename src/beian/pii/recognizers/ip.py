"""IP: IPv4 addresses (each octet 0–255) and IPv6 addresses (validated by ``ipaddress``)."""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterator
from typing import ClassVar

from beian.pii._registry import RegexRecognizer, clause_before, has_any, register
from beian.pii._types import Entity
from beian.pii._view import TextView

_V6 = re.compile(
    r"(?<![0-9A-Fa-f:])(?:[0-9A-Fa-f]{1,4}|:)?(?::[0-9A-Fa-f]{0,4}){2,7}(?![0-9A-Za-z:])"
)


@register
class IpRecognizer(RegexRecognizer):
    entity_type = "IP"
    name = "ip"
    pattern: ClassVar[re.Pattern[str]] = re.compile(
        r"\d(?<![0-9A-Za-z.]\d)\d{0,2}(?:\.\d{1,3}){3}(?![0-9A-Za-z]|\.\d)"
    )
    score = 0.85
    context = ("IP", "ip地址", "地址", "登录", "访问", "服务器")
    negative = ("版本", "version", "Version", "ver")

    def check(self, value: str, text: str, start: int) -> float | None:
        for octet in value.split("."):
            if int(octet) > 255 or (len(octet) > 1 and octet[0] == "0"):
                return None
        return self.score

    window = 8

    def find_view(self, view: TextView) -> Iterator[Entity]:
        yield from super().find_view(view)
        scan, text = view.scan, view.text
        if "::" not in scan and scan.count(":") < 7:
            return
        for m in _V6.finditer(scan):
            value = m.group()
            if "::" not in value and value.count(":") != 7:
                continue
            try:
                ipaddress.IPv6Address(value)
            except ValueError:
                continue
            start = view.to_text(m.start())
            before = clause_before(text, start, self.window)
            score = (
                min(1.0, self.score + self.boost) if has_any(before, self.context) else self.score
            )
            yield Entity(self.entity_type, start, start + len(value), value, score, self.name)
