"""The GB 45438-2025 implicit-label payload: fields, validation, JSON form, producer codes."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, fields, replace
from typing import Any

from beian.errors import InputError

__all__ = ["LABEL_VALUES", "LabelPayload", "producer_code_from_uscc"]

#: Label 1 = AI-generated, 2 = possibly AI-generated, 3 = suspected AI-generated.
LABEL_VALUES = {"1": "人工智能生成", "2": "可能为人工智能生成", "3": "疑似人工智能生成"}

_PRINTABLE = re.compile(r"^[\x21-\x7e]*$")
_FIELDS = (
    "Label",
    "ContentProducer",
    "ProduceID",
    "ReservedCode1",
    "ContentPropagator",
    "PropagateID",
    "ReservedCode2",
)
_FIX = "标识字段只能使用可打印 ASCII 字符（0x21–0x7E，不含空格与中文）"


@dataclass(frozen=True)
class LabelPayload:
    """One implicit label: ``{"AIGC": {...}}`` with the seven GB 45438 fields.

    ``Label`` and ``ContentProducer`` are required; ``ProduceID`` defaults to empty and is filled
    by the caller (a per-content id). ``ReservedCode1`` carries this project's integrity code
    (see :mod:`beian.label._integrity`) and is set by :func:`beian.label.add_label`.
    """

    Label: str
    ContentProducer: str
    ProduceID: str = ""
    ReservedCode1: str = ""
    ContentPropagator: str = ""
    PropagateID: str = ""
    ReservedCode2: str = ""

    def __post_init__(self) -> None:
        self.validate()

    def validate(self, where: str = "AIGC") -> None:
        if self.Label not in LABEL_VALUES:
            raise InputError(
                f"Label 取值 {self.Label!r} 无效",
                where=f"{where}.Label",
                fix='Label 应为 "1"（生成）、"2"（可能）或 "3"（疑似）',
            )
        if not self.ContentProducer:
            raise InputError(
                "缺少必填字段 ContentProducer",
                where=f"{where}.ContentProducer",
                fix="请用 --producer 给出生成合成服务提供者编码（可由统一社会信用代码生成）",
            )
        for name in _FIELDS:
            value = getattr(self, name)
            if not isinstance(value, str):
                raise InputError(f"字段 {name} 应为字符串", where=f"{where}.{name}", fix=_FIX)
            if not _PRINTABLE.match(value):
                raise InputError(f"字段 {name} 含非法字符", where=f"{where}.{name}", fix=_FIX)

    def fields_dict(self) -> dict[str, str]:
        # not dataclasses.asdict: its deep copy showed up in the gateway's per-request profile
        return {name: getattr(self, name) for name in _FIELDS}

    def to_json(self) -> str:
        """Compact JSON; every character is printable ASCII (``"`` and ``\\`` are escaped)."""
        return json.dumps({"AIGC": self.fields_dict()}, separators=(",", ":"), ensure_ascii=True)

    def canonical_fields(self) -> bytes:
        """The fields the integrity code covers: everything except ``ReservedCode1``."""
        data = {k: v for k, v in self.fields_dict().items() if k != "ReservedCode1"}
        return json.dumps(data, sort_keys=True, separators=(",", ":")).encode("ascii")

    def with_(self, **changes: str) -> LabelPayload:
        return replace(self, **changes)

    @classmethod
    def from_json(cls, text: str | bytes, *, where: str = "AIGC") -> LabelPayload:
        try:
            data: Any = json.loads(text)
        except (ValueError, UnicodeDecodeError):
            raise InputError(
                "隐式标识不是有效的 JSON", where=where, fix="请用 `beian label add` 重新写入标识"
            ) from None
        return cls.from_dict(data, where=where)

    @classmethod
    def from_dict(cls, data: Any, *, where: str = "AIGC") -> LabelPayload:
        if isinstance(data, dict) and "AIGC" in data:
            data = data["AIGC"]
        if not isinstance(data, dict):
            raise InputError(
                '隐式标识应为 {"AIGC": {...}} 对象', where=where, fix="请用 `beian label add` 重写"
            )
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise InputError(
                f"隐式标识含未知字段：{', '.join(unknown)}",
                where=where,
                fix=f"GB 45438 只定义字段 {', '.join(_FIELDS)}",
            )
        values = {k: data[k] for k in known if k in data and data[k] is not None}
        if "Label" not in values or "ContentProducer" not in values:
            missing = [k for k in ("Label", "ContentProducer") if k not in values]
            raise InputError(
                f"隐式标识缺少必填字段：{', '.join(missing)}",
                where=where,
                fix="请用 `beian label add --producer 编码` 重新写入",
            )
        for k, v in values.items():
            if isinstance(v, int) and not isinstance(v, bool):
                values[k] = str(v)
        try:
            return cls(**values)
        except InputError as exc:
            raise InputError(exc.what, where=f"{where}: {exc.where}", fix=exc.fix) from None


def producer_code_from_uscc(uscc: str, suffix: str = "00000") -> str:
    """Build a 27-character ContentProducer code: ``0011`` + 统一社会信用代码 + 5 characters.

    The credit code is checked (format and check digit, GB 32100-2015) with python-stdnum.
    """
    from stdnum.cn import uscc as _uscc
    from stdnum.exceptions import ValidationError

    code = uscc.strip().upper()
    try:
        code = _uscc.validate(code)
    except ValidationError:
        raise InputError(
            f"统一社会信用代码 {uscc!r} 无效（格式或校验位错误）",
            where="统一社会信用代码",
            fix="请核对营业执照上的 18 位统一社会信用代码",
        ) from None
    if len(suffix) != 5 or not _PRINTABLE.match(suffix):
        raise InputError(
            f"编码后缀 {suffix!r} 应为 5 个可打印 ASCII 字符",
            where="suffix",
            fix="例如 00000，或服务/系统编号",
        )
    return f"0011{code}{suffix}"
