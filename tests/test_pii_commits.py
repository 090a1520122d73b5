"""``benchmarks/pii_commits.py`` times each commit on the same text and reports ratios in rounds."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_two_commits_are_timed_on_the_same_text(tmp_path: Path) -> None:
    head = subprocess.run(
        ["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"],
        check=True, capture_output=True, text=True,
    ).stdout.strip()  # fmt: skip
    out = tmp_path / "runs.json"
    subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "pii_commits.py"), "HEAD",
         "--baseline", head, "--size-mb", "0.05", "--rounds", "2", "--passes", "1",
         "--output", str(out)],
        check=True, cwd=ROOT, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    result = json.loads(out.read_text("utf-8"))
    assert result["baseline"] == head
    assert len(result["rounds"]) == 2
    for row in result["rounds"]:
        assert row[head] > 0 and row["HEAD"] > 0
    assert result["summary"][head]["ratios"] == [1.0, 1.0]
    assert len(result["summary"]["HEAD"]["ratios"]) == 2
