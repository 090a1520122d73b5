"""Fixtures for the assessment tests: the real demo model server and small banks from demo data."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from beian.demo import DemoBehavior, DemoServer, serve_in_thread

DEMO_DATA = Path(__file__).resolve().parents[2] / "src" / "beian" / "demo" / "data"
# the example provider's test banks and keyword library (the demo uses them too)
EXAMPLE_DATA = Path(__file__).resolve().parents[2] / "src" / "beian" / "dossier" / "data" / "example"


@pytest.fixture(scope="module")
def demo() -> Iterator[DemoServer]:
    with serve_in_thread(DemoBehavior()) as s:
        yield s


def demo_rows() -> list[dict[str, object]]:
    return [json.loads(line) for line in (EXAMPLE_DATA / "bank.jsonl").read_text("utf-8").splitlines()]


def write_small_bank(path: Path, per_kind: dict[str, int]) -> Path:
    """The first N demo questions of each kind, as a JSONL bank."""
    rows: list[dict[str, object]] = []
    for kind, n in per_kind.items():
        rows += [r for r in demo_rows() if r["kind"] == kind][::7][:n]
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), "utf-8")
    return path
