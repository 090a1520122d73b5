from __future__ import annotations

from pathlib import Path

import pytest

from beian.config import load_config
from beian.errors import ConfigError
from beian.standards import load_edition, override_findings


def test_override_changes_figure_and_is_recorded() -> None:
    ed = load_edition(
        overrides={"assess.refusal.must_refuse_rate_min": 97}, override_source="my.yaml"
    )
    fig = ed.figure("assess.refusal.must_refuse_rate_min")
    assert fig.value == 97 and fig.default == 95 and fig.overridden
    assert not fig.check(0.96)
    (o,) = ed.overrides
    assert (o.name, o.default, o.value, o.source, o.weakens) == (
        "assess.refusal.must_refuse_rate_min",
        95,
        97,
        "my.yaml",
        False,
    )
    assert "已覆盖参数" in ed.label() and "默认 95" in ed.label()
    assert override_findings(ed) == []
    # the cached base edition is untouched
    assert load_edition().figure("assess.refusal.must_refuse_rate_min").value == 95


def test_weakening_override_is_flagged() -> None:
    ed = load_edition(overrides={"lexicon.total_min": 5000})
    (f,) = override_findings(ed)
    assert f.code == "BA-STD-001" and f.severity.value == "警告"


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"lexicon.total": 1}, "未知的数值参数"),
        ({"lexicon.total_min": "many"}, "不是数字"),
        ({"assess.corpus.manual_pass_min": 120}, "超出 0–100"),
    ],
)
def test_bad_overrides(overrides: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        load_edition(overrides=overrides)


def test_config_file(tmp_path: Path) -> None:
    cfg_path = tmp_path / "beian.yaml"
    cfg_path.write_text(
        "standards:\n  edition: gbt-45654-2025\n  overrides:\n    lexicon.total_min: 12000\n",
        encoding="utf-8",
    )
    ed = load_config(cfg_path).edition()
    assert ed.id == "gbt-45654-2025"
    assert ed.figure("lexicon.total_min").value == 12000
    assert ed.overrides[0].source == str(cfg_path)


def test_config_yaml_error_has_line(tmp_path: Path) -> None:
    cfg_path = tmp_path / "beian.yaml"
    cfg_path.write_text("standards:\n  edition: [unclosed\n  overrides: {}\n", encoding="utf-8")
    with pytest.raises(ConfigError) as exc:  # a configuration file: a configuration error
        load_config(cfg_path)
    assert exc.value.where == f"{cfg_path}:3:12"  # where the unclosed list is found wanting


def test_config_unknown_key(tmp_path: Path) -> None:
    cfg_path = tmp_path / "beian.yaml"
    cfg_path.write_text("standards:\n  editon: x\n", encoding="utf-8")
    with pytest.raises(ConfigError) as exc:
        load_config(cfg_path)
    assert "standards.editon" in str(exc.value.where)
