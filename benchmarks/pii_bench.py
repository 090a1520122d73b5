"""Throughput and accuracy of beian.pii against presidio-analyzer on generated Chinese text.

    .venv/bin/python benchmarks/pii_bench.py            # 20 MB, as the issue asks
    .venv/bin/python benchmarks/pii_bench.py --size-mb 2 --doc-kb 1

The text comes from ``beian.pii``'s seeded generator (valid values and near misses of every
type inside sentences, labelled). Presidio is configured as far as it goes without a spaCy
model (none can be downloaded here): its ``PatternRecognizer`` class, one per type, with regexes
equivalent to beian's (same character classes and the same edge checks, so digits glued to
Chinese are found), plus the validation Presidio ships for the analogous built-in types (Luhn
for cards, ``ipaddress`` for IPs). No NLP engine, so no context words; Presidio ships no
checksum for 身份证 or 统一社会信用代码. Overlaps of the same type are removed with Presidio's
own ``remove_duplicates``. Throughput counts the UTF-8 bytes analysed per second of process
CPU time (the machine is shared; wall time is printed too). Before each tool's timed run the
objects already alive (the labelled corpus, spaCy and Presidio's modules) are frozen out of the
garbage collector, the same for both tools, so that neither pays for full collections over the
harness's heap. Needs the ``bench`` extra.
"""

from __future__ import annotations

import argparse
import gc
import ipaddress
import json
import os
import platform
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the tests' text generator

from tests.support.pii_synth import Sample, evaluate, generate_text
from tests.support.pii_values import COMPOUND_SURNAMES, SINGLE_SURNAMES

from beian.io import atomic_write_text
from beian.pii import ENTITY_TYPES, STRUCTURED_TYPES, PiiEngine
from beian.pii.recognizers import (
    bank_card,
    id_card,
    passport,
    permit,
    phone,
    plate,
    uscc,
)
from beian.pii.recognizers.name import FORM_LABELS as PREFIX_WORDS
from beian.pii.recognizers.name import TITLES

RESULTS = Path(__file__).resolve().parent / "results" / "pii.json"
ROOT = Path(__file__).resolve().parents[1]
_SURNAME = "(?:" + "|".join(COMPOUND_SURNAMES) + f"|[{SINGLE_SURNAMES}])"
_HAN = r"[\u4e00-\u9fff]"


def presidio_patterns() -> dict[str, list[str]]:
    """Regexes equivalent to beian's recognizers, in the ``regex`` syntax Presidio uses."""
    return {
        "ID_CARD": [id_card.IdCardRecognizer.pattern.pattern],
        "MOBILE": [
            r"(?:(?<![0-9A-Za-z+])(?:\+86|0086|86)[ -]?|(?<![0-9A-Za-z]))"
            r"1[3-9]\d(?:[ -]?\d{4}){2}(?![0-9A-Za-z]|[ -]\d)"
        ],
        "PHONE": [phone.PhoneRecognizer.pattern.pattern],
        "BANK_CARD": [bank_card.BankCardRecognizer.pattern.pattern],
        "USCC": [uscc.UsccRecognizer.pattern.pattern],
        "PASSPORT": [passport.PassportRecognizer.pattern.pattern],
        "HK_MACAO_TW_PERMIT": [permit.PermitRecognizer.pattern.pattern],
        "PLATE": [plate.PlateRecognizer.pattern.pattern],
        "EMAIL": [
            r"(?<![A-Za-z0-9._%+-])[A-Za-z0-9][A-Za-z0-9._%+-]*@"
            r"(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,24}(?![A-Za-z0-9-])"
        ],
        "IP": [
            r"(?<![0-9A-Za-z.])(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}"
            r"(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(?![0-9A-Za-z]|\.\d)",
            r"(?<![0-9A-Fa-f:])(?:[0-9A-Fa-f]{1,4}|:)?(?::[0-9A-Fa-f]{0,4}){2,7}(?![0-9A-Za-z:])",
        ],
        "NAME": [
            rf"(?<=(?:{'|'.join(PREFIX_WORDS)})(?:[:：]\s*|是|为)?){_SURNAME}{_HAN}{{1,2}}",
            rf"{_SURNAME}{_HAN}{{1,2}}(?=(?:{'|'.join(TITLES)}))",
        ],
        # A generic administrative-suffix regex: an alternation of beian's 4,000 place names
        # (Presidio's deny_list) was tried and runs ten times slower still.
        "ADDRESS": [
            rf"(?:{_HAN}{{2,7}}?(?:省|自治区))?(?:{_HAN}{{2,9}}?(?:市|自治州|地区|盟))?"
            rf"(?:{_HAN}{{1,8}}?(?:区|县|旗))?{_HAN}{{1,10}}?(?:大道|大街|路|街|巷|弄|胡同|村)"
            r"\d{1,5}号(?:\d{1,3}(?:号楼|栋|幢|座))?(?:\d{1,2}单元)?(?:\d{1,5}室)?"
        ],
    }


def build_presidio() -> list[Any]:
    import regex
    from presidio_analyzer import Pattern, PatternRecognizer
    from stdnum import luhn

    class CardRecognizer(PatternRecognizer):  # Presidio's CreditCardRecognizer checks Luhn
        def validate_result(self, pattern_text: str) -> bool:
            digits = pattern_text.replace(" ", "").replace("-", "")
            return 16 <= len(digits) <= 19 and luhn.is_valid(digits)

    class IpRecognizer(PatternRecognizer):  # Presidio's IpRecognizer checks with ipaddress
        def invalidate_result(self, pattern_text: str) -> bool:
            try:
                ipaddress.ip_address(pattern_text)
            except ValueError:
                return True
            return False

    out = []
    for entity, regexes in presidio_patterns().items():
        cls = {"BANK_CARD": CardRecognizer, "IP": IpRecognizer}.get(entity, PatternRecognizer)
        patterns = [Pattern(f"{entity}_{i}", rx, 0.6) for i, rx in enumerate(regexes)]
        out.append(
            cls(
                supported_entity=entity,
                patterns=patterns,
                supported_language="zh",
                # Presidio's default flags, plus ASCII as beian uses (\d = [0-9], and faster).
                global_regex_flags=regex.DOTALL | regex.MULTILINE | regex.IGNORECASE | regex.ASCII,
            )
        )
    return out


def documents(samples: list[Sample], doc_bytes: int) -> list[Sample]:
    """Join paragraphs into documents of about ``doc_bytes`` (spans shifted)."""
    docs: list[Sample] = []
    texts: list[str] = []
    spans: list[tuple[str, int, int]] = []
    pos = size = 0
    for s in samples:
        texts.append(s.text)
        spans.extend((t, a + pos, b + pos) for t, a, b in s.spans)
        pos += len(s.text) + 1
        size += len(s.text.encode("utf-8")) + 1
        if size >= doc_bytes:
            docs.append(Sample("\n".join(texts), tuple(spans)))
            texts, spans, pos, size = [], [], 0, 0
    if texts:
        docs.append(Sample("\n".join(texts), tuple(spans)))
    return docs


def timed(fn: Any, docs: list[Sample], freeze: bool = True) -> tuple[list[Any], float, float]:
    # The harness's own objects (the labelled corpus, the modules both tools import) are moved
    # out of the garbage collector's reach first: otherwise whichever tool happens to trigger a
    # full collection pays for scanning them, which moved either figure by a third run to run.
    if freeze:
        gc.collect()
        gc.freeze()
    try:
        w0, c0 = time.perf_counter(), time.process_time()
        out = [fn(d.text) for d in docs]
        return out, time.process_time() - c0, time.perf_counter() - w0
    finally:
        gc.unfreeze()


def micro_f1(scores: Any) -> float:
    tp = sum(scores.tp.values())
    fp = sum(scores.fp.values())
    fn = sum(scores.fn.values())
    return round(2 * tp / (2 * tp + fp + fn), 4) if tp else 0.0


def run(label: str, size_mb: float, density: float, args: argparse.Namespace) -> dict[str, Any]:
    """Generate, analyse with both tools, score; print and return the figures."""
    t0 = time.perf_counter()
    docs = documents(generate_text(args.seed, int(size_mb * 1e6), density), int(args.doc_kb * 1000))
    mb = sum(len(d.text.encode("utf-8")) for d in docs) / 1e6
    print(
        f"\n== {label}: {mb:.1f} MB, {len(docs)} documents of ~{args.doc_kb:g} KB, "
        f"{density:.0%} of sentences with a value or near miss "
        f"(generated in {time.perf_counter() - t0:.1f} s)"
    )
    tools: dict[str, Any] = {}
    engine = PiiEngine()
    tools["beian"] = engine.analyze
    if not args.no_presidio:
        from presidio_analyzer import EntityRecognizer

        recognizers = build_presidio()

        def presidio(text: str) -> list[tuple[str, int, int]]:
            found = []
            for r in recognizers:
                found.extend(r.analyze(text, r.supported_entities))
            return [
                (x.entity_type, x.start, x.end) for x in EntityRecognizer.remove_duplicates(found)
            ]

        tools["presidio"] = presidio
    out: dict[str, Any] = {"size_mb": round(mb, 2), "documents": len(docs), "density": density}
    for name, fn in tools.items():
        for d in docs[:20]:  # warm up: division table, compiled patterns
            fn(d.text)
        preds, cpu, wall = timed(fn, docs, freeze=not args.no_gc_freeze)
        scores = evaluate(docs, preds)
        table = scores.table()
        out[name] = {
            "mb_per_s_cpu": round(mb / cpu, 2),
            "mb_per_s_wall": round(mb / wall, 2),
            "micro_f1": micro_f1(scores),
            "per_type": table,
        }
        print(
            f"{name:<9} {mb / cpu:8.2f} MB/s (CPU)  {mb / wall:8.2f} MB/s (wall)  micro-F1 {out[name]['micro_f1']:.4f}"
        )
    if "presidio" in out:
        out["speedup_cpu"] = round(
            out["beian"]["mb_per_s_cpu"] / out["presidio"]["mb_per_s_cpu"], 2
        )
        out["speedup_wall"] = round(
            out["beian"]["mb_per_s_wall"] / out["presidio"]["mb_per_s_wall"], 2
        )
        print(
            f"ratio     {out['speedup_cpu']:8.2f} x (CPU)     {out['speedup_wall']:8.2f} x (wall)"
        )
    head = f"{'type':<20}{'beian P':>9}{'beian R':>9}{'beian F1':>10}"
    if "presidio" in out:
        head += f"{'presidio P':>12}{'presidio R':>12}{'presidio F1':>13}"
    print(head)
    for t in ENTITY_TYPES:
        line = f"{t + ('*' if t in STRUCTURED_TYPES else ''):<20}"
        for name, w in (("beian", 9), ("presidio", 12)):
            if name in out:
                row = out[name]["per_type"].get(t, {})
                p, r, f = row.get("precision", 0), row.get("recall", 0), row.get("f1", 0)
                line += f"{p:{w}.4f}{r:{w}.4f}{f:{w + 1}.4f}"
        print(line)
    return out


def baseline_throughput(ref: str, docs_file: Path, repeats: int) -> float:
    """MB/s (CPU) of ``ref``'s engine on the same documents, in a child process that imports
    ``beian`` from ``git archive ref src`` (the recognizers as they are on that ref)."""
    with tempfile.TemporaryDirectory() as tmp:
        archive = subprocess.run(
            ["git", "-C", str(ROOT), "archive", ref, "src"], check=True, capture_output=True
        ).stdout
        archive_path = Path(tmp) / "src.tar"
        archive_path.write_bytes(archive)
        with tarfile.open(archive_path) as tar:
            tar.extractall(tmp, filter="data")
        return child_throughput(Path(tmp) / "src", docs_file, repeats)


def child_throughput(src: Path, docs_file: Path, repeats: int, *options: str) -> float:
    """MB/s (CPU) of the engine imported from ``src``, in a fresh child process: this tree's
    engine and the baseline's are measured the same way (the harness's heap, its generator
    and Presidio, would otherwise slow only this tree's figure)."""
    out = subprocess.run(
        [sys.executable, "-c", _CHILD, str(docs_file), str(repeats), *options],
        check=True,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(src)},
    ).stdout
    return float(out.split()[-1])


# The baseline's child process: only ``beian.pii.PiiEngine`` of the checked-out ref.
_CHILD = """
import gc, json, sys, time
from beian.pii import PiiEngine
texts = json.loads(open(sys.argv[1], encoding="utf-8").read())
mb = sum(len(t.encode("utf-8")) for t in texts) / 1e6
if "context_names" in sys.argv[3:]:
    from beian.pii import PiiConfig
    engine = PiiEngine(PiiConfig(context_names=True))
elif "fast_names" in sys.argv[3:]:
    from beian.pii import PiiConfig
    engine = PiiEngine(PiiConfig(fast_names=True))
else:
    engine = PiiEngine()
for t in texts[:20]:
    engine.analyze(t)
best = None
for _ in range(int(sys.argv[2])):
    gc.collect(); gc.freeze()
    c0 = time.process_time()
    for t in texts:
        engine.analyze(t)
    cpu = time.process_time() - c0
    gc.unfreeze()
    best = cpu if best is None else min(best, cpu)
print(mb / best)
"""


def compare_with(ref: str, size_mb: float, args: argparse.Namespace) -> dict[str, Any]:
    """Throughput of this tree's engine and of ``ref``'s on the same corpus-like text, in
    ``--repeats`` rounds that alternate the two (the machine is shared, its load varies): the
    median of each, the median of the rounds' ratios, and the best of each."""
    docs = documents(generate_text(args.seed, int(size_mb * 1e6), 0.1), int(args.doc_kb * 1000))
    texts = [d.text for d in docs]
    mb = sum(len(t.encode("utf-8")) for t in texts) / 1e6
    with tempfile.TemporaryDirectory() as tmp:
        docs_file = Path(tmp) / "docs.json"
        docs_file.write_text(json.dumps(texts, ensure_ascii=False), "utf-8")
        ours, context, theirs = [], [], []
        for _ in range(args.repeats):
            ours.append(child_throughput(ROOT / "src", docs_file, 1))
            context.append(child_throughput(ROOT / "src", docs_file, 1, "context_names"))
            theirs.append(baseline_throughput(ref, docs_file, 1))
    med = statistics.median
    out = {
        "size_mb": round(mb, 2),
        "baseline_ref": ref,
        "repeats": args.repeats,
        "mb_per_s_cpu": round(med(ours), 2),
        "context_names_mb_per_s_cpu": round(med(context), 2),
        "baseline_mb_per_s_cpu": round(med(theirs), 2),
        "ratio": round(med([a / b for a, b in zip(ours, theirs, strict=True)]), 3),
        "context_names_ratio": round(med([a / b for a, b in zip(context, theirs, strict=True)]), 3),
        "best_ratio": round(max(ours) / max(theirs), 3),
        "rounds": {
            "default": [round(x, 2) for x in ours],
            "context_names": [round(x, 2) for x in context],
            "baseline": [round(x, 2) for x in theirs],
        },
    }
    print(
        f"\n== throughput against {ref} (same text, {mb:.1f} MB, median of {args.repeats}): "
        f"{out['mb_per_s_cpu']} vs {out['baseline_mb_per_s_cpu']} MB/s (CPU), "
        f"ratio {out['ratio']:.3f} (best against best {out['best_ratio']:.3f}); "
        f"with pii.context_names: {out['context_names_mb_per_s_cpu']} MB/s, "
        f"ratio {out['context_names_ratio']:.3f}"
    )
    return out


def independent(sets: list[str]) -> dict[str, Any]:
    """The independent evaluation set's figures (``pii_eval.py``): per type, overlap and exact;
    for the default engine and with ``pii.context_names: true``."""
    from benchmarks.pii_eval import evaluate_set, print_table, read_set, summary

    from beian.pii import PiiConfig

    out: dict[str, Any] = {}
    for name in sets:
        items = read_set(name)
        for context in (False, True):
            engine = PiiEngine(PiiConfig(context_names=context))
            tally, _ = evaluate_set(items, engine.analyze)
            per_type = tally.figures()
            key = f"{name} context_names" if context else name
            print(f"\n== independent set {key}: {len(items)} texts")
            print_table(per_type)
            out[key] = {
                "texts": len(items),
                "per_type": per_type,
                "structured": summary(tally, STRUCTURED_TYPES),
            }
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--size-mb", type=float, default=20.0, help="corpus-like text size (MB)")
    ap.add_argument("--density", type=float, default=0.1, help="share of sentences with a value")
    ap.add_argument("--dense-mb", type=float, default=2.0, help="dense text size (MB); 0 skips")
    ap.add_argument("--doc-kb", type=float, default=4.0, help="document size per call (KB)")
    ap.add_argument("--seed", type=int, default=20261128)
    ap.add_argument("--no-presidio", action="store_true", help="beian only")
    ap.add_argument(
        "--no-gc-freeze", action="store_true", help="time with the harness's objects in the GC"
    )
    ap.add_argument("--output", type=Path, default=RESULTS)
    ap.add_argument("--baseline", default="main", help="git ref whose engine is the baseline")
    ap.add_argument("--baseline-mb", type=float, default=5.0, help="text for the baseline (MB)")
    ap.add_argument(
        "--repeats", type=int, default=5, help="alternating rounds against the baseline"
    )
    ap.add_argument(
        "--sets",
        default="P1",
        help="independent sets to score (P1, P2-holdout … P7-holdout: development; P8-holdout: held back, once per change)",
    )
    args = ap.parse_args(argv)

    result: dict[str, Any] = {
        "python": platform.python_version(),
        "machine": f"{platform.machine()}, {os.cpu_count()} CPUs (shared)",
        "seed": args.seed,
        "doc_kb": args.doc_kb,
        "gc_freeze": not args.no_gc_freeze,
        "command": "benchmarks/pii_bench.py "
        + " ".join(argv if argv is not None else sys.argv[1:]),
        "corpus": run("corpus-like text", args.size_mb, args.density, args),
    }
    if args.dense_mb > 0:
        result["dense"] = run("dense text (worst case)", args.dense_mb, 0.7, args)
    if args.baseline:
        result["throughput_vs_baseline"] = compare_with(args.baseline, args.baseline_mb, args)
    result["independent"] = independent([s for s in args.sets.split(",") if s])
    print("\n* structured identifiers (target >= 0.99 precision and recall)")
    atomic_write_text(args.output, json.dumps(result, ensure_ascii=False, indent=2) + "\n")
    print(f"written {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
