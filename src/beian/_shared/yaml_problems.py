"""YAML problems said in Chinese, for :mod:`beian.io`.

PyYAML (its libyaml and pure-Python loaders) and ruamel.yaml report a syntax error as an English
``problem`` with a ``problem_mark`` and often a ``context`` with a ``context_mark``. This module
turns one into a Chinese sentence (the English kept after it, in brackets) and picks the mark a
person should look at: for an unclosed quote or a key without its colon that is where the
scalar *starts*, not where the scanner gave up.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import yaml

__all__ = ["DuplicateKey", "YamlProblem", "describe", "duplicate_key"]

_TAB = "用了制表符（Tab）：YAML 只能用空格缩进，请把 Tab 换成空格"
# (English words in the problem or context, Chinese), the first that matches wins
_ZH: tuple[tuple[str, str], ...] = (
    ("could not find expected ':'", "缺少冒号：这一行应为“键: 值”（冒号后要有空格），或它的缩进与上下文不符"),
    ("tab character", _TAB),
    ("mapping values are not allowed", "这里不能再有“键: 值”：值里有“冒号+空格”时请给整个值加引号，否则检查缩进"),
    ("found undefined alias", "引用了未定义的锚点（*名称）：以 * 开头的普通文字请加引号"),
    ("found duplicate anchor", "锚点（&名称）定义了两次"),
    ("found duplicate key", "同一层有两个同名的键"),
    ("could not determine a constructor for the tag", "不认识的标签（! 开头）：以 ! 开头的普通文字请加引号"),
    ("found unhashable key", "键不能是列表或映射"),
    ("found unknown escape character", "双引号内的转义无效：反斜杠请写作 \\\\，或改用单引号"),
    ("while scanning a quoted scalar", "引号没有闭合：从这里开始的字符串缺少结尾的引号"),
    ("but found another document", "文件中有多个 YAML 文档（---）：只能有一个"),
    ("expected alphabetic or numeric character", "& 或 * 后应为锚点名称：以 & 或 * 开头的普通文字请加引号"),
    ("',' or ']'", "方括号列表 [ ] 没有闭合，或各项之间缺少逗号"),
    ("',' or '}'", "花括号映射 { } 没有闭合，或各项之间缺少逗号"),
    ("expected '-' indicator", "列表项（- ）与“键: 值”混在同一层：请检查缩进"),
    ("did not find expected key", "缩进不齐：同一层的键应左对齐，或这一行多出了内容"),
    ("expected <block end>", "缩进不齐：同一层的键应左对齐，或这一行多出了内容"),
    ("node content", "这里缺少值"),
    ("found unexpected ':'", "多余的冒号：含冒号的值请加引号"),
    ("found unexpected end of stream", "文件意外结束：有未闭合的引号或括号"),
)
_CANNOT_START = "that cannot start any token"
# problems whose context mark (where the key or quoted string starts) is the place to look
_AT_CONTEXT = ("could not find expected ':'", "while scanning a quoted scalar")


_FIX = "请检查该行的缩进、冒号和引号"


@dataclass(frozen=True)
class YamlProblem:
    """A YAML syntax error: the Chinese sentence, the 0-based line and column to point at and
    how to fix it."""

    message: str
    line: int | None
    column: int | None
    fix: str = _FIX


class DuplicateKey(yaml.YAMLError):
    """A key written twice in one mapping (PyYAML would keep the last value silently)."""

    def __init__(self, key: str, first_line: int, line: int, column: int) -> None:
        super().__init__(f"duplicate key {key!r}")
        self.key, self.first_line, self.line, self.column = key, first_line, line, column


def duplicate_key(root: Any) -> DuplicateKey | None:
    """The first key repeated within one mapping of the composed node tree ``root``."""
    stack = [root] if root is not None else []
    while stack:
        node = stack.pop()
        if isinstance(node, yaml.MappingNode):
            seen: dict[tuple[str, str], int] = {}
            for key, value in node.value:
                if isinstance(key, yaml.ScalarNode) and key.value != "<<":  # "<<": a merge
                    mark = key.start_mark
                    if (key.tag, key.value) in seen:
                        return DuplicateKey(key.value, seen[key.tag, key.value] + 1, mark.line,
                                            mark.column)
                    seen[key.tag, key.value] = mark.line
                stack += [key, value]
        elif isinstance(node, yaml.SequenceNode):
            stack += node.value
    return None


def describe(exc: Any, text: str | None = None) -> YamlProblem:
    """The Chinese for a PyYAML or ruamel.yaml ``MarkedYAMLError``-like ``exc`` (``text``, the
    document, names the character libyaml leaves out of "cannot start any token")."""
    if isinstance(exc, DuplicateKey):
        return YamlProblem(
            f"键 {exc.key!r} 重复：第 {exc.first_line} 行已有同名的键（后一个会悄悄覆盖前一个）",
            exc.line, exc.column, fix="删去或合并其中一个",
        )  # fmt: skip
    if isinstance(exc, yaml.reader.ReaderError):
        line = text.count("\n", 0, exc.position) if text is not None else None
        return YamlProblem(
            f"文件中有 YAML 不允许的字符 U+{exc.character:04X}（{exc.reason}）", line, None,
            fix="删去该字符（多为复制粘贴带来的控制字符）",
        )  # fmt: skip
    problem, context = str(exc.problem or ""), str(exc.context or "")
    english = f"{context}: {problem}" if context and problem else (problem or context)
    mark = exc.problem_mark or exc.context_mark
    if any(p in english for p in _AT_CONTEXT) and exc.context_mark is not None:
        mark = exc.context_mark
    line, column = (mark.line, mark.column) if mark is not None else (None, None)
    return YamlProblem(f"{_chinese(english, text, line, column)}（{english}）", line, column)


def _chinese(english: str, text: str | None, line: int | None, column: int | None) -> str:
    if _CANNOT_START in english:
        ch = _char_at(text, line, column)
        if ch == "\t" or "'\\t'" in english:
            return _TAB
        shown = f"「{ch}」" if ch else "这个字符"
        return f"{shown}不能作为值的开头：以 @ ` % 等开头的值请加引号"
    for words, chinese in _ZH:
        if words in english:
            return chinese
    return "语法错误：请检查该行的缩进、冒号和引号"


def _char_at(text: str | None, line: int | None, column: int | None) -> str:
    if text is None or line is None or column is None:
        return ""
    lines = text.splitlines()
    return lines[line][column] if line < len(lines) and column < len(lines[line]) else ""
