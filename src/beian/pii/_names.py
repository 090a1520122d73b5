"""Name tables shared by the NAME recognizers, read once from ``data/names.json``.

Built by ``scripts/build_pii_names.py`` from Faker's person providers (Chinese surnames with
frequencies; Latin-script given and family names), pypinyin (toneless syllables) and jieba's
dictionary (common two-character words, character frequencies of given names and of plain
words, two-character given names); the file records each source's version and licence.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

__all__ = ["NAMES_PATH", "NameTables", "compound_surnames", "han_except", "is_han", "name_tables"]

NAMES_PATH = Path(__file__).resolve().parent / "data" / "names.json"


def is_han(ch: str) -> bool:
    return "\u4e00" <= ch <= "\u9fff"


def han_except(stop: str) -> str:
    """A character class of the CJK block without ``stop`` (one bitmap test per character,
    where a look-ahead before the class cost two)."""
    ranges, lo = [], 0x4E00
    for cp in sorted({ord(c) for c in stop if is_han(c)}):
        if cp > lo:
            ranges.append(f"{chr(lo)}-{chr(cp - 1)}" if cp - 1 > lo else chr(lo))
        lo = cp + 1
    ranges.append(f"{chr(lo)}-\u9fff")
    return "[" + "".join(ranges) + "]"


@dataclass(frozen=True)
class NameTables:
    single: frozenset[str]  # one-character surnames
    compound: frozenset[str]  # 复姓
    latin_given: frozenset[str]
    latin_family: frozenset[str]
    syllables: frozenset[str]  # toneless pinyin
    words: frozenset[str]  # common two-character words
    nr_words: frozenset[str]  # two-character words jieba tags as names, mostly everyday words
    single_freq: dict[str, float]  # one-character surname -> per cent of the population
    given: dict[str, float]  # given-name character -> log-likelihood ratio against plain text
    given_pairs: frozenset[str]  # two-character given names typical as a pair (建国, 向东)

    def surname_at(self, text: str, pos: int) -> int:
        """Length of the surname starting at ``pos`` (2 for 复姓, 1, or 0 for none)."""
        if text[pos : pos + 2] in self.compound:
            return 2
        return 1 if text[pos : pos + 1] in self.single else 0

    def pinyin(self, word: str) -> bool:
        """Whether a capitalised Latin word is one or two pinyin syllables (``Wei``, ``Yongjun``)."""
        w = word.lower()
        if w in self.syllables:
            return True
        return any(w[:i] in self.syllables and w[i:] in self.syllables for i in range(1, len(w)))


@lru_cache(maxsize=1)
def name_tables() -> NameTables:
    data = json.loads(NAMES_PATH.read_text("utf-8"))
    return NameTables(
        single=frozenset(data["surnames"]),
        compound=frozenset(data["compound_surnames"]),
        latin_given=frozenset(data["latin_given"]),
        latin_family=frozenset(data["latin_family"]),
        syllables=frozenset(data["pinyin_syllables"]),
        words=frozenset(data["common_words"]),
        nr_words=frozenset(data["nr_words"]),
        single_freq=data["surnames"],
        given=data["given_chars"],
        given_pairs=frozenset(data["given_pairs"]),
    )


def compound_surnames() -> frozenset[str]:
    """The shipped table of compound surnames (复姓: 欧阳, 司马…), as the NAME recognizers read it."""
    return name_tables().compound
