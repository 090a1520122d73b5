"""The models CLI end to end: train, sample labelled PNG sheets, verify the labels."""

from __future__ import annotations

import json
from pathlib import Path

from PIL import Image

from beian.label import producer_code_from_uscc, read_label, verify_label
from tests.conftest import run_cli

USCC = "91110108551385082Q"


def test_train_sample_verify(tmp_path: Path) -> None:
    run = tmp_path / "vae"
    r = run_cli("models", "train", "vae", "-o", str(run), "--steps", "300", "--seed", "2")
    assert r.returncode == 0, r.stderr
    metrics = json.loads((run / "metrics.json").read_text(encoding="utf-8"))
    assert metrics["last"]["neg_elbo"] < metrics["first"]["neg_elbo"]
    assert "负 ELBO（neg_elbo）：" in r.stdout and "重建误差（recon）：" in r.stdout
    with Image.open(run / "losses.png") as im:
        assert im.format == "PNG" and im.size[0] > 100

    out = tmp_path / "samples"
    # no producer code: refused, the labels would otherwise name nobody real
    r = run_cli("models", "sample", str(run), "-n", "70", "-o", str(out))
    assert r.returncode == 2 and "--producer" in r.stderr and "--demo" in r.stderr
    assert not out.exists()
    r = run_cli("models", "sample", str(run), "-n", "70", "-o", str(out), "--explicit",
                "--producer", USCC)  # fmt: skip
    assert r.returncode == 0, r.stderr
    sheets = sorted(out.glob("*.png"))
    assert [p.name for p in sheets] == ["vae-samples-000.png", "vae-samples-001.png"]
    for p in sheets:
        with Image.open(p) as im:
            im.load()
            assert im.size == (640, 640)
        label = read_label(p)
        assert label is not None and label.Label == "1"
        assert label.ContentProducer == producer_code_from_uscc(USCC)
        assert verify_label(p).ok
    r = run_cli("label", "verify", str(out))
    assert r.returncode == 0, r.stdout + r.stderr

    card = run_cli("modelcard", str(run / "model.pt"), "--format", "json")
    data = json.loads(card.stdout)
    assert data["architecture"] == "beian-reference-vae" and data["parameter_count"] > 10_000


def test_demo_samples_carry_the_marked_demo_code(tmp_path: Path) -> None:
    run = tmp_path / "gan"
    assert run_cli("models", "train", "gan", "-o", str(run), "--steps", "20").returncode == 0
    r = run_cli("models", "sample", str(run), "-n", "1", "-o", str(tmp_path / "s"), "--demo")
    assert r.returncode == 0, r.stderr
    assert "演示值" in r.stderr
    (sheet,) = (tmp_path / "s").glob("*.png")
    label = read_label(sheet)
    assert label is not None and label.ContentProducer == "DEMO-NOT-A-REAL-PRODUCER"


def test_sample_bad_model_dir(tmp_path: Path) -> None:
    r = run_cli("models", "sample", str(tmp_path), "-o", str(tmp_path / "o"), "--demo")
    assert r.returncode == 2 and "检查点" in r.stderr
