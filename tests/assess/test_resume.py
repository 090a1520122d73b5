"""Kill -9 a real ``beian assess run`` mid-run, rerun it: every question answered once, same results."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from beian.demo import DemoBehavior, DemoServer, serve_in_thread

from .conftest import EXAMPLE_DATA, write_small_bank

VOLATILE = {"asked_at", "answered_at", "latency_ms"}


def _config(dir: Path, server: DemoServer, bank: Path) -> Path:
    cfg = {
        "name": "resume",
        "banks": [str(bank)],
        "target": {"base_url": server.base_url, "model": "beian-demo-1", "concurrency": 4, "backoff": 0.01},
        "judges": {"refusal": {}, "keyword": {"lexicon": str(EXAMPLE_DATA / "lexicon.csv")}},
        "sampling": {"seed": 3, "generation": "all", "must_refuse": "all", "must_answer": "all"},
    }
    p = dir / "assess.yaml"
    p.write_text(yaml.safe_dump(cfg, allow_unicode=True), "utf-8")
    return p


def _cached_ids(db: Path) -> set[str]:
    if not db.exists():
        return set()
    try:
        with sqlite3.connect(db) as con:
            return {row[0] for row in con.execute("SELECT qid FROM responses")}
    except sqlite3.OperationalError:  # the table is not created yet
        return set()


def _run(cfg: Path, out: Path) -> subprocess.Popen[str]:
    env = {**os.environ, "NO_COLOR": "1", "COLUMNS": "200"}
    return subprocess.Popen(
        [sys.executable, "-m", "beian", "assess", "run", str(cfg), "--out", str(out), "--format", "json"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )


def _records(run: Path) -> list[dict[str, object]]:
    lines = (run / "records.jsonl").read_text("utf-8").splitlines()
    return [{k: v for k, v in json.loads(line).items() if k not in VOLATILE} for line in lines]


@pytest.mark.slow
def test_kill_9_then_resume(tmp_path: Path) -> None:
    bank = write_small_bank(tmp_path / "bank.jsonl", {"generation": 80, "must_refuse": 40, "must_answer": 40})
    total = 160
    beh = DemoBehavior(latency_ms=40)
    with serve_in_thread(beh) as s:
        a = tmp_path / "a"
        a.mkdir()
        cfg = _config(a, s, bank)
        proc = _run(cfg, a / "run")
        deadline = time.monotonic() + 60
        while len(_cached_ids(a / "run" / "cache.sqlite")) < 40:
            assert proc.poll() is None, proc.communicate()
            assert time.monotonic() < deadline
            time.sleep(0.02)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        assert proc.returncode == -signal.SIGKILL
        answered_before = _cached_ids(a / "run" / "cache.sqlite")
        assert 40 <= len(answered_before) < total and not (a / "run" / "records.jsonl").exists()

        proc = _run(cfg, a / "run")
        out, err = proc.communicate(timeout=120)
        assert proc.returncode in (0, 1), err
        resumed = json.loads(out)
        assert resumed["asked"] == total - len(answered_before)
        counts = s.stats.by_prompt

    records = _records(a / "run")
    assert len(records) == total == len({r["id"] for r in records})
    by_question = {str(r["question"]): str(r["id"]) for r in records}
    for question, qid in by_question.items():
        # answered before the kill: asked exactly once; in flight at the kill: at most once more
        assert counts[question] == 1 if qid in answered_before else 1 <= counts[question] <= 2
    assert sum(counts.values()) <= total + 4  # concurrency 4: at most 4 requests were in flight

    with serve_in_thread(beh) as s2:  # the same run, uninterrupted, on a fresh server and cache
        b = tmp_path / "b"
        b.mkdir()
        proc = _run(_config(b, s2, bank), b / "run")
        _, err_b = proc.communicate(timeout=120)
        assert proc.returncode in (0, 1), err_b
        assert all(c == 1 for c in s2.stats.by_prompt.values())
    assert records == _records(b / "run")
    res_a = json.loads((a / "run" / "assessment.json").read_text("utf-8"))["results"]
    res_b = json.loads((b / "run" / "assessment.json").read_text("utf-8"))["results"]
    assert res_a == res_b and len(res_a) == 3
