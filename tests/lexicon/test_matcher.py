"""Matcher internals: raw mode, sharded hyperscan databases and their disk cache, the fold-table
fast path and the pinyin table loader, each against a plain reference."""

from __future__ import annotations

import os
import random
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from beian.lexicon import KeywordEntry, Lexicon, LexiconConfig, _fold, _matcher

RAW = {
    "nfkc": False,
    "casefold": False,
    "t2s": False,
    "t2s_phrases": False,
    "numbers": False,
    "noise": False,
    "collapse_repeats": False,
    "pinyin": False,
    "homophones": False,
    "lookalike": False,
    "chaizi": False,
}
# ASCII, CJK, two-byte UTF-8, full-width, an astral emoji and a lone surrogate
ALPHABET = list("ab1 _") + list("法轮功台独") + ["é", "ａ", "😀", "\ud800"]


def _word(ch: str) -> bool:
    return ch.isascii() and ch.isalnum()


def _occurrences(word: str, text: str) -> list[tuple[int, int]]:
    """Occurrences of ``word`` in ``text`` whose ASCII-alphanumeric edges are whole-word."""
    out = []
    i = text.find(word)
    while i >= 0:
        s, e = i, i + len(word)
        if not (_word(word[0]) and s > 0 and _word(text[s - 1])) and not (
            _word(word[-1]) and e < len(text) and _word(text[e])
        ):
            out.append((s, e))
        i = text.find(word, i + 1)
    return out


def _reference(keywords: list[str], allow: list[str], text: str) -> list[tuple[int, int, str]]:
    allowed = [span for w in allow for span in _occurrences(w, text)]
    return sorted(
        {
            (s, e, kw)
            for kw in keywords
            for s, e in _occurrences(kw, text)
            if not any(a <= s and e <= b for a, b in allowed)
        }
    )


def _raw_hits(lex: Lexicon, text: str) -> list[tuple[int, int, str]]:
    return sorted((h.start, h.end, h.keyword) for h in lex.scan(text))


@pytest.mark.parametrize("seed", range(6))
def test_raw_mode_matches_reference(backend: str, seed: int) -> None:
    rng = random.Random(seed)
    keywords = sorted({"".join(rng.choices(ALPHABET, k=rng.randint(1, 4))) for _ in range(40)})
    keywords = [k for k in keywords if k.strip()]
    allow = [k + rng.choice(ALPHABET) for k in rng.sample(keywords, 3)]
    text = "".join(rng.choices(ALPHABET, k=3000))
    lex = Lexicon.from_entries(
        [(k, "A1a") for k in keywords],
        LexiconConfig(matcher=backend, match="overlapping", **RAW),
        allow=allow,
    )
    got = _raw_hits(lex, text)
    assert got == _reference(keywords, allow, text)
    assert all(h.text == text[h.start : h.end] == h.keyword for h in lex.scan(text))
    assert lex._compiled().raw


def _many_entries(n: int) -> list[KeywordEntry]:
    rng = random.Random(7)
    chars = [chr(c) for c in range(0x4E00, 0x4E00 + 400)]
    words = sorted({"".join(rng.choices(chars, k=rng.randint(2, 5))) for _ in range(n)})
    return [KeywordEntry(w, "A1a") for w in words]


def test_sharded_databases_match_and_come_back_from_disk(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytest.importorskip("hyperscan")
    monkeypatch.setenv("BEIAN_CACHE_DIR", str(tmp_path))
    entries = _many_entries(2 * _matcher._SHARD_PATTERNS + 500)
    text = "，".join(e.keyword for e in entries[::97]) + "。" + entries[-1].keyword
    # no pinyin or separated homophone forms: their own databases would be more cache files
    cfg = LexiconConfig(
        matcher="hyperscan", match="overlapping", pinyin_default=False, homophone_gap=False
    )
    lex = Lexicon.from_entries(entries, cfg)
    st = lex._compiled()
    assert isinstance(st.ac, _matcher.HyperscanMatcher) and len(st.ac._db._dbs) >= 2
    hits = _raw_hits(lex, text)
    want = _raw_hits(
        Lexicon.from_entries(entries, cfg.model_copy(update={"matcher": "ahocorasick"})), text
    )
    assert hits == want and len(hits) >= len(entries[::97]) + 1

    cached = list((tmp_path / "lexicon").glob("hs-*.db"))
    assert len(cached) == 1

    # a compile writes the cache file anew (temporary file + rename); a cache hit leaves it be
    before = cached[0].stat()
    assert _raw_hits(Lexicon.from_entries(entries, cfg), text) == hits
    after = cached[0].stat()
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)

    cached[0].write_bytes(cached[0].read_bytes()[:100])  # a truncated file is recompiled
    assert _raw_hits(Lexicon.from_entries(entries, cfg), text) == hits


def test_loop_code_points_skip_bulk_ranges() -> None:
    want = [
        cp
        for lo, hi in _fold._LOOP_RANGES
        for cp in range(lo, hi)
        if not _fold._in(cp, _fold._CJK_BLOCKS) and not _fold._in(cp, _fold._SKIP)
    ]
    assert _fold._loop_code_points() == want


def test_fold_table_with_every_step_off_only_marks_separators() -> None:
    flags = _fold.FoldFlags(False, False, False, False, False, barriers="。！", lookalike=False)
    ft = _fold._build(flags)
    separators = {ord(c) for c in "\n\r\x0b\x0c\x85\u2028\u2029。！"}
    changed = {int(cp) for cp in (ft.table != np.arange(_fold.SIZE)).nonzero()[0]}
    assert changed == separators
    assert all(ft.table[cp] == _fold.BARRIER for cp in separators)
    assert not ft.rules.any() and ft.expansions == ()
    crossing = _fold._build(
        _fold.FoldFlags(False, False, False, False, False, cross_lines=True, lookalike=False)
    )
    assert {int(cp) for cp in (crossing.table != np.arange(_fold.SIZE)).nonzero()[0]} == {
        ord(c) for c in "。！？；"
    }


def test_pinyin_table_loads_without_the_package() -> None:
    # in a fresh interpreter: this one may have imported pypinyin already
    code = (
        "import sys\n"
        "from beian.lexicon._readings import _pinyin_dict\n"
        "table = _pinyin_dict()\n"
        "assert 'pypinyin' not in sys.modules\n"
        "from pypinyin.pinyin_dict import pinyin_dict\n"
        "assert table == pinyin_dict and table[ord('中')].startswith('zhōng')\n"
        "assert _pinyin_dict() == table\n"
    )
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    subprocess.run([sys.executable, "-c", code], check=True, env=env, timeout=60)


@pytest.mark.parametrize("seed", range(25))
def test_pinyin_windows_find_what_a_full_scan_finds(backend: str, seed: int) -> None:
    from beian.lexicon._normalize import normalize

    rng = random.Random(seed)
    words = [("法轮功", "A1a"), ("制造炸弹", "A1d"), ("毒品", "A2a"), ("颠覆国家政权", "A1a")]
    lex = Lexicon.from_entries(words, LexiconConfig(matcher=backend))
    st = lex._compiled()
    assert st.lac is not None
    pieces = ["falungong", "flg", "zzzd", "du", "品", "guojia", "法", "lun", "轮功", "x", " "]
    pieces += list("的了是，我们")
    text = "".join(rng.choices(pieces, weights=[1] * 11 + [12] * 6, k=rng.randint(20, 300)))
    codes = normalize(text, st.ft, max_gap=3, collapse=True).codes
    assert codes is not None
    full = sorted(st.lac.find("", codes))
    assert sorted(_matcher.latin_matches(st.lac, "", codes, st.latin.longest)) == full
