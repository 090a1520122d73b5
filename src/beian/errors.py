"""One error style for the whole project: what failed, where, and how to fix it.

Library code raises :class:`BeianError` (or a subclass); the CLI prints it in Chinese and
exits with :data:`EXIT_ERROR`. Findings (see :mod:`beian.findings`) are not errors: they are
results of a check and use :data:`EXIT_BLOCKING` when one of them blocks a filing.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

__all__ = [
    "EXIT_BLOCKING",
    "EXIT_ERROR",
    "EXIT_OK",
    "BeianError",
    "ConfigError",
    "InputError",
    "json_message",
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


# pydantic's error types, said in Chinese ({…} are the error's ``ctx`` values); a test checks
# that every type pydantic-core defines has a line here
_MAPPING = "应为映射（键: 值）"
_LIST = "应为列表"
_NUMBER = "应为数字"
_DATE = "应为日期（YYYY-MM-DD）"
_DATETIME = "应为日期时间（YYYY-MM-DDTHH:MM:SS）"
_TIME = "应为时刻（HH:MM[:SS]）"
_DURATION = "应为时长（秒数，或 ISO 8601 如 PT30S）"
_ARGUMENTS = "参数应为列表或映射"
_PYDANTIC_ZH = {
    # keys and structure
    "missing": "缺少此项",
    "extra_forbidden": "不认识的配置项（拼写错误？）",
    "invalid_key": "键应为文字",
    "frozen_field": "此项不可修改",
    "frozen_instance": "不可修改",
    "no_such_attribute": "没有此属性",
    "get_attribute_error": "读取属性出错：{error}",
    "default_factory_not_called": "因前面的错误无法计算默认值",
    "recursion_loop": "存在循环引用",
    "recursion_depth_exceeded": "嵌套层次过深",
    "needs_python_object": "此项不能用文本给出",
    "union_tag_invalid": "类型标记 {discriminator} 应为 {expected_tags} 之一，而不是 {tag}",
    "union_tag_not_found": "缺少类型标记 {discriminator}",
    # mappings and lists
    "dict_type": _MAPPING,
    "model_type": _MAPPING,
    "model_attributes_type": _MAPPING,
    "dataclass_type": _MAPPING,
    "dataclass_exact_type": _MAPPING,
    "frozen_dict_type": _MAPPING,
    "ordered_dict_type": _MAPPING,
    "counter_type": _MAPPING,
    "mapping_type": _MAPPING,
    "list_type": _LIST,
    "tuple_type": _LIST,
    "named_tuple_type": _LIST,
    "deque_type": _LIST,
    "iterable_type": _LIST,
    "set_type": "应为列表（各项不重复）",
    "frozen_set_type": "应为列表（各项不重复）",
    "set_item_not_hashable": "列表中的项应为简单值（文字或数字）",
    "iteration_error": "逐项读取时出错：{error}",
    "too_short": "至少 {min_length} 项",
    "too_long": "至多 {max_length} 项",
    # numbers
    "int_parsing": "应为整数",
    "int_type": "应为整数",
    "int_from_float": "应为整数，不能带小数",
    "int_parsing_size": "整数太大",
    "float_parsing": _NUMBER,
    "float_type": _NUMBER,
    "decimal_type": _NUMBER,
    "decimal_parsing": _NUMBER,
    "decimal_max_digits": "至多 {max_digits} 位数字",
    "decimal_max_places": "小数至多 {decimal_places} 位",
    "decimal_whole_digits": "整数部分至多 {whole_digits} 位",
    "fraction_type": "应为数字或分数",
    "fraction_parsing": "应为数字或分数",
    "complex_type": "应为复数",
    "complex_str_parsing": "应为复数",
    "finite_number": "应为有限的数字",
    "multiple_of": "应为 {multiple_of} 的倍数",
    "greater_than": "应大于 {gt}",
    "greater_than_equal": "应不小于 {ge}",
    "less_than": "应小于 {lt}",
    "less_than_equal": "应不大于 {le}",
    # booleans, text, bytes, fixed values
    "bool_parsing": "应为 true 或 false",
    "bool_type": "应为 true 或 false",
    "none_required": "应为空（null）",
    "string_type": "应为文字",
    "string_unicode": "应为文字（无法按 Unicode 解码）",
    "string_not_ascii": "只能包含 ASCII 字符",
    "string_too_short": "至少 {min_length} 个字符",
    "string_too_long": "至多 {max_length} 个字符",
    "string_pattern_mismatch": "格式不符（应匹配 {pattern}）",
    "bytes_type": "应为字节串",
    "bytes_too_short": "至少 {min_length} 个字节",
    "bytes_too_long": "至多 {max_length} 个字节",
    "bytes_invalid_encoding": "不是有效的 {encoding} 编码",
    "literal_error": "应为 {expected} 之一",
    "enum": "应为 {expected} 之一",
    "missing_sentinel_error": "应为 MISSING",
    "ellipsis_error": "应为 ...",
    "json_invalid": "不是有效的 JSON：{error}",
    "json_type": "应为 JSON 文本",
    # dates and times
    "date_type": _DATE,
    "date_parsing": _DATE,
    "date_from_datetime_parsing": _DATE,
    "date_from_datetime_inexact": "应为日期，不能带时刻",
    "date_past": "应为过去的日期",
    "date_future": "应为将来的日期",
    "datetime_type": _DATETIME,
    "datetime_parsing": _DATETIME,
    "datetime_object_invalid": _DATETIME,
    "datetime_from_date_parsing": _DATETIME,
    "datetime_past": "应为过去的时间",
    "datetime_future": "应为将来的时间",
    "time_type": _TIME,
    "time_parsing": _TIME,
    "time_delta_type": _DURATION,
    "time_delta_parsing": _DURATION,
    "timezone_naive": "不能带时区",
    "timezone_aware": "应带时区（如 +08:00）",
    "timezone_offset": "时区偏移应为 {tz_expected} 秒",
    # URLs and identifiers
    "url_type": "应为网址",
    "url_parsing": "不是有效的网址（{error}）",
    "url_syntax_violation": "网址写法不规范（{error}）",
    "url_too_long": "网址至多 {max_length} 个字符",
    "url_scheme": "网址应以 {expected_schemes} 开头",
    "uuid_type": "应为 UUID",
    "uuid_parsing": "应为 UUID",
    "uuid_version": "应为第 {expected_version} 版 UUID",
    # Python objects and call arguments (validated functions)
    "is_instance_of": "类型不符（应为 {class}）",
    "is_subclass_of": "类型不符（应为 {class} 的子类）",
    "callable_type": "应为可调用对象",
    "arguments_type": _ARGUMENTS,
    "missing_argument": "缺少此参数",
    "missing_keyword_only_argument": "缺少此参数",
    "missing_positional_only_argument": "缺少此参数",
    "unexpected_keyword_argument": "不认识的参数",
    "unexpected_positional_argument": "多余的参数",
    "multiple_argument_values": "此参数给出了多次",
}
# pydantic types whose ctx["error"] is a validator's own message
_OWN_MESSAGE = ("value_error", "assertion_error")


def pydantic_message(error: Mapping[str, Any], *, show_input: bool = True) -> str:
    """One pydantic error (an item of ``ValidationError.errors()``) in Chinese, with the value
    given unless ``show_input`` is false (a secret); an error type without a translation (a
    pydantic newer than this table) is said as 取值无效 with pydantic's own words."""
    ctx = error.get("ctx") or {}
    template = _PYDANTIC_ZH.get(str(error.get("type")))
    if error.get("type") in _OWN_MESSAGE and "error" in ctx:
        message = str(ctx["error"])  # a validator's own (Chinese) message
    elif template is not None:
        values = {k: str(v).replace(" or ", "、").replace(", ", "、") for k, v in ctx.items()}
        try:
            message = template.format(**values)
        except (KeyError, IndexError):
            message = template.split("{")[0].rstrip() or str(error.get("msg"))
    else:
        message = f"取值无效（{error.get('msg')}）"
    given = error.get("input")
    if (
        not show_input
        or error.get("type") in ("missing", "extra_forbidden")
        or isinstance(given, dict | list)
    ):
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


# the messages of json.JSONDecodeError (Python 3.11–3.13), said in Chinese
_JSON_ZH = (
    ("Expecting value", "此处应有一个值（字符串、数字、true/false/null、{…} 或 […]），或多了一个逗号"),
    ("Expecting property name enclosed in double quotes", "键名应以双引号括起，或 } 前多了一个逗号"),
    ("Expecting ',' delimiter", "缺少逗号「,」（或括号未闭合）"),
    ("Expecting ':' delimiter", "键名后缺少冒号「:」"),
    ("Unterminated string", "字符串缺少结尾的双引号"),
    ("Invalid control character", "字符串中有未转义的控制字符（换行、制表符应写作 \\n、\\t）"),
    ("Invalid \\uXXXX escape", "无效的 \\uXXXX 转义"),
    ("Invalid \\escape", "无效的转义（反斜杠后应为 \\ \" / b f n r t u 之一）"),
    ("Extra data", "JSON 已结束，后面还有多余内容"),
    ("Illegal trailing comma", "结尾多了一个逗号"),
)


def json_message(exc: json.JSONDecodeError) -> str:
    """What is wrong at ``exc.lineno:exc.colno``, in Chinese, with Python's own words after it."""
    for english, chinese in _JSON_ZH:
        if exc.msg.startswith(english):
            return f"{chinese}（{exc.msg}）"
    return f"JSON 格式错误（{exc.msg}）"
