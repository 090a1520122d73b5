"""Compile library entries into matcher patterns: normalized forms and their variants.

Every entry yields its normalized keyword; entries may add variants (OpenCC phrase forms,
pinyin, initials, mixed pinyin/characters, homophone syllable codes). Each pattern string keeps
the list of variants it stands for, so several entries can share one pattern.
"""

from __future__ import annotations

import functools
import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from beian._shared.opencc import opencc_convert
from beian.lexicon._chaizi import chaizi_table, split_forms
from beian.lexicon._fold import FoldTable, gb2312
from beian.lexicon._lookalike import traditional_more, xingjin_variants
from beian.lexicon._models import ALLOW, KeywordEntry, LexiconConfig
from beian.lexicon._readings import (
    _COMBOS_MAX,
    _SYLLABLE_BASE,
    _combos,
    _is_ascii_alnum,
    _is_cjk,
    _options,
    _strip_tone,
    pinyin_syllables,
    syllable_ids,
    syllable_table,
)
from beian.lexicon._words import phrases, word_parts

__all__ = [
    "CAMEL",
    "GAP",
    "LOWER",
    "LSEP",
    "NAMELIKE",
    "SEP",
    "SPLIT",
    "STYLED",
    "TIGHT",
    "WORDS",
    "Compiled",
    "Patterns",
    "Variant",
    "compile_entries",
]

# keywords up to this many characters get every mixed pinyin/character form (6 in libraries of
# up to 5,000 keywords, like 拆字 below: 针kong摄xiangtou); longer ones one or two neighbours
_MIXED_MAX, _MIXED_MAX_SMALL = 4, 6
# 拆字 forms per keyword: every choice of split characters (up to 15: four splittable ones) for
# libraries up to 5,000 keywords, where the number of patterns barely changes the scan speed;
# larger libraries keep the two single-character splits (four per keyword made the scan of the
# benchmark's 20,000 keywords about 20 % slower)
# (24 there since the typed splits of ``chaizi_typed.tsv`` came in: 贝反 for 贩)
_CHAIZI_ALL, _CHAIZI_FEW, _CHAIZI_ALL_UP_TO = 24, 2, 5_000
# 形近字 forms per keyword, in the same two sizes of library (the small one also takes the wide
# look-alike set: characters one stroke apart, semantic radical swapped)
_XINGJIN_ALL, _XINGJIN_FEW = 96, 2
# Suffix of a variant's rule: the form counts only written without noise between its characters.
# A library-wide default gives two-character keywords such forms (du品, 女子看 for 好看): with a
# space or a comma in between they are mostly a name or a word beside another word.
TIGHT = "~tight"
# Suffix of a variant's rule: the form does not count written as a proper name, every word
# capitalized and the rest lower case (Zhang Wei, Beijing, Baidu): the pinyin orthography
# (GB/T 16159) capitalizes names of people and places, the usual Latin two-syllable words in
# Chinese text; an evasion is written in lower case, capitals, or mixed (dupin, DU PIN, DuPin).
NAMELIKE = "~name"
# Suffix of a variant's rule: the form counts only written in styled letters (circled ⓢⓠ,
# parenthesized ⒧⒬, mathematical 𝐝𝐲), which ordinary text never uses for an acronym: two
# initials (XD) in plain or full-width letters are mostly an acronym (QQ, PK, ＱＱ).
STYLED = "~styled"
# Suffix of a two-character keyword's mixed form (灭men, du品): unbroken, or broken only by one
# separator (- _ · ~ …) where characters meet letters (灭-men, 卖·xue, 黄_wang); a space there
# (Du 品) is mostly a name or a Latin word beside a word.
SEP = "~sep"
# Suffix of a two-character keyword's form with one character as its initial (袭j, d棍): counts
# written unbroken in lower case; X光, B超, T恤, U盘 write their letter in capitals (the
# capital forms come with ``initials``/``initials_two``).
LOWER = "~lower"
# Suffix of a form with characters written as their initial (q马多, C/Z/信/息, 三-l-刺): unbroken,
# or with one separator (- _ · / . | …) at any place; a space (W 孙女) is a unit beside a word.
LSEP = "~lsep"
# Suffix of a two-character keyword's syllable + capital initial (shuaiG, zongH, heiQ): the
# syllable in lower case and the initial a capital, unbroken.
CAMEL = "~camel"
# Suffix of a two-character keyword's 拆字 form, followed by one mark per place between two
# normalized characters: "1" spaces (inside a split character: 木 昆, 次 贝); brackets around
# the halves: "o" an opening one before a split character (狗(米良)), "c" a closing one after it
# ((虫它)头), "b" both between two split ones; "0" none (木仓 支 is mostly 木仓 beside 支).
SPLIT = "~split"
# Suffix of a homophone form given to every keyword (``homophone_gap``): counts only with a
# separator at every place between its characters (堵~博, 可 咖 因, 雪↑洗, 约*饱): noise that is
# no prose punctuation (，、：“”…), or a zero-width character. Text written so breaks up words
# on purpose; ordinary text with a homophone of a keyword (喜迁 for 洗钱) has none.
GAP = "~gap"
# Suffix of a two-character keyword's look-alike form (睹博 for 赌博, 焕脸 for 换脸): counts
# written unbroken where no word of jieba's dictionary holds a character of it and one beside it
# (在睹博得了 holds 博得, no 睹博; 迟疑不决三 holds 迟疑不决, no 决三 for 快三): a two-character
# form is too short to say anything when it straddles two words; or broken up by a symbol, emoji
# or zero-width character (伐❤孕, the condition of ``GAP``), which no word has.
WORDS = "~words"


# One reading of a pattern, a plain tuple of atoms (the garbage collector untracks those):
# (entry index, -1 for an allow-list word; rule: "pinyin", "initials", "t2s_phrase",
# "homophone" or None; required copies per collapsed character when any > 1, else None;
# ASCII-alphanumeric first character; ASCII-alphanumeric last character).
Variant = tuple[int, str | None, tuple[int, ...] | None, bool, bool]


@dataclass
class Compiled:
    patterns: list[str] = field(default_factory=list)
    variants: list[tuple[Variant, ...]] = field(default_factory=list)
    index: dict[str, int] = field(default_factory=dict)
    max_kept: int = 0  # most kept original characters one match can cover (before gaps)
    longest: int = 0  # longest pattern, in normalized characters

    def add(self, pattern: str, var: Variant, kept: int) -> None:
        i = self.index.get(pattern)
        if i is None:
            self.longest = max(self.longest, len(pattern))
            self.index[pattern] = len(self.patterns)
            self.patterns.append(pattern)
            self.variants.append((var,))
        elif var not in self.variants[i]:
            self.variants[i] += (var,)
        if var[0] >= 0 and kept > self.max_kept:
            self.max_kept = kept


@dataclass
class Patterns:
    """What a library compiles to. ``latin`` holds the pinyin forms (each has an ASCII letter):
    they can only match near a Latin letter, so the scanner runs them on those windows only."""

    main: Compiled
    latin: Compiled
    homo: Compiled | None
    # the mixed pinyin forms in syllable codes (堵gou for 赌狗): scanned like ``latin``, on the
    # windows around letters mapped through :func:`syllable_table`
    hlatin: Compiled
    # homophone forms that count only broken up by separators (``GAP``), in syllable codes:
    # scanned on the windows around separators only
    hgap: Compiled


_REPEAT = re.compile(r"(.)\1", re.DOTALL)


def _collapse(s: str, collapse: bool) -> tuple[str, tuple[int, ...] | None]:
    if not collapse or not s or not _REPEAT.search(s):
        return s, None
    chars, counts = [], []
    for c, grp in itertools.groupby(s):
        chars.append(c)
        counts.append(len(list(grp)))
    return "".join(chars), (tuple(counts) if any(n > 1 for n in counts) else None)


class _Builder:
    def __init__(self, ft: FoldTable, plain: FoldTable, cfg: LexiconConfig) -> None:
        self.ft, self.cfg, self.out, self.homo = ft, cfg, Compiled(), Compiled()
        self.latin = Compiled()  # pinyin forms: scanned only near Latin letters
        self.hlatin = Compiled()  # mixed pinyin forms with homophones, in syllable codes
        self.hgap = Compiled()  # homophone forms written with separators, in syllable codes
        self.syl = syllable_table(cfg.homophones_near) if cfg.homophone_mixed else None
        self.entry_homo = True  # the entry at hand may take homophones (not nohomophone)
        self.plain_ft = plain
        self.chaizi_cap = _CHAIZI_FEW
        self.xingjin_cap = _XINGJIN_FEW
        self.xingjin_wide = False
        self.mixed_max = _MIXED_MAX
        self.repeat = cfg.max_repeat if cfg.collapse_repeats else 1

    def norm(self, s: str) -> str:
        return self.ft.fold(s).replace("\x01", "")

    def plain(self, s: str) -> str:
        """Folded without look-alikes: the characters whose readings and halves count."""
        return self.plain_ft.fold(s).replace("\x01", "")

    def add(
        self,
        target: Compiled,
        raw: str,
        entry: int,
        rule: str | None,
        collapsed: tuple[str, tuple[int, ...] | None] | None = None,
    ) -> None:
        if not raw:
            return
        pat, counts = collapsed or _collapse(raw, self.cfg.collapse_repeats)
        edge = self.cfg.ascii_word_boundary
        var = (
            entry,
            rule,
            counts,
            edge and _is_ascii_alnum(raw[0]),
            edge and _is_ascii_alnum(raw[-1]),
        )
        kept = (
            len(pat) * self.repeat if counts is None else sum(max(n, self.repeat) for n in counts)
        )
        target.add(pat, var, kept)

    def mixed(self, form: str, entry: int, rule: str, homo: bool = True) -> None:
        """A mixed pinyin form (characters and letters): in ``latin`` as it is and, with
        ``homophone_mixed`` and ``homo``, in ``hlatin`` with its characters as their syllable
        codes (forms with whole syllables only: a homophone beside a lone initial, 习j, is
        too weak a sign)."""
        raw = self.norm(form)
        self.add(self.latin, raw, entry, rule)
        syl = self.syl
        if syl is None or not homo or not self.entry_homo or not raw or not any(map(_is_cjk, raw)):
            return
        pat, counts = _collapse(raw, self.cfg.collapse_repeats)
        if not any(c.isascii() and c.isalpha() for c in pat):
            return
        codes = "".join(chr(int(syl[ord(c)])) for c in pat)
        # written unbroken, or with one separator where characters meet letters, whatever the
        # keyword's length: a character beside a name in pinyin (病 He Qi, 大统 Shi) is not one
        self.add(self.hlatin, raw, entry, "homophone" + SEP, collapsed=(codes, counts))


def compile_entries(
    entries: Sequence[KeywordEntry],
    allow: Sequence[str],
    ft: FoldTable,
    cfg: LexiconConfig,
    plain: FoldTable | None = None,
) -> Patterns:
    """The main pattern set, the pinyin set and, when any entry gets homophones, the syllable set.

    ``plain`` is the fold table without look-alike folding (``ft`` when ``None``): readings and
    character splits are taken from the keyword as written, not from the look-alike it folds to.
    """
    b = _Builder(ft, plain or ft, cfg)
    if len(entries) <= _CHAIZI_ALL_UP_TO:
        b.chaizi_cap, b.mixed_max = _CHAIZI_ALL, _MIXED_MAX_SMALL
        b.xingjin_cap, b.xingjin_wide = _XINGJIN_ALL, True
    phrase: dict[int, str] = {}
    japanese: dict[int, str] = {}
    if cfg.t2s and entries:
        words = [e.keyword.replace("\n", " ") for e in entries]
        conv = opencc_convert("s2t", "\n".join(words)).split("\n")
        if len(conv) == len(words) and cfg.t2s_phrases:
            phrase = {i: c for i, c in enumerate(conv) if c != words[i]}
        # the keyword in Japanese forms (OpenCC t2jp: 氷 for 冰, 姫 for 姬, 聡 for 聪): folded,
        # most come back to the keyword; those whose fold does not (氷 is a variant of 冫 too)
        # are a variant of their own
        jp = opencc_convert("t2jp", "\n".join(conv)).split("\n") if len(conv) == len(words) else []
        if len(jp) == len(words):
            japanese = {i: c for i, c in enumerate(jp) if c != conv[i]}
    want_homo = False
    for i, e in enumerate(entries):
        if e.risk == ALLOW:
            continue
        base = b.norm(e.keyword)
        b.add(b.out, base, i, None)
        if i in phrase:
            alt = b.norm(phrase[i])
            if alt != base:
                b.add(b.out, alt, i, "t2s_phrase")
        if "exact" not in e.modes:
            _add_traditional(b, e.keyword, base, japanese.get(i), i)
            want_homo = _add_evasions(b, e, i) or want_homo
    for w in allow:
        b.add(b.out, b.norm(w), -1, None)  # its spans hide hits of every pattern set
    return Patterns(
        b.out, b.latin, b.homo if want_homo and b.homo.patterns else None, b.hlatin, b.hgap
    )


def _add_traditional(b: _Builder, keyword: str, base: str, japanese: str | None, i: int) -> None:
    """Written forms that folding does not bring back to the keyword: its Japanese form (氷壶
    for 冰壶: 氷 folds to 冫), and each character's further traditional forms (鎗 for 枪).
    Japanese forms only where they are no GB 2312 character (芸术 is not 艺术: 芸 is a Chinese
    character of its own), as in the fold table."""
    forms = []
    if japanese and len(japanese) == len(keyword):
        forms.append(
            "".join(
                j if j != k and not gb2312(j) else k for k, j in zip(keyword, japanese, strict=True)
            )
        )
    more = traditional_more()
    for k, c in enumerate(keyword):
        forms.extend(keyword[:k] + t + keyword[k + 1 :] for t in more.get(c, ""))
    for form in forms:
        alt = b.norm(form)
        if alt != base:
            b.add(b.out, alt, i, "t2s")


def _cjk_count(s: str) -> int:
    return sum(map(_is_cjk, s))


def _spoken(folded: str, keyword: str) -> str:
    """``folded`` with the CJK numerals that number folding turned into digits put back (一夜情
    is read yi ye qing, not "1" ye qing), when folding kept one character per character."""
    if len(folded) != len(keyword):
        return folded
    return "".join(
        k if f.isdigit() and f.isascii() and _is_cjk(k) else f
        for f, k in zip(folded, keyword, strict=True)
    )


def _add_evasions(b: _Builder, e: KeywordEntry, i: int) -> bool:
    """Pinyin, homophone and 拆字 variants of one entry; whether it got homophones."""
    cfg, modes = b.cfg, e.modes
    folded = b.plain(e.keyword)
    word = _spoken(folded, e.keyword)
    multi = sum(map(_is_cjk, word)) >= 2  # library-wide switches cover 2+ CJK characters
    b.entry_homo = "nohomophone" not in modes
    if cfg.pinyin and (
        "pinyin" in modes or (cfg.pinyin_default and multi and "nopinyin" not in modes)
    ):
        # initials only where the keyword has 3+ characters, a numeral only at its start (三唑仑
        # szl, 六合彩 lhc, 一夜情 yyq): 不一定 as "byd" is a brand far more often than an evasion
        _add_pinyin(
            b,
            word,
            i,
            full="pinyin" in modes,
            initials=_cjk_count(folded) >= min(_cjk_count(word), 3)
            or (_cjk_count(word) >= 3 and not any(map(str.isdigit, folded.lstrip("0123456789")))),
            two_initials="initials" in modes or cfg.initials_two,
        )
    two = sum(map(_is_cjk, word)) == 2
    if cfg.chaizi and multi:
        for form, chosen in split_forms(word, b.chaizi_cap, b.xingjin_wide, phrases()):
            if two and _halves_a_word(b, word, form, chosen):
                continue
            b.add(b.out, b.norm(form), i, _split_rule(b, word, form, chosen) if two else "chaizi")
    if cfg.lookalike and multi and (not two or cfg.lookalike_two):
        # forms that are words themselves are left out (己见/已见, 季子/李子); a two-character
        # form counts only unbroken and not straddling two words (``WORDS``)
        own = b.norm(word)
        rule = "lookalike" + WORDS if two else "lookalike"
        # a two-character form must not be a word or a piece of one in jieba's dictionary
        # either (麻姑 of 麻姑献寿 for 麻古): pypinyin's phrases miss most two-character words
        known = word_parts() if two else phrases()
        for form in xingjin_variants(word, b.xingjin_cap, known, b.xingjin_wide):
            pat = b.norm(form)
            if pat != own:  # a form folding back to the keyword is the keyword, not a variant
                b.add(b.out, pat, i, rule)
    if cfg.homophones and (
        "homophone" in modes or (cfg.homophones_all and multi and "nohomophone" not in modes)
    ):
        _add_homophones(b, word, i, b.homo, "homophone")
        return True
    if cfg.homophones and cfg.homophone_gap and multi and b.entry_homo:
        _add_homophones(b, word, i, b.hgap, "homophone" + GAP)
    return False


def _halves_a_word(b: _Builder, word: str, form: str, chosen: tuple[int, ...]) -> bool:
    """Whether a two-character keyword's 拆字 form splits one character into halves that only
    folding makes a word of their own: 卡 as 丄下, read 上下 once the rare component 丄 folds to
    上 (上下其手 is no 卡其, 收上下两册 no 收卡), 孝 as 耂子 (老子服 no 孝服)."""
    if len(chosen) != 1 or len(word) != 2:
        return False
    halves = form[:-1] if chosen[0] == 0 else form[1:]
    folded = b.norm(halves)
    return folded != halves and folded in phrases()


def _split_rule(b: _Builder, word: str, form: str, chosen: tuple[int, ...]) -> str:
    """The rule of a two-character keyword's 拆字 form: where noise may stand (see ``SPLIT``);
    unbroken (``TIGHT``) where folding or collapsing changed the form's length."""
    marks: list[str] = []
    for k in range(len(word)):
        if k in chosen:
            marks.append("1")  # between the two halves
        if k + 1 < len(word):  # ")" after a split character, "(" before one
            marks.append("0cob"[(k in chosen) + 2 * (k + 1 in chosen)])
    pat, _ = _collapse(b.norm(form), b.cfg.collapse_repeats)
    if len(pat) != len(marks) + 1:
        return "chaizi" + TIGHT
    return "chaizi" + SPLIT + "".join(marks)


@functools.lru_cache(maxsize=1)
def _phrase_table() -> dict[str, tuple[str, ...]]:
    """pypinyin's phrases with a polyphonic character (银行 yin hang), toneless."""
    from pypinyin.phrases_dict import phrases_dict

    strip = functools.lru_cache(maxsize=None)(_strip_tone)
    return {
        w: tuple(strip(r[0]) for r in rs) for w, rs in phrases_dict.items() if len(rs) == len(w)
    }


def _word_readings(word: str, opts: list[list[str]]) -> list[tuple[str, ...]]:
    """The reading of ``word`` with its polyphonic characters read as in the phrases it is made
    of (longest phrase of pypinyin's table first: 银行卡 yin hang ka) and, where that differs,
    the characters' default readings."""
    default = tuple(o[0] for o in opts)
    if not any(len(o) > 1 for o in opts):
        return [default]
    table = _phrase_table()
    spoken = list(default)
    i = 0
    while i < len(word):
        for j in range(min(len(word), i + 6), i + 1, -1):
            got = table.get(word[i:j])
            if got is not None:
                spoken[i:j] = got
                i = j
                break
        else:
            i += 1
    phrase = tuple(spoken)
    return [phrase] if phrase == default else [phrase, default]


def _add_pinyin(
    b: _Builder, base: str, i: int, *, full: bool, initials: bool = True, two_initials: bool = False
) -> None:
    """Full pinyin, initials (3+ CJK characters; 2 with ``two_initials``) and mixed forms.
    ``full`` (keywords marked ``pinyin``): every reading combination of polyphonic characters
    and every mixed form; otherwise (the library-wide default) the word's reading(s) and fewer
    mixed forms, so that pinyin for a whole library stays within a few patterns per keyword.
    Two-character keywords get their letters whole (xidu) with ``pinyin_two``: measured at
    0.17 false positives per MB for a library of 80 prohibited words, mostly names in pinyin
    (Du Bo); two initials (XD) only where asked, since two letters are mostly an acronym."""
    n_cjk = sum(_is_cjk(c) for c in base)
    if not n_cjk:
        return
    opts = _options(base)
    combos = _combos(opts) if full else _word_readings(base, opts)
    # ü is typed v or u (lv/lu for 绿): both spellings, in the readings of CJK characters only
    cjk = [_is_cjk(c) for c in base]
    u_forms = (
        tuple(p.replace("v", "u") if k else p for p, k in zip(c, cjk, strict=True)) for c in combos
    )
    combos += [u for u in dict.fromkeys(u_forms) if u not in combos]
    for combo in combos:
        # two syllables in letters (xiqian) are sometimes a name (Xi Qian): pinyin_two switches
        # them off library-wide, leaving the mixed forms (xi钱, 洗qian)
        if full or n_cjk >= 3:
            b.add(b.latin, b.norm("".join(combo)), i, "pinyin")
        elif n_cjk == 2 and b.cfg.pinyin_two and "".join(combo) not in pinyin_syllables():
            # xian for 西安 is one syllable (先, 现) far more often than two
            b.add(b.latin, b.norm("".join(combo)), i, "pinyin" + NAMELIKE)
        if (n_cjk >= 3 or (n_cjk == 2 and two_initials)) and initials:
            b.add(b.latin, b.norm("".join(p[:1] for p in combo)), i, "initials")
            if n_cjk >= 3:  # zh, ch, sh written whole (zhjh for 炸金花, hkchx for 户口查询)
                b.add(b.latin, b.norm("".join(_initial(p) for p in combo)), i, "initials")
        elif n_cjk == 2 and initials:
            b.add(b.latin, b.norm("".join(p[:1] for p in combo)), i, "initials" + STYLED)
    if n_cjk >= 3 or two_initials:
        _add_lettered(b, base, combos[0], i, every=b.mixed_max > _MIXED_MAX)
    elif n_cjk == 2 and len(base) == 2 and initials:
        _add_two_lettered(b, base, combos[0], i)
    if len(base) <= b.mixed_max:
        pick = opts if full else [[r] for r in combos[0]]
        mixed = [[c, *o] if _is_cjk(c) else [c] for c, o in zip(base, pick, strict=True)]
        for combo in _combos(mixed, 4 * _COMBOS_MAX if full else 2 ** len(base)):
            s = "".join(combo)
            if s == base:
                continue
            rule = "pinyin" if full or n_cjk >= 3 else "pinyin" + SEP
            if rule == "pinyin" or any(map(_is_cjk, s)):
                b.mixed(s, i, rule)
                _split_mixed(b, combo, i, rule)
        return
    # longer keywords: one character, or two neighbours, written in pinyin
    for width in (1, 2):
        for j in range(len(base) - width + 1):
            if all(_is_cjk(c) for c in base[j : j + width]):
                parts = [*base[:j], "".join(combos[0][j : j + width]), *base[j + width :]]
                b.mixed("".join(parts), i, "pinyin")
                _split_mixed(b, parts, i, "pinyin")


def _split_mixed(b: _Builder, combo: Sequence[str], i: int, rule: str) -> None:
    """A mixed pinyin form with one of the characters it keeps written split (汽you弓单 for
    汽油弹, shou机监扌空 for 手机监控): libraries of up to 5,000 keywords (the 拆字 table's
    first split of each character, ``chaizi_table``)."""
    if not b.xingjin_wide or not any(p.isascii() for p in combo):
        return
    table = chaizi_table()
    for j, unit in enumerate(combo):
        split = table.get(unit) if len(unit) == 1 else None
        if split:
            b.mixed("".join([*combo[:j], split, *combo[j + 1 :]]), i, rule, homo=False)


def _initial(syllable: str) -> str:
    """The initial of a syllable with zh, ch and sh whole (zha → zh, cha → ch, ka → k)."""
    return syllable[:2] if syllable[:2] in ("zh", "ch", "sh") else syllable[:1]


def _add_lettered(b: _Builder, base: str, reading: Sequence[str], i: int, *, every: bool) -> None:
    """Forms with characters written as their initial letter (q马多, 人体Z弹, 公民信X): one
    character so, the others as written; with ``every`` (libraries of up to 5,000 keywords) any
    mix of characters, syllables and initials with at least one initial, in keywords of up to
    four characters (kongbu袭j, Lwen代xie, sxian水), two letter-written characters in keywords
    of five or six (only with ``initials``/``initials_two`` for two-character keywords: 刷D,
    L冰). They count written unbroken or with one separator at a place (C/Z/信/息, 三-l-刺): a
    letter set apart by a space is mostly a unit or a label."""
    where = [k for k, c in enumerate(base) if _is_cjk(c) and reading[k].isascii()]
    n = len(where)
    most = 1
    if every and len(base) <= _MIXED_MAX:
        most = n
    elif every and len(base) <= _MIXED_MAX_SMALL:
        most = 2
    rule = "pinyin" + LSEP  # W 孙女 is a unit beside a word, not 外孙女
    for k in range(1, most + 1):
        for chosen in itertools.combinations(where, k):
            for how in itertools.product((True, False), repeat=k):  # True: the initial
                if not any(how) or (k == n and all(how)):  # no initial / the initials form
                    continue
                chars = list(base)
                for j, initial in zip(chosen, how, strict=True):
                    chars[j] = reading[j][:1] if initial else reading[j]
                b.mixed("".join(chars), i, rule, homo=False)


def _add_two_lettered(b: _Builder, base: str, reading: Sequence[str], i: int) -> None:
    """A two-character keyword with one character as its initial, the other as written (袭j,
    d棍: lower case only) or as its syllable followed by a capital initial (shuaiG)."""
    if not all(r.isascii() and r.isalpha() for r in reading):
        return
    first, second = reading
    b.mixed(base[0] + second[:1], i, "pinyin" + LOWER, homo=False)
    b.mixed(first[:1] + base[1], i, "pinyin" + LOWER, homo=False)
    b.add(b.latin, b.norm(first + second[:1]), i, "pinyin" + CAMEL)


def _add_homophones(b: _Builder, base: str, i: int, target: Compiled, rule: str) -> None:
    pat, counts = _collapse(base, b.cfg.collapse_repeats)
    ids = syllable_ids(b.cfg.homophones_near)
    for combo in _combos(_options(pat)):
        codes = "".join(
            chr(_SYLLABLE_BASE + ids[r]) if _is_cjk(c) and r in ids else c
            for c, r in zip(pat, combo, strict=True)
        )
        b.add(target, base, i, rule, collapsed=(codes, counts))
