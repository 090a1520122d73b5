"""Build ``src/beian/pii/data/names.json``: the name tables the NAME recognizers read.

    .venv/bin/pip install faker && .venv/bin/python scripts/build_pii_names.py

Sources (recorded in the file with their versions and licences):

* Chinese surnames with their frequencies (per cent of the population): Faker's ``zh_CN``
  person provider (MIT), plus compound surnames (复姓) that it lacks.
* Latin-script given names and family names: Faker's person providers of the locales written
  in Latin letters (MIT); Japanese names in their romanized form.
* Pinyin syllables (for names written in pinyin, ``Zhang Wei``): pypinyin's character table
  (MIT), toneless.
* Common two-character words (frequency >= 100, not tagged as a person name ``nr``): jieba's
  dictionary ``dict.txt`` (MIT). They tell where a name ends (``向阳相撞``: 相撞 is a word)
  and which bare candidates are everyday words rather than names.

The recognizers never import Faker or jieba: they are needed only to rebuild this file
(``pip install faker jieba``).
"""

from __future__ import annotations

import importlib
import json
import re
from pathlib import Path

import faker
import jieba
import pypinyin
from pypinyin import Style, lazy_pinyin
from pypinyin.pinyin_dict import pinyin_dict

OUT = Path(__file__).resolve().parents[1] / "src" / "beian" / "pii" / "data" / "names.json"
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
_LATIN_NAME = re.compile(r"[A-Z][a-zà-ÿ'ıİşğçöüâêîôûñ-]+")


def _names(module: object, attrs: tuple[str, ...]) -> set[str]:
    out: set[str] = set()
    for attr in attrs:
        values = getattr(module, attr, None) or ()
        out.update(v for v in values if isinstance(v, str) and _LATIN_NAME.fullmatch(v))
    return out


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
    words = []
    with (Path(jieba.__file__).parent / "dict.txt").open(encoding="utf-8") as fh:
        for line in fh:
            word, freq, tag = line.split()
            if len(word) == 2 and int(freq) >= 100 and tag != "nr":
                words.append(word)
    surnames = {k: v for k, v in ZhCN.last_names.items() if len(k) == 1}
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
                "used": "dict.txt: two-character words, frequency >= 100, not nr",
            },
            "pypinyin": {
                "version": pypinyin.__version__,
                "licence": "MIT",
                "used": "character table, toneless syllables",
            },
        },
        "surnames": surnames,
        "compound_surnames": COMPOUND,
        "latin_given": sorted(given),
        "latin_family": sorted(family),
        "pinyin_syllables": syllables,
        "common_words": sorted(words),
    }
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(data, ensure_ascii=False, indent=0) + "\n", "utf-8")
    print(
        f"{OUT}: {len(surnames)} surnames, {len(given)} given, {len(family)} family, "
        f"{len(syllables)} syllables, {len(words)} words"
    )


if __name__ == "__main__":
    main()
