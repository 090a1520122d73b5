"""Every script in ``benchmarks/`` starts where the benchmarks are documented to run.

``scripts/test`` and ``scripts/bench`` install the ``bench`` extra; a script importing a package
that no documented command installs (as ``corpus_bench.py`` once did with psutil) fails here.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SCRIPTS = sorted(p.name for p in (ROOT / "benchmarks").glob("*.py"))


def test_the_benchmarks_are_found() -> None:
    assert {"corpus_bench.py", "pii_bench.py", "judge_eval.py"} <= set(SCRIPTS)


@pytest.mark.parametrize("name", SCRIPTS)
def test_benchmark_script_starts(name: str) -> None:
    path = ROOT / "benchmarks" / name
    r = subprocess.run(
        [sys.executable, str(path), "--help"],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert r.returncode == 0, r.stderr[-2000:]
    if 'if __name__ == "__main__"' in path.read_text("utf-8"):
        assert "usage:" in r.stdout, r.stdout  # a script: its options are listed, nothing ran
    else:
        assert r.stdout == "", r.stdout  # a module the scripts share: importing it runs nothing


def test_bench_extra_is_installed_by_the_documented_commands() -> None:
    import tomllib

    extras = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"]
    assert "psutil>=5.9" in extras["optional-dependencies"]["bench"]
    for script in ("test", "bench"):
        text = (ROOT / "scripts" / script).read_text("utf-8")
        assert "venv_install test,models,bench" in text, script
