"""Writers of attachments other parts own (keyword list, test banks), registered by decorator."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from beian._shared.plugins import PluginRegistry
from beian.dossier._context import DossierContext

# writer(context, source path from the dossier, target path in the package)
Exporter = Callable[[DossierContext, Path, Path], None]


def _builtin_exporters() -> None:
    import beian.dossier._attachments  # noqa: F401  (registers the keyword list and test banks)


# package file name -> (attachment field of dossier.yaml, writer)
EXPORTERS: PluginRegistry[tuple[str, Exporter]] = PluginRegistry(
    "exporters", label="材料导出", builtins=_builtin_exporters
)


def register_exporter(file_name: str, attachment: str) -> Callable[[Exporter], Exporter]:
    """Register the writer of package file ``file_name`` from attachment ``attachment``."""

    def deco(func: Exporter) -> Exporter:
        EXPORTERS.add(file_name, (attachment, func), key=lambda e: e[1])
        return func

    return deco
