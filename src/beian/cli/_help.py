"""Typer's own words in Chinese: help screens, usage lines and usage errors.

Typer (with the Click it carries, ``typer._click``) writes its help and its usage errors in
English: panel titles and ``[default: …]`` are module constants, the help option's text, the
usage prefix and the errors are literals. :func:`localize` sets the constants, wraps the few
methods that produce the rest, and translates error messages by :data:`MESSAGES` (patterns over
the English text; anything unmatched stays as it was). Type placeholders become Chinese
(``<path>`` → ``<路径>``, ``<list[Path]>`` → ``<路径…>``) and flags show none (``--quiet``
needs no ``<bool>``); help texts fold at the edge instead of being cut off with "…". Called
once, before the app is built; calling it again does nothing. The constants and the folding live
in ``typer.rich_utils``, which Typer imports only to print help or an error: they are set as soon
as it is imported (an import hook), so a command that prints neither never imports it.
"""

from __future__ import annotations

import importlib.abc
import importlib.util
import re
import sys
from importlib.machinery import ModuleSpec
from types import ModuleType
from typing import Any

__all__ = ["MESSAGES", "localize", "translate"]

HELP_TEXT = "显示本帮助并退出"
USAGE = "用法："

# Typer's strings computed at import time (rich_utils)
_RICH_CONSTANTS = {
    "DEPRECATED_STRING": "（已弃用）",
    "DEFAULT_STRING": "[默认：{}]",
    "ENVVAR_STRING": "[环境变量：{}]",
    "REQUIRED_LONG_STRING": "[必填]",
    "ARGUMENTS_PANEL_TITLE": "参数",
    "OPTIONS_PANEL_TITLE": "选项",
    "COMMANDS_PANEL_TITLE": "命令",
    "ERRORS_PANEL_TITLE": "错误",
    "ABORTED_TEXT": "已取消。",
    "RICH_HELP": "用 [blue]'{command_path} {help_option}'[/] 查看帮助。",
}
_USAGE_WORDS = (("[OPTIONS]", "[选项]"), ("COMMAND [ARGS]...", "命令 [参数]..."))
# "int range": the range itself is shown after the type ("<整数> [x>=1]")
_TYPE_WORDS = {"str": "文本", "int": "整数", "float": "数值", "path": "路径", "file": "文件",
               "dir": "目录", "directory": "目录", "Path": "路径", "datetime": "日期时间",
               "bool": "是/否", "range": ""}  # fmt: skip
_WORD = re.compile(r"[A-Za-z]+")

# (English pattern, Chinese replacement), applied in order to a usage error's message
MESSAGES: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(p), r)
    for p, r in (
        (r"^Missing argument (.*?)\.", r"缺少参数 \1。"),
        (r"^Missing option (.*?)\.", r"缺少选项 \1。"),
        (r"^Missing parameter:? ?(.*?)\.?$", r"缺少参数 \1"),
        (r"^Missing command\.", "缺少子命令。"),
        (r"^No such option: (\S+)", r"没有选项 \1"),
        (r"\(Possible options: (.*)\)", r"（可用的选项：\1）"),
        (r"^No such command (.*?)\.", r"没有命令 \1。"),
        (r" Did you mean (.*)\?", r" 是否想用 \1？"),
        (r"^Got unexpected extra argument\(s\) \((.*)\)", r"多余的参数（\1）"),
        (r"^Option (.*?) requires an argument\.", r"选项 \1 需要一个值。"),
        (r"^Option (.*?) requires (\d+) arguments\.", r"选项 \1 需要 \2 个值。"),
        (r"^Option (.*?) does not take a value\.", r"选项 \1 不接受值。"),
        (r"^Invalid value for (.*?): ", r"\1 的值无效："),
        (r"^Invalid value: ", "值无效："),
        (r"Value (.*?) is not a valid int\.", r"\1 不是有效的整数。"),
        (r"Value (.*?) is not a valid float\.", r"\1 不是有效的数值。"),
        (r"Value (.*?) is not a valid bool\.", r"\1 不是有效的是/否值。"),
        (r"Value (.*?) is not a valid (\w+)\.", r"\1 不是有效的 \2。"),
        (r"(.*?) is not one of (.*)\.$", r"\1 不是 \2 之一。"),
        (r"(.*?) is not in the range (.*)\.$", r"\1 不在范围 \2 内。"),
        (r"(?:File|Directory|Path) (.*?) does not exist\.", r"\1 不存在。"),
        (r"(?:File|Directory|Path) (.*?) is a file\.", r"\1 是文件，需要目录。"),
        (r"(?:File|Directory|Path) (.*?) is a directory\.", r"\1 是目录，需要文件。"),
        (r"(?:File|Directory|Path) (.*?) is not readable\.", r"\1 不可读。"),
        (r"(?:File|Directory|Path) (.*?) is not writable\.", r"\1 不可写。"),
        (r"^Could not open file (.*?): ", r"无法打开文件 \1："),
        (r"Input should be a valid integer.*$", "应为整数"),
        (r"Input should be a valid (?:number|float).*$", "应为数值"),
        (r"Input should be a valid boolean.*$", "应为是/否（true/false）"),
        (r"Input should be greater than or equal to (\S+?)\.?$", r"应不小于 \1"),
        (r"Input should be greater than (\S+?)\.?$", r"应大于 \1"),
        (r"Input should be less than or equal to (\S+?)\.?$", r"应不大于 \1"),
        (r"Input should be less than (\S+?)\.?$", r"应小于 \1"),
        (r"Input should be (.*)$", r"应为 \1"),
    )
)
_done = False


def translate(message: str) -> str:
    """A usage error's message in Chinese, as far as :data:`MESSAGES` knows it."""
    for pattern, replacement in MESSAGES:
        message = pattern.sub(replacement, message)
    return message


def _type_label(label: str | None) -> str | None:
    """``<list[Path]>`` → ``<路径…>``; choices (``table|json``) stay as they are."""
    if label is None or "|" in label:
        return label
    inner = label.strip("<>")
    many = inner.startswith("list[")
    inner = inner.removeprefix("list[").removesuffix("]")
    inner = _WORD.sub(lambda m: _TYPE_WORDS.get(m.group(0), m.group(0)), inner).strip()
    return f"<{inner}{'…' if many else ''}>"


def localize() -> None:
    """Put Typer's help screens and usage errors in Chinese (once)."""
    global _done
    if _done:
        return
    _done = True
    from typer import _click, core

    _localize_types(core)
    _localize_help_and_usage(_click)
    _localize_errors(_click)
    # Typer imports rich_utils (Rich's Markdown, tracebacks: ~40 ms) only to print a help
    # screen or an error; a command that does neither should not pay for it.
    rich_utils = sys.modules.get(_RICH_UTILS)
    if rich_utils is not None:
        _localize_rich(rich_utils)
    else:
        sys.meta_path.insert(0, _OnImport(_RICH_UTILS, _localize_rich))


_RICH_UTILS = "typer.rich_utils"


def _localize_rich(rich_utils: ModuleType) -> None:
    for attr, text in _RICH_CONSTANTS.items():
        setattr(rich_utils, attr, text)
    _fold_help_texts(rich_utils)


class _OnImport(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Runs ``then`` on module ``name`` right after it is first imported (then steps aside)."""

    def __init__(self, name: str, then: Any) -> None:
        self._name = name
        self._then = then
        self._loader: Any = None

    def find_spec(self, fullname: str, path: Any, target: Any = None) -> ModuleSpec | None:
        if fullname != self._name:
            return None
        sys.meta_path.remove(self)
        spec = importlib.util.find_spec(fullname)
        if spec is None or spec.loader is None:
            return spec
        self._loader, spec.loader = spec.loader, self
        return spec

    def create_module(self, spec: ModuleSpec) -> ModuleType | None:
        module: ModuleType | None = self._loader.create_module(spec)
        return module

    def exec_module(self, module: ModuleType) -> None:
        self._loader.exec_module(module)
        self._then(module)


def _localize_types(core: Any) -> None:
    core._ = translate  # typer.core's own gettext strings ("Missing command.", …)
    option_rich = core.TyperOption.display_type_rich
    argument_rich = core.TyperArgument.display_type_rich

    def option_type(self: Any, ctx: Any) -> str | None:
        if self.is_flag and self.metavar is None:
            return None  # a switch takes no value
        return _type_label(option_rich(self, ctx))

    def argument_type(self: Any, ctx: Any) -> str | None:
        return _type_label(argument_rich(self, ctx))

    core.TyperOption.display_type_rich = option_type
    core.TyperArgument.display_type_rich = argument_type


def _localize_help_and_usage(click: Any) -> None:
    write_usage = click.formatting.HelpFormatter.write_usage
    get_help_option = click.core.Command.get_help_option

    def usage(self: Any, prog: str, args: str = "", prefix: str | None = None) -> None:
        for en, zh in _USAGE_WORDS:
            args = args.replace(en, zh)
        write_usage(self, prog, args, USAGE if prefix is None else prefix)

    def help_option(self: Any, ctx: Any) -> Any:
        option = get_help_option(self, ctx)
        if option is not None:
            option.help = HELP_TEXT
        return option

    click.formatting.HelpFormatter.write_usage = usage
    click.core.Command.get_help_option = help_option


def _localize_errors(click: Any) -> None:
    exceptions = click.exceptions
    for name in dir(exceptions):
        cls: Any = getattr(exceptions, name)
        if isinstance(cls, type) and "format_message" in vars(cls):
            target: Any = cls
            original = vars(cls)["format_message"]

            def format_message(self: Any, _original: Any = original) -> str:
                return translate(_original(self))

            target.format_message = format_message


def _fold_help_texts(rich_utils: Any) -> None:
    """Help screens that lose nothing at 80 columns: option names, flags and types keep their
    width and the help text gives way, folding at any character as Chinese is written.

    Rich breaks lines only at spaces and, squeezing a table, shortens the widest columns alike:
    beside a Chinese sentence (one long "word") it cut option names and the sentence itself
    off with "…" (``--classifier-thresh…``)."""
    from rich.table import Table
    from rich.text import Text

    class HelpTable(Table):
        def _calculate_column_widths(self, console: Any, options: Any) -> list[int]:
            for column in self.columns[:-1]:  # the last column is the help text
                column.no_wrap = True
            widths: list[int] = super()._calculate_column_widths(console, options)
            return widths

    make_rich_text = rich_utils._make_rich_text
    parameter_help = rich_utils._get_parameter_help

    def folded(*, text: str, style: str = "", markup_mode: Any) -> Any:
        out = make_rich_text(text=text, style=style, markup_mode=markup_mode)
        if isinstance(out, Text):
            out.overflow = "fold"
        return out

    def one_text(**kw: Any) -> Any:
        """An option's help, default and [必填] as one folding text (Typer's Rich ``Columns``
        would put each on a line of its own)."""
        out = parameter_help(**kw)
        items = getattr(out, "renderables", None)
        if not items or not all(isinstance(x, Text) for x in items):
            return out
        return Text(" ", overflow="fold").join(items)

    rich_utils.Table = HelpTable
    rich_utils._make_rich_text = folded
    rich_utils._get_parameter_help = one_text
