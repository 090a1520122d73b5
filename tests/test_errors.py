"""Errors said in Chinese: every pydantic error type, every JSON syntax error."""

from __future__ import annotations

import datetime as dt
import json
import typing
import uuid
from typing import Annotated, Any, Literal

import pytest
from pydantic import AnyHttpUrl, BaseModel, ConfigDict, Field, TypeAdapter, ValidationError
from pydantic_core.core_schema import ErrorType

from beian.errors import json_message, pydantic_message

ENGLISH = "UNTRANSLATED ENGLISH"
# the types whose message is a validator's own text (ctx["error"]), not a table line
OWN_MESSAGE = {"value_error", "assertion_error"}


@pytest.mark.parametrize("kind", sorted(set(typing.get_args(ErrorType)) - OWN_MESSAGE))
def test_every_pydantic_error_type_is_said_in_chinese(kind: str) -> None:
    message = pydantic_message({"type": kind, "msg": ENGLISH, "input": "x", "ctx": {}})
    assert ENGLISH not in message
    assert any("\u4e00" <= ch <= "\u9fff" for ch in message), message


def test_a_type_newer_than_the_table_is_still_chinese_with_the_original() -> None:
    message = pydantic_message({"type": "brand_new_kind", "msg": ENGLISH, "input": 3})
    assert message == f"取值无效（{ENGLISH}），而不是 3"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")
    n: int = 0


# (annotation, value given, the Chinese message expected)
REAL: list[tuple[Any, Any, str]] = [
    (int, "sixteen", "应为整数，而不是 'sixteen'"),
    (Annotated[int, Field(multiple_of=5)], 7, "应为 5 的倍数，而不是 7"),
    (Annotated[float, Field(allow_inf_nan=False)], float("inf"), "应为有限的数字"),
    (dt.datetime, "tomorrow", "应为日期时间"),
    (dt.time, "noon", "应为时刻"),
    (dt.timedelta, "a while", "应为时长"),
    (AnyHttpUrl, "ftp://x", "网址应以 'http'、'https' 开头"),
    (AnyHttpUrl, "not a url", "不是有效的网址"),
    (uuid.UUID, "1234", "应为 UUID"),
    (set[int], "x", "应为列表（各项不重复）"),
    (tuple[int, int], 5, "应为列表"),
    (None, "x", "应为空（null）"),
    (Literal["a", "b"], "c", "应为 'a'、'b' 之一，而不是 'c'"),
    (_Strict, {"m": 1}, "不认识的配置项"),
    (Annotated[str, Field(pattern=r"^\d+$")], "abc", "格式不符"),
    (Annotated[list[int], Field(min_length=2)], [1], "至少 2 项"),
]  # fmt: skip


@pytest.mark.parametrize(("annotation", "value", "expected"), REAL, ids=[r[2] for r in REAL])
def test_real_validation_errors_read_in_chinese(annotation: Any, value: Any, expected: str) -> None:
    with pytest.raises(ValidationError) as caught:
        TypeAdapter(annotation).validate_python(value)
    assert expected in pydantic_message(caught.value.errors()[0])


# (JSON text, the Chinese words expected, line, column)
BAD_JSON: list[tuple[str, str, int, int]] = [
    ("", "此处应有一个值", 1, 1),
    ('{\n  "a": 1,\n}', "键名应以双引号括起", 3, 1),
    ('{\n  "a" 1\n}', "缺少冒号", 2, 7),
    ('{\n  "a": 1\n  "b": 2\n}', "缺少逗号", 3, 3),
    ('{"a": "x', "缺少结尾的双引号", 1, 7),
    ('{"a": "x\ny"}', "未转义的控制字符", 1, 9),
    ('{"a": "\\q"}', "无效的转义", 1, 8),
    ('{"a": "\\u12"}', "无效的 \\uXXXX 转义", 1, 9),
    ('{"a": 1}\n}', "后面还有多余内容", 2, 1),
]  # fmt: skip


@pytest.mark.parametrize(("text", "expected", "line", "column"), BAD_JSON)
def test_json_syntax_errors_read_in_chinese(text: str, expected: str, line: int, column: int) -> None:
    with pytest.raises(json.JSONDecodeError) as caught:
        json.loads(text)
    message = json_message(caught.value)
    assert expected in message and caught.value.msg in message  # Chinese first, Python's words kept
    assert (caught.value.lineno, caught.value.colno) == (line, column)
