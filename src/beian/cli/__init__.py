"""The ``beian`` command line: a thin shell over the library.

Every public module in this package (no leading underscore) defines
``register(app: typer.Typer) -> None``; :mod:`beian.cli._registry` names the top-level commands
each one registers, with their help lines, so that a command's module is imported only when that
command runs or shows its help (:class:`beian.cli._lazy.LazyGroup`). Command modules import heavy
libraries inside their functions: ``beian --help`` and ``beian --version`` import no command
module, ``beian label add`` imports only ``beian.cli.label`` and what adding a label needs.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from beian import __version__
from beian.cli._common import err_console
from beian.cli._help import localize
from beian.cli._lazy import LazyGroup
from beian.errors import EXIT_ERROR, BeianError

__all__ = ["app", "main"]

localize()  # Typer's and Click's own words (usage, options, errors) in Chinese

app = typer.Typer(
    name="beian",
    cls=LazyGroup,
    help="beian（备案）：生成式人工智能服务备案工具箱 —— 材料检查与生成、安全评估、运行时措施、备案登记系统。",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode="rich",
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"beian {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    ctx: typer.Context,
    config: Annotated[
        Path | None,
        typer.Option(
            "--config", "-c", help="配置文件（默认：环境变量 BEIAN_CONFIG 或 ./beian.yaml）"
        ),
    ] = None,
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="显示版本并退出"),
    ] = False,
) -> None:
    """beian（备案）：生成式人工智能服务备案工具箱。"""
    from beian.config import load_config

    ctx.obj = load_config(config)


def main() -> None:
    """Entry point: runs the app and prints :class:`BeianError` in the project's error style."""
    try:
        app()
    except BeianError as exc:
        err_console.print(exc.render(), style="red", highlight=False, markup=False)
        sys.exit(EXIT_ERROR)
