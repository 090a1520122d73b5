"""The keyword library and the test banks: loaded once per file version, audited, exported.

They belong to :mod:`beian.lexicon` (§8.1) and :mod:`beian.assess` (§8.2–8.3); the dossier only
finds their files, relays their audits and writes their attachments into the package.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from beian.dossier._context import DossierContext
from beian.dossier._exporters import register_exporter
from beian.dossier.rules._registry import relay
from beian.errors import InputError
from beian.findings import Finding, FindingCode, Location
from beian.standards import Edition

if TYPE_CHECKING:
    from beian.assess import Bank
    from beian.lexicon import Lexicon

LEXICON_SUFFIXES = (".csv", ".tsv", ".xlsx", ".txt")
BANK_SUFFIXES = (".csv", ".xlsx", ".jsonl")


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


@functools.lru_cache(maxsize=8)
def _bank(stamp: tuple[tuple[str, int, int], ...]) -> Bank:
    from beian.assess import load_bank

    return load_bank([s[0] for s in stamp])


def load_banks(path: Path) -> Bank:
    """The test banks at ``path`` (a file or a directory of files); cached per version."""
    return _bank(_stamp(attachment_files(path, BANK_SUFFIXES)))


_BANK_AUDITS: dict[tuple[object, ...], list[Finding]] = {}


def bank_findings(path: Path, edition: Edition) -> list[Finding]:
    """:func:`beian.assess.audit_bank` of the banks at ``path``, cached per file version and
    edition figures (the near-duplicate search takes seconds on a full bank)."""
    from beian.assess import audit_bank

    stamp = _stamp(attachment_files(path, BANK_SUFFIXES))
    key = (stamp, edition.id, tuple(sorted((n, f.value) for n, f in edition.figures.items())))
    if key not in _BANK_AUDITS:
        if len(_BANK_AUDITS) >= 8:
            _BANK_AUDITS.clear()
        _BANK_AUDITS[key] = audit_bank(_bank(stamp), edition)
    return _BANK_AUDITS[key]


@register_exporter("评估测试题集.xlsx", "banks")
def export_test_banks(ctx: DossierContext, src: Path, target: Path) -> None:
    from beian.assess import export_bank_xlsx

    export_bank_xlsx(load_banks(src), ctx.edition, target)


def audited(
    ctx: DossierContext,
    attachment: str,
    unreadable: FindingCode,
    what: str,
    audit: Callable[[Path], list[Finding]],
) -> Iterator[Finding]:
    """Relay another part's audit of an attachment; one ``unreadable`` finding if it cannot be read."""
    path = ctx.attachment(attachment)
    if path is None or not path.exists():
        return  # reported by completeness / attachments
    try:
        findings = audit(path)
    except InputError as exc:
        yield Finding.of(
            unreadable,
            f"{what}无法读取：{exc.what}",
            fix=exc.fix,
            location=Location(file=exc.where or str(path)),
        )
        return
    yield from relay(findings, path)
