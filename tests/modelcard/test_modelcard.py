"""`beian modelcard`: exact parameter counts from real files, header only."""

from __future__ import annotations

import hashlib
import json
import resource
import struct
from pathlib import Path

import numpy as np
import pytest
import torch
from safetensors.numpy import save_file

from beian.errors import InputError
from beian.modelcard import read_model_card
from tests.conftest import run_cli

SHAPES = {
    "model.embed_tokens.weight": (100, 16),
    "model.layers.0.attn.q.weight": (16, 16),
    "model.layers.0.mlp.up.weight": (32, 16),
    "model.layers.1.attn.q.weight": (16, 16),
    "model.layers.1.mlp.up.weight": (32, 16),
    "lm_head.weight": (100, 16),
}
EXPECTED = sum(int(np.prod(s)) for s in SHAPES.values())  # 4,736


def _write_model(d: Path) -> Path:
    rng = np.random.default_rng(0)
    path = d / "model.safetensors"
    save_file({k: rng.standard_normal(s).astype(np.float16) for k, s in SHAPES.items()}, str(path))
    (d / "config.json").write_text(
        json.dumps(
            {
                "architectures": ["TinyForCausalLM"],
                "num_hidden_layers": 2,
                "hidden_size": 16,
                "max_position_embeddings": 2048,
                "vocab_size": 100,
                "torch_dtype": "float16",
            }
        ),
        encoding="utf-8",
    )
    return path


def test_safetensors_exact_count_and_config(tmp_path: Path) -> None:
    path = _write_model(tmp_path)
    card = read_model_card(path)
    assert card.parameter_count == EXPECTED and card.parameter_count_exact
    assert (card.architecture, card.layers, card.hidden_size, card.context_length) == (
        "TinyForCausalLM",
        2,
        16,
        2048,
    )
    assert card.tensors == len(SHAPES) and card.dtype == "float16"
    assert card.weights_sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert read_model_card(tmp_path).parameter_count == EXPECTED  # the directory works too


def test_header_only_on_a_huge_sparse_file(tmp_path: Path) -> None:
    """A 4 GiB tensor that is never written (a sparse file): reading it would cost 4 GiB."""
    header = json.dumps(
        {
            "huge": {"dtype": "F32", "shape": [1 << 30], "data_offsets": [0, 4 << 30]},
            "__metadata__": {"architecture": "Sparse"},
        }
    ).encode()
    header += b" " * (-len(header) % 8)
    path = tmp_path / "huge.safetensors"
    with open(path, "wb") as fh:
        fh.write(struct.pack("<Q", len(header)) + header)
        fh.truncate(8 + len(header) + (4 << 30))
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    from beian.modelcard._card import ModelCard, _from_safetensors

    card = ModelCard(source=str(path), source_kind="safetensors")
    _from_safetensors([path], card)
    grown_mib = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    assert card.parameter_count == 1 << 30 and card.architecture == "Sparse"
    assert grown_mib < 200


def test_pytorch_checkpoint(tmp_path: Path) -> None:
    net = torch.nn.Sequential(torch.nn.Linear(10, 20), torch.nn.ReLU(), torch.nn.Linear(20, 3))
    path = tmp_path / "m.pt"
    torch.save({"state_dict": net.state_dict(), "epoch": 3}, path)
    card = read_model_card(path)
    assert card.parameter_count == 10 * 20 + 20 + 20 * 3 + 3
    assert card.dtype == "float32" and card.tensors == 4


def test_config_only_estimate(tmp_path: Path) -> None:
    cfg = tmp_path / "config.json"
    cfg.write_text(
        json.dumps(
            {
                "architectures": ["X"],
                "n_layer": 12,
                "n_embd": 768,
                "vocab_size": 50257,
                "n_positions": 1024,
            }
        ),
        encoding="utf-8",
    )
    card = read_model_card(cfg)
    assert card.parameter_count == 12 * 12 * 768**2 + 50257 * 768 and not card.parameter_count_exact
    assert card.context_length == 1024 and card.weights_sha256 is None


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("bad.safetensors", b"\x10\x00\x00\x00\x00\x00\x00\x00{not json", "safetensors"),
        ("bad.pt", b"garbage", "PyTorch"),
        ("config.json", b"{oops", "JSON"),
        ("model.onnx", b"x", "不支持"),
    ],
)
def test_bad_files(tmp_path: Path, name: str, data: bytes, message: str) -> None:
    p = tmp_path / name
    p.write_bytes(data)
    with pytest.raises(InputError, match=message):
        read_model_card(p)


def test_cli_json_and_into_dossier(tmp_path: Path) -> None:
    path = _write_model(tmp_path)
    r = run_cli("modelcard", str(path), "--format", "json")
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["parameter_count"] == EXPECTED
    dossier = tmp_path / "dossier.yaml"
    dossier.write_text(
        "# 备案材料\nmodel:\n  # 模型架构\n  architecture: 待填\n  training_compute: 8×A100\n",
        encoding="utf-8",
    )
    r = run_cli("modelcard", str(path), "--into", str(dossier))
    assert r.returncode == 0, r.stderr
    text = dossier.read_text(encoding="utf-8")
    assert "# 模型架构" in text and "training_compute: 8×A100" in text  # comments and fields kept
    import yaml

    model = yaml.safe_load(text)["model"]
    assert (
        model["architecture"] == "TinyForCausalLM" and model["card"]["parameter_count"] == EXPECTED
    )
    bad = run_cli("modelcard", str(tmp_path / "missing.safetensors"))
    assert bad.returncode == 2 and "不存在" in bad.stderr


def test_modelcard_into_a_real_dossier_builds(tmp_path: Path) -> None:
    """modelcard --into keeps the dossier valid, and the 上线备案表 shows the facts."""
    import docx

    d = tmp_path / "dossier"
    assert run_cli("init", str(d), "--example").returncode == 0
    path = _write_model(tmp_path)
    r = run_cli("modelcard", str(path), "--into", str(d / "dossier.yaml"))
    assert r.returncode == 0, r.stderr
    from beian.assess import AssessmentLog, evaluate_item
    from beian.standards import load_edition

    log = AssessmentLog.for_edition(load_edition())
    log.upsert(evaluate_item(load_edition(), "9.4-must_refuse", k=300, n=300))
    log.save(d / "assessment.json")  # the example dossier's attachments.assessment
    checked = run_cli("check", str(d), "--format", "json")
    assert "BA-DOS-001" not in checked.stdout, checked.stdout[:2000]  # no schema error
    out = tmp_path / "pkg"
    built = run_cli("build", str(d), "-o", str(out), "--draft")
    assert built.returncode in (0, 1), (
        built.stderr
    )  # --draft builds; exit 1 flags its 阻断 findings
    assert (out / "manifest.json").is_file()
    form = next(out.glob("*备案表*.docx"))
    text = "\n".join(
        c.text for t in docx.Document(str(form)).tables for row in t.rows for c in row.cells
    )
    assert f"{EXPECTED:,}" in text and "TinyForCausalLM" in text
