"""Typed values of the lexicon: configuration, library entries, hits and the load report."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

__all__ = [
    "ALLOW",
    "MODES",
    "RULES",
    "Hit",
    "KeywordEntry",
    "LexiconConfig",
    "LoadProblem",
    "LoadReport",
]

ALLOW = "allow"  # the risk value of an allow-list entry

# Per-keyword modes (the ``mode`` column); Chinese spellings accepted on load.
MODES: dict[str, str] = {
    "pinyin": "pinyin",
    "拼音": "pinyin",
    "homophone": "homophone",
    "谐音": "homophone",
    "exact": "exact",
    "精确": "exact",
    "initials": "initials",
    "首字母": "initials",
    "nopinyin": "nopinyin",
    "无拼音": "nopinyin",
    "nohomophone": "nohomophone",
    "无谐音": "nohomophone",
}

# Rule names a hit can carry, in the order they are reported.
RULES = (
    "exact",
    "nfkc",
    "case",
    "t2s",
    "t2s_phrase",
    "numbers",
    "lookalike",
    "leet",
    "tone",
    "noise",
    "repeat",
    "pinyin",
    "initials",
    "homophone",
    "chaizi",
)


class LexiconConfig(BaseModel):
    """Which normalization steps run. Every step is switchable and is recorded on each hit."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    nfkc: bool = Field(True, description="NFKC and full-width → half-width")
    casefold: bool = Field(True, description="case folding")
    t2s: bool = Field(True, description="traditional → simplified (OpenCC, per character)")
    t2s_phrases: bool = Field(True, description="OpenCC phrase variants of keywords (乾燥/干燥)")
    numbers: bool = Field(True, description="number styles ①⑴⒈一壹Ⅰ → digits")
    noise: bool = Field(True, description="skip spaces, punctuation, symbols, emoji, zero-width")
    max_gap: int = Field(3, ge=0, le=64, description="noise characters allowed between two")
    barriers: str = Field("。！？；", description="characters that are never skipped as noise")
    cross_lines: bool = Field(False, description="let a keyword span a line break")
    join_lines: bool = Field(
        True,
        description="a single line break between two Chinese characters of a keyword of 3+ "
        "characters is noise (整死⏎你)",
    )
    collapse_repeats: bool = Field(True, description="法法轮轮功 → 法轮功")
    max_repeat: int = Field(4, ge=1, le=64, description="longest repeated run collapsed")
    lookalike: bool = Field(True, description="look-alike characters: homoglyphs, 形近字")
    lookalike_two: bool = Field(
        False,
        description="形近字 forms of two-character keywords too (睹档): unbroken and not "
        "straddling a word of jieba's dictionary (optional extra ``words``), or broken up by a "
        "symbol, emoji or zero-width character (伐❤孕); off: a library of common words gets "
        "many false positives",
    )
    pinyin: bool = Field(True, description="pinyin, initials and mixed forms (the switch)")
    leet: bool = Field(
        True, description="digits and symbols for letters inside pinyin (k@nr3n, 2h1k35hu1)"
    )
    pinyin_default: bool = Field(
        True,
        description="pinyin for every keyword of 2+ CJK characters not marked nopinyin/exact;"
        " off: only keywords marked pinyin",
    )
    pinyin_two: bool = Field(
        True,
        description="two-character keywords also written whole in pinyin (xidu for 吸毒), library-"
        "wide; written as a proper name (Zhang Wei, Beijing: each word capitalized) they do not"
        " count, nor letters that are one syllable (xian for 西安); per keyword: mode pinyin",
    )
    initials_two: bool = Field(
        False,
        description="two-character keywords also as their two initials (XD), library-wide;"
        " per keyword: mode initials (two letters are mostly an acronym: ~10 false positives/MB)",
    )
    homophones: bool = Field(True, description="homophones for keywords marked homophone")
    homophones_all: bool = Field(
        False, description="homophones for every keyword of 2+ CJK characters (per library)"
    )
    homophones_near: bool = Field(
        False,
        description="homophone forms also with near homophones: zh/z, ch/c, sh/s, n/l, an/ang,"
        " en/eng, in/ing (with homophone, homophones_all or homophone_mixed)",
    )
    homophone_mixed: bool = Field(
        True,
        description="mixed pinyin forms also with homophones for the characters kept (堵gou for"
        " 赌狗): a form with letters in it, so only near Latin letters",
    )
    homophone_gap: bool = Field(
        True,
        description="homophones for every keyword of 2+ CJK characters written with a separator"
        " (space, symbol, emoji, zero-width character; not ，、：“” or other prose punctuation)"
        " between each two of its characters (堵~博 for 赌博); per keyword: mode nohomophone",
    )
    chaizi: bool = Field(True, description="character splitting: 氵去 for 法")
    allow_files: tuple[str, ...] = Field(
        (), description="allow-list files: one phrase a line, never a hit (false positives)"
    )
    ascii_word_boundary: bool = Field(True, description="ASCII keywords match whole words")
    match: Literal["leftmost-longest", "overlapping"] = "leftmost-longest"
    matcher: Literal["auto", "hyperscan", "ahocorasick"] = Field(
        "auto", description="auto: hyperscan when installed, else ahocorasick-rs"
    )


@dataclass(frozen=True, slots=True)
class KeywordEntry:
    """One keyword of a library; ``risk`` is an Appendix A code or ``"allow"``."""

    keyword: str
    risk: str
    modes: frozenset[str] = frozenset()
    note: str = ""
    source: str = ""
    line: int = 0
    updated: date | None = None

    @property
    def location(self) -> str:
        return f"{self.source}:{self.line}" if self.source else "-"


@dataclass(frozen=True, slots=True)
class Hit:
    """A match: offsets and substring of the ORIGINAL text, the keyword and why it matched."""

    start: int
    end: int
    text: str
    keyword: str
    risk: str
    rules: tuple[str, ...]

    def as_dict(self) -> dict[str, object]:
        return {
            "start": self.start,
            "end": self.end,
            "text": self.text,
            "keyword": self.keyword,
            "risk": self.risk,
            "rules": list(self.rules),
        }


@dataclass(frozen=True, slots=True)
class LoadProblem:
    """A line of a library file that could not be loaded, or a duplicate / conflict."""

    where: str
    message: str
    kind: Literal["error", "duplicate", "conflict"] = "error"


@dataclass
class LoadReport:
    """What loading found besides the entries: skipped lines, duplicates and conflicts."""

    files: list[str] = field(default_factory=list)
    skipped: list[LoadProblem] = field(default_factory=list)
    duplicates: list[LoadProblem] = field(default_factory=list)
    conflicts: list[LoadProblem] = field(default_factory=list)
    file_dates: dict[str, date] = field(default_factory=dict)
