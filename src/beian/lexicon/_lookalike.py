"""Look-alike characters (形近字 and cross-script homoglyphs) folded to what they imitate.

Two data files ship in ``data/``: ``lookalike.tsv``, derived from Unicode's ``confusables.txt``
(UTS #39) by ``scripts/lexicon_tables.py``, and ``xingjin.tsv``, a short list of similar CJK
forms written for this project. Sources and licences: ``data/README.md``.
"""

from __future__ import annotations

import functools
import hashlib
from importlib import resources

__all__ = ["lookalike_digest", "lookalike_map", "read_pairs"]

_FILES = ("lookalike.tsv", "xingjin.tsv")


def read_pairs(name: str) -> list[list[str]]:
    """The tab-separated rows of a data file, comments and blank lines left out."""
    text = resources.files("beian.lexicon").joinpath("data", name).read_text("utf-8")
    return [
        line.split("\t") for line in text.splitlines() if line.strip() and not line.startswith("#")
    ]


@functools.lru_cache(maxsize=1)
def lookalike_map() -> dict[str, str]:
    """Look-alike character → the character it is folded to (one character each)."""
    out: dict[str, str] = {}
    for name in _FILES:
        for row in read_pairs(name):
            src, dst = row[0], row[1]
            if len(src) == 1 and len(dst) == 1 and src != dst:
                out[src] = dst
    return out


@functools.lru_cache(maxsize=1)
def lookalike_digest() -> str:
    """A digest of the table, part of the fold tables' cache key."""
    body = "".join(f"{a}{b}" for a, b in sorted(lookalike_map().items()))
    return hashlib.sha256(body.encode()).hexdigest()[:12]
