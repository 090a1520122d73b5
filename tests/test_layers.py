"""The layering DESIGN asks for: parts never need the demo, the package ships no test-data generators."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src"
PARTS = ["standards", "lexicon", "pii", "assess", "dossier", "label", "registry", "gateway",
         "corpus", "modelcard", "config", "findings", "io", "crypto"]


def _without_demo(code: str) -> None:
    code += "\nimport sys\nsys.exit(1 if 'beian.demo' in sys.modules else 0)"
    r = subprocess.run([sys.executable, "-c", code], env={"PYTHONPATH": str(SRC)},
                       capture_output=True, text=True, timeout=120, check=False)
    assert r.returncode == 0, r.stderr or "beian.demo was imported"


@pytest.mark.parametrize("part", PARTS)
def test_a_part_does_not_import_the_demo(part: str) -> None:
    _without_demo(f"import beian.{part}")


def test_the_example_dossier_does_not_need_the_demo(tmp_path: Path) -> None:
    _without_demo(f"from beian.dossier import init_dossier\ninit_dossier({str(tmp_path)!r}, example=True)")
    assert {p.name for p in tmp_path.iterdir()} >= {"dossier.yaml", "lexicon.csv", "bank.jsonl"}


def test_no_test_data_generators_in_the_package() -> None:
    names = {p.name for p in (SRC / "beian").rglob("*.py")}
    assert not {n for n in names if n.startswith(("_synth", "_make_data"))}
