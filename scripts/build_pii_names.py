"""Build ``src/beian/pii/data/names.json``: the name tables the NAME recognizers read.

    .venv/bin/pip install faker && .venv/bin/python scripts/build_pii_names.py

Sources (recorded in the file with their versions and licences):

* Chinese surnames with their frequencies (per cent of the population): Faker's ``zh_CN``
  person provider (MIT), plus compound surnames (复姓) that it lacks.
* Rare one-character surnames: those of the 百家姓 (Hundred Family Surnames, Northern Song,
  public domain; ``scripts/data/baijiaxing.txt``) that Faker lacks and that are rare in ordinary
  text (their characters make up less than ``RARE_PPM`` per million characters of jieba's
  dictionary, each word weighted by its frequency: 笪, 厍, 宓, 逄, but not 有, 年, 山, 爱). They
  get the frequency ``RARE_FREQ`` (below every Faker surname), so that the rules and features
  that rank surnames by frequency treat them as the rarest.
* Latin-script given names and family names: Faker's person providers of the locales written
  in Latin letters (MIT); Japanese names in their romanized form.
* Pinyin syllables (for names written in pinyin, ``Zhang Wei``): pypinyin's character table
  (MIT), toneless.
* Common two-character words (frequency >= 100, not tagged as a person name ``nr``): jieba's
  dictionary ``dict.txt`` (MIT). They tell where a name ends (``向阳相撞``: 相撞 is a word)
  and which bare candidates are everyday words rather than names. Two-character words jieba
  tags ``nr`` (frequency >= 100, opening with a surname) are mostly everyday words too (文明,
  高峰, 陆军, 胡同): a bare name, with no label or title, is never one of them.
* Given-name characters: for each character, the log-likelihood ratio (natural log) of its
  frequency in given names against its frequency in ordinary words. Given names are the
  characters after a surname in jieba's ``nr`` entries of two to four characters and
  Faker's ``zh_CN`` given names (counted three times); ordinary text is jieba's dictionary,
  each word weighted by its frequency. 伟 +3.0, 芳 +3.3, but 的 -3.2, 说 absent.
* Two-character given names: those after a one-character surname in at least three of jieba's
  three-character ``nr`` entries, and Faker's ``zh_CN`` two-character given names. Many are
  also everyday words or have a character common in plain text (建国, 海洋, 向东: 国 and 向
  score below zero): as a pair they are still typical of names.

The recognizers never import Faker or jieba: they are needed only to rebuild this file
(``pip install faker jieba``).
"""

from __future__ import annotations

import importlib
import json
import math
import re
from collections import Counter
from pathlib import Path

import faker
import jieba
import pypinyin
from pypinyin import Style, lazy_pinyin
from pypinyin.pinyin_dict import pinyin_dict

OUT = Path(__file__).resolve().parents[1] / "src" / "beian" / "pii" / "data" / "names.json"
BAIJIAXING = Path(__file__).resolve().parent / "data" / "baijiaxing.txt"
RARE_PPM = 20.0  # a rare surname's character: under 20 per million characters of jieba's text
RARE_FREQ = 0.001  # per cent of the population given to each rare surname (Faker's least: 0.006)
LATIN_LOCALES = [
    "en_US",
    "en_GB",
    "en_IE",
    "en_NZ",
    "de_DE",
    "de_AT",
    "fr_FR",
    "it_IT",
    "es_ES",
    "es_MX",
    "pt_BR",
    "pt_PT",
    "nl_NL",
    "pl_PL",
    "sv_SE",
    "no_NO",
    "da_DK",
    "fi_FI",
    "cs_CZ",
    "tr_TR",
    "id_ID",
    "vi_VN",
    "ro_RO",
    "hu_HU",
    "hr_HR",
    "ja_JP",
    "ko_KR",
]
COMPOUND = [
    "欧阳",
    "司马",
    "上官",
    "诸葛",
    "东方",
    "皇甫",
    "尉迟",
    "公孙",
    "慕容",
    "长孙",
    "宇文",
    "司徒",
    "夏侯",
    "令狐",
    "端木",
    "申屠",
    "澹台",
    "轩辕",
    "南宫",
    "独孤",
    "呼延",
    "闻人",
    "钟离",
    "万俟",
    "西门",
    "百里",
    "东郭",
    "公冶",
    "赫连",
    "第五",
    "太史",
    "仲孙",
    "濮阳",
    "单于",
    "淳于",
    "拓跋",
    "完颜",
    "乐正",
    "公羊",
    "宗政",
    "左丘",
    "谷梁",
    "段干",
    "巫马",
    "漆雕",
    "颛孙",
    "壤驷",
    "梁丘",
    "南门",
    "羊舌",
    "微生",
    "公良",
]
# The compound surnames of the 百家姓 text that COMPOUND lacks (the recognizers do not read
# them); with COMPOUND, each is read as one surname when the text is split, and every other
# character of the text is a one-character surname.
BAIJIAXING_COMPOUND = frozenset(COMPOUND) | {
    *(
        "太叔",
        "鲜于",
        "闾丘",
        "司空",
        "亓官",
        "司寇",
        "子车",
        "公西",
        "夹谷",
        "宰父",
        "归海",
        "东门",
    )
}
_LATIN_NAME = re.compile(r"[A-Z][a-zà-ÿ'ıİşğçöüâêîôûñ-]+")


def _names(module: object, attrs: tuple[str, ...]) -> set[str]:
    out: set[str] = set()
    for attr in attrs:
        values = getattr(module, attr, None) or ()
        out.update(v for v in values if isinstance(v, str) and _LATIN_NAME.fullmatch(v))
    return out


def baijiaxing_singles(path: Path = BAIJIAXING) -> list[str]:
    """The one-character surnames of the 百家姓 text, in its order."""
    lines = [ln for ln in path.read_text("utf-8").splitlines() if not ln.startswith("#")]
    text = "".join("".join(lines).split())
    text = text.removesuffix("百家姓终")  # "end of the Hundred Family Surnames"
    singles: list[str] = []
    i = 0
    while i < len(text):
        if text[i : i + 2] in BAIJIAXING_COMPOUND:
            i += 2
            continue
        singles.append(text[i])
        i += 1
    return singles


def _rare_surnames(
    dict_lines: list[tuple[str, int, str]], known: set[str], singles: list[str]
) -> list[str]:
    """The 百家姓 surnames not in ``known`` whose characters are rare in ordinary text."""
    plain: Counter[str] = Counter()
    total = 0
    for word, freq, _ in dict_lines:
        total += freq * len(word)
        for ch in word:
            plain[ch] += freq
    return [
        ch
        for ch in dict.fromkeys(singles)
        if ch not in known and plain[ch] / total * 1e6 < RARE_PPM
    ]


def _given_chars(
    dict_lines: list[tuple[str, int, str]], surnames: set[str], first_names: list[str]
) -> dict[str, float]:
    """Log-likelihood ratio of each given-name character (see the module's docstring)."""
    given: Counter[str] = Counter()
    plain: Counter[str] = Counter()
    compound = set(COMPOUND)
    for word, freq, tag in dict_lines:
        for ch in word:
            plain[ch] += freq
        if tag != "nr" or not 2 <= len(word) <= 4:
            continue
        if word[:2] in compound and len(word) >= 3:
            given.update(word[2:])
        elif word[0] in surnames and len(word) <= 3:
            given.update(word[1:])
    for name in first_names:
        for ch in name:
            given[ch] += 3
    g_total, p_total = sum(given.values()), sum(plain.values())
    return {
        ch: round(
            math.log((n + 0.5) / g_total) - math.log((plain[ch] + p_total / 1e7) / p_total), 2
        )
        for ch, n in sorted(given.items())
        if n >= 3
    }


def _given_pairs(
    dict_lines: list[tuple[str, int, str]], surnames: set[str], first_names: list[str]
) -> list[str]:
    """Two-character given names (see the module's docstring)."""
    pairs = Counter(
        w[1:] for w, _, t in dict_lines if t == "nr" and len(w) == 3 and w[0] in surnames
    )
    return sorted({p for p, n in pairs.items() if n >= 3} | {n for n in first_names if len(n) == 2})


def main() -> None:
    from faker.providers.person.zh_CN import Provider as ZhCN

    given: set[str] = set()
    family: set[str] = set()
    for loc in LATIN_LOCALES:
        provider = importlib.import_module(f"faker.providers.person.{loc}").Provider
        given |= _names(
            provider,
            ("first_names", "first_names_male", "first_names_female", "first_romanized_names"),
        )
        family |= _names(provider, ("last_names", "last_romanized_names"))
    syllables = sorted(
        {
            s
            for cp in pinyin_dict
            for s in lazy_pinyin(chr(cp), style=Style.NORMAL)
            if s.isascii() and s.isalpha()
        }
    )
    with (Path(jieba.__file__).parent / "dict.txt").open(encoding="utf-8") as fh:
        lines = [(w, int(f), t) for w, f, t in (line.split() for line in fh)]
    words = [w for w, f, t in lines if len(w) == 2 and f >= 100 and t != "nr"]
    surnames = {k: v for k, v in ZhCN.last_names.items() if len(k) == 1}
    rare = _rare_surnames(lines, set(surnames), baijiaxing_singles())
    nr_words = sorted(
        w for w, f, t in lines if len(w) == 2 and f >= 100 and t == "nr" and w[0] in surnames
    )
    given_chars = _given_chars(lines, set(surnames), list(ZhCN.first_names))
    given_pairs = _given_pairs(lines, set(surnames), list(ZhCN.first_names))
    # The given-name tables are learnt with Faker's surnames only (as before the rare ones).
    all_surnames = surnames | dict.fromkeys(rare, RARE_FREQ)
    data = {
        "sources": {
            "faker": {
                "version": faker.VERSION,
                "licence": "MIT",
                "used": "person providers: zh_CN surnames; " + ", ".join(LATIN_LOCALES),
            },
            "jieba": {
                "version": jieba.__version__,
                "licence": "MIT",
                "used": "dict.txt: two-character words, frequency >= 100 (nr apart); "
                "character frequencies of all words and of the given names in nr entries; "
                "two-character given names of three-character nr entries (three or more)",
            },
            "baijiaxing": {
                "version": "百家姓 (Northern Song), scripts/data/baijiaxing.txt",
                "licence": "public domain",
                "used": f"one-character surnames absent from Faker and rare in ordinary text "
                f"(under {RARE_PPM:g} per million characters of jieba's dictionary): "
                f"{len(rare)}, each at {RARE_FREQ} per cent",
            },
            "pypinyin": {
                "version": pypinyin.__version__,
                "licence": "MIT",
                "used": "character table, toneless syllables",
            },
        },
        "surnames": all_surnames,
        "compound_surnames": COMPOUND,
        "latin_given": sorted(given),
        "latin_family": sorted(family),
        "pinyin_syllables": syllables,
        "common_words": sorted(words),
        "nr_words": nr_words,
        "given_chars": given_chars,
        "given_pairs": given_pairs,
    }
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(data, ensure_ascii=False, indent=0) + "\n", "utf-8")
    print(
        f"{OUT}: {len(all_surnames)} surnames ({len(rare)} rare), {len(given)} given, {len(family)} family, "
        f"{len(syllables)} syllables, {len(words)} words, {len(given_chars)} given-name characters, "
        f"{len(given_pairs)} two-character given names"
    )


if __name__ == "__main__":
    main()
