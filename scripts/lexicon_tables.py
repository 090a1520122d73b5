"""Regenerate the lexicon's look-alike and character-splitting tables (run by hand, not at build).

    python scripts/lexicon_tables.py --confusables confusables.txt --out src/beian/lexicon/data
    python scripts/lexicon_tables.py --unihan UNIHAN_DIR --out src/beian/lexicon/data

* ``lookalike.tsv`` from Unicode's ``confusables.txt`` (UTS #39; Unicode License v3): each
  single non-ASCII character whose prototype, after NFKC and case folding, is one lowercase ASCII
  letter or digit, or one CJK ideograph. ASCII sources are left out (``l``/``1``/``I`` and ``0``/``O``
  would break digits and words), and so are symbols (they stay noise) and ideographs whose
  reading differs from their prototype's.
* ``chaizi.tsv`` from the decomposition data of the PyPI package ``cjk-semantic-split``
  (``pip install cjk-semantic-split``; MIT; its sources: Unihan kIDS, Unicode License, and
  Wikimedia Commons' Chinese characters decomposition, CC BY-SA): for each character of the
  General Standard Chinese Characters table split left | right or top / bottom, the two halves,
  each recomposed into one character where the data splits it further.
* ``variants.tsv`` from the Unihan variant properties (``kSemanticVariant``, ``kZVariant``,
  ``kSpecializedSemanticVariant``, ``kSpoofingVariant``; Unicode License v3; the per-property
  files of github.com/unicode-org/unihan-database, or ``Unihan_Variants.txt``): each ideograph
  outside GB 2312 that OpenCC does not already fold, paired with its first variant that is
  (after OpenCC's traditional → simplified) a GB 2312 character: 躶 → 裸, 噐 → 器.
* ``xingjin_strokes.tsv`` from the stroke-order and four-corner tables of the PyPI package
  ``char-similar`` 0.0.2 (``pip download char-similar``; MIT in its metadata, Apache-2.0 licence
  file): pairs of GB 2312 characters whose stroke sequences differ by one stroke (added, left
  out or of another kind), four strokes or more each, and whose four-corner codes agree in at
  least three of their first four digits: 杳/查, 王/主, 厉/历, 却/劫, 幼/幻.
* ``traditional_more.tsv`` from OpenCC's ``STCharacters.txt`` (Apache-2.0; ``--opencc`` names
  the folder holding it, from github.com/BYVoid/OpenCC ``data/dictionary``): each simplified
  character with more than one traditional form, and the forms after the first (the one
  OpenCC's converter gives): 枪 → 鎗 (besides 槍), 干 → 乾 幹.
* ``chaizi_typed.tsv`` from the same package's component lists (``char_stroke.dict``) and
  structure codes: splits of GB 2312 characters into two or three parts as people type them,
  radicals in their positional form (水 → 氵 on the left, 刀 → 刂 on the right, 草 → 艹 on top,
  辵 → 辶 written after the inside): 贩 → 贝反, 替 → 夫夫日, 刷 → 尸巾刂, 迷 → 米辶, where
  ``chaizi.tsv`` has no split or one with parts nobody types (㚘日, 𡰯刂).

Writes each table with a header naming its source and licence; see ``data/README.md``.
"""

from __future__ import annotations

import argparse
import importlib.util
import re
import unicodedata
from pathlib import Path

_POS = re.compile(r"\[(\d+)\]:(\S)")
# the second half's sub-positions, re-based as a character of its own
_LEFT = {30: 30, 50: 10, 70: 20}
_RIGHT = {40: 40, 60: 10, 80: 20}
_TOP = {10: 10, 50: 30, 60: 40}
_BOTTOM = {20: 20, 70: 30, 80: 40}


def _cjk(ch: str) -> bool:
    return "\u3400" <= ch <= "\u9fff" or "\U00020000" <= ch <= "\U0003ffff"


def _letter(ch: str) -> bool:
    """Letters and numbers, and CJK radicals (symbols that are written as parts of 拆字)."""
    return unicodedata.category(ch)[0] in "LN" or "\u2e80" <= ch <= "\u2fdf"


def _reading(ch: str) -> str:
    from pypinyin import Style, lazy_pinyin

    return lazy_pinyin(ch, style=Style.NORMAL)[0]


def lookalikes(path: Path) -> list[tuple[str, str]]:
    out: dict[str, str] = {}
    for line in path.read_text("utf-8-sig").splitlines():
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        src, dst = (p.strip() for p in line.split(";")[:2])
        if " " in src:
            continue
        s = chr(int(src, 16))
        t = unicodedata.normalize("NFKC", "".join(chr(int(x, 16)) for x in dst.split())).casefold()
        if s.isascii() or len(t) != 1 or not _letter(s):
            continue  # symbols and punctuation stay noise
        if _cjk(s) and _cjk(t) and _reading(s) != _reading(t):
            continue  # 士/土: a different sound would break pinyin and homophones
        if unicodedata.normalize("NFKC", s).casefold() == t:
            continue  # NFKC already folds it
        if (t.isascii() and (t.islower() or t.isdigit())) or _cjk(t):
            out[s] = t
    return sorted(out.items())


def _decomp_file() -> Path:
    spec = importlib.util.find_spec("chinese_decompose")
    if spec is None or not spec.submodule_search_locations:
        raise SystemExit("需要先安装 cjk-semantic-split：pip install cjk-semantic-split")
    root = Path(next(iter(spec.submodule_search_locations)))
    return root / "data" / "decomp_zh-Hans-general.txt"


def _parse(path: Path) -> dict[str, tuple[tuple[int, str], ...]]:
    data: dict[str, tuple[tuple[int, str], ...]] = {}
    for line in path.read_text("utf-8").splitlines():
        if line.startswith("#") or "\t" not in line:
            continue
        ch, rest = line.split("\t", 1)
        data[ch] = tuple((int(p), c) for p, c in _POS.findall(rest))
    return data


def chaizi(path: Path) -> list[tuple[str, str, str, str]]:
    data = _parse(path)
    compose = {v: k for k, v in sorted(data.items(), reverse=True) if len(v) > 1}

    def half(parts: list[tuple[int, str]], rebase: dict[int, int]) -> str | None:
        if len(parts) == 1:
            return parts[0][1]
        return compose.get(tuple((rebase[p], c) for p, c in parts))

    out = []
    for ch, parts in sorted(data.items()):
        positions = {p for p, _ in parts}
        for kind, first, second in (("lr", _LEFT, _RIGHT), ("tb", _TOP, _BOTTOM)):
            if not positions <= set(first) | set(second):
                continue
            a = [x for x in parts if x[0] in first]
            b = [x for x in parts if x[0] in second]
            if not a or not b or (kind == "tb" and {30, 40} & positions):
                continue
            left, right = half(a, first), half(b, second)
            if left and right and all(map(_cjk, left + right)):
                out.append((ch, left, right, kind))
            break
    done = {r[0] for r in out}
    out += [r for r in _chaizi_by_components(data) if r[0] not in done]
    return sorted(out)


def _chaizi_by_components(
    data: dict[str, tuple[tuple[int, str], ...]],
) -> list[tuple[str, str, str, str]]:
    """Splits the position maps above miss (试 = 讠 + 式, 章 = 立 + 早, 资 = 次 + 贝, 庄 = 广 + 土):
    the first part (left [30], top [10], or an enclosure [9x]) or the leading top row ([50]/[60])
    against the rest, each side recomposed into the one character made of the same parts."""
    by_parts: dict[tuple[str, ...], set[str]] = {}
    for ch, parts in data.items():
        if len(parts) > 1:
            by_parts.setdefault(tuple(sorted(c for _, c in parts)), set()).add(ch)

    def whole(parts: tuple[tuple[int, str], ...]) -> str | None:
        if len(parts) == 1:
            return parts[0][1]
        got = by_parts.get(tuple(sorted(c for _, c in parts)), set())
        return next(iter(got)) if len(got) == 1 else None

    out = []
    for ch, parts in sorted(data.items()):
        if len(parts) < 2:
            continue
        lead = parts[0][0]
        if lead == 50:
            k = next((i for i, (p, _) in enumerate(parts) if p in (10, 20, 70, 80)), 0)
            kind = "tb"
        else:
            k, kind = 1, {30: "lr", 10: "tb"}.get(lead, "ot" if lead >= 90 else "")
        if not kind or not 0 < k < len(parts):
            continue
        a, b = whole(parts[:k]), whole(parts[k:])
        if a and b and a != ch and b != ch and all(map(_cjk, a + b)):
            out.append((ch, a, b, kind))
    return out


_VARIANT_PROPS = (
    "kZVariant",
    "kSemanticVariant",
    "kSpecializedSemanticVariant",
    "kSpoofingVariant",
)


def _common(ch: str) -> bool:
    try:
        ch.encode("gb2312")
    except UnicodeEncodeError:
        return False
    return _cjk(ch)


def variants(folder: Path) -> list[tuple[str, str]]:
    """Rare ideograph → a common one it is a variant (or spoofing look-alike) of."""
    pairs: dict[str, list[str]] = {}
    files = [folder / f"{p}.txt" for p in _VARIANT_PROPS]
    files = [f for f in files if f.is_file()] or [folder / "Unihan_Variants.txt"]
    for f in files:
        for line in f.read_text("utf-8").splitlines():
            parts = line.split("\t")
            if len(parts) < 3 or parts[1] not in _VARIANT_PROPS or not line.startswith("U+"):
                continue
            src = chr(int(parts[0].split()[0][2:], 16))
            for tok in parts[2].split():
                pairs.setdefault(src, []).append(chr(int(tok.split("<")[0][2:], 16)))
    return _fold_pairs(pairs, set())


def _fold_pairs(pairs: dict[str, list[str]], known: set[str]) -> list[tuple[str, str]]:
    """Each ideograph of ``pairs`` outside GB 2312, OpenCC's t2s and ``known``, with the
    variant it is folded to (:func:`_best_variant`)."""
    from beian._shared.opencc import opencc_convert

    srcs = sorted(s for s in pairs if len(s) == 1 and _cjk(s) and not _common(s) and s not in known)
    t2s = opencc_convert("t2s", "\n".join(srcs)).split("\n")
    cands = sorted({t for s in srcs for t in pairs[s]})
    t2s_t = dict(zip(cands, opencc_convert("t2s", "\n".join(cands)).split("\n"), strict=True))
    out: list[tuple[str, str]] = []
    for s, conv in zip(srcs, t2s, strict=True):
        if conv != s:  # OpenCC folds it already
            continue
        best = _best_variant(s, [t2s_t.get(t, t) for t in pairs[s]])
        if best:
            out.append((s, best))
    return out


def _best_variant(src: str, simple: list[str]) -> str | None:
    """The variant ``src`` is folded to: of its variants that are (after OpenCC's t2s) one
    GB 2312 character, the first that reads like ``src`` (妳 nǐ → 你, not 奶), else the first."""
    cands = [t for t in simple if len(t) == 1 and _common(t) and t != src]
    if not cands:
        return None
    own = _reading(src)
    return next((t for t in cands if _reading(t) == own), cands[0])


def yitizi_variants(path: Path, known: set[str]) -> list[tuple[str, str]]:
    """Rare ideograph → a common one, from the variant graph of the PyPI package ``yitizi``
    (``yitizi.json``: character → its variants; CC0 1.0): each ideograph outside GB 2312 that
    OpenCC does not fold and ``known`` lacks (the Unihan table, OpenCC's further traditional
    forms), paired as in :func:`variants`
    (亱 → 夜, 冐 → 冒, 媮 → 偷, 亰 → 京, 宍 → 肉)."""
    import json

    graph: dict[str, str] = json.loads(path.read_text("utf-8"))
    return _fold_pairs({s: list(v) for s, v in graph.items()}, known)


def typed_components(folder: Path) -> list[tuple[str, str]]:
    """Rare IDS component → the component people type for it, derived from the two split tables
    in ``folder``: where ``chaizi.tsv`` and ``chaizi_typed.tsv`` split a character into two parts
    with one part the same, the other pair is one vote (杀: 乂朩 / 乂木 → 朩 → 木; 管: 𥫗官 /
    竹官 → 𥫗 → 竹); components outside GB 2312 with two votes or more, their most voted form."""
    from collections import Counter

    ids = {r[0]: (r[1], r[2]) for r in _rows(folder / "chaizi.tsv") if len(r) >= 3}
    votes: dict[str, Counter[str]] = {}
    for r in _rows(folder / "chaizi_typed.tsv"):
        if len(r) < 2 or len(r[1]) != 2 or r[0] not in ids:
            continue
        (a, b), (x, y) = ids[r[0]], r[1]
        for old, new in ((b, y),) if a == x else ((a, x),) if b == y else ():
            if old != new:
                votes.setdefault(old, Counter())[new] += 1
    out = []
    for comp, got in sorted(votes.items()):
        typed, n = got.most_common(1)[0]
        if n >= 2 and not _common(comp) and _common(typed):
            out.append((comp, typed))
    return out


def _one_stroke(a: str, b: str) -> bool:
    """Whether stroke sequences ``a`` and ``b`` differ by one edit (or not at all)."""
    if abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        return sum(x != y for x, y in zip(a, b, strict=True)) <= 1
    short, long_ = (a, b) if len(a) < len(b) else (b, a)
    return any(long_[:i] + long_[i + 1 :] == short for i in range(len(long_)))


def stroke_pairs(folder: Path) -> list[tuple[str, str]]:
    """Look-alike GB 2312 characters from char-similar's stroke orders and four-corner codes."""
    import json

    order = json.loads((folder / "char_order.dict").read_text("utf-8"))
    four = json.loads((folder / "char_fourangle.dict").read_text("utf-8"))
    # four strokes at least: the simplest characters are one stroke from too many common ones
    # (人/个, 二/于, 大/天/夫)
    chars = sorted(
        c for c in order if len(c) == 1 and _common(c) and c in four and len(order[c]) >= 4
    )
    buckets: dict[str, list[str]] = {}
    for c in chars:
        s = order[c]
        for i in range(len(s) + 1):  # one wildcard or one deletion per place
            buckets.setdefault(s[:i] + "*" + s[i + 1 :], []).append(c)
            buckets.setdefault(s[:i] + s[i + 1 :] + "#", []).append(c)
    out: set[tuple[str, str]] = set()
    for group in buckets.values():
        for a in group:
            for b in group:
                if a < b and _one_stroke(order[a], order[b]):
                    agree = sum(x == y for x, y in zip(four[a][:4], four[b][:4], strict=False))
                    if agree >= 3:
                        out.add((a, b))
    return sorted(out)


# full-form components → the form they take at a position (structure 1: left | right, 2: top /
# bottom, 4: top / middle / bottom, 6: wrapping the upper left, 7: the lower left)
_LEFT_FORMS = {
    "水": "氵", "手": "扌", "犬": "犭", "心": "忄", "人": "亻", "言": "讠", "金": "钅",
    "食": "饣", "糸": "纟", "示": "礻", "衣": "衤", "玉": "王", "阜": "阝", "牛": "牜",
    "肉": "月", "冰": "冫",
}  # fmt: skip
_RIGHT_FORMS = {"刀": "刂", "邑": "阝"}
# (never a form of the CJK Radicals Supplement such as ⺮ or ⻊: text folding drops them as noise)
_TOP_FORMS = {"草": "艹", "网": "罒", "爪": "爫", "老": "耂"}
_ANY_FORMS = {"戶": "户", "曰": "日", "辵": "辶", "見": "见", "貝": "贝", "頁": "页", "車": "车"}


def typed_splits(folder: Path, table: dict[str, str]) -> list[tuple[str, str]]:
    """Splits of GB 2312 characters as typed (see the module doc), other than ``table``'s."""
    import json

    parts = json.loads((folder / "char_stroke.dict").read_text("utf-8"))
    struct = json.loads((folder / "char_struct.dict").read_text("utf-8"))
    out: list[tuple[str, str]] = []
    for ch in sorted(parts):
        comps = parts[ch]
        kind = struct.get(ch, "")
        if len(ch) != 1 or not _common(ch) or not 2 <= len(comps) <= 3 or kind not in "12467":
            continue
        typed = [_ANY_FORMS.get(c, c) for c in comps]
        if kind == "1":
            typed[0] = _LEFT_FORMS.get(comps[0], typed[0])
            typed[-1] = _RIGHT_FORMS.get(comps[-1], typed[-1])
        elif kind in "24":  # top / bottom, top / middle / bottom
            typed[0] = _TOP_FORMS.get(comps[0], typed[0])
        elif kind == "7" and typed[0] in ("辶", "廴"):
            typed = typed[1:] + typed[:1]  # written after what it wraps: 米辶
        if any(len(t) != 1 or "\u2e80" <= t <= "\u2fdf" for t in typed) or ch in typed:
            continue
        split = "".join(typed)
        if table.get(ch) != split:
            out.append((ch, split))
    return out


# the header of each two-column table: its source and licence
_HEADS = {
    "traditional_more.tsv": (
        "# Traditional forms after the first of OpenCC's STCharacters.txt (Apache-2.0,\n"
        "# https://github.com/BYVoid/OpenCC). Generated by scripts/lexicon_tables.py:\n"
        "# simplified character<TAB>its further traditional forms.\n"
    ),
    "xingjin_strokes.tsv": (
        "# Look-alike characters (形近字) derived from the stroke-order and four-corner tables of\n"
        "# the PyPI package char-similar 0.0.2 (MIT in its metadata, Apache-2.0 licence file;\n"
        "# https://github.com/yongzhuo/char-similar). Generated by scripts/lexicon_tables.py:\n"
        "# GB 2312 characters (4+ strokes) one stroke apart, four-corner codes agreeing in 3 of 4.\n"
    ),
    "chaizi_typed.tsv": (
        "# Character splits (拆字) as typed, derived from the component lists and structure\n"
        "# codes of the PyPI package char-similar 0.0.2 (MIT in its metadata, Apache-2.0\n"
        "# licence file). Generated by scripts/lexicon_tables.py: character<TAB>its parts.\n"
    ),
    "variants.tsv": (
        "# Variant ideographs from the Unihan database (kZVariant, kSemanticVariant,\n"
        "# kSpecializedSemanticVariant, kSpoofingVariant; Unicode License v3,\n"
        "# https://www.unicode.org/license.txt). Generated by scripts/lexicon_tables.py:\n"
        "# rare variant<TAB>common character (GB 2312, simplified).\n"
    ),
    "components.tsv": (
        "# Rare IDS components and the component people type for them, derived from chaizi.tsv\n"
        "# (CC BY-SA 3.0: Wikimedia Commons contributors, the Unicode Consortium, Guanyu Yue) and\n"
        "# chaizi_typed.tsv (char-similar 0.0.2, MIT/Apache-2.0); distributed under CC BY-SA 3.0.\n"
        "# Generated by scripts/lexicon_tables.py --components: component<TAB>typed component.\n"
    ),
    "variants_yitizi.tsv": (
        "# Variant ideographs from the variant graph (yitizi.json) of the PyPI package yitizi\n"
        "# 0.1.3 (https://github.com/nk2028/yitizi; CC0 1.0), for characters variants.tsv lacks.\n"
        "# Generated by scripts/lexicon_tables.py --yitizi:\n"
        "# rare variant<TAB>common character (GB 2312, simplified).\n"
    ),
}


def _rows(path: Path) -> list[list[str]]:
    """The tab-separated rows of a generated table, its header left out."""
    lines = path.read_text("utf-8").splitlines()
    return [ln.split("\t") for ln in lines if ln and not ln.startswith("#")]


def _write(folder: Path, name: str, rows: list[tuple[str, str]]) -> None:
    """Write a two-column table under its header and say how many rows it has."""
    (folder / name).write_text(_HEADS[name] + "".join(f"{a}\t{b}\n" for a, b in rows), "utf-8")
    print(f"{name}: {len(rows)} rows")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--confusables", type=Path, help="Unicode confusables.txt")
    ap.add_argument("--unihan", type=Path, help="folder of Unihan variant files (variants.tsv)")
    ap.add_argument(
        "--components",
        action="store_true",
        help="components.tsv from chaizi.tsv and chaizi_typed.tsv in --out",
    )
    ap.add_argument("--yitizi", type=Path, help="yitizi.json of the PyPI package yitizi")
    ap.add_argument("--strokes", type=Path, help="char-similar's data folder (xingjin_strokes.tsv)")
    ap.add_argument("--opencc", type=Path, help="folder with OpenCC's STCharacters.txt")
    ap.add_argument("--out", type=Path, default=Path("src/beian/lexicon/data"))
    args = ap.parse_args()
    if args.opencc:
        rows = []
        for line in (args.opencc / "STCharacters.txt").read_text("utf-8").splitlines():
            src, _, forms = line.partition("\t")
            more = [f for f in forms.split()[1:] if f != src]
            if len(src) == 1 and more:
                rows.append((src, "".join(more)))
        _write(args.out, "traditional_more.tsv", rows)
    if args.strokes:
        pairs = stroke_pairs(args.strokes)
        _write(args.out, "xingjin_strokes.tsv", pairs)
        table = {
            r[0]: r[1] + r[2]
            for r in (
                ln.split("\t")
                for ln in (args.out / "chaizi.tsv").read_text("utf-8").splitlines()
                if ln and not ln.startswith("#")
            )
        }
        typed = typed_splits(args.strokes, table)
        _write(args.out, "chaizi_typed.tsv", typed)
    if args.unihan:
        var = variants(args.unihan)
        _write(args.out, "variants.tsv", var)
    if args.components:
        _write(args.out, "components.tsv", typed_components(args.out))
    if args.yitizi:
        # nor OpenCC's further traditional forms (瞭 of 了): keyword variants already, and
        # phrase-dependent (瞭解 is 了解, 瞭望 stays)
        known = {r[0] for r in _rows(args.out / "variants.tsv")}
        known |= {c for r in _rows(args.out / "traditional_more.tsv") for c in r[1]}
        _write(args.out, "variants_yitizi.tsv", yitizi_variants(args.yitizi, known))
    if not args.confusables:
        return
    version = next(
        (
            ln.split(":", 1)[1].strip()
            for ln in args.confusables.read_text("utf-8-sig").splitlines()
            if ln.startswith("# Version:")
        ),
        "?",
    )
    rows = lookalikes(args.confusables)
    head = (
        f"# Look-alike characters from Unicode confusables.txt {version} (UTS #39).\n"
        "# Unicode License v3, https://www.unicode.org/license.txt. Generated by\n"
        "# scripts/lexicon_tables.py: source<TAB>folded prototype.\n"
    )
    (args.out / "lookalike.tsv").write_text(head + "".join(f"{s}\t{t}\n" for s, t in rows), "utf-8")
    split = chaizi(_decomp_file())
    head = (
        "# Character splits (拆字) derived from the decomposition data of the PyPI package\n"
        "# cjk-semantic-split 0.6.0 (MIT), whose sources are Unihan kIDS (Unicode License v3) and\n"
        "# Wikimedia Commons' Chinese characters decomposition (CC BY-SA 3.0). This derived table\n"
        "# is distributed under CC BY-SA 3.0. Generated by scripts/lexicon_tables.py:\n"
        "# character<TAB>first part<TAB>second part<TAB>lr (left|right) or tb (top/bottom).\n"
    )
    (args.out / "chaizi.tsv").write_text(
        head + "".join("\t".join(r) + "\n" for r in split), "utf-8"
    )
    print(f"lookalike.tsv: {len(rows)} rows; chaizi.tsv: {len(split)} rows")


if __name__ == "__main__":
    main()
