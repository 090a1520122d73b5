"""Every hit of the keyword library on fixed inputs, one JSON line per input, to compare two
trees' outputs byte for byte (issue 23: a speed-up must not change any match).

Inputs: the development sets LX1–LX9 (``benchmarks/data/lexicon_eval`` … ``lexicon_eval9``;
never the held-back LX10) under six configurations, each text alone (``scan``, ``scan`` with
``overlapping``, ``scan_stream``), the texts joined into long ones (the numpy normalizer) and
prefixes of a joined text as a stream sees them; the synthetic workload of ``lexicon_bench.py``
(20,000 keywords, 10 MB, default and raw configuration); and, when given, a clean corpus of
``lexicon_corpus.py`` with the demo library and 10,000 phrases (whole and in short pieces)::

    PYTHONPATH=OLD/src python benchmarks/lexicon_same_hits.py --out /tmp/before.jsonl --corpus C
    PYTHONPATH=src python benchmarks/lexicon_same_hits.py --out /tmp/after.jsonl --corpus C
    cmp /tmp/before.jsonl /tmp/after.jsonl
"""

from __future__ import annotations

import argparse
import json
import random
from pathlib import Path
from typing import Any, TextIO

from beian.lexicon import Hit, KeywordEntry, Lexicon, LexiconConfig

ROOT = Path(__file__).resolve().parent
SETS = ("lexicon_eval", *(f"lexicon_eval{i}" for i in range(2, 10)))  # LX10 is held back
CONFIGS: dict[str, tuple[frozenset[str], dict[str, Any]]] = {
    "default": (frozenset(), {}),
    "modes": (frozenset({"pinyin", "homophone"}), {}),
    "hall": (frozenset(), {"homophones_all": True}),
    "hall_near": (frozenset(), {"homophones_all": True, "homophones_near": True}),
    "two": (frozenset(), {"lookalike_two": True, "initials_two": True, "pinyin_two": True}),
    "overl": (frozenset(), {"match": "overlapping", "cross_lines": True}),
}


def _rows(hits: list[Hit]) -> list[list[Any]]:
    return [[h.start, h.end, h.text, h.keyword, h.risk, list(h.rules)] for h in hits]


def _emit(out: TextIO, tag: str, obj: Any) -> None:
    out.write(json.dumps([tag, obj], ensure_ascii=False) + "\n")


def dev_sets(out: TextIO) -> None:
    for name in SETS:
        folder = ROOT / "data" / name
        words = [w.strip() for w in (folder / "keywords.txt").read_text("utf-8").splitlines()]
        lines = (folder / "evasion.jsonl").read_text("utf-8").splitlines()
        texts = [json.loads(line)["text"] for line in lines if line.strip()]
        for cname, (modes, kw) in CONFIGS.items():
            entries = [KeywordEntry(w, "A1-1", modes) for w in words if w]
            lex = Lexicon.from_entries(entries, LexiconConfig(**kw))
            for i, t in enumerate(texts):
                _emit(
                    out,
                    f"{name}/{cname}/{i}",
                    [_rows(lex.scan(t)), _rows(lex.scan(t, overlapping=True))],
                )
                hits, tail = lex.scan_stream(t)
                _emit(out, f"{name}/{cname}/{i}/stream", [_rows(hits), tail])
            for sep in ["\n", "", "。", " "]:
                long = sep.join(texts)
                both = [_rows(lex.scan(long)), _rows(lex.scan(long, overlapping=True))]
                _emit(out, f"{name}/{cname}/long{sep!r}", both)
            long = "\n".join(texts[:60])
            for cut in range(0, len(long), 37):
                hits, tail = lex.scan_stream(long[:cut])
                _emit(out, f"{name}/{cname}/streamcut{cut}", [_rows(hits), tail])
        print(name, flush=True)


def bench_corpus(out: TextIO) -> None:
    import lexicon_bench as bench

    rng = random.Random(20240229)
    chars = bench._chars(rng)
    kws = bench.make_keywords(rng, 20000, chars)
    text, _ = bench.make_text(rng, 10, chars, kws, 1000)
    lex = Lexicon.from_entries(kws, LexiconConfig()).compile()
    _emit(out, "bench/default", _rows(lex.scan(text)))
    _emit(out, "bench/default/overlap", _rows(lex.scan(text, overlapping=True)))
    _emit(out, "bench/raw", _rows(Lexicon.from_entries(kws, bench.RAW_CONFIG).scan(text)))
    print("bench", flush=True)


def clean_corpus(out: TextIO, corpus: Path) -> None:
    import lexicon_quality as q

    text = corpus.read_text("utf-8")
    _emit(out, "corpus/demo", _rows(Lexicon.load([q.DEMO]).scan(text, overlapping=True)))
    big = q.phrase_library(10000, 20240229)
    for name, cfg in [("phr", LexiconConfig()), ("phr_hall", LexiconConfig(homophones_all=True))]:
        lex = Lexicon.from_entries(big, cfg).compile()
        _emit(out, f"corpus/{name}", _rows(lex.scan(text, overlapping=True)))
        for k in range(0, 200000, 997):  # short pieces: the per-character normalizer
            _emit(
                out, f"corpus/{name}/piece{k}", _rows(lex.scan(text[k : k + 40], overlapping=True))
            )
    print("corpus", flush=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--out", type=Path, required=True, help="the JSON lines to write")
    ap.add_argument("--corpus", type=Path, help="a clean corpus of lexicon_corpus.py (optional)")
    args = ap.parse_args()
    with args.out.open("w", encoding="utf-8") as out:
        dev_sets(out)
        bench_corpus(out)
        if args.corpus is not None:
            clean_corpus(out, args.corpus)


if __name__ == "__main__":
    main()
