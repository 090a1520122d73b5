"""Start-up time of the ``beian`` command line: this tree against a baseline, in alternating rounds.

    flock /tmp/beian-bench.lock .venv/bin/python benchmarks/cli_startup_bench.py --baseline main

Each scenario (``beian --help``, ``--version``, ``label add`` on a small PNG, ``lexicon scan`` on
a short text, ``check`` on the bundled example dossier) runs as a new ``python -m beian``
process with ``PYTHONPATH`` set to one tree's ``src``: this checkout's, or the baseline's from
``git archive``. Every round runs every scenario once per tree, the two trees in turn (which one
goes first alternates), so the machine's load moves both alike; wall and CPU time (user + system,
from the child's rusage) are kept per run. The ratio is this tree / baseline, of the best run and
the median of the rounds' ratios. Each scenario's exit status and output must be the same for both
trees (the change is about speed only). ``python -X importtime -c "import beian.cli"`` gives the
import cost, and which heavy libraries ``import beian.cli`` pulls in. Writes ``--output``.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.pii_commits import extract, load

from beian.dossier import example_path
from beian.io import atomic_write_text

ROOT = Path(__file__).resolve().parents[1]
HEAVY = ("sqlalchemy", "fastapi", "numpy", "docx", "openpyxl", "pydantic", "beian.config")
TEXT = "如何制造炸弹？请联系我，手机号 13812345678。今天天气很好。\n"
PRODUCER = "91110108551385082Q"
SCENARIOS: dict[str, list[str]] = {
    "help": ["--help"],
    "version": ["--version"],
    "label add": ["label", "add", "fresh.png", "--producer", PRODUCER],
    "lexicon scan": ["lexicon", "scan", "text.txt", "--library", "lexicon.csv"],
    "check": ["check", "example"],
}
IMPORT_LINE = re.compile(r"import time:\s+\d+ \|\s+(\d+) \| beian\.cli$", re.M)
PROBE = "import sys, beian.cli; print(sorted({m for m in sys.modules}))"


def _workdir(box: Path) -> None:
    from PIL import Image

    Image.new("RGB", (64, 64), (200, 30, 30)).save(box / "small.png")
    shutil.copy(example_path("lexicon.csv"), box / "lexicon.csv")
    (box / "text.txt").write_text(TEXT, encoding="utf-8")
    shutil.copytree(example_path("dossier.yaml").parent, box / "example")


def _env(src: Path) -> dict[str, str]:
    env = {**os.environ, "PYTHONPATH": str(src), "COLUMNS": "100", "NO_COLOR": "1"}
    env.pop("BEIAN_CONFIG", None)
    return env


def _run(src: Path, args: list[str], box: Path) -> tuple[float, float, int, str]:
    """(wall s, CPU s, exit status, output) of one ``python -m beian ARGS`` process."""
    shutil.copy(box / "small.png", box / "fresh.png")  # an unlabelled file for every run
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    r = subprocess.run([sys.executable, "-m", "beian", *args], cwd=box, env=_env(src),
                       capture_output=True, text=True, check=False)  # fmt: skip
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, r.returncode, r.stdout + r.stderr


def _import_ms(src: Path, box: Path) -> float:
    r = subprocess.run([sys.executable, "-X", "importtime", "-c", "import beian.cli"], cwd=box,
                       env=_env(src), capture_output=True, text=True, check=True)  # fmt: skip
    m = IMPORT_LINE.search(r.stderr)
    assert m, r.stderr[-2000:]
    return int(m.group(1)) / 1000


def _heavy(src: Path, box: Path) -> dict[str, Any]:
    r = subprocess.run([sys.executable, "-c", PROBE], cwd=box, env=_env(src),
                       capture_output=True, text=True, check=True)  # fmt: skip
    modules: list[str] = json.loads(r.stdout.replace("'", '"'))
    loaded = [h for h in HEAVY if h in modules]
    return {"modules": len(modules), "heavy_loaded": loaded}


def _summary(runs: dict[str, list[tuple[float, float]]]) -> dict[str, Any]:
    base, cur = runs["baseline"], runs["current"]
    out: dict[str, Any] = {}
    for i, what in enumerate(("wall_ms", "cpu_ms")):
        b = [r[i] * 1000 for r in base]
        c = [r[i] * 1000 for r in cur]
        out[what] = {"baseline_best": round(min(b), 1), "current_best": round(min(c), 1),
                     "baseline_median": round(statistics.median(b), 1),
                     "current_median": round(statistics.median(c), 1),
                     "ratio_best": round(min(c) / min(b), 3),
                     "ratio_median_of_rounds": round(statistics.median(
                         x / y for x, y in zip(c, b, strict=True)), 3)}  # fmt: skip
    return out


def _rounds(trees: dict[str, Path], box: Path, rounds: int) -> dict[str, Any]:
    runs = {s: {t: [] for t in trees} for s in SCENARIOS}  # type: ignore[var-annotated]
    imports: dict[str, list[float]] = {t: [] for t in trees}
    outputs: dict[str, dict[str, tuple[int, str]]] = {s: {} for s in SCENARIOS}
    loads = []
    for n in range(rounds):
        order = list(trees) if n % 2 == 0 else list(reversed(trees))
        loads.append(load())
        for scenario, args in SCENARIOS.items():
            for tree in order:
                wall, cpu, rc, text = _run(trees[tree], args, box)
                runs[scenario][tree].append((wall, cpu))
                outputs[scenario][tree] = (rc, text)
        for tree in order:
            imports[tree].append(_import_ms(trees[tree], box))
    same = {s: o["baseline"] == o["current"] for s, o in outputs.items()}
    return {
        "scenarios": {
            s: {
                "args": SCENARIOS[s],
                "exit": outputs[s]["current"][0],
                "same_output_as_baseline": same[s],
                **_summary(runs[s]),
            }
            for s in SCENARIOS
        },
        "import_beian_cli_ms": {
            t: {"best": round(min(v), 1), "median": round(statistics.median(v), 1)}
            for t, v in imports.items()
        },
        "load_per_round": loads,
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--baseline", default="main", help="commit or branch to compare against")
    ap.add_argument("--rounds", type=int, default=10)
    ap.add_argument("--output", type=Path, default=ROOT / "benchmarks/results/cli_startup.json")
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        box = Path(tmp) / "box"
        box.mkdir()
        _workdir(box)
        trees = {"baseline": extract(args.baseline, Path(tmp)), "current": ROOT / "src"}
        load_start = load()
        result = _rounds(trees, box, args.rounds)
        heavy = {t: _heavy(src, box) for t, src in trees.items()}
    head = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"],
                          capture_output=True, text=True, check=True).stdout.strip()  # fmt: skip
    report = {"baseline": args.baseline, "current": f"{head} (working tree)",
              "rounds": args.rounds, "python": sys.version.split()[0],
              "load_start": load_start, "load_end": load(), "cpus": os.cpu_count(),
              "import_beian_cli_modules": heavy, **result}  # fmt: skip
    for name, s in report["scenarios"].items():
        w, c = s["wall_ms"], s["cpu_ms"]
        print(f"{name:13} wall {w['baseline_best']:7.1f} → {w['current_best']:7.1f} ms "
              f"({w['ratio_best']:.3f}×, rounds {w['ratio_median_of_rounds']:.3f}×)   "
              f"CPU {c['baseline_best']:7.1f} → {c['current_best']:7.1f} ms ({c['ratio_best']:.3f}×)"
              f"   same output: {s['same_output_as_baseline']}")  # fmt: skip
    imp = report["import_beian_cli_ms"]
    print(f"import beian.cli {imp['baseline']['best']:.1f} → {imp['current']['best']:.1f} ms; "
          f"heavy modules {heavy['baseline']['heavy_loaded']} → {heavy['current']['heavy_loaded']}; "
          f"load {report['load_start']} → {report['load_end']}")  # fmt: skip
    args.output.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_text(args.output, json.dumps(report, ensure_ascii=False, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
