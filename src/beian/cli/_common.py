"""Helpers shared by the command modules: consoles, config access, findings output."""

from __future__ import annotations

import json
import sys
from enum import StrEnum
from typing import TYPE_CHECKING, Any

import typer
from rich.console import Console

if TYPE_CHECKING:  # imported where used: ``import beian.cli`` stays light
    from rich.table import Table

    from beian.config import BeianConfig
    from beian.findings import Finding
    from beian.standards import Edition

# Output to a pipe, a file or a service manager's log is never wrapped: Rich would break lines at
# 80 columns (a URL or a secret in two pieces, a table's last columns squeezed away). On a
# terminal Rich fits tables to its width as usual.
_UNWRAPPED = 1 << 16


def _console(stderr: bool = False) -> Console:
    tty = (sys.stderr if stderr else sys.stdout).isatty()
    return Console(stderr=stderr, highlight=False, width=None if tty else _UNWRAPPED,
                   soft_wrap=not tty)  # fmt: skip


console = _console()
err_console = _console(stderr=True)


def print_whole(*lines: str) -> None:
    """Print lines that must survive copying (URLs, passwords, keys): never broken by Rich,
    not read as markup; a terminal wraps them visually only."""
    for line in lines:
        console.print(line, soft_wrap=True, markup=False, highlight=False)


class TableOrJson(StrEnum):
    table = "table"
    json = "json"


class TableJsonJsonl(StrEnum):
    table = "table"
    json = "json"
    jsonl = "jsonl"


def get_config(ctx: typer.Context) -> BeianConfig:
    """The configuration loaded by the root callback."""
    from beian.config import BeianConfig

    root = ctx.find_root()
    cfg = root.obj
    return cfg if isinstance(cfg, BeianConfig) else BeianConfig()


def emit_json(obj: Any) -> None:
    """Print JSON to stdout with Chinese kept readable."""
    sys.stdout.write(json.dumps(obj, ensure_ascii=False, indent=2, default=str) + "\n")


def findings_json(findings: list[Finding], edition: Edition) -> list[dict[str, Any]]:
    """Findings as JSON, their clauses cited in ``edition``'s numbering ([U] marks included)."""
    return [f.model_dump(mode="json") for f in edition.cite_findings(findings)]


def findings_table(findings: list[Finding], title: str = "检查结果", *, edition: Edition) -> Table:
    """Findings as a table, their clauses cited in ``edition``'s numbering ([U] marks included)."""
    from rich.table import Table
    from rich.text import Text

    from beian.findings import Severity

    style = {Severity.BLOCKING: "bold red", Severity.WARNING: "yellow", Severity.INFO: "cyan"}
    findings = edition.cite_findings(findings)
    table = Table(title=title, show_lines=False)
    for col in ("代码", "级别", "条款", "说明", "位置", "修复建议"):
        table.add_column(col, overflow="fold")
    for f in sorted(findings, key=lambda f: (-f.severity.rank, f.code)):
        table.add_row(  # messages may quote configuration values: text, never markup
            f.code,
            f"[{style[f.severity]}]{f.severity.value}[/]",
            Text(f.clause),
            Text(f.message),
            Text(str(f.location) if f.location else "-"),
            Text(f.fix or "-"),
        )
    return table
