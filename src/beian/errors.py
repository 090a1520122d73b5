"""One error style for the whole project: what failed, where, and how to fix it.

Library code raises :class:`BeianError` (or a subclass); the CLI prints it in Chinese and
exits with :data:`EXIT_ERROR`. Findings (see :mod:`beian.findings`) are not errors: they are
results of a check and use :data:`EXIT_BLOCKING` when one of them blocks a filing.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = [
    "EXIT_BLOCKING",
    "EXIT_ERROR",
    "EXIT_OK",
    "BeianError",
    "ConfigError",
    "InputError",
    "pydantic_message",
    "validation_summary",
]

EXIT_OK = 0
EXIT_BLOCKING = 1  # a check ran and found at least one 阻断 finding
EXIT_ERROR = 2  # bad input, bad configuration or an operational failure


class BeianError(Exception):
    """An error a person can act on.

    ``what`` says what failed, ``where`` points at the place (``file:line``, a field path,
    a URL), ``fix`` says how to repair it. All three are Chinese-first user text.
    """

    def __init__(self, what: str, *, where: str | None = None, fix: str | None = None) -> None:
        super().__init__(what)
        self.what = what
        self.where = where
        self.fix = fix

    def __str__(self) -> str:
        return self.render()

    def render(self) -> str:
        lines = [f"错误：{self.what}"]
        if self.where:
            lines.append(f"位置：{self.where}")
        if self.fix:
            lines.append(f"修复：{self.fix}")
        return "\n".join(lines)


class InputError(BeianError):
    """A user-supplied file or value is malformed."""


class ConfigError(BeianError):
    """A configuration file or option is invalid."""


# pydantic's error types, said in Chinese ({…} are the error's ``ctx`` values)
_PYDANTIC_ZH = {
    "missing": "缺少此项",
    "extra_forbidden": "不认识的配置项（拼写错误？）",
    "int_parsing": "应为整数",
    "int_type": "应为整数",
    "int_from_float": "应为整数，不能带小数",
    "float_parsing": "应为数字",
    "float_type": "应为数字",
    "bool_parsing": "应为 true 或 false",
    "bool_type": "应为 true 或 false",
    "string_type": "应为文字",
    "list_type": "应为列表",
    "dict_type": "应为映射（键: 值）",
    "model_type": "应为映射（键: 值）",
    "model_attributes_type": "应为映射（键: 值）",
    "greater_than": "应大于 {gt}",
    "greater_than_equal": "应不小于 {ge}",
    "less_than": "应小于 {lt}",
    "less_than_equal": "应不大于 {le}",
    "string_too_short": "至少 {min_length} 个字符",
    "string_too_long": "至多 {max_length} 个字符",
    "too_short": "至少 {min_length} 项",
    "too_long": "至多 {max_length} 项",
    "literal_error": "应为 {expected} 之一",
    "enum": "应为 {expected} 之一",
    "string_pattern_mismatch": "格式不符（应匹配 {pattern}）",
    "date_from_datetime_parsing": "应为日期（YYYY-MM-DD）",
    "date_parsing": "应为日期（YYYY-MM-DD）",
    "date_type": "应为日期（YYYY-MM-DD）",
}


def pydantic_message(error: Mapping[str, Any]) -> str:
    """One pydantic error (an item of ``ValidationError.errors()``) in Chinese, with the value
    given; an error type without a translation keeps pydantic's message."""
    ctx = error.get("ctx") or {}
    template = _PYDANTIC_ZH.get(str(error.get("type")))
    if error.get("type") == "value_error" and "error" in ctx:
        message = str(ctx["error"])  # a validator's own (Chinese) message
    elif template is not None:
        values = {k: str(v).replace(" or ", "、").replace(", ", "、") for k, v in ctx.items()}
        try:
            message = template.format(**values)
        except (KeyError, IndexError):
            message = template.split("{")[0].rstrip() or str(error.get("msg"))
    else:
        message = str(error.get("msg"))
    given = error.get("input")
    if error.get("type") in ("missing", "extra_forbidden") or isinstance(given, dict | list):
        return message
    shown = repr(given) if len(repr(given)) <= 40 else repr(given)[:37] + "…"
    return f"{message}，而不是 {shown}"


def validation_summary(exc: Exception) -> tuple[str, str]:
    """``(message, dotted location)`` of the first error of a pydantic ``ValidationError``."""
    errors = getattr(exc, "errors", None)
    if not callable(errors) or not errors():
        return (str(exc), "")
    first = errors()[0]
    loc = ".".join(str(p) for p in first["loc"] if p != "[key]")
    return (pydantic_message(first), loc)
