"""The public API: redact, is_blocked, pickling, threads, worker processes, streaming window."""

from __future__ import annotations

import multiprocessing
import pickle
import random
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor

from beian.lexicon import Hit, KeywordEntry, Lexicon, LexiconConfig

ENTRIES = [
    KeywordEntry("法轮功", "A1a", frozenset({"pinyin", "homophone"})),
    KeywordEntry("台独", "A1c"),
    KeywordEntry("sex", "A1f"),
    KeywordEntry("谢谢你", "A2a"),
]
TEXT = "他说法 轮 功，又说臺獨。SEX 和 Essex；falungong！发伦工 谢谢谢你"


def _hits(lex: Lexicon, text: str = TEXT) -> list[tuple[int, int, str]]:
    return [(h.start, h.end, h.keyword) for h in lex.scan(text)]


def test_from_entries_accepts_tuples_and_allow(backend: str) -> None:
    lex = Lexicon.from_entries(
        [("法轮功", "A1a"), KeywordEntry("台独", "A1c"), ("法轮", "allow")],
        LexiconConfig(matcher=backend),
    )
    assert [e.keyword for e in lex.entries] == ["法轮功", "台独"]
    assert lex.allow == ("法轮",)
    assert lex.is_blocked("法轮功") and not lex.is_blocked("法轮")
    assert not lex.is_blocked("") and lex.scan("") == []


def test_hit_fields(backend: str) -> None:
    lex = Lexicon.from_entries(ENTRIES, LexiconConfig(matcher=backend))
    hits = lex.scan(TEXT)
    assert all(isinstance(h, Hit) and TEXT[h.start : h.end] == h.text for h in hits)
    got = {(h.text, h.keyword, h.risk, h.rules) for h in hits}
    assert ("法 轮 功", "法轮功", "A1a", ("noise",)) in got
    assert ("臺獨", "台独", "A1c", ("t2s",)) in got
    assert ("SEX", "sex", "A1f", ("case",)) in got
    assert ("falungong", "法轮功", "A1a", ("pinyin",)) in got
    assert ("发伦工", "法轮功", "A1a", ("homophone",)) in got
    assert ("谢谢你", "谢谢你", "A2a", ("exact",)) in got
    assert len(hits) == 6  # Essex is not hit
    assert hits[0].as_dict()["rules"] == ["noise"]


def test_redact(backend: str) -> None:
    lex = Lexicon.from_entries(ENTRIES, LexiconConfig(matcher=backend))
    out = lex.redact("他说法 轮 功，又说臺獨。")
    assert out == "他说*****，又说**。"
    assert lex.redact("臺獨好", replacement="[已屏蔽]") == "[已屏蔽]好"
    assert lex.redact("无关内容") == "无关内容"


def test_pickle_round_trip_rebuilds_lazily(backend: str) -> None:
    lex = Lexicon.from_entries(ENTRIES, LexiconConfig(matcher=backend)).compile()
    blob = pickle.dumps(lex)
    assert len(blob) < 4000  # entries and configuration only, no compiled tables
    again = pickle.loads(blob)
    assert again._state is None
    assert _hits(again) == _hits(lex)
    assert again.config == lex.config


def test_threads_share_one_instance(backend: str) -> None:
    lex = Lexicon.from_entries(ENTRIES, LexiconConfig(matcher=backend))
    rng = random.Random(7)
    texts = ["".join(rng.choices(TEXT, k=200)) + TEXT for _ in range(40)]
    expected = [
        _hits(Lexicon.from_entries(ENTRIES, LexiconConfig(matcher=backend)), t) for t in texts
    ]
    with ThreadPoolExecutor(max_workers=8) as pool:  # first use (compilation) races too
        got = list(pool.map(lambda t: _hits(lex, t), texts))
    assert got == expected


def _scan_in_worker(args: tuple[Lexicon, str]) -> list[tuple[int, int, str]]:
    lex, text = args
    return _hits(lex, text)


def test_worker_processes() -> None:
    lex = Lexicon.from_entries(ENTRIES).compile()
    ctx = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(max_workers=2, mp_context=ctx) as pool:
        got = list(pool.map(_scan_in_worker, [(lex, TEXT), (lex, TEXT[::-1] + TEXT)]))
    assert got == [_hits(lex), _hits(lex, TEXT[::-1] + TEXT)]


def test_max_span_is_a_safe_streaming_window(backend: str) -> None:
    """Holding back max_span - 1 characters catches every keyword split across chunks."""
    lex = Lexicon.from_entries(ENTRIES, LexiconConfig(matcher=backend))
    text = "开头" + "法 . 轮 功" + "中间falungong 臺 獨" + "谢谢谢你" + "结尾"
    full = {(h.start, h.end, h.keyword) for h in lex.scan(text)}
    assert max(e - s for s, e, _ in full) <= lex.max_span
    hold = lex.max_span - 1
    for cut in range(1, len(text)):
        # a gateway that emitted text[: cut - hold] and rescans the held-back tail with the rest
        head = {(h.start, h.end, h.keyword) for h in lex.scan(text[:cut])}
        tail_from = max(0, cut - hold)
        tail = {
            (h.start + tail_from, h.end + tail_from, h.keyword) for h in lex.scan(text[tail_from:])
        }
        assert full <= head | tail, cut


def test_max_span_counts_gaps_and_repeats() -> None:
    hanzi_only = LexiconConfig(pinyin_default=False, chaizi=False)
    lex = Lexicon.from_entries([("法轮功", "A1a")], hanzi_only)
    # 3 characters, each repeated up to max_repeat=4, with up to max_gap=3 noise between
    assert lex.max_span == 12 + 11 * 3
    tight = Lexicon.from_entries(
        [("法轮功", "A1a")],
        LexiconConfig(noise=False, collapse_repeats=False, pinyin_default=False, chaizi=False),
    )
    assert tight.max_span == 3
    # by default the pinyin form falungong (9 letters) is the longest
    assert Lexicon.from_entries([("法轮功", "A1a")]).max_span == 36 + 35 * 3
