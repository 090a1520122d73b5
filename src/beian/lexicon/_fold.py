"""Code-point fold tables: every single-character normalization folded into one lookup.

The table maps each code point to a ``uint32``:

* ``NOISE`` (0): dropped (spaces, punctuation, symbols, emoji); a run of more than ``max_gap``
  noise characters between two keyword characters separates them;
* ``INVISIBLE``: dropped before noise runs are counted (format characters such as U+200B,
  U+2060, U+00AD, combining marks and variation selectors such as U+FE0F, Hangul fillers): they
  take no visible place, so any number of them between two keyword characters still matches;
* ``BARRIER`` (1): kept as a separator no keyword can cross (line breaks, 。！？；);
* ``EXPAND + i`` (≥ 0x200000): the character folds to several characters, ``expansions[i]``;
* anything else: the folded code point (NFKC, case, traditional → simplified, number styles).

``rules[cp]`` records, as bits, which steps changed the character, so a hit can name them.
Building a table takes a fraction of a second; it is cached per process for each set of flags.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import io
import os
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from beian._shared.opencc import opencc_convert, opencc_version
from beian.io import atomic_write_bytes
from beian.lexicon._lookalike import greek_map, lookalike_digest, lookalike_map, variant_map

__all__ = [
    "BARRIER",
    "BLANKS",
    "EXPAND",
    "INVISIBLE",
    "JOINERS",
    "NOISE",
    "PROSE",
    "RULE_BITS",
    "FoldFlags",
    "FoldTable",
    "cache_dir",
    "fold_table",
    "gb2312",
]

_VERSION = 10  # bump when the folding logic changes
NOISE = 0
BARRIER = 1
INVISIBLE = 0x1FFFFF  # above every code point, below EXPAND: never a folded character
EXPAND = 0x200000
SIZE = 0x110000

RULE_BITS = {"nfkc": 1, "case": 2, "t2s": 4, "numbers": 8, "lookalike": 16, "tone": 32}
# Pinyin tone marks (ā á ǎ à, ǖ…) over the letters a syllable can carry them on: dropped, ü → v
# (as keyword pinyin is written), so that hǎi luò yīn meets the forms of 海洛因.
_TONE_MARKS = frozenset("\u0300\u0301\u0304\u030c")
_TONE_BASES = frozenset("aeiouvnm")

_NOISE_CATEGORIES = frozenset(
    [
        "Zs",
        "Zl",
        "Zp",
        "Cc",
        "Cf",
        "Cs",
        "Mn",
        "Me",
        "Pc",
        "Pd",
        "Ps",
        "Pe",
        "Pi",
        "Pf",
        "Po",
        "Sm",
        "Sc",
        "Sk",
        "So",
    ]
)
# invisible: no visible place of their own (with noise on, dropped before gaps are counted)
_INVISIBLE_CATEGORIES = frozenset(["Cf", "Mn", "Me"])
# Default_Ignorable_Code_Point letters and marks outside those categories (Unicode DerivedCoreProperties)
_INVISIBLE_EXTRA = frozenset([0x115F, 0x1160, 0x17B4, 0x17B5, 0x3164, 0xFFA0])
# Styled Latin letters that NFKC leaves alone, named in the Unicode Character Database as a
# Latin letter (negative circled and squared 🅐 🅰, small capitals ᴅ ɪ ꜰ): folded to the letter
# like the circled and mathematical letters NFKC folds (ⓐ 𝐚). Regional indicators (🇦) stay
# noise: two of them are a flag emoji, skipped between characters like any emoji (臺 🇹🇼獨).
_STYLED_NAME = re.compile(
    r"(?:(?!TAG |COMBINING ).*\b)?LATIN (?:CAPITAL |SMALL )?LETTER (?:SMALL CAPITAL )?([A-Z])"
)
# Punctuation of ordinary prose: dropped as noise, but between two characters no sign of a word
# broken up on purpose (a separator is any other noise: spaces, symbols, emoji, zero-width).
PROSE = frozenset("，、,：:；;！!？?。“”‘’\"'《》〈〉（）()【】「」『』—…")
# Stand for a missing or hidden character (张○○, 缺字 □): no separator either.
BLANKS = frozenset("○□◯")
# Join the two words of a name, title, range or path (花・玉, 代-花): between two characters
# no sign of a two-character word broken up on purpose (see ``_spans.GAP``).
JOINERS = frozenset(" \t\u3000\u00a0·・‧.．/／\\-－_＿[]［］〖〗{}｛｝〔〕<>＜＞")
_LINE_BREAKS = frozenset("\n\r\x0b\x0c\x85\u2028\u2029")
# Ranges handled in bulk rather than character by character.
_CJK_BLOCKS = ((0x3400, 0x4DC0), (0x4E00, 0xA000))
_SKIP = ((0xAC00, 0xD7A4), (0xE000, 0xF900))  # Hangul syllables, private use: identity
# with the CJK compatibility ideographs supplement (2F800–2FA1F: 成 U+2F8B2 folds to 成 by NFKC)
_LOOP_RANGES = ((0, 0x20000), (0x2F800, 0x2FA20), (0xE0000, 0xE01F0))


@dataclass(frozen=True)
class FoldFlags:
    nfkc: bool = True
    casefold: bool = True
    t2s: bool = True
    numbers: bool = True
    noise: bool = True
    cross_lines: bool = False
    barriers: str = "。！？；"
    lookalike: bool = True
    join_lines: bool = True


@dataclass(frozen=True, eq=False)
class FoldTable:
    flags: FoldFlags
    table: npt.NDArray[np.uint32]
    rules: npt.NDArray[np.uint8]
    expansions: tuple[str, ...]

    def fold_char(self, ch: str) -> str:
        """The folded form of one character: ``""`` for noise, ``"\\x01"`` for a barrier."""
        v = int(self.table[ord(ch)])
        if v in (NOISE, INVISIBLE):
            return ""
        if v >= EXPAND:
            return self.expansions[v - EXPAND]
        return chr(v)

    def fold(self, text: str) -> str:
        """Fold a short string (keywords) character by character."""
        return text.translate(self._map)

    @functools.cached_property
    def _map(self) -> _FoldMap:
        return _FoldMap(self)

    @functools.cached_property
    def number_marks(self) -> npt.NDArray[np.int64]:
        """Number styles folded to one digit that are not ideographs (① ⑴ ⒈ ❶ Ⅵ, not 一 or
        ASCII/full-width digits): between two Chinese characters they are a separator. Nor
        is what imitates an ideograph: a Kangxi radical (⼀) or a look-alike (ー, ニ)."""
        one = (self.table >= 0x30) & (self.table <= 0x39) & (self.rules & RULE_BITS["numbers"] > 0)
        one &= (self.rules & RULE_BITS["lookalike"]) == 0
        cps = np.flatnonzero(one)
        cjk = ((cps >= 0x3400) & (cps < 0xA000)) | ((cps >= 0xF900) & (cps < 0xFB00))
        cjk |= ((cps >= 0x20000) & (cps < 0x40000)) | ((cps >= 0x2E80) & (cps < 0x2FE0))
        return cps[~cjk]

    @functools.cached_property
    def separators(self) -> npt.NDArray[np.bool_]:
        """Per code point: dropped (noise or invisible) and no prose punctuation (see
        ``PROSE``): what breaks up a word on purpose (堵~博, 可 咖 因, 雪↑洗)."""
        out: npt.NDArray[np.bool_] = (self.table == NOISE) | (self.table == INVISIBLE)
        out[[ord(c) for c in PROSE | BLANKS]] = False
        out.setflags(write=False)
        return out

    @functools.cached_property
    def joiners(self) -> npt.NDArray[np.bool_]:
        """Per code point: one of ``JOINERS``."""
        out = np.zeros(SIZE, dtype=bool)
        out[[ord(c) for c in JOINERS]] = True
        out.setflags(write=False)
        return out

    @functools.cached_property
    def separator_set(self) -> frozenset[str]:
        """:attr:`separators` as a set of characters (short texts)."""
        return frozenset(map(chr, np.flatnonzero(self.separators).tolist()))

    @functools.cached_property
    def number_mark_set(self) -> frozenset[str]:
        return frozenset(map(chr, self.number_marks.tolist()))

    @functools.cached_property
    def codes(self) -> _CodeMap:
        """``codes[ch]`` = the table's value for one character, cached per character."""
        return _CodeMap(self)

    @functools.cached_property
    def span_info(self) -> _InfoMap:
        """``span_info[cp]`` = (rule bits, is noise), cached per code point."""
        return _InfoMap(self)

    @functools.cached_property
    def plain_chars(self) -> set[str]:
        """Characters seen so far whose :attr:`span_info` is ``(0, False)`` (no rule, no noise),
        filled by :func:`~beian.lexicon._spans._span_rules`: a span of them only is ``exact``."""
        return set()


class _CodeMap(dict[str, int]):
    """The fold table as a dict filled on demand: cheaper than numpy for a few characters."""

    def __init__(self, ft: FoldTable) -> None:
        super().__init__()
        self._table = ft.table

    def __missing__(self, ch: str) -> int:
        v = self[ch] = int(self._table[ord(ch)])
        return v


class _FoldMap(dict[int, str]):
    """A ``str.translate`` table filled on demand from the fold table."""

    def __init__(self, ft: FoldTable) -> None:
        super().__init__()
        self._ft = ft

    def __missing__(self, cp: int) -> str:
        v = self._ft.fold_char(chr(cp))
        self[cp] = v
        return v


class _InfoMap(dict[int, tuple[int, bool]]):
    def __init__(self, ft: FoldTable) -> None:
        super().__init__()
        self._ft = ft

    def __missing__(self, cp: int) -> tuple[int, bool]:
        # a barrier inside a hit is a line break read as noise (join_lines)
        v = (int(self._ft.rules[cp]), int(self._ft.table[cp]) in (NOISE, INVISIBLE, BARRIER))
        self[cp] = v
        return v


def _number(ch: str, cat: str) -> str | None:
    """Digits for number styles (①⑴⒈❶Ⅻ一壹…); ``None`` when ``ch`` is not one."""
    if ch.isascii() or "\uff10" <= ch <= "\uff19":
        return None
    value = unicodedata.numeric(ch, None)
    if value is None or not float(value).is_integer():
        return None
    limit = 9 if cat == "Lo" else 20
    return str(int(value)) if 0 <= value <= limit else None


def _in(cp: int, ranges: tuple[tuple[int, int], ...]) -> bool:
    return any(lo <= cp < hi for lo, hi in ranges)


def _loop_code_points() -> list[int]:
    """The code points of ``_LOOP_RANGES`` outside ``_CJK_BLOCKS`` and ``_SKIP``, in order."""
    cut = sorted(_CJK_BLOCKS + _SKIP)
    out: list[int] = []
    for lo, hi in _LOOP_RANGES:
        pos = lo
        for a, b in cut:
            if b <= pos or a >= hi:
                continue
            out.extend(range(pos, a))
            pos = max(pos, b)
        out.extend(range(pos, hi))
    return out


def _t2s_map(chars: list[str]) -> dict[str, str]:
    """Per-character OpenCC traditional → simplified, in one call."""
    if not chars:
        return {}
    out = opencc_convert("t2s", "\n".join(chars)).split("\n")
    if len(out) != len(chars):  # OpenCC never merges lines; guard anyway
        return {}
    return {a: b for a, b in zip(chars, out, strict=True) if a != b and len(b) == 1}


def _shinjitai_map(chars: list[str]) -> dict[str, str]:
    """Japanese new forms (shinjitai: 売 帰 薬 弾 黒 銭) → simplified, through OpenCC's
    ``jp2t`` (JPShinjitaiCharacters, Apache-2.0) and then ``t2s``. Only characters outside
    GB 2312 that OpenCC's t2s leaves alone: 芸 (a plant in Chinese, 藝 in Japanese) and 欠 stay."""
    cands = [c for c in chars if not gb2312(c)]
    if not cands:
        return {}
    trad = opencc_convert("jp2t", "\n".join(cands)).split("\n")
    if len(trad) != len(cands):
        return {}
    simp = opencc_convert("t2s", "\n".join(trad)).split("\n")
    if len(simp) != len(cands):
        return {}
    return {a: b for a, b in zip(cands, simp, strict=True) if a != b and len(b) == 1 and gb2312(b)}


def gb2312(ch: str) -> bool:
    try:
        ch.encode("gb2312")
    except UnicodeEncodeError:
        return False
    return True


def cache_dir() -> Path:
    """Where compiled tables live: ``$BEIAN_CACHE_DIR`` or ``~/.cache/beian``, then ``lexicon``."""
    base = os.environ.get("BEIAN_CACHE_DIR")
    root = Path(base) if base else Path.home() / ".cache" / "beian"
    return root / "lexicon"


def _cache_file(flags: FoldFlags) -> Path | None:
    ver = opencc_version()
    # the ranges the table is built over are part of the key: changing them alone (as round
    # seven did) must not reuse a table built over the old ones
    ranges = (_CJK_BLOCKS, _SKIP, _LOOP_RANGES)
    parts = (_VERSION, unicodedata.unidata_version, ver, lookalike_digest(), flags, ranges)
    key = hashlib.sha256("|".join(map(repr, parts)).encode()).hexdigest()[:16]
    return cache_dir() / f"fold-{key}.npz"


@functools.lru_cache(maxsize=8)
def fold_table(flags: FoldFlags) -> FoldTable:
    """The fold table for ``flags``: cached per process and on disk (rebuilt when missing)."""
    path = _cache_file(flags)
    if path is not None and path.is_file():
        try:
            with np.load(path, allow_pickle=False) as data:
                table = data["table"]
                rules = data["rules"]
                exps = tuple(str(x) for x in data["expansions"])
            if table.shape == (SIZE,) and rules.shape == (SIZE,):
                table.setflags(write=False)
                rules.setflags(write=False)
                return FoldTable(flags, table, rules, exps)
        except (OSError, ValueError, KeyError):
            pass
    ft = _build(flags)
    if path is not None:
        with contextlib.suppress(OSError):
            buf = io.BytesIO()
            np.savez(
                buf,
                table=ft.table,
                rules=ft.rules,
                expansions=np.array(ft.expansions or ("",))[: len(ft.expansions)],
            )
            atomic_write_bytes(path, buf.getvalue())
    return ft


def _char_folds(flags: FoldFlags) -> dict[int, tuple[str, int]]:
    """Per assigned code point outside the CJK blocks: its fold and rule bits, where it changes
    or is noise or a barrier."""
    folded: dict[int, tuple[str, int]] = {}
    category, normalize = unicodedata.category, unicodedata.normalize
    number_bits, nfkc_bits, case_bits = RULE_BITS["numbers"], RULE_BITS["nfkc"], RULE_BITS["case"]
    for cp in _loop_code_points():
        ch = chr(cp)
        cat = category(ch)
        if cat == "Cn":
            continue
        s, bits = ch, 0
        num = _number(ch, cat) if flags.numbers and ch.isnumeric() else None
        if num is not None:
            s, bits = num, number_bits
        elif flags.nfkc:
            t = normalize("NFKC", ch)
            if t != ch:
                s, bits = t, nfkc_bits
                if flags.numbers:  # ⼀ (Kangxi radical) → 一 → 1, as 一 itself folds; ㈢ → (3)
                    digits = "".join(_number(c, category(c)) or c for c in t)
                    if digits != t:
                        s, bits = digits, nfkc_bits | number_bits
        if flags.nfkc and s == ch and cat != "Mn" and not ch.isascii():
            styled = _styled_letter(ch)
            if styled is not None:
                s, bits = styled, nfkc_bits
        if flags.casefold:
            t = s.casefold()
            if t != s:
                s, bits = t, bits | case_bits
        if flags.nfkc and len(s) == 1 and not s.isascii():
            plain = _untoned(s)
            if plain is not None:
                s, bits = plain, bits | RULE_BITS["tone"]
        if s != ch or cat in _NOISE_CATEGORIES or ch in flags.barriers:
            folded[cp] = (s, bits)
    return folded


def _styled_letter(ch: str) -> str | None:
    """The capital Latin letter a styled letter stands for (🅰 → A, ᴅ → D), by its Unicode
    name; ``None`` for any other character."""
    m = _STYLED_NAME.fullmatch(unicodedata.name(ch, ""))
    return m.group(1) if m else None


def _untoned(ch: str) -> str | None:
    """The plain pinyin letter under a toned one (ǎ → a, ǘ and ü → v); ``None`` otherwise."""
    d = unicodedata.normalize("NFD", ch)
    base, marks = d[0], set(d[1:])
    if base not in _TONE_BASES or not marks:
        return None
    if base == "u" and "\u0308" in marks:
        base, marks = "v", marks - {"\u0308"}
    return base if marks <= _TONE_MARKS else None


def _invisible_code_points() -> list[int]:
    """Format characters, combining marks and the other default-ignorable code points."""
    category = unicodedata.category
    return [
        cp
        for cp in _loop_code_points()
        if category(chr(cp)) in _INVISIBLE_CATEGORIES or cp in _INVISIBLE_EXTRA
    ]


def _fold_lookalikes(folded: dict[int, tuple[str, int]]) -> None:
    """Look-alike letters and ideographs (Unicode confusables, a few similar CJK forms) folded
    to the character they imitate, after NFKC and case folding."""
    look = lookalike_map()
    bit = RULE_BITS["lookalike"]
    for cp, (s, bits) in list(folded.items()):
        t = look.get(s)
        if t is not None:  # the target's own fold (ニ → 二 → 2 with number styles on)
            t2, bits2 = folded.get(ord(t), (t, 0))
            folded[cp] = (t2, bits | bits2 | bit)
    for src, t in look.items():
        if ord(src) not in folded:
            t2, bits2 = folded.get(ord(t), (t, 0))
            folded[ord(src)] = (t2, bits2 | bit)
    for src, t in greek_map().items():  # the lower-case letters only: capital Η is no N
        if ord(src) not in folded:
            folded[ord(src)] = (t, bit)


def _radical_forms() -> dict[int, str]:
    """CJK Radicals Supplement forms that nothing else folds, named like a Kangxi radical (CJK
    RADICAL BAMBOO ⺮ and KANGXI RADICAL BAMBOO ⽵) → the ideograph that radical folds to by NFKC
    (⺮ → 竹, ⻊ → 足, ⺶ → 羊): 拆字 writers type them for the component (⺮官 for 管), which
    the split table writes as a rare code point folded the same way (𥫗 → 竹, ``components.tsv``).
    Derived from the Unicode Character Database's names."""
    kangxi = {}
    for cp in range(0x2F00, 0x2FE0):
        name = unicodedata.name(chr(cp), "")
        if name.startswith("KANGXI RADICAL "):
            kangxi[name[len("KANGXI RADICAL ") :]] = unicodedata.normalize("NFKC", chr(cp))
    out = {}
    for cp in range(0x2E80, 0x2F00):
        name = unicodedata.name(chr(cp), "")
        target = (
            kangxi.get(name[len("CJK RADICAL ") :]) if name.startswith("CJK RADICAL ") else None
        )
        if target is not None and len(target) == 1:
            out[cp] = target
    return out


def _build(flags: FoldFlags) -> FoldTable:
    table = np.arange(SIZE, dtype=np.uint32)
    rules = np.zeros(SIZE, dtype=np.uint8)
    folded: dict[int, tuple[str, int]] = {}
    if flags.nfkc or flags.casefold or flags.numbers or flags.noise:
        folded.update(_char_folds(flags))
    else:  # only the separators would change: they become barriers below
        for ch in (*_LINE_BREAKS, *flags.barriers):
            cp = ord(ch)
            if (
                _in(cp, _LOOP_RANGES)
                and not _in(cp, _CJK_BLOCKS + _SKIP)
                and unicodedata.category(ch) != "Cn"
            ):
                folded[cp] = (ch, 0)
    if flags.numbers:
        for lo, hi in _CJK_BLOCKS:
            for cp in range(lo, hi):
                ch = chr(cp)
                num = _number(ch, "Lo") if ch.isnumeric() else None
                if num is not None:
                    folded[cp] = (num, RULE_BITS["numbers"])
    if flags.lookalike:
        _fold_lookalikes(folded)
        for cp, target in _radical_forms().items():  # the forms still folded to themselves
            if folded.get(cp, (chr(cp), 0))[0] == chr(cp):
                folded[cp] = (target, RULE_BITS["lookalike"])
    if flags.t2s:  # rare variant forms first (噐 → 器), then OpenCC over everything
        for src, t in variant_map().items():
            if ord(src) not in folded:
                folded[ord(src)] = (t, RULE_BITS["t2s"])
        cands = [chr(cp) for lo, hi in _CJK_BLOCKS for cp in range(lo, hi) if cp not in folded]
        cands += [s for s, _ in folded.values() if len(s) == 1 and _in(ord(s), _CJK_BLOCKS)]
        conv = _t2s_map(sorted(set(cands)))
        for cp, (s, bits) in list(folded.items()):
            if s in conv:
                folded[cp] = (conv[s], bits | RULE_BITS["t2s"])
        for a, b in conv.items():
            if ord(a) not in folded:
                folded[ord(a)] = (b, RULE_BITS["t2s"])
        rest = [chr(cp) for lo, hi in _CJK_BLOCKS for cp in range(lo, hi) if cp not in folded]
        for a, b in _shinjitai_map(rest).items():
            folded[ord(a)] = (b, RULE_BITS["t2s"])
    expansions: list[str] = []
    for cp, (s, bits) in folded.items():
        out = []
        for c in s:
            if (c in _LINE_BREAKS and not flags.cross_lines) or c in flags.barriers:
                out.append("\x01")
            elif flags.noise and unicodedata.category(c) in _NOISE_CATEGORIES:
                continue
            else:
                out.append(c)
        s2 = "".join(out)
        rules[cp] = bits
        if not s2:
            table[cp] = NOISE
        elif len(s2) == 1:
            table[cp] = ord(s2)
        else:
            table[cp] = EXPAND + len(expansions)
            expansions.append(s2)
    table[0xD800:0xE000] = NOISE if flags.noise else table[0xD800:0xE000]
    if flags.noise:
        table[_invisible_code_points()] = INVISIBLE
    table.setflags(write=False)
    rules.setflags(write=False)
    return FoldTable(flags, table, rules, tuple(expansions))
