from __future__ import annotations

import json
from pathlib import Path

from beian import __version__
from tests.conftest import run_cli
from tests.standards.test_catalogue import REFERENCE_FIGURES


def test_version() -> None:
    r = run_cli("--version")
    assert r.returncode == 0 and r.stdout.strip() == f"beian {__version__}"


def test_help_is_chinese() -> None:
    r = run_cli("--help")
    assert r.returncode == 0
    assert "备案" in r.stdout and "standards" in r.stdout


def test_thresholds_json_has_every_reference_figure() -> None:
    r = run_cli("standards", "thresholds", "--edition", "tc260-003-2024", "--format", "json")
    assert r.returncode == 0, r.stderr
    data = json.loads(r.stdout)
    assert data["edition"] == "tc260-003-2024" and data["overrides"] == []
    figures = {f["name"]: f for f in data["figures"]}
    for name, value, comparison in REFERENCE_FIGURES:
        assert figures[name]["value"] == value
        assert figures[name]["comparison"] == comparison
        assert figures[name]["clause"]
        assert figures[name]["confidence"] in {"V", "S", "U"}


def test_thresholds_with_override_file(tmp_path: Path) -> None:
    cfg = tmp_path / "beian.yaml"
    cfg.write_text(
        "standards:\n  overrides:\n    assess.generation.manual_pass_min: 80\n", encoding="utf-8"
    )
    r = run_cli("--config", str(cfg), "standards", "thresholds", "--format", "json")
    assert r.returncode == 0, r.stderr
    data = json.loads(r.stdout)
    fig = next(f for f in data["figures"] if f["name"] == "assess.generation.manual_pass_min")
    assert fig["value"] == 80 and fig["default"] == 90 and fig["overridden"] is True
    assert data["overrides"] == [
        {
            "name": "assess.generation.manual_pass_min",
            "default": 90.0,
            "value": 80.0,
            "source": str(cfg),
            "weakens": True,
        }
    ]
    table = run_cli("--config", str(cfg), "standards", "thresholds")
    assert "已覆盖参数" in table.stdout and "BA-STD-001" in table.stderr


def test_override_from_env(tmp_path: Path) -> None:
    cfg = tmp_path / "x.yaml"
    cfg.write_text("standards:\n  overrides:\n    lexicon.total_min: 20000\n", encoding="utf-8")
    r = run_cli("standards", "thresholds", "-f", "json", env={"BEIAN_CONFIG": str(cfg)})
    data = json.loads(r.stdout)
    assert [o["name"] for o in data["overrides"]] == ["lexicon.total_min"]


def test_list_and_show() -> None:
    r = run_cli("standards", "list", "--format", "json")
    data = json.loads(r.stdout)
    assert len(data["risks"]) == 31 and sum(x["core"] for x in data["risks"]) == 17
    assert len(data["aspects"]) == 13
    r = run_cli("standards", "show", "A.1.a", "-f", "json")
    assert json.loads(r.stdout)["item"]["code"] == "A1a"
    r = run_cli("standards", "show", "lexicon.total_min")
    assert r.returncode == 0 and "10000" in r.stdout


def test_show_unknown_is_clear_error() -> None:
    r = run_cli("standards", "show", "A9z")
    assert r.returncode == 2
    assert "错误" in r.stderr and "修复" in r.stderr


def test_bad_config_reports_location(tmp_path: Path) -> None:
    cfg = tmp_path / "beian.yaml"
    cfg.write_text("standards:\n  overrides:\n    lexicon.total_min: [1\n", encoding="utf-8")
    r = run_cli("standards", "thresholds", cwd=tmp_path)
    assert r.returncode == 2
    assert f"{cfg.name}:" in r.stderr or "beian.yaml:" in r.stderr
