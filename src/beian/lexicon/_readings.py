"""Pinyin readings of CJK characters for the keyword compiler and the normalizer: the reading
table (pypinyin's data, read without importing the package), polyphonic readings, syllable ids
and the per-code-point syllable table the pinyin window is encoded with."""

from __future__ import annotations

import contextlib
import functools
import importlib.util
import itertools
import json
import sys
import unicodedata
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import numpy.typing as npt

from beian.io import atomic_write_text
from beian.lexicon._fold import BARRIER, cache_dir

__all__ = ["pinyin_syllables", "syllable_ids", "syllable_table"]

_SYLLABLE_BASE = 0xF0000
_COMBOS_MAX = 8  # reading combinations per keyword (polyphonic characters)


def _is_ascii_alnum(ch: str) -> bool:
    return ch.isascii() and ch.isalnum()


def _is_cjk(ch: str) -> bool:
    return "\u3400" <= ch <= "\u9fff" or "\U00020000" <= ch <= "\U0003ffff"


def _strip_tone(s: str) -> str:
    """Toneless pinyin, ü written v (lǜ → lv: the diaeresis is read before the tone goes)."""
    s = unicodedata.normalize("NFKD", s).replace("u\u0308", "v")
    return "".join(c for c in s if not unicodedata.combining(c))


def _pinyin_dict() -> dict[int, str]:
    """pypinyin's per-character readings. Importing ``pypinyin.pinyin_dict`` runs the package's
    ``__init__``, which loads the phrase dictionary (a quarter of a second); the table module is
    plain data, so unless pypinyin is already imported it is executed on its own."""
    mod = sys.modules.get("pypinyin.pinyin_dict")
    spec = importlib.util.find_spec("pypinyin") if mod is None else None
    if spec is not None and spec.submodule_search_locations:
        path = Path(next(iter(spec.submodule_search_locations)), "pinyin_dict.py")
        table = importlib.util.spec_from_file_location("_beian_pinyin_dict", path)
        if table is not None and table.loader is not None and path.is_file():
            mod = importlib.util.module_from_spec(table)
            table.loader.exec_module(mod)
    if mod is None:
        from pypinyin import pinyin_dict as table_module

        mod = table_module
    return dict(mod.pinyin_dict)


@functools.lru_cache(maxsize=1)
def _reading_data() -> tuple[dict[int, str], dict[int, tuple[str, ...]]]:
    """Toneless readings per code point: the default one, and the others of polyphonic ones.

    Read from pypinyin's table once and cached as JSON beside the fold tables.
    """
    path = cache_dir() / "readings-v3.json"
    with contextlib.suppress(OSError, ValueError, KeyError):
        data = json.loads(path.read_text("utf-8"))
        return (
            {int(k): v for k, v in data["default"].items()},
            {int(k): tuple(v) for k, v in data["other"].items()},
        )
    strip = functools.lru_cache(maxsize=None)(_strip_tone)  # ~1,500 toned syllables
    default: dict[int, str] = {}
    other: dict[int, tuple[str, ...]] = {}
    for cp, r in _pinyin_dict().items():
        readings = list(dict.fromkeys(map(strip, str(r).split(","))))
        default[cp] = readings[0]
        if len(readings) > 1:
            other[cp] = tuple(readings[1:])
    with contextlib.suppress(OSError):
        atomic_write_text(path, json.dumps({"default": default, "other": other}))
    return default, other


@functools.lru_cache(maxsize=1)
def _syllables() -> tuple[dict[int, str], dict[str, int]]:
    by_cp, other = _reading_data()
    every = set(by_cp.values()) | {r for rs in other.values() for r in rs}
    return by_cp, {s: i for i, s in enumerate(sorted(every))}


@functools.lru_cache(maxsize=1)
def pinyin_syllables() -> frozenset[str]:
    """Every toneless pinyin syllable of pypinyin's table (ü written v)."""
    return frozenset(_syllables()[1])


def _near(s: str) -> str:
    """A syllable with the sounds many speakers merge merged: zh/z, ch/c, sh/s and n/l at the
    start, ang/an, eng/en and ing/in at the end (chi → ci, nan → lan, xing → xin)."""
    for a, b in (("zh", "z"), ("ch", "c"), ("sh", "s")):
        if s.startswith(a):
            s = b + s[2:]
            break
    else:
        if s.startswith("n") and len(s) > 1 and s[1] != "g":
            s = "l" + s[1:]
    if s.endswith("ng") and len(s) > 2 and s[-3] in "aei":
        s = s[:-1]
    return s


@functools.lru_cache(maxsize=2)
def syllable_ids(near: bool = False) -> dict[str, int]:
    """Toneless syllable → its code (less ``_SYLLABLE_BASE``); with ``near``, near homophones
    (see :func:`_near`) share one."""
    ids = _syllables()[1]
    if not near:
        return ids
    merged: dict[str, int] = {}
    return {s: merged.setdefault(_near(s), i) for s, i in ids.items()}


@functools.lru_cache(maxsize=2)
def syllable_table(near: bool = False) -> npt.NDArray[np.uint32]:
    """Folded code point → code of its default reading (homophones share one, near homophones
    too with ``near``); others unchanged."""
    by_cp, _ = _syllables()
    ids = syllable_ids(near)
    table = np.arange(0x110000, dtype=np.uint32)
    table[_SYLLABLE_BASE:] = BARRIER  # private-use planes cannot collide with syllable codes
    cps = np.fromiter(by_cp.keys(), dtype=np.int64)
    table[cps] = [_SYLLABLE_BASE + ids[s] for s in by_cp.values()]
    # number folding writes 三 ③ 叁 as "3": a digit reads as its numeral (筷*三 for 快三)
    table[[ord(d) for d in "0123456789"]] = table[[ord(c) for c in "零一二三四五六七八九"]]
    table.setflags(write=False)
    return table


def _options(word: str) -> list[list[str]]:
    """Per character: its readings (default first) for CJK, else the character itself."""
    by_cp, other = _reading_data()
    return [
        [by_cp[ord(c)], *other.get(ord(c), ())] if _is_cjk(c) and ord(c) in by_cp else [c]
        for c in word
    ]


def _combos(options: Sequence[Sequence[str]], cap: int = _COMBOS_MAX) -> list[tuple[str, ...]]:
    return list(itertools.islice(itertools.product(*options), cap))
