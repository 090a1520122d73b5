"""Quality and regression parts of the lexicon benchmark (issue 23), run by lexicon_bench.py.

* false positives on the clean corpus of ``lexicon_corpus.py``: the demo library and a library
  of 10,000 real phrases (pypinyin's phrase table, seeded sample). A hit counts as a false
  positive when an evasion rule made it (pinyin, initials, homophone, 拆字, look-alike): the
  corpus is clean, and the phrase itself is not what the text says;
* development figures on the evasion tables of ``tests/lexicon/evasion`` (written with the code:
  development figures, not an independent evaluation), per kind with Wilson intervals;
* old-versus-new throughput: the same workload scanned by this checkout and by another source
  tree (main's HEAD in a temporary git worktree), in alternating subprocesses.
"""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

from beian.assess import wilson_interval
from beian.lexicon import KeywordEntry, Lexicon, LexiconConfig

ROOT = Path(__file__).resolve().parent
EVASION_RULES = frozenset({"pinyin", "initials", "homophone", "chaizi", "lookalike", "leet"})
DEMO = ROOT.parent / "src" / "beian" / "dossier" / "data" / "example" / "lexicon.csv"


def phrase_library(n: int, seed: int) -> list[KeywordEntry]:
    """``n`` distinct phrases of 2–6 characters from pypinyin's phrase table (MIT)."""
    from pypinyin.phrases_dict import phrases_dict

    words = sorted(w for w in phrases_dict if 2 <= len(w) <= 6)
    rng = random.Random(seed)
    risks = [f"A1{c}" for c in "abcdefgh"] + [f"A2{c}" for c in "abcdefghi"]
    return [KeywordEntry(w, risks[i % len(risks)]) for i, w in enumerate(rng.sample(words, n))]


def _fp_row(lex: Lexicon, text: str, mb: float) -> dict[str, Any]:
    t0 = time.perf_counter()
    hits = lex.scan(text)
    took = time.perf_counter() - t0
    by_rule: Counter[str] = Counter()
    examples: dict[str, list[str]] = {}
    fp = 0
    for h in hits:
        rules = EVASION_RULES.intersection(h.rules)
        if not rules:
            continue
        fp += 1
        for r in rules:
            by_rule[r] += 1
            ex = examples.setdefault(r, [])
            if len(ex) < 8:
                ex.append(f"{h.text!r}→{h.keyword}")
    return {
        "keywords": len(lex),
        "hits": len(hits),
        "false_positives": fp,
        "false_positives_per_mb": round(fp / mb, 3),
        "by_rule": dict(sorted(by_rule.items())),
        "examples": examples,
        "scan_mb_per_s": round(mb / took, 1),
    }


def false_positives(corpus: Path, keywords: int, seed: int) -> dict[str, Any]:
    text = corpus.read_text("utf-8")
    mb = len(text.encode()) / 1e6
    meta_path = corpus.with_suffix(".json")
    meta = json.loads(meta_path.read_text("utf-8")) if meta_path.is_file() else {}
    big = phrase_library(keywords, seed)
    libs = {
        "demo_library": Lexicon.load([DEMO]),
        "demo_library_homophones_all": Lexicon.load([DEMO], LexiconConfig(homophones_all=True)),
        f"phrases_{keywords}": Lexicon.from_entries(big),
        f"phrases_{keywords}_homophones_all": Lexicon.from_entries(
            big, LexiconConfig(homophones_all=True)
        ),
    }
    rows = {}
    for name, lex in libs.items():
        rows[name] = _fp_row(lex.compile(), text, mb)
        print(f"FP {name}: {rows[name]['false_positives_per_mb']}/MB {rows[name]['by_rule']}")
    return {"corpus": str(corpus), "corpus_mb": round(mb, 1), "corpus_parts": meta, **rows}


def dev_figures() -> dict[str, Any]:
    sys.path.insert(0, str(ROOT.parent))
    from tests.lexicon.evasion._support import KINDS, found, rows

    out: dict[str, Any] = {}
    for kind in KINDS:
        pos = [r for r in rows(kind) if r.keyword != "-"]
        neg = [r for r in rows(kind) if r.keyword == "-"]
        k = sum(found(r) for r in pos)
        lo, hi = wilson_interval(k, len(pos))
        out[kind] = {
            "recall": f"{k}/{len(pos)}",
            "recall_wilson_95": [round(lo, 3), round(hi, 3)],
            "clean_texts_without_hit": f"{sum(found(r) for r in neg)}/{len(neg)}",
            "missed": [r.text for r in pos if not found(r)],
        }
    return out


# -- old versus new throughput ---------------------------------------------------------------


def _worker(folder: Path) -> None:
    """Child process: build the default lexicon from ``folder`` and time its scans."""
    spec = json.loads((folder / "keywords.json").read_text("utf-8"))
    text = (folder / "text.txt").read_text("utf-8")
    kws = [KeywordEntry(k, r, frozenset(m)) for k, r, m in spec["keywords"]]
    t0 = time.perf_counter()
    lex = Lexicon.from_entries(kws, LexiconConfig()).compile()
    build = time.perf_counter() - t0
    best, best_cpu = float("inf"), float("inf")
    for _ in range(spec["rounds"]):
        data = "".join([text[:1], text[1:]])
        t0, c0 = time.perf_counter(), time.process_time()
        lex.scan(data)
        best = min(best, time.perf_counter() - t0)
        best_cpu = min(best_cpu, time.process_time() - c0)
    print(json.dumps({"scan_s": best, "scan_cpu_s": best_cpu, "build_s": build}))


def run_worker(src: Path, folder: Path, cache: Path) -> dict[str, float]:
    """One ``--worker`` run in a fresh process on the source tree ``src``: its timings."""
    env = {**os.environ, "PYTHONPATH": str(src), "BEIAN_CACHE_DIR": str(cache)}
    out = subprocess.run(
        [sys.executable, __file__, "--worker", str(folder)],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    result: dict[str, float] = json.loads(out.strip().splitlines()[-1])
    return result


def compare(
    old_src: Path, text: str, kws: list[KeywordEntry], repeat: int, rounds: int = 2
) -> dict[str, Any]:
    """Best scan time of the default configuration, this tree against ``old_src``."""
    new_src = ROOT.parent / "src"
    mb = len(text.encode()) / 1e6
    best: dict[str, list[float]] = {"old": [1e9, 1e9, 0.0], "new": [1e9, 1e9, 0.0]}
    with tempfile.TemporaryDirectory(prefix="lexcmp-") as tmp:
        folder = Path(tmp)
        (folder / "text.txt").write_text(text, "utf-8")
        spec = {"keywords": [(k.keyword, k.risk, sorted(k.modes)) for k in kws], "rounds": rounds}
        (folder / "keywords.json").write_text(json.dumps(spec, ensure_ascii=False), "utf-8")
        for _ in range(repeat):
            for name, src in (("old", old_src), ("new", new_src)):
                r = run_worker(src, folder, folder / f"cache-{name}")
                b = best[name]
                best[name] = [min(b[0], r["scan_s"]), min(b[1], r["scan_cpu_s"]), r["build_s"]]
    row = {
        name: {
            "mb_per_s": round(mb / v[0], 1),
            "mb_per_cpu_s": round(mb / v[1], 1),
            "build_cached_s": round(v[2], 2),
        }
        for name, v in best.items()
    }
    row["new_over_old"] = round(best["old"][0] / best["new"][0], 3)
    row["new_over_old_cpu"] = round(best["old"][1] / best["new"][1], 3)
    row["old_src"] = str(old_src)
    row["text_mb"] = round(mb, 1)
    print(f"old vs new: {row}")
    return row


def _main() -> None:
    import argparse

    ap = argparse.ArgumentParser(
        description="The worker of lexicon_bench.py's old-versus-new comparison (started by it)."
    )
    ap.add_argument("--worker", type=Path, required=True, help="folder holding the workload")
    _worker(ap.parse_args().worker)


if __name__ == "__main__":
    _main()
