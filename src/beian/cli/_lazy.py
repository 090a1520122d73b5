"""The root command group, which imports a command module only when one of its commands is used.

:class:`LazyGroup` knows the top-level commands from :data:`beian.cli._registry.COMMANDS`. Running
a command or showing its help imports its module, calls the module's ``register`` on a scratch
Typer app and takes the Click commands Typer builds from it, exactly as if the module had been
registered on the root app. The root's own help lists every command from the registry's help
lines, importing nothing.
"""

from __future__ import annotations

import functools
import importlib
from collections.abc import Callable, Iterator, MutableMapping
from typing import TYPE_CHECKING, Any

import typer
import typer.main
from typer.core import TyperCommand, TyperGroup

from beian.cli._registry import COMMANDS, Entry

if TYPE_CHECKING:
    from typer import _click

__all__ = ["LazyCommands", "LazyGroup", "load_module_commands"]


@functools.cache
def _registered(module: str, rich_markup_mode: Any) -> typer.Typer:
    """An app holding what ``beian.cli.<module>``'s ``register`` adds (once per process, as the
    module-level sub-apps some modules register on must not get their commands twice)."""
    scratch = typer.Typer(rich_markup_mode=rich_markup_mode)
    importlib.import_module(f"beian.cli.{module}").register(scratch)
    return scratch


def load_module_commands(module: str, rich_markup_mode: Any) -> dict[str, _click.Command]:
    """The Click commands that ``beian.cli.<module>``'s ``register`` adds to an app, by name,
    built afresh as Typer builds a root app's commands on each ``typer.main.get_command``."""
    return dict(typer.main.get_group(_registered(module, rich_markup_mode)).commands)


class LazyCommands(MutableMapping[str, "_click.Command"]):
    """Commands by name, in the registry's order; a command's module is imported on first access
    of its value. Names, membership and length never import anything."""

    def __init__(
        self,
        entries: tuple[Entry, ...],
        load: Callable[[str], dict[str, _click.Command]],
        loaded: MutableMapping[str, _click.Command] | None = None,
    ) -> None:
        self._entries = {e.name: e for e in entries}
        self._load = load
        self._names = list(self._entries)
        self._loaded: dict[str, _click.Command] = {}
        for name, command in (loaded or {}).items():
            self[name] = command

    def entry(self, name: str) -> Entry | None:
        """The registry entry of a command whose module is not imported yet."""
        return None if name in self._loaded else self._entries.get(name)

    def __getitem__(self, name: str) -> _click.Command:
        if name not in self._loaded and name in self._entries:
            for other, command in self._load(self._entries[name].module).items():
                self._loaded.setdefault(other, command)
        return self._loaded[name]

    def __setitem__(self, name: str, command: _click.Command) -> None:
        if name not in self._names:
            self._names.append(name)
        self._loaded[name] = command

    def __delitem__(self, name: str) -> None:
        self._names.remove(name)
        self._loaded.pop(name, None)
        self._entries.pop(name, None)

    def __contains__(self, name: object) -> bool:
        return name in self._names

    def __iter__(self) -> Iterator[str]:
        return iter(list(self._names))

    def __len__(self) -> int:
        return len(self._names)


class LazyGroup(TyperGroup):
    """The ``beian`` group: subcommands from the registry, their modules imported on use."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._listing = False
        mode = self.rich_markup_mode
        self.commands = LazyCommands(
            COMMANDS, lambda module: load_module_commands(module, mode), self.commands
        )

    def list_commands(self, ctx: _click.Context) -> list[str]:
        return list(self.commands)

    def get_command(self, ctx: _click.Context, cmd_name: str) -> _click.Command | None:
        commands = self.commands
        entry = commands.entry(cmd_name) if isinstance(commands, LazyCommands) else None
        if self._listing and entry is not None:  # a line in the root's help: no import
            return TyperCommand(name=entry.name, help=entry.help)
        return super().get_command(ctx, cmd_name)

    def format_help(self, ctx: _click.Context, formatter: _click.HelpFormatter) -> None:
        self._listing = True
        try:
            super().format_help(ctx, formatter)
        finally:
            self._listing = False
