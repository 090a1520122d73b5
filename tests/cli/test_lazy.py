"""The CLI starts without importing what it does not use: command modules, heavy libraries."""

from __future__ import annotations

import functools
import importlib
import inspect
import json
import pkgutil
import subprocess
import sys
from pathlib import Path

import pytest
import typer
import typer.main

import beian.cli
from beian.cli._registry import COMMANDS

HEAVY = ("sqlalchemy", "fastapi", "numpy", "docx", "openpyxl")
MODULES = sorted(m.name for m in pkgutil.iter_modules(beian.cli.__path__) if m.name[0] != "_")

# Runs the CLI with ARGS in this process, then prints the modules it imported (at exit, so
# after typer.Exit / SystemExit too).
_PROBE = """
import atexit, json, sys
atexit.register(lambda: sys.stderr.write("\\nMODULES " + json.dumps(sorted(sys.modules)) + "\\n"))
sys.argv = ["beian", *sys.argv[1:]]
from beian.cli import main
main()
"""


def _imported(*args: str) -> tuple[int, list[str]]:
    r = subprocess.run([sys.executable, "-c", _PROBE, *args], capture_output=True, text=True,
                       env={"COLUMNS": "100", "PATH": "/usr/bin:/bin",
                            "PYTHONPATH": ":".join(sys.path)}, check=False)  # fmt: skip
    line = r.stderr.rsplit("MODULES ", 1)[-1]
    return r.returncode, json.loads(line)


def _commands(modules: list[str]) -> list[str]:
    return sorted(m.removeprefix("beian.cli.") for m in modules if m.startswith("beian.cli.")
                  and not m.startswith("beian.cli._"))  # fmt: skip


def test_import_beian_cli_imports_no_heavy_library_and_no_command_module() -> None:
    code = "import sys, json, beian.cli; print(json.dumps(sorted(sys.modules)))"
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    modules = json.loads(r.stdout)
    assert [m for m in modules if m.split(".")[0] in HEAVY] == []
    assert _commands(modules) == []
    # Typer's help/error renderer is imported only to print help or an error
    assert "typer.rich_utils" not in modules and "beian.config" not in modules


@pytest.mark.parametrize("args", [("--help",), ("--version",), ()], ids=str)
def test_root_help_and_version_import_no_command_module(args: tuple[str, ...]) -> None:
    rc, modules = _imported(*args)
    assert rc in (0, 2) and _commands(modules) == []  # no arguments: help, exit code 2


@pytest.mark.parametrize(("args", "module"), [(("label", "--help"), "label"),
                                              (("check", "--help"), "dossier"),
                                              (("serve", "--help"), "registry")])  # fmt: skip
def test_a_command_imports_only_its_own_module(args: tuple[str, ...], module: str) -> None:
    rc, modules = _imported(*args)
    assert rc == 0 and _commands(modules) == [module]


def test_typer_help_is_chinese_when_imported_after_the_cli() -> None:
    code = ("import sys, beian.cli; assert 'typer.rich_utils' not in sys.modules\n"
            "import typer.rich_utils as r; print(r.OPTIONS_PANEL_TITLE, r.COMMANDS_PANEL_TITLE)")  # fmt: skip
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert r.stdout.split() == ["选项", "命令"]


@functools.cache
def _eager_root() -> typer.core.TyperGroup:
    """The root group as it was built before it became lazy: every module registered in turn."""
    app = typer.Typer(rich_markup_mode="rich")
    for name in MODULES:
        register = getattr(importlib.import_module(f"beian.cli.{name}"), "register", None)
        if register is not None:
            register(app)
    return typer.main.get_group(app)


def test_the_registry_lists_every_command_in_order_with_its_help_line() -> None:
    eager = _eager_root()
    names = eager.list_commands(typer.Context(eager))
    assert [e.name for e in COMMANDS] == names
    for entry in COMMANDS:
        command = eager.commands[entry.name]
        first = inspect.cleandoc(command.short_help or command.help or "").split("\n\n")[0]
        assert entry.help == first.strip(), entry.name
        owner = getattr(command.callback, "__module__", None)
        if owner is not None and not isinstance(command, typer.core.TyperGroup):
            assert owner == f"beian.cli.{entry.module}", entry.name
    assert sorted({e.module for e in COMMANDS}) == [m for m in MODULES if m != "gateway_rights"]


def test_the_lazy_root_builds_the_same_commands_as_the_eager_one() -> None:
    eager = _eager_root()
    lazy = typer.main.get_command(beian.cli.app)
    assert isinstance(lazy, typer.core.TyperGroup)
    ctx = typer.Context(lazy)
    assert lazy.list_commands(ctx) == eager.list_commands(ctx)
    for name in eager.commands:
        got, want = lazy.get_command(ctx, name), eager.commands[name]
        assert got is not None and type(got) is type(want)
        assert [p.name for p in got.params] == [p.name for p in want.params]
        assert sorted(getattr(got, "commands", {})) == sorted(getattr(want, "commands", {}))
    assert lazy.get_command(ctx, "nosuch") is None


def test_label_add_on_a_png_imports_neither_numpy_nor_cryptography(tmp_path: Path) -> None:
    from PIL import Image

    png = tmp_path / "small.png"
    Image.new("RGB", (64, 64), (200, 30, 30)).save(png)
    rc, modules = _imported("label", "add", str(png), "--producer", "91110108551385082Q")
    assert rc == 0 and _commands(modules) == ["label"]
    assert "beian.label.carriers.png" in modules
    assert [m for m in modules if m.split(".")[0] in ("numpy", "cryptography")] == []
    assert "AIGC" in Image.open(png).text  # the label was written
