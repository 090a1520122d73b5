"""Writers of attachments other parts own (keyword list, test banks), registered by decorator."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from beian.dossier._context import DossierContext

# writer(context, source path from the dossier, target path in the package)
Exporter = Callable[[DossierContext, Path, Path], None]
# package file name -> (attachment field of dossier.yaml, writer)
EXPORTERS: dict[str, tuple[str, Exporter]] = {}


def register_exporter(file_name: str, attachment: str) -> Callable[[Exporter], Exporter]:
    """Register the writer of package file ``file_name`` from attachment ``attachment``."""

    def deco(func: Exporter) -> Exporter:
        EXPORTERS[file_name] = (attachment, func)
        return func

    return deco
