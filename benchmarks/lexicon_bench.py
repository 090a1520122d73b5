"""Keyword interception benchmark (issue 3).

A seeded synthetic workload: N keywords of 2–8 CJK characters (10 % mixed with ASCII) and a text
of SIZE MB of Chinese-like characters with planted keywords and planted evasions (traditional,
full-width, case, inserted noise, repeated characters, number styles, pinyin). Prints MB/s, build
time, memory and recall, and the ratio to a raw ahocorasick-rs scan measured in the same run.

    .venv/bin/python benchmarks/lexicon_bench.py            # 20,000 keywords, 50 MB
    .venv/bin/python benchmarks/lexicon_bench.py --mb 5     # quicker

Issue 23 adds (``lexicon_quality.py``): the development figures of the evasion tables in
``tests/lexicon/evasion``, false positives on the clean corpus of ``lexicon_corpus.py``
(``--corpus``; skipped when there is none), and with ``--compare-src OLD/src`` the default
configuration's scan throughput against another source tree, measured in the same run.

Writes ``benchmarks/results/lexicon.json``.
"""

from __future__ import annotations

import argparse
import bisect
import gc
import json
import os
import platform
import random
import re
import resource
import shutil
import sys
import tempfile
import time
import unicodedata
from pathlib import Path
from typing import Any

from beian.lexicon import KeywordEntry, Lexicon, LexiconConfig, hyperscan_available

ROOT = Path(__file__).resolve().parent
NOISE = [" ", "\u200b", "*", "·", "😀", "\ufe0f", "-", "_", "～"]
RAW_CONFIG = LexiconConfig(
    nfkc=False,
    casefold=False,
    t2s=False,
    t2s_phrases=False,
    numbers=False,
    noise=False,
    collapse_repeats=False,
    pinyin=False,
    homophones=False,
    lookalike=False,
    chaizi=False,
)


def _chars(rng: random.Random) -> list[str]:
    """3,000 CJK characters: ones OpenCC keeps as they are plus some with traditional forms."""
    import opencc

    pool = [chr(c) for c in range(0x4E00, 0x9FA6)]
    rng.shuffle(pool)
    s2t = opencc.OpenCC("s2t")
    t2s = opencc.OpenCC("t2s")
    out = []
    for ch in pool:
        if (
            t2s.convert(ch) == ch
            and len(s2t.convert(ch)) == 1
            and unicodedata.numeric(ch, None) is None
        ):
            out.append(ch)
        if len(out) == 3000:
            break
    return out


def make_keywords(rng: random.Random, n: int, chars: list[str]) -> list[KeywordEntry]:
    risks = [f"A1{c}" for c in "abcdefgh"] + [f"A2{c}" for c in "abcdefghi"]
    seen: set[str] = set()
    out: list[KeywordEntry] = []
    while len(out) < n:
        w = "".join(rng.choices(chars, k=rng.randint(2, 8)))
        if rng.random() < 0.10:
            word = "".join(rng.choices("abcdefghijklmnopqrstuvwxyz", k=rng.randint(2, 4)))
            w = w[: len(w) // 2] + word + w[len(w) // 2 :]
        if w in seen:
            continue
        seen.add(w)
        modes = frozenset({"pinyin"}) if rng.random() < 0.05 else frozenset()
        out.append(KeywordEntry(w, risks[len(out) % len(risks)], modes))
    return out


def _evade(rng: random.Random, kw: KeywordEntry, s2t: Any) -> tuple[str, str]:
    w = kw.keyword
    kind = rng.choice(["t2s", "fullwidth", "noise", "repeat", "case", "pinyin"])
    if kind == "t2s":
        return s2t.convert(w), kind
    if kind == "fullwidth":
        return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in w) + "", kind
    if kind == "noise":
        return "".join(
            c + (rng.choice(NOISE) if i < len(w) - 1 else "") for i, c in enumerate(w)
        ), kind
    if kind == "repeat":
        i = rng.randrange(len(w))
        return w[:i] + w[i] * 3 + w[i + 1 :], kind
    if kind == "case":
        return w.upper(), kind
    if "pinyin" in kw.modes:
        from pypinyin import lazy_pinyin

        return "".join(lazy_pinyin(w)), kind
    return w, "clean"


def make_text(
    rng: random.Random, mb: float, chars: list[str], kws: list[KeywordEntry], plants: int
) -> tuple[str, list[tuple[int, int, str, str]]]:
    import opencc

    s2t = opencc.OpenCC("s2t")
    target_chars = int(mb * 1e6 / 3)
    filler_pool = chars + ["，"] * 60 + ["。"] * 30 + ["\n"] * 5 + [" "] * 20
    chunk = target_chars // (plants + 1)
    parts: list[str] = []
    planted: list[tuple[int, int, str, str]] = []
    pos = 0
    for i in range(plants + 1):
        filler = "".join(rng.choices(filler_pool, k=chunk))
        parts.append(filler)
        pos += len(filler)
        if i == plants:
            break
        kw = kws[rng.randrange(len(kws))]
        form, kind = (kw.keyword, "clean") if i % 2 == 0 else _evade(rng, kw, s2t)
        piece = "。" + form + "。"
        parts.append(piece)
        planted.append((pos + 1, pos + 1 + len(form), kw.keyword, kind))
        pos += len(piece)
    return "".join(parts), planted


def timed(fn: Any, *args: Any, repeat: int = 1) -> tuple[float, Any]:
    best, result = float("inf"), None
    for _ in range(repeat):
        gc.collect()
        t = time.perf_counter()
        result = fn(*args)
        best = min(best, time.perf_counter() - t)
    return best, result


def naive_normalize(text: str) -> str:
    """The per-step Python pipeline the issue measured (OpenCC + translate + lower + regex)."""
    import opencc

    text = opencc.OpenCC("t2s").convert(text)
    text = text.translate({c: c - 0xFEE0 for c in range(0xFF01, 0xFF5F)}).lower()
    return re.sub(r"[\s\W_]+", "", text)


def _covered(p: tuple[int, int, str, str], hits: list[Any], starts: list[int]) -> bool:
    """A hit for the planted keyword lies inside the planted span."""
    i = bisect.bisect_left(starts, p[0])
    while i < len(hits) and hits[i].start < p[1]:
        h = hits[i]
        if h.keyword == p[2] and h.end <= p[1]:
            return True
        i += 1
    return False


def _quality(args: argparse.Namespace, text: str, kws: list[KeywordEntry]) -> dict[str, Any]:
    """Issue 23: development evasion figures, false positives on the clean corpus, and the
    default configuration's throughput against another source tree."""
    import lexicon_quality as q
    from lexicon_corpus import default_path

    out: dict[str, Any] = {"issue_23": True, "evasion_development": q.dev_figures()}
    corpus = args.corpus or default_path()
    if corpus.is_file():
        out["false_positives"] = q.false_positives(corpus, args.fp_keywords, args.seed)
    else:
        out["false_positives"] = f"no corpus at {corpus}: run benchmarks/lexicon_corpus.py"
    if args.compare_src is not None:
        out["old_vs_new_default_config"] = q.compare(args.compare_src, text, kws, args.repeat)
    return out


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--keywords", type=int, default=20_000)
    ap.add_argument("--mb", type=float, default=50.0, help="text size in MB (UTF-8)")
    ap.add_argument("--plants", type=int, default=4000)
    ap.add_argument("--seed", type=int, default=20240229)
    ap.add_argument("--repeat", type=int, default=3, help="interleaved timed rounds (best)")
    ap.add_argument("--out", type=Path, default=ROOT / "results" / "lexicon.json")
    ap.add_argument(
        "--corpus",
        type=Path,
        default=None,
        help="clean corpus for false positives (benchmarks/lexicon_corpus.py); default: its cache",
    )
    ap.add_argument("--fp-keywords", type=int, default=10_000, help="phrase library size")
    ap.add_argument(
        "--compare-src",
        type=Path,
        default=None,
        help="another tree's src/ (main's HEAD in a git worktree): old-vs-new throughput",
    )
    args = ap.parse_args()

    import ahocorasick_rs

    rng = random.Random(args.seed)
    chars = _chars(rng)
    kws = make_keywords(rng, args.keywords, chars)
    text, planted = make_text(rng, args.mb, chars, kws, args.plants)
    size_mb = len(text.encode("utf-8")) / 1e6
    print(f"workload: {len(kws)} keywords, {size_mb:.1f} MB text, {len(planted)} planted")
    rss0 = rss_mb()

    # Baseline: raw ahocorasick-rs (leftmost-longest) over the str, no normalization.
    bt_raw, ac = timed(
        lambda: ahocorasick_rs.AhoCorasick(
            [k.keyword for k in kws], matchkind=ahocorasick_rs.MatchKind.LeftmostLongest
        )
    )
    fresh = lambda: "".join([text[:1], text[1:]])  # noqa: E731 - new str: no cached UTF-8

    def build(cfg: LexiconConfig) -> Lexicon:
        return Lexicon.from_entries(kws, cfg).compile()

    modes = [("raw", RAW_CONFIG), ("full", LexiconConfig())]
    if hyperscan_available():
        modes.append(("full_ahocorasick", LexiconConfig(matcher="ahocorasick")))
    lexicons: dict[str, Lexicon] = {}
    builds: dict[str, tuple[float, float, float]] = {}
    scratch = Path(tempfile.mkdtemp(prefix="lexbench-"))
    for name, cfg in modes:
        os.environ["BEIAN_CACHE_DIR"] = str(scratch / name)  # empty cache: a cold build
        t0, c0 = time.perf_counter(), time.process_time()
        lexicons[name] = build(cfg)
        cold, cold_cpu = time.perf_counter() - t0, time.process_time() - c0
        t0, c0 = time.perf_counter(), time.process_time()
        build(cfg)  # again: tables and the hyperscan database now come from the caches
        warm, warm_cpu = time.perf_counter() - t0, time.process_time() - c0
        builds[name] = (cold, cold_cpu, warm, warm_cpu)

    # Interleaved rounds, best of each: the machine is shared, so the baseline and every mode
    # are measured close together, by wall clock and by this process's CPU time.
    best: dict[str, list[float]] = {k: [float("inf"), float("inf")] for k in ["base", *lexicons]}
    for _ in range(args.repeat):
        for key, fn in [
            ("base", ac.find_matches_as_indexes),
            *((k, v.scan) for k, v in lexicons.items()),
        ]:
            data = fresh()
            gc.collect()
            t0, c0 = time.perf_counter(), time.process_time()
            fn(data)
            wall, cpu = time.perf_counter() - t0, time.process_time() - c0
            best[key] = [min(best[key][0], wall), min(best[key][1], cpu)]
    t_base, c_base = best["base"]
    base_mbs = size_mb / t_base

    rows: dict[str, Any] = {}
    for name, lex in lexicons.items():
        cold, cold_cpu, warm, warm_cpu = builds[name]
        t_scan, c_scan = best[name]
        hits = lex.scan(text)
        starts = [h.start for h in hits]
        want = [(s, e, k, kind) for s, e, k, kind in planted if name != "raw" or kind == "clean"]
        found = [p for p in want if _covered(p, hits, starts)]
        by_kind: dict[str, list[int]] = {}
        for p in want:
            by_kind.setdefault(p[3], [0, 0])[1] += 1
        for p in found:
            by_kind[p[3]][0] += 1
        rows[name] = {
            "matcher": lex.matcher_name,
            "build_s": round(cold, 3),
            "build_cpu_s": round(cold_cpu, 3),
            "build_cached_s": round(warm, 3),
            "build_cached_cpu_s": round(warm_cpu, 3),
            "scan_s": round(t_scan, 3),
            "scan_cpu_s": round(c_scan, 3),
            "mb_per_s": round(size_mb / t_scan, 1),
            "mb_per_cpu_s": round(size_mb / c_scan, 1),
            "ratio_to_raw_ahocorasick_rs": round(t_base / t_scan, 3),
            "ratio_to_raw_ahocorasick_rs_cpu": round(c_base / c_scan, 3),
            "hits": len(hits),
            "recall": round(len(found) / max(1, len(want)), 4),
            "recall_by_kind": {k: f"{a}/{b}" for k, (a, b) in sorted(by_kind.items())},
            "max_span": lex.max_span,
        }
        print(
            f"{name:16s} [{lex.matcher_name}] build {cold:.2f}s (cpu {cold_cpu:.2f}s, cached "
            f"{warm:.2f}s)  scan {size_mb / t_scan:6.1f} MB/s (cpu {size_mb / c_scan:6.1f})  "
            f"ratio {t_base / t_scan:.2f}× (cpu {c_base / c_scan:.2f}×) raw ahocorasick-rs  "
            f"recall {len(found)}/{len(want)}  {rows[name]['recall_by_kind']}"
        )

    # Naive per-step Python normalization, measured on a slice (it is the slow reference).
    sl = text[: max(1, len(text) // 10)]
    t_naive, _ = timed(naive_normalize, sl)
    naive_mbs = len(sl.encode()) / 1e6 / t_naive
    extra: dict[str, Any] = {"naive_python_normalize_mb_per_s": round(naive_mbs, 1)}
    try:
        import hyperscan

        pats = [k.keyword.encode() for k in kws]
        db = hyperscan.Database()
        t0 = time.perf_counter()
        db.compile(
            expressions=pats,
            ids=list(range(len(pats))),
            elements=len(pats),
            flags=[0] * len(pats),
            literal=True,
        )
        hs_build = time.perf_counter() - t0
        data = text.encode()
        t_hs, _ = timed(lambda: db.scan(data, match_event_handler=lambda *a: None))
        extra["hyperscan_raw_bytes_mb_per_s"] = round(size_mb / t_hs, 1)
        extra["hyperscan_build_s"] = round(hs_build, 2)
    except ImportError:
        extra["hyperscan_raw_bytes_mb_per_s"] = None
    print(
        f"baseline raw ahocorasick-rs {base_mbs:.1f} MB/s (cpu {size_mb / c_base:.1f}, "
        f"build {bt_raw:.2f}s); "
        f"naive Python normalization {naive_mbs:.1f} MB/s; "
        f"hyperscan raw bytes {extra.get('hyperscan_raw_bytes_mb_per_s')} MB/s"
    )
    result = {
        "issue": 3,
        "command": " ".join(["benchmarks/lexicon_bench.py", *sys.argv[1:]]),
        "machine": {"python": platform.python_version(), "platform": platform.platform()},
        "workload": {
            "keywords": len(kws),
            "text_mb": round(size_mb, 1),
            "planted": len(planted),
            "seed": args.seed,
        },
        "baseline_raw_ahocorasick_rs": {
            "mb_per_s": round(base_mbs, 1),
            "mb_per_cpu_s": round(size_mb / c_base, 1),
            "build_s": round(bt_raw, 3),
        },
        "load_average_1m": round(os.getloadavg()[0], 2),
        "cpu_count": os.cpu_count(),
        "modes": rows,
        "peak_rss_mb": round(rss_mb(), 1),
        "rss_before_build_mb": round(rss0, 1),
        **extra,
        "targets": {
            "full_ratio_ge_0.8": rows["full"]["ratio_to_raw_ahocorasick_rs"] >= 0.8,
            "full_ratio_ge_0.8_cpu": rows["full"]["ratio_to_raw_ahocorasick_rs_cpu"] >= 0.8,
            "raw_mode_ge_150_mb_per_s": rows["raw"]["mb_per_s"] >= 150,
            "raw_mode_ge_150_mb_per_cpu_s": rows["raw"]["mb_per_cpu_s"] >= 150,
            "build_20k_lt_1s": rows["full"]["build_s"] < 1.0,
            "build_20k_lt_1s_cpu": rows["full"]["build_cpu_s"] < 1.0,
            "build_20k_lt_1s_cached": rows["full"]["build_cached_s"] < 1.0,
            "build_20k_lt_1s_cached_cpu": rows["full"]["build_cached_cpu_s"] < 1.0,
            "build_20k_lt_1s_ahocorasick_cpu": rows.get("full_ahocorasick", rows["full"])[
                "build_cpu_s"
            ]
            < 1.0,
            "recall_100": rows["full"]["recall"] == 1.0 and rows["raw"]["recall"] == 1.0,
        },
    }
    shutil.rmtree(scratch, ignore_errors=True)
    result.update(_quality(args, text, kws))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", "utf-8")
    print(json.dumps(result["targets"]))


if __name__ == "__main__":
    main()
