"""The GB 45438-2025 implicit-label payload: fields, validation, JSON form, producer codes."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, fields, replace
from typing import Any

from beian.errors import InputError

__all__ = [
    "LABEL_VALUES",
    "LabelCharsetError",
    "LabelPayload",
    "producer_code",
    "producer_code_from_uscc",
]

#: Label 1 = AI-generated, 2 = possibly AI-generated, 3 = suspected AI-generated.
LABEL_VALUES = {"1": "人工智能生成", "2": "可能为人工智能生成", "3": "疑似人工智能生成"}

#: GB 45438-2025 Appendix E j): field values use 0x21, 0x23–0x5B, 0x5D–0x7E and the escaped
#: quote ``\"``; so a decoded value may hold 0x21–0x7E except the backslash (0x5C).
_VALUE = re.compile(r"^[\x21-\x5b\x5d-\x7e]*$")
#: In the JSON text a backslash may only start the ``\"`` escape.
_RAW_BACKSLASH = re.compile(r'\\(?!")')
_FIELDS = (
    "Label",
    "ContentProducer",
    "ProduceID",
    "ReservedCode1",
    "ContentPropagator",
    "PropagateID",
    "ReservedCode2",
)
_PROPAGATOR_FIELDS = ("ContentPropagator", "PropagateID", "ReservedCode2")
_FIX = (
    'GB 45438 附录 E j)：标识字段只能使用 0x21、0x23–0x5B、0x5D–0x7E 的字符及转义的 \\"，'
    "不含空格、反斜杠与中文；中文名称请改用编码"
)
_PRODUCER_FORMS = (
    "--producer 应为：18 位统一社会信用代码（如 91110108551385082Q，自动生成编码）；"
    "或 27 位 ContentProducer 编码（0011 + 统一社会信用代码 + 5 位后缀）；"
    "或其他只含 GB 45438 附录 E 字符的服务提供者编码"
)


class LabelCharsetError(InputError):
    """A field value outside the character set of GB 45438-2025 Appendix E j)."""


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
            if not _VALUE.match(value):
                bad = next(c for c in value if not _VALUE.match(c))
                raise LabelCharsetError(
                    f"字段 {name} 含附录 E 字符集以外的字符 {bad!r}",
                    where=f"{where}.{name}",
                    fix=_FIX,
                )

    def fields_dict(self) -> dict[str, str]:
        # not dataclasses.asdict: its deep copy showed up in the gateway's per-request profile
        return {name: getattr(self, name) for name in _FIELDS}

    def to_json(self) -> str:
        """Compact JSON; every character is printable ASCII (``"`` and ``\\`` are escaped)."""
        return json.dumps({"AIGC": self.fields_dict()}, separators=(",", ":"), ensure_ascii=True)

    def canonical_fields(self) -> bytes:
        """What ``ReservedCode1`` (the producer's code) covers: the producer's fields only.

        The propagator's fields are blanked, as they were when the producer labelled the file, so
        a platform adding ``ContentPropagator``/``PropagateID``/``ReservedCode2`` (Labelling
        Measures Art. 6) never breaks the producer's code.
        """
        data = {
            k: "" if k in _PROPAGATOR_FIELDS else v
            for k, v in self.fields_dict().items()
            if k != "ReservedCode1"
        }
        return json.dumps(data, sort_keys=True, separators=(",", ":")).encode("ascii")

    def propagator_fields(self) -> bytes:
        """What ``ReservedCode2`` (the propagator's code) covers: every field but itself."""
        data = {k: v for k, v in self.fields_dict().items() if k != "ReservedCode2"}
        return json.dumps(data, sort_keys=True, separators=(",", ":")).encode("ascii")

    @property
    def propagated(self) -> bool:
        return any(getattr(self, k) for k in _PROPAGATOR_FIELDS)

    def with_(self, **changes: str) -> LabelPayload:
        return replace(self, **changes)

    @classmethod
    def from_json(cls, text: str | bytes, *, where: str = "AIGC") -> LabelPayload:
        raw = text.decode("utf-8", "replace") if isinstance(text, bytes) else text
        if _RAW_BACKSLASH.search(raw):
            raise LabelCharsetError(
                '标识 JSON 含 \\" 以外的反斜杠转义（附录 E j) 不允许）', where=where, fix=_FIX
            )
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
        missing = [k for k in ("Label", "ContentProducer", "ProduceID") if not values.get(k)]
        if missing:
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
            raise type(exc)(exc.what, where=f"{where}: {exc.where}", fix=exc.fix) from None


def producer_code_from_uscc(uscc: str, suffix: str = "00000") -> str:
    """Build a 27-character ContentProducer code: ``0011`` + 统一社会信用代码 + 5 characters.

    The credit code is checked (format and check digit, GB 32100-2015) with python-stdnum.
    The layout is the one seen in labelled files in the wild [U]: GB 45438 asks for the
    provider's name or code but gives no code layout; ``0011`` and the meaning of the 5-character
    suffix (default ``00000``; a service or system number) are not verified.
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
    if len(suffix) != 5 or not _VALUE.match(suffix):
        raise InputError(
            f"编码后缀 {suffix!r} 应为 5 个可打印 ASCII 字符",
            where="suffix",
            fix="例如 00000，或服务/系统编号",
        )
    return f"0011{code}{suffix}"


def producer_code(text: str, suffix: str = "00000") -> str:
    """The ContentProducer for what a user typed: a USCC, a 27-character code, or another code.

    An 18-character value is taken as a 统一社会信用代码 and turned into
    ``0011`` + USCC + ``suffix`` (:func:`producer_code_from_uscc`); a 27-character value starting
    with ``0011`` must hold a valid USCC; any other value must use the Appendix E j) characters.
    Errors name the accepted forms.
    """
    from stdnum.cn import uscc as _uscc

    value = text.strip()
    if len(value) == 18:
        try:
            return producer_code_from_uscc(value, suffix)
        except InputError as exc:
            raise InputError(exc.what, where="--producer", fix=_PRODUCER_FORMS) from None
    if len(value) == 27 and value.startswith("0011") and value[4:22].isalnum():
        if not _uscc.is_valid(value[4:22].upper()):
            raise InputError(
                f"编码 {value!r} 中的统一社会信用代码 {value[4:22]!r} 无效（格式或校验位错误）",
                where="--producer",
                fix=_PRODUCER_FORMS,
            )
        return value[:4] + value[4:22].upper() + value[22:]
    if not value or not _VALUE.match(value):
        raise InputError(
            f"--producer 的值 {text!r} 不是统一社会信用代码，也不是合规的编码"
            "（含中文、空格或反斜杠等附录 E 以外的字符）",
            where="--producer",
            fix=_PRODUCER_FORMS,
        )
    return value
