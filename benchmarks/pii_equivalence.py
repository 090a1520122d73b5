"""Proof that a change to the PII engine changed no result: this tree's entities against a ref's.

    .venv/bin/python benchmarks/pii_equivalence.py                 # against main
    .venv/bin/python benchmarks/pii_equivalence.py --before 373c1fc --size-mb 1
    .venv/bin/python benchmarks/pii_equivalence.py --tagger        # the tagger's code too
    .venv/bin/python benchmarks/pii_equivalence.py --before 3d48c97 --modes fast_names=default

For every text of the development sets of ``pii_eval`` (``DEV_SETS``: P1, P2-holdout …
P9-holdout; never the held-back set) and of the ``pii_bench`` generated text (corpus-like and dense, as whole
documents and as single sentences), the default engine and the one with ``pii.context_names:
true`` of ``--before`` (its ``src`` taken with ``git archive``) and of this tree each run in a
fresh child process, and every entity (type, start, end, text, score, recognizer, reason) must
be the same. With ``--tagger`` the two engines with ``pii.tagger: true`` are compared as well,
both with this tree's tagger artefact (copied into the ref's ``src``): a change to the tagger's
code is checked apart from a retrained model. Prints the first differences and exits 1 when
there are any, 0 when none.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.pii_bench import ROOT, documents
from benchmarks.pii_eval import DEV_SETS, read_set
from tests.support.pii_synth import generate_text

TAGGER_FILES = ("pii_tagger.safetensors", "pii_tagger.json")

# The child: entities of every text, default engine and context_names, one JSON line per text.
_CHILD = """
import json, sys
from beian.pii import PiiConfig, PiiEngine
texts = json.loads(open(sys.argv[1], encoding="utf-8").read())
mode = sys.argv[3].split("+")
engine = PiiEngine(PiiConfig(**{k: True for k in ("context_names", "tagger", "fast_names") if k in mode}))
with open(sys.argv[2], "w", encoding="utf-8") as out:
    for t in texts:
        row = [[e.type, e.start, e.end, e.text, e.score, e.recognizer, e.reason]
               for e in engine.analyze(t)]
        out.write(json.dumps(row, ensure_ascii=False) + "\\n")
"""


def corpus(size_mb: float, dense_mb: float, seed: int) -> dict[str, list[str]]:
    """The texts compared, by source."""
    out = {name: [item.text for item in read_set(name)] for name in DEV_SETS}
    for label, mb, density in (("generated", size_mb, 0.1), ("generated-dense", dense_mb, 0.7)):
        if mb <= 0:
            continue
        samples = generate_text(seed, int(mb * 1e6), density)
        out[label] = [d.text for d in documents(samples, 4000)]
        out[f"{label} sentences"] = [s.text for s in samples]
    return out


def extract(ref: str, into: Path) -> Path:
    """``ref``'s ``src`` under ``into`` (``git archive``)."""
    try:
        archive = subprocess.run(
            ["git", "-C", str(ROOT), "archive", ref, "src"], check=True, capture_output=True
        ).stdout
    except subprocess.CalledProcessError as exc:
        raise SystemExit(
            f"错误：无法取出提交 {ref!r} 的 src（git archive 失败：{exc.stderr.decode().strip()}）；"
            "请用 --before 指定存在的提交"
        ) from exc
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(into, filter="data")
    return into / "src"


def entities(src: Path, texts_file: Path, out_file: Path, mode: str) -> list[str]:
    """One JSON line of entities per text, from the engine imported from ``src``."""
    subprocess.run(
        [sys.executable, "-c", _CHILD, str(texts_file), str(out_file), mode],
        check=True,
        env={"PYTHONPATH": str(src), "PATH": "/usr/bin:/bin"},
    )
    return out_file.read_text("utf-8").splitlines()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--before", default="main", help="git ref whose results are the reference")
    ap.add_argument("--size-mb", type=float, default=2.0, help="corpus-like generated text (MB)")
    ap.add_argument("--dense-mb", type=float, default=0.5, help="dense generated text (MB)")
    ap.add_argument("--seed", type=int, default=20261128)
    ap.add_argument("--show", type=int, default=10, help="differences to print")
    ap.add_argument(
        "--tagger", action="store_true", help="also pii.tagger: true (this tree's model in both)"
    )
    ap.add_argument(
        "--modes",
        help="comma-separated modes to compare instead (default, context_names, tagger, "
        "context_names+tagger, fast_names): a change meant to alter one mode is checked on the "
        "others; AFTER=BEFORE compares this tree in one mode with the ref in another "
        "(fast_names=default)",
    )
    args = ap.parse_args(argv)
    modes = ["default", "context_names"]
    if args.tagger:
        modes += ["tagger", "context_names+tagger"]
    if args.modes:
        modes = args.modes.split(",")
        args.tagger = args.tagger or any("tagger" in m for m in modes)
    texts = corpus(args.size_mb, args.dense_mb, args.seed)
    flat = [t for ts in texts.values() for t in ts]
    sources = [name for name, ts in texts.items() for _ in ts]
    differ = 0
    summary: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        texts_file = tmp / "texts.json"
        texts_file.write_text(json.dumps(flat, ensure_ascii=False), "utf-8")
        before_src = extract(args.before, tmp / "before")
        if args.tagger:
            for name in TAGGER_FILES:
                model = Path("beian") / "pii" / "data" / name
                (before_src / model).write_bytes((ROOT / "src" / model).read_bytes())
        for mode in modes:
            # AFTER=BEFORE: this tree's engine in one mode against the ref's in another
            after_mode, _, before_mode = mode.partition("=")
            before = entities(
                before_src, texts_file, tmp / f"before-{mode}.jsonl", before_mode or after_mode
            )
            after = entities(ROOT / "src", texts_file, tmp / f"after-{mode}.jsonl", after_mode)
            bad = [i for i, (a, b) in enumerate(zip(before, after, strict=True)) if a != b]
            differ += len(bad)
            summary[mode] = {
                "texts": len(flat),
                "entities": sum(len(json.loads(line)) for line in after),
                "differing_texts": len(bad),
                "sha256": hashlib.sha256("\n".join(after).encode()).hexdigest()[:16],
            }
            for i in bad[: args.show]:
                print(f"[{mode}] {sources[i]} #{i}: {flat[i][:80]!r}")
                print(f"  before {before[i]}")
                print(f"  after  {after[i]}")
    sizes = ", ".join(f"{name} {len(ts)}" for name, ts in texts.items())
    print(f"texts: {sizes}")
    for mode, s in summary.items():
        print(
            f"{mode}: {s['texts']} texts, {s['entities']} entities, "
            f"{s['differing_texts']} differ from {args.before} (sha256 {s['sha256']})"
        )
    if differ:
        print(f"不一致：{differ} 个文本的识别结果与 {args.before} 不同", file=sys.stderr)
        return 1
    print(f"identical to {args.before}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
