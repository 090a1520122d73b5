"""The keyword library and the test banks: loaded once per file version, audited, exported.

They belong to :mod:`beian.lexicon` (§8.1) and :mod:`beian.assess` (§8.2–8.3); the dossier only
finds their files, relays their audits and writes their attachments into the package.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import TYPE_CHECKING

from beian.dossier._context import DossierContext
from beian.dossier._exporters import register_exporter

if TYPE_CHECKING:
    from beian.lexicon import Lexicon

LEXICON_SUFFIXES = (".csv", ".tsv", ".xlsx", ".txt")


def attachment_files(path: Path, suffixes: tuple[str, ...]) -> list[Path]:
    """``path`` itself, or the files with ``suffixes`` in the directory ``path`` (sorted)."""
    if path.is_dir():
        return sorted(p for p in path.iterdir() if p.is_file() and p.suffix.lower() in suffixes)
    return [path]


def _stamp(files: list[Path]) -> tuple[tuple[str, int, int], ...]:
    return tuple((str(p), p.stat().st_mtime_ns, p.stat().st_size) for p in files)


@functools.lru_cache(maxsize=8)
def _lexicon(stamp: tuple[tuple[str, int, int], ...]) -> Lexicon:
    from beian.lexicon import Lexicon

    return Lexicon.load([s[0] for s in stamp])


def load_lexicon(path: Path) -> Lexicon:
    """The keyword library at ``path`` (a file or a directory of files); cached per version."""
    return _lexicon(_stamp(attachment_files(path, LEXICON_SUFFIXES)))


@register_exporter("拦截关键词列表.xlsx", "keyword_list")
def export_keyword_list(ctx: DossierContext, src: Path, target: Path) -> None:
    from beian.lexicon import export_xlsx

    export_xlsx(load_lexicon(src).entries, target, ctx.edition)
