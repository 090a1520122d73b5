"""Look-alike characters (形近字 and cross-script homoglyphs) folded to what they imitate.

``lookalike.tsv`` (derived from Unicode's ``confusables.txt``, UTS #39, by
``scripts/lexicon_tables.py``) is folded into the fold table: text and keywords alike. Those
pairs read the same (or the source has no reading), so pinyin and homophones are unaffected.
``xingjin.tsv`` (similar CJK forms written for this project: 夭/天, 己/已) pairs characters of
different readings, so it gives keyword variants instead of a fold. Sources and licences:
``data/README.md``.
"""

from __future__ import annotations

import functools
import hashlib
from importlib import resources

__all__ = ["lookalike_digest", "lookalike_map", "read_pairs", "xingjin_variants"]

_MAX_VARIANTS = 4  # 形近字 forms per keyword


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
    for row in read_pairs("lookalike.tsv"):
        src, dst = row[0], row[1]
        if len(src) == 1 and len(dst) == 1 and src != dst:
            out[src] = dst
    return out


@functools.lru_cache(maxsize=1)
def _groups() -> dict[str, tuple[str, ...]]:
    out: dict[str, tuple[str, ...]] = {}
    for row in read_pairs("xingjin.tsv"):
        for c in row:
            out[c] = tuple(x for x in row if x != c)
    return out


def xingjin_variants(word: str, cap: int = _MAX_VARIANTS) -> list[str]:
    """``word`` with one character replaced by a similar-looking one (夭安门 for 天安门)."""
    groups = _groups()
    out: list[str] = []
    for i, c in enumerate(word):
        for alt in groups.get(c, ()):
            out.append(word[:i] + alt + word[i + 1 :])
            if len(out) >= cap:
                return out
    return out


@functools.lru_cache(maxsize=1)
def lookalike_digest() -> str:
    """A digest of the table, part of the fold tables' cache key."""
    body = "".join(f"{a}{b}" for a, b in sorted(lookalike_map().items()))
    return hashlib.sha256(body.encode()).hexdigest()[:12]
