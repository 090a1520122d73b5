"""The entity type names, their Chinese labels and the :class:`Entity` result."""

from __future__ import annotations

from typing import Any, NamedTuple

__all__ = ["ENTITY_TYPES", "LABELS", "SENSITIVE_TYPES", "STRUCTURED_TYPES", "Entity", "label_of"]

# Chinese labels used by the ``replace`` operator (``<身份证号>``) and in reports.
LABELS: dict[str, str] = {
    "ID_CARD": "身份证号",
    "MOBILE": "手机号",
    "PHONE": "固定电话",
    "BANK_CARD": "银行卡号",
    "USCC": "统一社会信用代码",
    "PASSPORT": "护照号",
    "HK_MACAO_TW_PERMIT": "港澳台通行证号",
    "PLATE": "车牌号",
    "EMAIL": "电子邮箱",
    "IP": "IP地址",
    "NAME": "姓名",
    "ADDRESS": "地址",
}
ENTITY_TYPES: tuple[str, ...] = tuple(LABELS)

# Identifiers with a checksum or a strict format: held to >= 0.99 precision and recall.
STRUCTURED_TYPES: tuple[str, ...] = ("ID_CARD", "MOBILE", "BANK_CARD", "USCC", "EMAIL", "IP")

# 敏感个人信息 (PIPL Art. 28; GB/T 35273 Annex B): identity documents and financial accounts.
SENSITIVE_TYPES: frozenset[str] = frozenset(
    {"ID_CARD", "BANK_CARD", "PASSPORT", "HK_MACAO_TW_PERMIT"}
)


def label_of(entity_type: str) -> str:
    """The Chinese label of a type; custom types are labelled by their own name."""
    return LABELS.get(entity_type, entity_type)


class Entity(NamedTuple):
    """One detected piece of personal information; ``start``/``end`` are character offsets.

    A named tuple: immutable, picklable and cheap to create (the engine makes many).
    ``reason`` says why a candidate scored lower than a clean match of its type (a 身份证
    number whose check digit is wrong), in Chinese; empty otherwise.
    """

    type: str
    start: int
    end: int
    text: str
    score: float
    recognizer: str
    reason: str = ""

    def to_dict(self) -> dict[str, Any]:
        return self._asdict()

    def overlaps(self, other: Entity) -> bool:
        return self.start < other.end and other.start < self.end
