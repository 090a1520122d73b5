"""Plugin registries: named pieces registered by decorator, external packs by entry point.

Every kind of plugin (dossier rules, judges, targets, recognizers, carriers, exporters, dataset
importers) keeps its own decorator (``@rule``, ``@judge("name")``, ``@register``,
``@register_carrier``, ``@importer("name")``…) and stores what it registers in a
:class:`PluginRegistry`, so all kinds share:

* **one duplicate rule** — a name belongs to one plugin. Registering another object under a
  taken name is an error naming both; registering the same object again (or the same class
  defined again by re-importing its module) replaces it quietly;
* **entry points** — an installed pack declares, in its ``pyproject.toml``::

      [project.entry-points."beian.judges"]
      my_judges = "my_pack.judges"

  and the module is imported (its decorators register its plugins) the first time the
  registry is read. The groups are listed in :data:`ENTRY_POINT_GROUPS`.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Mapping
from importlib.metadata import entry_points
from typing import Any, TypeVar

from beian.errors import ConfigError

__all__ = ["ENTRY_POINT_GROUPS", "PluginRegistry"]

T = TypeVar("T")

# plugin kind -> entry point group (documented in docs/development.md)
ENTRY_POINT_GROUPS = {
    "rules": "beian.rules",
    "judges": "beian.judges",
    "targets": "beian.targets",
    "recognizers": "beian.recognizers",
    "carriers": "beian.carriers",
    "exporters": "beian.exporters",
    "importers": "beian.importers",
}


def _ident(obj: Any) -> tuple[str, str] | None:
    mod, qual = getattr(obj, "__module__", None), getattr(obj, "__qualname__", None)
    return (mod, qual) if isinstance(mod, str) and isinstance(qual, str) else None


def _same(a: Any, b: Any) -> bool:
    return a is b or (_ident(a) is not None and _ident(a) == _ident(b))


class PluginRegistry(Mapping[str, T]):
    """Plugins of one kind by name (``kind`` is a key of :data:`ENTRY_POINT_GROUPS`).

    A read-only mapping ``name -> plugin`` in registration order; ``builtins`` imports the
    built-in plugins (run once, before entry points). Every read loads built-ins and entry
    points first.
    """

    def __init__(self, kind: str, *, label: str, builtins: Callable[[], object] | None = None) -> None:
        self.kind = kind
        self.group = ENTRY_POINT_GROUPS[kind]
        self.label = label  # what users call it, in Chinese (评判器, 识别器…)
        self._builtins = builtins
        self._plugins: dict[str, T] = {}
        self._loaded = False
        self._lock = threading.RLock()

    def add(self, name: str, plugin: T, *, key: Callable[[T], object] | None = None) -> T:
        """Register ``plugin`` under ``name`` (the one duplicate rule, see the module doc).

        ``key`` picks what identifies a plugin when it is a wrapper (a dossier rule's function).
        """
        ident = key or (lambda p: p)
        with self._lock:
            old = self._plugins.get(name)
            if old is not None and not _same(ident(old), ident(plugin)):
                raise ValueError(
                    f"{self.kind} plugin name {name!r} is taken by {_describe(ident(old))}; "
                    f"{_describe(ident(plugin))} cannot register under it"
                )
            self._plugins[name] = plugin
        return plugin

    def load(self) -> None:
        """Import the built-ins and every installed pack of this kind (once)."""
        if self._loaded:
            return
        with self._lock:
            if self._loaded:
                return
            self._loaded = True  # set first: a pack's module may read the registry on import
            if self._builtins is not None:
                self._builtins()
            for ep in sorted(entry_points(group=self.group), key=lambda e: e.name):
                try:
                    ep.load()
                except Exception as exc:
                    raise ConfigError(
                        f"{self.label}插件 {ep.name} 加载失败：{type(exc).__name__}: {exc}",
                        where=f"entry point {self.group}: {ep.name} = {ep.value}",
                        fix="请修复或卸载提供该插件的包",
                    ) from exc

    def names(self) -> list[str]:
        self.load()
        return sorted(self._plugins)

    def __getitem__(self, name: str) -> T:
        self.load()
        return self._plugins[name]

    def __iter__(self) -> Iterator[str]:
        self.load()
        return iter(list(self._plugins))

    def __len__(self) -> int:
        self.load()
        return len(self._plugins)


def _describe(obj: object) -> str:
    ident = _ident(obj)
    return f"{ident[0]}.{ident[1]}" if ident else repr(obj)
