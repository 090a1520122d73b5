"""The development evasion tables: one TSV per evasion kind, written beside the tests.

Each row: the keyword expected to hit (``-`` for none), the text, and a status: ``hit`` (must
hit that keyword), ``none`` (must hit nothing) or ``gap`` (a known miss: counted in the
development figures and asserted to be still missed, so a fix shows up here and in the docs).
These are development examples written with the code, not an independent evaluation set.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

from beian.lexicon import Lexicon, LexiconConfig

__all__ = ["KINDS", "Row", "check", "dev_lexicon", "found", "rows"]

HERE = Path(__file__).parent
KINDS = (
    "pinyin_full",
    "initials",
    "pinyin_mixed",
    "homophone",
    "chaizi",
    "xingjin",
    "homoglyph",
    "fullwidth_traditional",
    "noise",
)


@dataclass(frozen=True)
class Row:
    kind: str
    line: int
    keyword: str
    text: str
    status: str

    @property
    def id(self) -> str:
        return f"{self.kind}:{self.line}:{self.status}"


def _lines(name: str) -> list[tuple[int, list[str]]]:
    text = (HERE / name).read_text("utf-8")
    return [
        (no, line.split("\t"))
        for no, line in enumerate(text.splitlines(), 1)
        if line.strip() and not line.startswith("#")
    ]


def rows(kind: str) -> list[Row]:
    return [Row(kind, no, c[0], c[1], c[2]) for no, c in _lines(f"{kind}.tsv")]


@functools.cache
def dev_lexicon(kind: str) -> Lexicon:
    """The development lexicon; the homophone table runs with the library-wide switch on."""
    entries = [(c[0], c[1]) for _, c in _lines("keywords.tsv")]
    return Lexicon.from_entries(entries, LexiconConfig(homophones_all=kind == "homophone"))


def found(row: Row) -> bool:
    """Whether the row's text gives what the row expects (a hit on its keyword, or none)."""
    hits = dev_lexicon(row.kind).scan(row.text)
    if row.keyword == "-":
        return not hits
    return any(h.keyword == row.keyword for h in hits)


def check(row: Row) -> None:
    ok = found(row)
    hits = dev_lexicon(row.kind).scan(row.text)
    if row.status == "gap":
        assert not ok, f"{row.id} 已能识别：把状态改成 hit，并更新 docs/lexicon.md"
    else:
        assert ok, (row, hits)
