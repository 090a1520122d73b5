"""What each name/address reading costs and what it finds: the default engine without it.

    flock /tmp/beian-bench.lock .venv/bin/python benchmarks/pii_tradeoffs.py --rounds 3

For each reading added to the default engine since 373c1fc, an engine without it (the
recognizer left out, or the reading switched off inside :class:`NameRecognizer` for this
process only) is timed on the ``pii_bench`` corpus-like text (CPU, best of ``--rounds``
rounds that visit the variants in turn) and scored on the development sets P1, P2-holdout …
P5-holdout (``pii_eval``'s overlap rule): the milliseconds per MB it costs and the entities
it finds (NAME and ADDRESS true positives and false alarms). A measurement of this commit's
internals, for deciding what the default engine runs; nothing here changes the engine.
"""

from __future__ import annotations

import argparse
import gc
import json
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, ExitStack, contextmanager
from pathlib import Path
from typing import Any
from unittest import mock

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.pii_bench import documents
from benchmarks.pii_eval import DEV_SETS, evaluate_set, read_set
from tests.support.pii_synth import generate_text

from beian.io import atomic_write_text
from beian.pii import PiiConfig, PiiEngine
from beian.pii._scan import ScanPlan
from beian.pii.recognizers import name as name_module

Patch = Callable[[], AbstractContextManager[Any]]


def _no_name_reading(*methods: str, bare: bool = False, lists: bool = False) -> Patch:
    """Switch off readings of :class:`NameRecognizer` (its methods return nothing)."""

    @contextmanager
    def patched() -> Iterator[None]:
        with ExitStack() as stack:
            for m in methods:
                stack.enter_context(mock.patch.object(name_module, m, lambda *a, **k: None))
            for off, attr in ((bare, "bare_names"), (lists, "list_members")):
                if off:
                    stack.enter_context(
                        mock.patch.object(name_module, attr, lambda *a, **k: iter(()))
                    )
            yield

    return patched


# Variant -> (recognizers left out, readings switched off).
VARIANTS: dict[str, tuple[tuple[str, ...], Patch | None]] = {
    "default engine": ((), None),
    "without bare names (name_bare)": ((), _no_name_reading(bare=True)),
    "without 老/小 + surname (_NICK)": ((), _no_name_reading("_nickname")),
    "without list members (name_list)": ((), _no_name_reading(lists=True)),
    "without name_minority": (("name_minority",), None),
    "without name_compound": (("name_compound",), None),
    "without name_dotted": (("name_dotted",), None),
    "without name_latin, address_latin": (("name_latin", "address_latin"), None),
    "without all of the above": (
        ("name_minority", "name_compound", "name_dotted", "name_latin", "address_latin"),
        _no_name_reading("_nickname", bare=True),
    ),
}


def engine_without(drop: tuple[str, ...]) -> PiiEngine:
    engine = PiiEngine(PiiConfig())
    keep = tuple(r for r in engine.recognizers if r.name not in drop)
    engine.recognizers = keep
    engine._bars = tuple(b for b in engine._bars if b[0] in keep)
    # The combined scan without the anchors of the recognizers left out (a reading switched
    # off inside NameRecognizer keeps its anchor: that part of its cost is not saved).
    engine._plan = ScanPlan.of(tuple(a for r in keep for a in r.anchors))
    return engine


def cpu_ms_per_mb(engine: PiiEngine, texts: list[str], mb: float) -> float:
    gc.collect()
    gc.freeze()
    try:
        c0 = time.process_time()
        for t in texts:
            engine.analyze(t)
        return (time.process_time() - c0) * 1000 / mb
    finally:
        gc.unfreeze()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--size-mb", type=float, default=2.0)
    ap.add_argument("--seed", type=int, default=20261128)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--output", type=Path)
    args = ap.parse_args(argv)
    texts = [
        d.text for d in documents(generate_text(args.seed, int(args.size_mb * 1e6), 0.1), 4000)
    ]
    mb = sum(len(t.encode("utf-8")) for t in texts) / 1e6
    items = [item for name in DEV_SETS for item in read_set(name)]
    best: dict[str, float] = {}
    for _ in range(args.rounds):
        for label, (drop, patch) in VARIANTS.items():
            engine = engine_without(drop)
            with patch() if patch else ExitStack():
                ms = cpu_ms_per_mb(engine, texts, mb)
            best[label] = min(best.get(label, ms), ms)
    rows: dict[str, Any] = {}
    base: dict[str, Any] = {}
    for label, (drop, patch) in VARIANTS.items():
        engine = engine_without(drop)
        with patch() if patch else ExitStack():
            tally, _ = evaluate_set(items, engine.analyze)
        row = {"ms_per_mb": round(best[label], 2)}
        for t in ("NAME", "ADDRESS"):
            row[t] = {
                "tp": tally.tp[t],
                "false_alarms": tally.pred[t] - tally.tp[t],
                "gold": tally.gold[t],
            }
        if not base:
            base = row
        row["saves_ms_per_mb"] = round(base["ms_per_mb"] - row["ms_per_mb"], 2)
        rows[label] = row
        print(
            f"{label:38s} {row['ms_per_mb']:6.2f} ms/MB (saves {row['saves_ms_per_mb']:5.2f})"
            f"  NAME tp {row['NAME']['tp']:4d} fa {row['NAME']['false_alarms']:3d}"
            f"  ADDRESS tp {row['ADDRESS']['tp']:4d} fa {row['ADDRESS']['false_alarms']:3d}",
            flush=True,
        )
    gold = base["NAME"]["gold"], base["ADDRESS"]["gold"]
    print(f"gold on {', '.join(DEV_SETS)}: NAME {gold[0]}, ADDRESS {gold[1]}; text {mb:.2f} MB")
    if args.output:
        result = {"size_mb": round(mb, 2), "sets": list(DEV_SETS), "variants": rows}
        atomic_write_text(args.output, json.dumps(result, ensure_ascii=False, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
